import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressedTo, mailbox } from '../harness/index.ts';
import { at, type WorkflowDriver, workflowDriver } from './driver.ts';
import { permitScenarios } from './scenarios.ts';

// Complete on Tue 17 Mar 2026 10:00 WIB, the week of Nyepi and Idulfitri.
permitScenarios({ regencyId: 'kota-bengkulu', permitCode: 'SIKOT', start: at('2026-03-17T10:00') });

describe('Kota Bengkulu SIKOT deadlines (seed 001)', () => {
  let wf: WorkflowDriver;
  beforeAll(async () => {
    wf = await workflowDriver({ regencyId: 'kota-bengkulu', start: at('2026-03-17T10:00') });
  });
  afterAll(async () => {
    await wf?.close();
  });

  it('counts the first stage across the Idulfitri week and tells its officials by mail', async () => {
    const id = await wf.submit('SIKOT');
    const app = await wf.application(id);
    expect(app.current?.stageId).toBe('pemeriksaan-kelengkapan');
    // 1 working day from Tue 17 Mar: 18-24 Mar are holidays and cuti bersama, so Wed 25 Mar at closing.
    expect(app.current?.deadline).toBe(at('2026-03-25T16:00').toISOString());
    // The overall limit of 15 working days ends on Wed 15 Apr (3 Apr, Good Friday, is off).
    expect(app.clock?.deadline).toBe(at('2026-04-15T16:00').toISOString());
    // One mail per official of the role, each with their own link.
    for (const official of ['rina@dpmptsp.bengkulukota.example', 'dedi@dpmptsp.bengkulukota.example']) {
      const notice = await mailbox().waitFor(
        (m) =>
          addressedTo(official)(m) &&
          m.subject.includes(app.trackingCode) &&
          m.subject.includes('Menunggu tindakan'),
      );
      expect(notice.destination.to).toEqual([official]);
      expect(notice.body.text).toContain('Rabu, 25 Maret 2026 16.00 WIB');
    }
  });
});
