/**
 * `npm run demo` against the shared local stack: the demo's main function is run once, and what it
 * reports is checked against the stack itself (the public tracker, the mailbox, the table and the
 * bucket), so a demo that only printed success would fail here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteDefinition, routes } from '#api/routes.ts';
import { permitsResponse, trackResponse } from '#api/schemas.ts';
import { loadRegency } from '#config/load.ts';
import { DemoError } from '../../local/demo/client.ts';
import { type DemoOutcome, runDemo } from '../../local/demo/run.ts';
import { type NoticeSeen, stoppingPoint } from '../../local/demo/stopping-point.ts';
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
  });
  afterAll(() => records.destroy());

  it('submits one application per permit of the regency and each is in progress at its first stage', async () => {
    expect(outcome.applications.map((a) => a.permitCode)).toEqual(catalogue.permits.map((p) => p.code));
    for (const [i, walked] of outcome.applications.entries()) {
      const first = catalogue.permits[i]?.stages[0];
      expect(walked).toMatchObject({ submittedStatus: 'submitted', status: 'in-progress' });
      expect(walked.currentStage.stageId).toBe(first?.id);
      const tracker = trackResponse.parse(await (await api(`/track/${walked.trackingCode}`)).json());
      expect(tracker.status).toBe('in-progress');
      expect(tracker.currentStage?.name).toBe(first?.name);
      expect(tracker.currentStage?.deadline.text).toBe(walked.currentStage.deadline.text);
    }
  });

  it('uploads every required document as a real PDF or JPEG, and those are the submitted versions', async () => {
    for (const walked of outcome.applications) {
      const app = await records.application(walked.applicationId);
      const submitted = Object.entries(app.documents ?? {}).map(([id, doc]) => [id, doc.uploadId]);
      expect(submitted.sort()).toEqual(walked.documents.map((d) => [d.requirementId, d.uploadId]).sort());
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
      expect([...walked.officialsNotice.to].sort()).toEqual(officials.map((o) => o.email).sort());
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

  it('ends by saying it stops where an official would click a link, and why', () => {
    const official = routes.filter((r) => r.auth === 'official-link').map((r) => `${r.method} ${r.path}`);
    const links = outcome.applications.flatMap((a) => a.officialsNotice.links);
    expect(outcome.stop.officialRoutes).toEqual(official);
    expect(outcome.stop.noticeLinks).toEqual([...new Set(links)]);
    if (official.length === 0 && links.length === 0) {
      expect(outcome.stop.kind).toBe('decision-pages-missing');
      expect(outcome.stop.lines.join('\n')).toMatch(/no route with auth 'official-link'/);
    }
    expect(printed.slice(-outcome.stop.lines.length)).toEqual(outcome.stop.lines);
    for (const walked of outcome.applications)
      expect(outcome.stop.lines.join('\n')).toContain(
        `${walked.trackingCode}: "${walked.currentStage.name}"`,
      );
  });
});

describe('stoppingPoint', () => {
  const notice: NoticeSeen = {
    permitCode: 'SIKOT',
    trackingCode: 'BNG-AAAA-BBBB',
    stageName: 'Pemeriksaan kelengkapan',
    roleLabel: 'Petugas Pelayanan',
    to: ['rina@dpmptsp.example'],
    links: [],
  };
  const decisionRoute: RouteDefinition = {
    method: 'GET',
    path: '/decisions/{token}',
    fn: 'decision',
    auth: 'official-link',
    summary: 'Decision page',
  };

  it('says it found an official-link route and does not use it yet when one appears', () => {
    const stop = stoppingPoint([...routes, decisionRoute], [notice]);
    expect(stop.kind).toBe('decision-routes-unlinked');
    expect(stop.officialRoutes).toContain('GET /decisions/{token}');
    expect(stop.lines.join('\n')).toMatch(
      /Found: .*GET \/decisions\/\{token\}.*\n.*\n.*does not use them yet/,
    );
  });

  it('says it found the links in the notices and does not follow them yet', () => {
    const link = 'https://izin.example/keputusan/abc';
    const stop = stoppingPoint([...routes, decisionRoute], [{ ...notice, links: [link] }]);
    expect(stop.kind).toBe('decision-links-not-followed');
    expect(stop.noticeLinks).toEqual([link]);
    expect(stop.lines.join('\n')).toContain(`Found: the notices contain link(s): ${link}`);
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
