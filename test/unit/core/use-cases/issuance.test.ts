import { createHash, createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ApplicantForm } from '#core/domain/applicant.ts';
import type { Application } from '#core/domain/application.ts';
import { issueDocument, numberPermit } from '#core/use-cases/issuance.ts';
import { applicantFixture } from '../../../fixtures/application.ts';
import { pdfText } from '../../../support/pdf.ts';
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

  it('never hands out a number another permit holds, and fails at once instead of retrying', async () => {
    const { ports, app } = arrange();
    // As if the template had been changed so that the sequence gives a number already issued.
    ports.permits.numbers.set('503/0001/SIKOT/DPMPTSP/2026', 'an-earlier-permit');

    await expect(numberPermit(ports, app.id, decidedAt)).rejects.toMatchObject({ name: 'PermitNumberTaken' });
    expect((await stored(ports, app.id)).permitNumber).toBeUndefined();
    expect(ports.sequences.counters.size).toBe(0);
  });

  it('records the number in the audit trail', async () => {
    const { ports, app } = arrange();

    await numberPermit(ports, app.id, decidedAt);

    expect(ports.audit.events(app.id)).toEqual([
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
  const NUMBER = '503/0001/SIKOT/DPMPTSP/2026';

  /** An application numbered as the workflow numbers it, with the applicant's form stored. */
  async function numbered(overrides: Partial<Application> = {}) {
    const { ports, app } = arrange(overrides);
    ports.applications.applicants.set(app.id, {
      applicationId: app.id,
      applicant: applicantFixture() as ApplicantForm,
      createdAt: app.createdAt,
    });
    await numberPermit(ports, app.id, decidedAt);
    return { ports, app };
  }

  const file = (ports: FakePorts, key: string) => ports.files.objects.get(key);

  it('stores the permit as a PDF named by its hash and ends the application as issued', async () => {
    const { ports, app } = await numbered();

    const { objectKey } = await issueDocument(ports, app.id, 'permit', decidedAt);

    const stored_ = file(ports, objectKey);
    const sha256 = createHash('sha256')
      .update(stored_?.body ?? new Uint8Array())
      .digest('hex');
    expect([objectKey, stored_?.contentType]).toEqual([
      `issued/${app.id}/permit-${sha256.slice(0, 16)}.pdf`,
      'application/pdf',
    ]);
    expect(pdfText(stored_?.body as Uint8Array)).toContain(`Nomor: ${NUMBER}`);
    expect(await stored(ports, app.id)).toMatchObject({
      status: 'issued',
      issued: { document: 'permit', number: NUMBER, issuedAt: decidedAt.toISOString(), objectKey, sha256 },
    });
  });

  it("completes the permit record: active, validity from the configured rule, the document's hash and signature", async () => {
    const { ports, app } = await numbered();

    const { objectKey } = await issueDocument(ports, app.id, 'permit', decidedAt);

    const body = file(ports, objectKey)?.body as Uint8Array;
    const permit = await ports.permits.byNumber(NUMBER);
    expect(permit).toMatchObject({
      status: 'active',
      issuedAt: decidedAt.toISOString(),
      // Kota Bengkulu: fixed-years, 5 years from the day of issue.
      validFrom: '2026-02-25',
      validUntil: '2031-02-24',
      document: {
        objectKey,
        sha256: createHash('sha256').update(body).digest('hex'),
        keyId: ports.signer.jwk.kid,
        algorithm: 'ES256',
      },
      version: 2,
    });
    const signature = Buffer.from(permit?.document?.signature ?? '', 'base64url');
    const publicKey = createPublicKey({ key: { ...ports.signer.jwk }, format: 'jwk' });
    expect(verify('sha256', body, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    expect(await ports.permits.byDocumentHash(permit?.document?.sha256 ?? '')).toMatchObject({
      document: 'permit',
      permitId: permit?.id,
      applicationId: app.id,
    });
  });

  it('tells the applicant the permit has been issued, with its number', async () => {
    const { ports, app } = await numbered();

    await issueDocument(ports, app.id, 'permit', decidedAt);

    expect(ports.mailer.sent).toEqual([
      expect.objectContaining({
        to: [app.applicantEmail],
        subject: `[${app.trackingCode}] Izin Anda telah terbit`,
        text: expect.stringContaining(`dengan nomor ${NUMBER}`),
      }),
    ]);
  });

  it('fails the step for a permit that was never numbered (no permit record)', async () => {
    const { ports, app } = arrange({ permitNumber: NUMBER });

    await expect(issueDocument(ports, app.id, 'permit', decidedAt)).rejects.toMatchObject({
      name: 'UnknownApplication',
    });
  });

  it('ends a refused application with a rejection letter, no number, and its hash registered', async () => {
    const { ports, app } = arrange();

    const { objectKey } = await issueDocument(ports, app.id, 'rejection-letter', decidedAt);

    const rejected = await stored(ports, app.id);
    expect(rejected.status).toBe('rejected');
    expect(rejected.issued).toEqual({
      document: 'rejection-letter',
      issuedAt: decidedAt.toISOString(),
      objectKey,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(await ports.permits.byDocumentHash(rejected.issued?.sha256 ?? '')).toMatchObject({
      document: 'rejection-letter',
      applicationId: app.id,
    });
  });

  it('measures the office time used against the overall limit, pauses excluded', async () => {
    const pause = {
      from: wib('2026-02-03T07:30:00').toISOString(),
      to: wib('2026-02-24T07:30:00').toISOString(),
    };
    const { ports, app } = await numbered({ clock: { ...CLOCK, pauses: [pause] } });

    await issueDocument(ports, app.id, 'permit', decidedAt);

    // Mon 2 Feb 09:00-16:00 less lunch (360), then Tue 24 Feb (450) and Wed 25 Feb 07:30-10:00 (150).
    expect((await stored(ports, app.id)).sla).toEqual({
      officeMinutesUsed: 960,
      deadline: wib('2026-02-25T16:00:00').toISOString(),
      met: true,
    });
  });

  it('raises the alarm when the overall limit was exceeded', async () => {
    const { ports, app } = await numbered();

    await issueDocument(ports, app.id, 'permit', wib('2026-02-26T09:00:00'));

    expect((await stored(ports, app.id)).sla?.met).toBe(false);
    expect(ports.metrics).toEqual([{ name: 'OverallLimitExceeded', properties: { permit: 'SIKOT' } }]);
  });

  it('states the legal basis of a permit deemed granted', async () => {
    const legalBasis = 'UU 30/2014 Pasal 53';
    const { ports, app } = await numbered({ deemedGranted: { at: decidedAt.toISOString(), legalBasis } });

    const { objectKey } = await issueDocument(ports, app.id, 'permit', decidedAt);

    expect(pdfText(file(ports, objectKey)?.body as Uint8Array)).toContain(
      `Izin ini dianggap dikabulkan berdasarkan ${legalBasis}`,
    );
    expect((await ports.permits.byNumber(NUMBER))?.deemedGranted).toBe(true);
  });

  it('answers a retried step with the same document and tells the applicant once', async () => {
    const { ports, app } = await numbered();
    const first = await issueDocument(ports, app.id, 'permit', decidedAt);

    const again = await issueDocument(ports, app.id, 'permit', wib('2026-02-25T10:01:00'));

    expect(again).toEqual(first);
    expect(ports.mailer.sent).toHaveLength(1);
  });

  it('keeps the recorded file when a concurrent duplicate of the step stored its own and lost', async () => {
    const { ports, app } = await numbered();
    // The duplicate renders, stores and commits first, while this step is between its read and its write.
    ports.applications.beforeNextWrite(async () => {
      await issueDocument(ports, app.id, 'permit', wib('2026-02-25T10:00:30'));
    });

    const { objectKey } = await issueDocument(ports, app.id, 'permit', decidedAt);

    const recorded = (await stored(ports, app.id)).issued;
    expect(objectKey).toBe(recorded?.objectKey);
    const body = file(ports, objectKey)?.body as Uint8Array;
    expect(createHash('sha256').update(body).digest('hex')).toBe(recorded?.sha256);
    expect(ports.files.objects.size).toBe(2);
  });
});
