/**
 * `npm run demo` against the shared local stack: the demo's main function is run once, and what it
 * reports is checked against the stack itself (the public tracker, the mailbox, the table and the
 * bucket), so a demo that only printed success would fail here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permitsResponse, trackResponse } from '#api/schemas.ts';
import { loadRegency } from '#config/load.ts';
import { DemoError } from '../../local/demo/client.ts';
import { type DemoOutcome, runDemo } from '../../local/demo/run.ts';
import { endpointsFile, readEndpoints } from '../../local/demo.ts';
import { REPO_ROOT } from '../../local/stack.ts';
import { StackRecords } from './api/client.ts';
import { addressedTo, api, mailbox, stackEndpoints } from './harness/index.ts';

const endpoints = stackEndpoints();
const regency = loadRegency(endpoints.regency).regency;

describe('npm run demo (runDemo) on the shared stack', () => {
  const records = new StackRecords();
  const printed: string[] = [];
  let outcome: DemoOutcome;
  let catalogue: ReturnType<typeof permitsResponse.parse>;

  beforeAll(async () => {
    catalogue = permitsResponse.parse(await (await api('/permits')).json());
    outcome = await runDemo(endpoints, { print: (line) => printed.push(line) });
    // Every stage of every permit, a return and a rejection: minutes on a loaded 2-core machine.
  }, 300_000);
  afterAll(() => records.destroy());

  it('submits one application per permit of the regency and each was in progress at its first stage', async () => {
    expect(outcome.applications.map((a) => a.permitCode)).toEqual(catalogue.permits.map((p) => p.code));
    for (const [i, walked] of outcome.applications.entries()) {
      const first = catalogue.permits[i]?.stages[0];
      expect(walked).toMatchObject({ submittedStatus: 'submitted', status: 'in-progress' });
      expect(walked.currentStage.stageId).toBe(first?.id);
      expect(walked.tracker.stageName).toBe(first?.name);
      // The deadline the demo read is the one the workflow set on the first visit of that stage.
      const visits = await records.stages.listVisits(walked.applicationId);
      const firstVisit = visits.find((v) => v.stageId === first?.id);
      expect(new Date(walked.currentStage.deadline.utc).getTime()).toBe(
        new Date(firstVisit?.deadline ?? '').getTime(),
      );
      const tracker = trackResponse.parse(await (await api(`/track/${walked.trackingCode}`)).json());
      expect(tracker.status).toBe(walked.final.status);
    }
  });

  it('uploads every required document as a real PDF or JPEG, and those are the submitted versions', async () => {
    for (const walked of outcome.applications) {
      const app = await records.application(walked.applicationId);
      // A document replaced after a return is checked by the return's own test.
      const replaced = walked.resubmitted ?? [];
      const submitted = Object.entries(app.documents ?? {})
        .filter(([id]) => !replaced.includes(id))
        .map(([id, doc]) => [id, doc.uploadId]);
      expect(submitted.sort()).toEqual(
        walked.documents
          .filter((d) => !replaced.includes(d.requirementId))
          .map((d) => [d.requirementId, d.uploadId])
          .sort(),
      );
      expect(walked.answers).toEqual(app.answers);
    }
    const requirements = catalogue.permits.flatMap((p) =>
      p.requirements.map((r) => ({ permit: p.code, ...r })),
    );
    for (const walked of outcome.applications)
      for (const doc of walked.documents) {
        const accepted = requirements.find(
          (r) => r.permit === walked.permitCode && r.id === doc.requirementId,
        );
        expect(accepted?.mediaTypes).toContain(doc.mediaType);
      }
    const sent = new Set(outcome.applications.flatMap((a) => a.documents.map((d) => d.mediaType)));
    for (const type of ['application/pdf', 'image/jpeg'] as const)
      if (requirements.some((r) => r.mediaTypes.includes(type))) expect(sent).toContain(type);
  });

  it("finds the officials' notice in the mailbox, sent to the first stage's officials with the applicant's deadline", async () => {
    for (const walked of outcome.applications) {
      const permit = regency.permits.find((p) => p.code === walked.permitCode);
      const role = permit?.stages.find((s) => s.id === walked.currentStage.stageId)?.role;
      const officials = regency.officials.filter((o) => role !== undefined && o.roles.includes(role));
      expect(officials.length).toBeGreaterThan(0);
      for (const official of officials) {
        const mail = await mailbox().waitFor(
          (m) => addressedTo(official.email)(m) && m.subject.includes(`[${walked.trackingCode}]`),
        );
        expect(mail.subject).toContain(walked.currentStage.name);
        expect(mail.body.text).toContain(walked.currentStage.deadline.text);
      }
      // One mail per official: the demo reads the first to arrive.
      expect(officials.map((o) => o.email)).toEqual(expect.arrayContaining(walked.officialsNotice.to));
      expect(walked.officialsNotice.deadlineInMail).toBe(walked.currentStage.deadline.text);
    }
  });

  it('has its executable renamed .pdf rejected by the server-side check, and nothing of it kept', async () => {
    const bad = outcome.badUpload;
    expect(bad).toMatchObject({ storageStatus: 200, status: 422, code: 'unrecognised-content' });
    expect(bad?.versionsAfterRejection).toBe(0);
    const record = await records.documents.getUpload(bad?.applicationId ?? '', bad?.uploadId ?? '');
    expect(record).toMatchObject({ status: 'rejected', reason: 'unrecognised-content' });
    const head = records.clients.s3.send(
      new HeadObjectCommand({ Bucket: endpoints.s3.bucket, Key: record?.objectKey ?? '' }),
    );
    await expect(head).rejects.toMatchObject({ name: 'NotFound' });
  });

  it("takes every application through every officials' stage by the links in their mail", async () => {
    for (const walked of [...outcome.applications, outcome.rejection]) {
      const permit = regency.permits.find((p) => p.code === walked.permitCode);
      const human = (permit?.stages ?? []).filter((s) => s.kind !== 'number' && s.kind !== 'issue');
      expect(new Set(walked.decisions.map((d) => d.stageName))).toEqual(new Set(human.map((s) => s.name)));
      for (const d of walked.decisions) {
        expect(d.link.startsWith(`${endpoints.api.url}/o/`)).toBe(true);
        expect(d.answer).toBe('Keputusan tercatat');
      }
      // What the demo says it decided is what the audit trail recorded, decision by decision.
      const recorded = (await records.audit(walked.applicationId)).filter(
        (e) => e.type === 'decision-recorded',
      );
      expect(recorded).toHaveLength(walked.decisions.length);
      expect(recorded.every((e) => e.from?.ip === '127.0.0.1')).toBe(true);
      // At a signing stage the mailed code was typed in.
      const signing = human.filter((s) => s.kind === 'sign').map((s) => s.name);
      for (const d of walked.decisions)
        expect(d.code === undefined, d.stageName).toBe(!signing.includes(d.stageName));
    }
  });

  it('issues every permit, uploading the report where a stage asks for one, and downloads it after the survey', async () => {
    for (const walked of outcome.applications) {
      const app = await records.application(walked.applicationId);
      expect(walked.final.status).toBe('issued');
      expect(app.status).toBe('issued');
      const permit = regency.permits.find((p) => p.code === walked.permitCode);
      const reporting = (permit?.stages ?? [])
        .filter((s) => s.produces.some((o) => o.upload))
        .map((s) => s.name);
      expect(walked.decisions.filter((d) => d.report !== undefined).map((d) => d.stageName)).toEqual(
        walked.decisions.filter((d) => reporting.includes(d.stageName)).map((d) => d.stageName),
      );
      expect(walked.download).toMatchObject({ document: 'permit', number: app.permitNumber });
      const file = readFileSync(walked.download?.savedTo ?? '');
      expect(file.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(file.length).toBe(walked.download?.bytes);
      expect(walked.applicantMails).toContain(`[${walked.trackingCode}] Izin Anda telah terbit`);
    }
  });

  it("returns the first application once, and continues it after the applicant's resubmission", async () => {
    const first = outcome.applications[0];
    const returned = first?.decisions[0];
    expect(returned).toMatchObject({ outcome: 'returnForCompletion', deficient: [expect.any(String)] });
    expect(first?.resubmitted).toEqual(returned?.deficient);
    const trail = (await records.audit(first?.applicationId ?? '')).map((e) => e.type);
    expect(trail.indexOf('returned-to-applicant')).toBeLessThan(trail.indexOf('resubmitted'));
    const app = await records.application(first?.applicationId ?? '');
    const replaced = returned?.deficient[0] ?? '';
    const before = first?.documents.find((d) => d.requirementId === replaced)?.uploadId;
    expect(app.documents?.[replaced]?.uploadId).not.toBe(before);
    expect(first?.applicantMails[0]).toContain('Berkas permohonan dikembalikan untuk dilengkapi');
  });

  it('rejects a second application at the stage whose rejection ends in the letter, and downloads the letter', async () => {
    const rejected = outcome.rejection;
    const last = rejected.decisions.at(-1);
    expect(last).toMatchObject({ outcome: 'reject', note: expect.any(String) });
    const tracker = trackResponse.parse(await (await api(`/track/${rejected.trackingCode}`)).json());
    expect(tracker.status).toBe('rejected');
    expect(rejected.download?.document).toBe('rejection-letter');
    const notice = await mailbox().waitFor(
      (m) => m.subject === `[${rejected.trackingCode}] Keputusan atas permohonan Anda`,
    );
    expect(notice.body.text).toContain(last?.note ?? '');
  });

  it('ends with a summary line per application', () => {
    const done = printed.lastIndexOf('Done');
    expect(done).toBeGreaterThan(0);
    const summary = printed.slice(done).join('\n');
    for (const walked of [...outcome.applications, outcome.rejection])
      expect(summary).toContain(`${walked.trackingCode}: ${walked.final.statusLabel}`);
  });
});

describe('npm run demo without a running stack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'satupintu-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the endpoints file of --data-dir before the environment', () => {
    const env = { SATUPINTU_ENDPOINTS_FILE: '/elsewhere/endpoints.json' };
    expect(endpointsFile({ 'data-dir': dir }, env)).toBe(join(dir, 'endpoints.json'));
    expect(endpointsFile({}, env)).toBe('/elsewhere/endpoints.json');
    expect(endpointsFile({}, {})).toBe(join(REPO_ROOT, '.local', 'endpoints.json'));
  });

  it('rejects an endpoints file that does not describe a stack', () => {
    const file = join(dir, 'endpoints.json');
    writeFileSync(file, '{"regency":"kota-bengkulu"}');
    expect(() => readEndpoints(file)).toThrow(DemoError);
  });

  it('exits 1 telling the person to run npm start when there is no endpoints file', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'local', 'demo.ts'), '--data-dir', join(dir, 'missing')],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(join(dir, 'missing', 'endpoints.json'));
    expect(result.stderr).toMatch(/no running local stack.*`npm start`/);
    expect(result.stdout).toBe('');
  });
});
