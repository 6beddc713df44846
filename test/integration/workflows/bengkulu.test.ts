import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailbox } from '../harness/index.ts';
import { at, type WorkflowDriver, workflowDriver } from './driver.ts';

describe('Kota Bengkulu SIKOT workflow (seed 001)', () => {
  let wf: WorkflowDriver;
  beforeAll(async () => {
    // Complete on Tue 17 Mar 2026 10:00 WIB, the week of Nyepi and Idulfitri.
    wf = await workflowDriver({ regencyId: 'kota-bengkulu', start: at('2026-03-17T10:00') });
  });
  afterAll(async () => {
    await wf?.close();
  });

  it('issues the permit on the happy path, with deadlines on the SKB calendar', async () => {
    const id = await wf.submit('SIKOT');
    const first = await wf.application(id);
    expect(first.status).toBe('in-progress');
    expect(first.current?.stageId).toBe('pemeriksaan-kelengkapan');
    // 1 working day from Tue 17 Mar: 18-24 Mar are holidays and cuti bersama, so Wed 25 Mar at closing.
    expect(first.current?.deadline).toBe(at('2026-03-25T16:00').toISOString());
    const notice = await mailbox().waitFor(
      (m) => m.subject.includes(first.trackingCode) && m.subject.includes('Menunggu tindakan'),
    );
    expect(notice.destination.to).toEqual([
      'rina@dpmptsp.bengkulukota.example',
      'dedi@dpmptsp.bengkulukota.example',
    ]);

    await wf.decide(id, 'approve');
    expect((await wf.application(id)).current?.stageId).toBe('pemeriksaan-tim-teknis');
    await wf.decide(id, 'approve');
    await wf.decide(id, 'approve');
    await wf.decide(id, 'approve');
    await wf.decide(id, 'approve');

    expect(await wf.executionStatus(id)).toBe('SUCCEEDED');
    const done = await wf.application(id);
    expect(done.status).toBe('issued');
    expect(done.permitNumber).toMatch(/^503\/\d{4}\/SIKOT\/DPMPTSP\/2026$/);
    expect(done.issued?.objectKey).toBe(`issued/${id}/permit.pdf`);
    expect(done.sla?.met).toBe(true);
    const issuedMail = await mailbox().waitFor((m) => m.destination.to.includes(`${id}@example.test`));
    expect(issuedMail.subject).toContain('Izin Anda telah terbit');
  });
});
