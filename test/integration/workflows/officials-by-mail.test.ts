/**
 * Every configured permit of every regency, from submission to its final stage, through the officials'
 * mail links only: the link in the real mailbox, the page it opens, the form it serves (a report file
 * where the stage asks for one, the mailed code at signing stages). Plus seed 004's inspection branch
 * both ways, a return for completion, an internal send-back and a rejection, each told to the applicant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRegencyIds, loadRegency } from '#config/load.ts';
import type { Permit, Stage } from '#config/regency-schema.ts';
import { addressedTo, mailbox } from '../harness/index.ts';
import { type OfficialsByMail, officialsByMail } from './by-mail.ts';
import { at, type WorkflowDriver, workflowDriver } from './driver.ts';
import { forward } from './scenarios.ts';

const START: Record<string, Date> = {
  contoh: at('2026-07-20T08:00', '+08:00'),
  'kabupaten-pasuruan': at('2026-03-16T08:00'),
  'kota-bengkulu': at('2026-03-16T08:00'),
  'kota-pekanbaru': at('2026-03-16T08:00'),
};

/** Decides forward at each stage through its mail link until the workflow ends; returns the stages seen. */
async function walkByMail(
  wf: WorkflowDriver,
  officials: OfficialsByMail,
  permit: Permit,
  id: string,
  inspection = true,
): Promise<string[]> {
  const seen: string[] = [];
  for (let step = 0; step < 40; step++) {
    const app = await wf.application(id);
    if (app.current === undefined || (await wf.executionStatus(id)) !== 'RUNNING') return seen;
    const stage = permit.stages.find((s) => s.id === app.current?.stageId) as Stage;
    seen.push(stage.id);
    await officials.decide(id, forward(stage, inspection));
  }
  throw new Error('the workflow did not end within 40 decisions');
}

for (const regencyId of listRegencyIds()) {
  const regency = loadRegency(regencyId).regency;
  describe(`${regencyId}: officials act from their mail`, () => {
    let wf: WorkflowDriver;
    let officials: OfficialsByMail;
    beforeAll(async () => {
      wf = await workflowDriver({ regencyId, start: START[regencyId] ?? at('2026-03-16T08:00') });
      officials = await officialsByMail(wf);
    });
    afterAll(async () => {
      await officials?.close();
      await wf?.close();
    });

    for (const permit of regency.permits) {
      it(`${permit.code}: issues the permit with every stage decided through its mail link`, async () => {
        const id = await wf.submit(permit.code);

        const seen = await walkByMail(wf, officials, permit, id);

        expect(await wf.executionStatus(id)).toBe('SUCCEEDED');
        expect(await wf.status(id)).toBe('issued');
        const human = permit.stages.filter((s) => s.kind !== 'number' && s.kind !== 'issue').map((s) => s.id);
        expect(seen.every((s) => human.includes(s))).toBe(true);
        const decisions = (await wf.audit(id)).filter((e) => e.type === 'decision-recorded');
        expect(decisions).toHaveLength(seen.length);
        expect(decisions.every((e) => e.from?.ip === '127.0.0.1' && e.actor !== undefined)).toBe(true);
        const app = await wf.application(id);
        await mailbox().waitFor(
          (m) => addressedTo(app.applicantEmail)(m) && m.subject.includes('Izin Anda telah terbit'),
        );
      });
    }
  });
}

describe('contoh SIKO: the inspection branch both ways, through mail links', () => {
  let wf: WorkflowDriver;
  let officials: OfficialsByMail;
  let permit: Permit;
  beforeAll(async () => {
    wf = await workflowDriver({ regencyId: 'contoh', start: START.contoh as Date });
    officials = await officialsByMail(wf);
    permit = wf.regency.permits.find((p) => p.code === 'SIKO') as Permit;
  });
  afterAll(async () => {
    await officials?.close();
    await wf?.close();
  });

  it('goes through the field inspection, with its report uploaded, when one is needed', async () => {
    const id = await wf.submit('SIKO');

    const seen = await walkByMail(wf, officials, permit, id, true);

    expect(seen).toContain('peninjauan-lapangan');
    expect(await wf.status(id)).toBe('issued');
    const inspection = (await wf.visits(id)).find((v) => v.stageId === 'peninjauan-lapangan');
    expect(inspection?.reports).toEqual([
      expect.objectContaining({ outputId: 'bahpl', mediaType: 'application/pdf' }),
    ]);
  });

  it('skips the field inspection when none is needed', async () => {
    const id = await wf.submit('SIKO');

    const seen = await walkByMail(wf, officials, permit, id, false);

    expect(seen).not.toContain('peninjauan-lapangan');
    expect(await wf.status(id)).toBe('issued');
  });
});

describe('kota-bengkulu: return, send-back and rejection through mail links', () => {
  let wf: WorkflowDriver;
  let officials: OfficialsByMail;
  beforeAll(async () => {
    wf = await workflowDriver({ regencyId: 'kota-bengkulu', start: START['kota-bengkulu'] as Date });
    officials = await officialsByMail(wf);
  });
  afterAll(async () => {
    await officials?.close();
    await wf?.close();
  });

  it('returns the file to the applicant with the reasons, the documents and their deadline', async () => {
    const id = await wf.submit('SIKOT');

    await officials.decide(id, 'returnForCompletion', {
      note: 'STR sudah tidak berlaku',
      deficient: ['str'],
    });

    expect(await wf.status(id)).toBe('returned');
    const app = await wf.application(id);
    const notice = await mailbox().waitFor(
      (m) => addressedTo(app.applicantEmail)(m) && m.subject.includes('dikembalikan untuk dilengkapi'),
    );
    expect(notice.body.text).toContain('STR sudah tidak berlaku');
    expect(notice.body.text).toContain('Lengkapi berkas paling lambat');
    expect(notice.body.html).toContain('STR sudah tidak berlaku');
  });

  it('sends the draft back from the head of office to the division head, then issues', async () => {
    const id = await wf.submit('SIKOT');
    for (let i = 0; i < 4; i++) await officials.decide(id, 'approve');
    expect((await wf.application(id)).current?.stageId).toBe('penetapan-kepala-dinas');

    await officials.decide(id, 'revise', { note: 'Nomor STR pada draf salah ketik' });

    expect((await wf.application(id)).current?.stageId).toBe('validasi-kepala-bidang');
    await officials.decide(id, 'approve');
    await officials.decide(id, 'approve');
    expect(await wf.status(id)).toBe('issued');
    const visits = (await wf.visits(id)).map((v) => [v.stageId, v.outcome]);
    expect(visits).toContainEqual(['penetapan-kepala-dinas', 'revise']);
  });

  it('rejects at the head of office, and tells the applicant why', async () => {
    const id = await wf.submit('SIKOT');
    for (let i = 0; i < 4; i++) await officials.decide(id, 'approve');

    await officials.decide(id, 'reject', { note: 'Tempat praktik tidak memenuhi syarat' });

    expect(await wf.status(id)).toBe('rejected');
    const app = await wf.application(id);
    const notice = await mailbox().waitFor(
      (m) => addressedTo(app.applicantEmail)(m) && m.subject.includes('Keputusan atas permohonan'),
    );
    expect(notice.body.text).toContain('Tempat praktik tidak memenuhi syarat');
  });
});
