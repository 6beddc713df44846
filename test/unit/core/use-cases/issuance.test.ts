import { describe, expect, it } from 'vitest';
import type { Application } from '#core/domain/application.ts';
import { issueDocument, numberPermit } from '#core/use-cases/issuance.ts';
import { anApplication } from '../builders.ts';
import { type FakePorts, fakePorts, wib } from '../fakes.ts';

/** Decided Wed 25 Feb 2026 10:00 WIB, before the overall deadline of the application below. */
const decidedAt = wib('2026-02-25T10:00:00');

/** The office clock of an application started Mon 2 Feb 2026 09:00 WIB (15 working days). */
const CLOCK = {
  startedAt: wib('2026-02-02T09:00:00').toISOString(),
  deadline: wib('2026-02-25T16:00:00').toISOString(),
  pauses: [],
};
const OTHER = '22222222-2222-4222-8222-222222222222';

function arrange(overrides: Partial<Application> = {}, ports = fakePorts()) {
  const app = anApplication({ status: 'in-progress', version: 9, visits: 5, clock: CLOCK, ...overrides });
  ports.applications.put(app);
  return { ports, app };
}

const stored = async (ports: FakePorts, id: string) => (await ports.applications.get(id)) as Application;
const text = (body: Uint8Array | undefined) => Buffer.from(body ?? []).toString('latin1');

describe('numberPermit', () => {
  it("gives the first permit of the year the office's first number and saves it", async () => {
    const { ports, app } = arrange();

    const number = await numberPermit(ports, app.id, decidedAt);

    expect(number).toBe('503/0001/SIKOT/DPMPTSP/2026');
    expect((await stored(ports, app.id)).permitNumber).toBe(number);
  });

  it('numbers permits one after another without gaps', async () => {
    const { ports, app } = arrange();
    const { app: other } = arrange({ id: OTHER }, ports);

    const numbers = [
      await numberPermit(ports, app.id, decidedAt),
      await numberPermit(ports, other.id, decidedAt),
    ];

    expect(numbers).toEqual(['503/0001/SIKOT/DPMPTSP/2026', '503/0002/SIKOT/DPMPTSP/2026']);
  });

  it('answers a retried step with the same number', async () => {
    const { ports, app } = arrange();
    const first = await numberPermit(ports, app.id, decidedAt);

    const again = await numberPermit(ports, app.id, wib('2026-02-25T10:01:00'));

    expect(again).toBe(first);
  });

  it('draws no number for a retried step, so the next permit gets the next one', async () => {
    const { ports, app } = arrange();
    arrange({ id: OTHER }, ports);
    await numberPermit(ports, app.id, decidedAt);
    await numberPermit(ports, app.id, decidedAt);

    const next = await numberPermit(ports, OTHER, decidedAt);

    expect(next).toBe('503/0002/SIKOT/DPMPTSP/2026');
  });

  it('takes the next number when a concurrent issuance took this one first, leaving no gap', async () => {
    const { ports, app } = arrange();
    arrange({ id: OTHER }, ports);
    ports.applications.beforeNextWrite(async () => {
      await numberPermit(ports, OTHER, decidedAt);
    });

    const number = await numberPermit(ports, app.id, decidedAt);

    expect(number).toBe('503/0002/SIKOT/DPMPTSP/2026');
    expect((await stored(ports, OTHER)).permitNumber).toBe('503/0001/SIKOT/DPMPTSP/2026');
  });

  it("starts a new sequence with the office's new year, which begins before UTC's", async () => {
    const { ports, app } = arrange();
    arrange({ id: OTHER }, ports);
    await numberPermit(ports, OTHER, decidedAt);

    // 31 Dec 2026 17:30 UTC is 1 Jan 2027 00:30 in WIB.
    const number = await numberPermit(ports, app.id, new Date('2026-12-31T17:30:00Z'));

    expect(number).toBe('503/0001/SIKOT/DPMPTSP/2027');
  });

  it('creates the permit record with its number, in the transaction that takes the number', async () => {
    const { ports, app } = arrange();

    const number = await numberPermit(ports, app.id, decidedAt);

    const { permitId } = await stored(ports, app.id);
    expect(permitId).toBeDefined();
    expect(await ports.permits.byNumber(number)).toMatchObject({
      id: permitId,
      applicationId: app.id,
      number,
      seq: 1,
      sequence: 'kota-bengkulu#SIKOT#2026',
      holderName: app.applicantName,
      status: 'numbered',
      version: 1,
    });
  });

  it('records the number in the audit trail', async () => {
    const { ports, app } = arrange();

    await numberPermit(ports, app.id, decidedAt);

    expect(await ports.audit.list(app.id)).toEqual([
      {
        applicationId: app.id,
        at: decidedAt.toISOString(),
        type: 'numbered',
        detail: { permitNumber: '503/0001/SIKOT/DPMPTSP/2026', permitId: expect.any(String) },
      },
    ]);
  });

  it('fails the step for an application that does not exist', async () => {
    await expect(numberPermit(fakePorts(), 'missing', decidedAt)).rejects.toMatchObject({
      name: 'UnknownApplication',
    });
  });

  it('fails the step for a permit the office no longer configures', async () => {
    const { ports, app } = arrange({ permitCode: 'SIPOT' });

    await expect(numberPermit(ports, app.id, decidedAt)).rejects.toMatchObject({ name: 'UnknownStage' });
  });
});

