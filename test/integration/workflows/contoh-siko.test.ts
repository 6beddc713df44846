import { beforeEach, describe, expect, it } from 'vitest';
import { at, type WorkflowDriver, workflowDriverPerTest } from './driver.ts';
import { permitScenarios } from './scenarios.ts';

// Seed 004 under the example regency, in WITA; 21 Jul 2026 is its (illustrative) local holiday.
const start = at('2026-07-20T08:00', '+08:00');
permitScenarios({ regencyId: 'contoh', permitCode: 'SIKO', start });

describe('contoh SIKO inspection branch (seed 004 step 3)', () => {
  const driver = workflowDriverPerTest({ regencyId: 'contoh', start });
  let wf: WorkflowDriver;
  beforeEach(() => {
    wf = driver();
  });

  const inspectionStages = ['penjadwalan-peninjauan', 'peninjauan-lapangan', 'pengesahan-berita-acara'];

  it('goes through scheduling, the field inspection and its report when an inspection is needed', async () => {
    const id = await wf.submit('SIKO');
    await wf.decide(id, 'approve');
    await wf.decide(id, 'inspectionNeeded');
    expect((await wf.application(id)).current?.stageId).toBe('penjadwalan-peninjauan');
    for (let i = 0; i < 3; i++) await wf.decide(id, 'approve');
    expect((await wf.application(id)).current?.stageId).toBe('pembuatan-naskah-izin');
    const stages = (await wf.visits(id)).map((v) => v.stageId);
    expect(stages).toEqual([
      'pemeriksaan-kelengkapan',
      'telaah-berkas',
      ...inspectionStages,
      'pembuatan-naskah-izin',
    ]);
  });

  it('skips steps 4-6 when no inspection is needed', async () => {
    const id = await wf.submit('SIKO');
    await wf.decide(id, 'approve');
    await wf.decide(id, 'inspectionNotNeeded');
    expect((await wf.application(id)).current?.stageId).toBe('pembuatan-naskah-izin');
    for (let i = 0; i < 4; i++) await wf.decide(id, 'approve');
    expect(await wf.status(id)).toBe('issued');
    const stages = (await wf.visits(id)).map((v) => v.stageId);
    expect(stages.some((s) => inspectionStages.includes(s))).toBe(false);
  });

  it('counts the local holiday: the first stage entered Mon 20 Jul ends Wed 22 Jul', async () => {
    const id = await wf.submit('SIKO');
    expect((await wf.application(id)).current?.deadline).toBe(at('2026-07-22T16:00', '+08:00').toISOString());
  });
});
