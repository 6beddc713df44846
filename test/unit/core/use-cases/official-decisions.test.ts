import { describe, expect, it } from 'vitest';
import type { Application } from '#core/domain/application.ts';
import { csrfTokenFor } from '#core/domain/official-links.ts';
import {
  type DecisionForm,
  decideByLink,
  openLink,
  reassign,
  viewDocument,
} from '#core/use-cases/official-decisions.ts';
import { awaitHuman } from '#core/use-cases/stage-waits.ts';
import { enterStage, startApplication } from '#core/use-cases/workflow-steps.ts';
import { anApplication } from '../builders.ts';
import { type FakePorts, fakePorts, wib } from '../fakes.ts';

const CHECK = 'pemeriksaan-kelengkapan';
const TECHNICAL = 'pemeriksaan-tim-teknis';
const SIGN = 'penetapan-kepala-dinas';
/** Mon 2 Feb 2026 09:00 WIB. */
const t0 = wib('2026-02-02T09:00:00');
const later = wib('2026-02-02T10:00:00');
const visitor = { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (test)' };
const PDF = new TextEncoder().encode('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

/** An application waiting at `stageId`, its officials mailed; returns each official's token by id. */
async function arrange(stageId = CHECK, app: Partial<Application> = {}) {
  const ports = fakePorts();
  const application = anApplication({
    status: 'submitted',
    submittedAt: t0.toISOString(),
    version: 2,
    documents: {
      ktp: {
        requirementId: 'ktp',
        uploadId: 'u1',
        objectKey: 'applications/x/ktp.pdf',
        mediaType: 'application/pdf',
        sizeBytes: 52,
        acceptedAt: t0.toISOString(),
      },
    },
    ...app,
  });
  ports.applications.put(application);
  ports.applications.trackingCodes.set(application.trackingCode, application.id);
  await startApplication(ports, application.id, t0, 'arn:execution');
  const plan = await enterStage(ports, application.id, stageId, t0);
  await awaitHuman(ports, { pendingActionId: plan.pendingActionId, taskToken: 'task-1', at: t0 });
  return { ports, id: application.id, actionId: plan.pendingActionId, tokens: tokensByOfficial(ports) };
}

/** Each official's latest token, read from the mail they received (as a person would). */
function tokensByOfficial(ports: FakePorts): Record<string, string> {
  const byAddress: Record<string, string> = {};
  for (const mail of ports.mailer.sent) {
    const token = /\/o\/([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
    const to = mail.to[0];
    if (token !== undefined && to !== undefined) byAddress[to.split('@')[0] as string] = token;
  }
  return byAddress;
}

const form = (token: string, more: DecisionForm = {}): DecisionForm => ({
  csrf: csrfTokenFor(token),
  ...more,
});

/** Everything a GET could change, as one comparable value. */
async function state(ports: FakePorts, id: string, actionId: string) {
  return JSON.stringify([
    await ports.applications.get(id),
    await ports.stages.getAction(actionId),
    await ports.stages.listVisits(id),
    ports.audit.events(id).length,
    [...ports.links.links.values()],
    ports.tasks.calls,
    ports.mailer.sent.length,
  ]);
}

describe('openLink', () => {
  it('shows the application, its documents and exactly the outcomes the stage allows', async () => {
    const { ports, tokens } = await arrange();

    const page = await openLink(ports, tokens.rina as string, later);

    expect(page.kind).toBe('page');
    if (page.kind !== 'page') return;
    expect(page.data.official).toMatchObject({ id: 'rina-petugas', roleLabel: 'Petugas Pelayanan' });
    expect(page.data.outcomes.map((o) => [o.value, o.needsNote])).toEqual([
      ['approve', false],
      ['returnForCompletion', true],
    ]);
    expect(page.data.documents).toEqual([
      expect.objectContaining({
        ref: 'ktp',
        label: 'Scan asli KTP',
        href: `/o/${tokens.rina}/documents/ktp`,
      }),
    ]);
    expect(page.data.stage.deadline).toBe('Selasa, 3 Februari 2026 16.00 WIB');
    expect(page.data.csrf).toBe(csrfTokenFor(tokens.rina as string));
  });

  it('changes nothing, however often it is opened', async () => {
    const { ports, id, actionId, tokens } = await arrange();
    const before = await state(ports, id, actionId);

    for (const token of Object.values(tokens)) await openLink(ports, token, later);

    expect(await state(ports, id, actionId)).toBe(before);
  });

  it('answers unknown for a tampered or malformed token', async () => {
    const { ports, tokens } = await arrange();
    const token = tokens.rina as string;
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;

    for (const t of [tampered, 'short', `${token}x`, '../../etc/passwd'])
      expect(await openLink(ports, t, later)).toEqual({
        kind: 'problem',
        problem: { verdict: { kind: 'unknown' } },
      });
  });

  it('answers expired once the link outlives the deadline and its grace', async () => {
    const { ports, tokens } = await arrange();

    const page = await openLink(ports, tokens.rina as string, wib('2026-02-06T09:00:00'));

    expect(page).toMatchObject({ kind: 'problem', problem: { verdict: { kind: 'expired' } } });
  });
});

describe('decideByLink', () => {
  it("records the official's choice once, with who, when and from where, and hands it to the workflow", async () => {
    const { ports, id, actionId, tokens } = await arrange();

    const result = await decideByLink(
      ports,
      tokens.rina as string,
      form(tokens.rina as string, { outcome: 'approve' }),
      visitor,
      later,
    );

    expect(result.kind).toBe('decided');
    expect((await ports.stages.getAction(actionId))?.decision).toMatchObject({
      outcome: 'approve',
      actor: 'rina-petugas',
      actorName: expect.any(String),
      decidedAt: later.toISOString(),
    });
    expect(ports.audit.events(id).filter((e) => e.type === 'decision-recorded')).toEqual([
      expect.objectContaining({ applicationId: id, actor: 'rina-petugas', role: 'petugas', from: visitor }),
    ]);
    expect(ports.tasks.delivered()).toEqual([
      { taskToken: 'task-1', output: expect.objectContaining({ outcome: 'approve' }) },
    ]);
  });

  it('changes nothing when the form is posted as served, with no outcome chosen', async () => {
    const { ports, id, actionId, tokens } = await arrange();
    const before = await state(ports, id, actionId);

    const result = await decideByLink(
      ports,
      tokens.rina as string,
      form(tokens.rina as string),
      visitor,
      later,
    );

    expect(result).toMatchObject({
      kind: 'invalid',
      errors: [expect.objectContaining({ field: 'outcome' })],
    });
    expect(await state(ports, id, actionId)).toBe(before);
  });

  it('refuses a wrong or missing CSRF token, and another link’s token', async () => {
    const { ports, id, actionId, tokens } = await arrange();
    const before = await state(ports, id, actionId);

    for (const csrf of [undefined, 'x', csrfTokenFor(tokens.dedi as string)])
      expect(
        await decideByLink(
          ports,
          tokens.rina as string,
          { csrf, outcome: 'approve' } as DecisionForm,
          visitor,
          later,
        ),
      ).toEqual({ kind: 'forbidden' });
    expect(await state(ports, id, actionId)).toBe(before);
  });

  it('decides once when two officials act at the same moment; the other sees who decided', async () => {
    const { ports, actionId, tokens } = await arrange();
    const rina = tokens.rina as string;
    const dedi = tokens.dedi as string;

    const results = await Promise.all([
      decideByLink(ports, rina, form(rina, { outcome: 'approve' }), visitor, later),
      decideByLink(
        ports,
        dedi,
        form(dedi, { outcome: 'returnForCompletion', note: 'KTP buram', deficient: ['ktp'] }),
        visitor,
        later,
      ),
    ]);

    expect(results.map((r) => r.kind).sort()).toEqual(['decided', 'problem']);
    const loser = results.find((r) => r.kind === 'problem');
    const winner = (await ports.stages.getAction(actionId))?.decision;
    expect(loser).toMatchObject({
      problem: { verdict: { kind: 'decided' }, decidedBy: { name: winner?.actorName } },
    });
    expect(ports.tasks.delivered()).toHaveLength(1);
  });

  it('answers a second click with "already decided by", never with "expired"', async () => {
    const { ports, tokens } = await arrange();
    const rina = tokens.rina as string;
    await decideByLink(ports, rina, form(rina, { outcome: 'approve' }), visitor, later);

    const again = await decideByLink(ports, rina, form(rina, { outcome: 'approve' }), visitor, later);

    expect(again).toMatchObject({
      kind: 'problem',
      problem: { verdict: { kind: 'decided' }, decidedBy: { at: 'Senin, 2 Februari 2026 10.00 WIB' } },
    });
    expect(ports.tasks.delivered()).toHaveLength(1);
  });

  it('requires a note and the deficient documents for a return', async () => {
    const { ports, actionId, tokens } = await arrange();
    const rina = tokens.rina as string;

    const missing = await decideByLink(
      ports,
      rina,
      form(rina, { outcome: 'returnForCompletion' }),
      visitor,
      later,
    );
    expect(missing).toMatchObject({
      kind: 'invalid',
      errors: [expect.objectContaining({ field: 'note' }), expect.objectContaining({ field: 'deficient' })],
    });
    const unknown = await decideByLink(
      ports,
      rina,
      form(rina, { outcome: 'returnForCompletion', note: 'x', deficient: ['nope'] }),
      visitor,
      later,
    );
    expect(unknown).toMatchObject({
      kind: 'invalid',
      errors: [expect.objectContaining({ field: 'deficient' })],
    });

    const done = await decideByLink(
      ports,
      rina,
      form(rina, { outcome: 'returnForCompletion', note: 'KTP buram', deficient: ['ktp'] }),
      visitor,
      later,
    );
    expect(done.kind).toBe('decided');
    expect((await ports.stages.getAction(actionId))?.decision).toMatchObject({
      deficient: ['ktp'],
      note: 'KTP buram',
    });
  });

  it('refuses an outcome the stage does not allow', async () => {
    const { ports, tokens } = await arrange();
    const rina = tokens.rina as string;

    const result = await decideByLink(
      ports,
      rina,
      form(rina, { outcome: 'reject', note: 'x' }),
      visitor,
      later,
    );

    expect(result).toMatchObject({
      kind: 'invalid',
      errors: [expect.objectContaining({ field: 'outcome' })],
    });
  });

  it('requires the stage report (BAP) and stores it with the decision', async () => {
    const { ports, id, actionId, tokens } = await arrange(TECHNICAL);
    const sari = tokens.sari as string;

    const without = await decideByLink(ports, sari, form(sari, { outcome: 'approve' }), visitor, later);
    expect(without).toMatchObject({
      kind: 'invalid',
      errors: [expect.objectContaining({ field: 'report' })],
    });
    const html = await decideByLink(
      ports,
      sari,
      form(sari, {
        outcome: 'approve',
        report: { bytes: new TextEncoder().encode('<html>'), fileName: 'x.pdf' },
      }),
      visitor,
      later,
    );
    expect(html).toMatchObject({ kind: 'invalid', errors: [expect.objectContaining({ field: 'report' })] });

    const done = await decideByLink(
      ports,
      sari,
      form(sari, { outcome: 'approve', report: { bytes: PDF, fileName: 'bap.pdf' } }),
      visitor,
      later,
    );

    expect(done.kind).toBe('decided');
    const report = (await ports.stages.getAction(actionId))?.decision?.reports?.[0];
    expect(report).toMatchObject({
      outputId: 'laporan-pemeriksaan',
      mediaType: 'application/pdf',
      sizeBytes: PDF.length,
    });
    expect(ports.files.objects.get(report?.objectKey as string)?.body).toEqual(PDF);
    expect(report?.objectKey.startsWith(`applications/${id}/reports/`)).toBe(true);
  });
});

describe('signing with a mailed code', () => {
  const codeIn = (ports: FakePorts): string | undefined =>
    /Kode konfirmasi keputusan[^:]*: (\d{6})/.exec(ports.mailer.sent.at(-1)?.text ?? '')?.[1];

  it('mails a code to the official’s own address, and decides only with it', async () => {
    const { ports, actionId, tokens } = await arrange(SIGN);
    const hendra = tokens.hendra as string;

    const asked = await decideByLink(ports, hendra, form(hendra, { outcome: 'approve' }), visitor, later);

    expect(asked.kind).toBe('code-sent');
    expect(ports.mailer.sent.at(-1)?.to).toEqual(['hendra@dpmptsp.bengkulukota.example']);
    expect((await ports.stages.getAction(actionId))?.status).toBe('open');
    const code = codeIn(ports) as string;
    const wrong = code === '000000' ? '111111' : '000000';
    expect(await decideByLink(ports, hendra, form(hendra, { code: wrong }), visitor, later)).toMatchObject({
      kind: 'invalid',
      errors: [
        expect.objectContaining({ field: 'code', message: expect.stringContaining('Sisa percobaan: 4') }),
      ],
    });
    expect((await ports.stages.getAction(actionId))?.status).toBe('open');

    const confirmed = await decideByLink(ports, hendra, form(hendra, { code }), visitor, later);

    expect(confirmed.kind).toBe('decided');
    expect((await ports.stages.getAction(actionId))?.decision).toMatchObject({
      outcome: 'approve',
      actor: 'hendra-kadis',
    });
  });

  it('refuses an expired code', async () => {
    const { ports, actionId, tokens } = await arrange(SIGN);
    const hendra = tokens.hendra as string;
    await decideByLink(ports, hendra, form(hendra, { outcome: 'approve' }), visitor, later);
    const code = codeIn(ports) as string;

    const result = await decideByLink(
      ports,
      hendra,
      form(hendra, { code }),
      visitor,
      wib('2026-02-02T10:11:00'),
    );

    expect(result).toMatchObject({
      kind: 'invalid',
      errors: [expect.objectContaining({ message: expect.stringContaining('kedaluwarsa') })],
    });
    expect((await ports.stages.getAction(actionId))?.status).toBe('open');
  });

  it('locks the code after five wrong attempts', async () => {
    const { ports, actionId, tokens } = await arrange(SIGN);
    const hendra = tokens.hendra as string;
    await decideByLink(ports, hendra, form(hendra, { outcome: 'approve' }), visitor, later);
    const code = codeIn(ports) as string;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++)
      await decideByLink(ports, hendra, form(hendra, { code: wrong }), visitor, later);

    const result = await decideByLink(ports, hendra, form(hendra, { code }), visitor, later);

    expect(result).toMatchObject({
      kind: 'invalid',
      errors: [expect.objectContaining({ message: expect.stringContaining('Terlalu banyak') })],
    });
    expect((await ports.stages.getAction(actionId))?.status).toBe('open');
  });
});

describe('viewDocument', () => {
  it('answers a short-lived download and records who viewed what, from where', async () => {
    const { ports, id, tokens } = await arrange();

    const result = await viewDocument(ports, tokens.rina as string, 'ktp', visitor, later);

    expect(result).toMatchObject({ kind: 'url', url: expect.stringContaining('applications/x/ktp.pdf') });
    expect(ports.files.downloads.at(-1)).toEqual({
      key: 'applications/x/ktp.pdf',
      seconds: 120,
      contentType: 'application/pdf',
    });
    expect(ports.audit.events(id).at(-1)).toMatchObject({
      applicationId: id,
      type: 'document-viewed',
      actor: 'rina-petugas',
      from: visitor,
      detail: { document: 'ktp' },
    });
  });
});

describe('reassign', () => {
  it('revokes the earlier links at once and mails the acting official their own', async () => {
    const { ports, id, actionId, tokens } = await arrange();
    const rina = tokens.rina as string;
    const app = anApplication();
    ports.clock.set(later);

    const result = await reassign(ports, {
      trackingCode: app.trackingCode,
      stageId: CHECK,
      officialId: 'andi-kasi',
      actor: 'operator:test',
      at: later,
    });

    expect(result.kind).toBe('reassigned');
    expect(await openLink(ports, rina, later)).toMatchObject({
      kind: 'problem',
      problem: { verdict: { kind: 'revoked' } },
    });
    expect(await decideByLink(ports, rina, form(rina, { outcome: 'approve' }), visitor, later)).toMatchObject(
      {
        kind: 'problem',
        problem: { verdict: { kind: 'revoked' } },
      },
    );
    const andi = tokensByOfficial(ports).andi as string;
    expect(ports.mailer.sent.at(-1)?.subject).toContain('Penugasan');
    const decided = await decideByLink(ports, andi, form(andi, { outcome: 'approve' }), visitor, later);
    expect(decided.kind).toBe('decided');
    expect((await ports.stages.getAction(actionId))?.decision?.actor).toBe('andi-kasi');
    expect(ports.audit.events(id).filter((e) => e.type === 'reassigned')).toEqual([
      expect.objectContaining({
        actor: 'operator:test',
        detail: expect.objectContaining({ to: 'andi-kasi' }),
      }),
    ]);
  });

  it('refuses a stage that is not pending and an unknown official', async () => {
    const { ports } = await arrange();
    const app = anApplication();
    const base = { trackingCode: app.trackingCode, actor: 'op', at: later };

    expect(await reassign(ports, { ...base, stageId: SIGN, officialId: 'andi-kasi' })).toMatchObject({
      kind: 'not-pending',
    });
    expect(await reassign(ports, { ...base, stageId: CHECK, officialId: 'nobody' })).toEqual({
      kind: 'unknown-official',
    });
    expect(
      await reassign(ports, {
        ...base,
        trackingCode: 'BNG-0000-0000',
        stageId: CHECK,
        officialId: 'andi-kasi',
      }),
    ).toEqual({
      kind: 'unknown-application',
    });
  });
});