describe('issueDocument', () => {
  const numbered = { permitNumber: '503/0001/SIKOT/DPMPTSP/2026' };

  it('stores the permit as a PDF with its number and ends the application as issued', async () => {
    const { ports, app } = arrange(numbered);

    const { objectKey } = await issueDocument(ports, app.id, 'permit', decidedAt);

    const file = ports.files.objects.get(objectKey);
    expect([objectKey, file?.contentType]).toEqual([`issued/${app.id}/permit.pdf`, 'application/pdf']);
    expect(text(file?.body)).toMatch(/^%PDF-.*Nomor: 503\/0001\/SIKOT\/DPMPTSP\/2026/s);
    expect(await stored(ports, app.id)).toMatchObject({
      status: 'issued',
      issued: {
        document: 'permit',
        number: numbered.permitNumber,
        issuedAt: decidedAt.toISOString(),
        objectKey,
      },
    });
  });

  it('tells the applicant the permit has been issued, with its number', async () => {
    const { ports, app } = arrange(numbered);

    await issueDocument(ports, app.id, 'permit', decidedAt);

    expect(ports.mailer.sent).toEqual([
      expect.objectContaining({
        to: [app.applicantEmail],
        subject: `[${app.trackingCode}] Izin Anda telah terbit`,
        text: expect.stringContaining('dengan nomor 503/0001/SIKOT/DPMPTSP/2026'),
      }),
    ]);
  });

  it('ends a refused application with a rejection letter and no number', async () => {
    const { ports, app } = arrange();

    await issueDocument(ports, app.id, 'rejection-letter', decidedAt);

    const rejected = await stored(ports, app.id);
    expect(rejected.status).toBe('rejected');
    expect(rejected.issued).toEqual({
      document: 'rejection-letter',
      issuedAt: decidedAt.toISOString(),
      objectKey: `issued/${app.id}/rejection-letter.pdf`,
    });
  });

  it('measures the office time used against the overall limit, pauses excluded', async () => {
    const pause = {
      from: wib('2026-02-03T07:30:00').toISOString(),
      to: wib('2026-02-24T07:30:00').toISOString(),
    };
    const { ports, app } = arrange({ clock: { ...CLOCK, pauses: [pause] } });

    await issueDocument(ports, app.id, 'permit', decidedAt);

    // Mon 2 Feb 09:00-16:00 less lunch (360), then Tue 24 Feb (450) and Wed 25 Feb 07:30-10:00 (150).
    expect((await stored(ports, app.id)).sla).toEqual({
      officeMinutesUsed: 960,
      deadline: wib('2026-02-25T16:00:00').toISOString(),
      met: true,
    });
  });

  it('raises the alarm when the overall limit was exceeded', async () => {
    const { ports, app } = arrange();

    await issueDocument(ports, app.id, 'permit', wib('2026-02-26T09:00:00'));

    expect((await stored(ports, app.id)).sla?.met).toBe(false);
    expect(ports.metrics).toEqual([{ name: 'OverallLimitExceeded', properties: { permit: 'SIKOT' } }]);
  });

  it('states the legal basis of a permit deemed granted', async () => {
    const legalBasis = 'UU 30/2014 Pasal 53';
    const { ports, app } = arrange({
      ...numbered,
      deemedGranted: { at: decidedAt.toISOString(), legalBasis },
    });

    const { objectKey } = await issueDocument(ports, app.id, 'permit', decidedAt);

    expect(text(ports.files.objects.get(objectKey)?.body)).toContain(
      `Dianggap dikabulkan berdasarkan ${legalBasis}`,
    );
  });

  it('answers a retried step with the same document and tells the applicant once', async () => {
    const { ports, app } = arrange(numbered);
    const first = await issueDocument(ports, app.id, 'permit', decidedAt);

    const again = await issueDocument(ports, app.id, 'permit', wib('2026-02-25T10:01:00'));

    expect(again).toEqual(first);
    expect(ports.mailer.sent).toHaveLength(1);
  });
});
