import { describe, expect, it } from 'vitest';
import { hashAccessToken } from '#core/domain/access-token.ts';
import { applicantSchema } from '#core/domain/applicant.ts';
import { generateTrackingCode, trackingPrefix } from '#core/domain/tracking-code.ts';
import { createDraft, type DraftRequest } from '#core/use-cases/drafts.ts';
import { applicantFixture, nikFor } from '../../../fixtures/application.ts';
import { refusal } from '../builders.ts';
import { type FakePorts, fakePorts, wib } from '../fakes.ts';

function aRequest(applicant: Record<string, unknown> = {}, answers = { secondPermit: false }): DraftRequest {
  return {
    permitCode: 'SIKOT',
    applicant: applicantSchema.parse(
      applicantFixture({ nik: nikFor('1990-05-15', 'female', 1), ...applicant }),
    ),
    answers,
    personalDataConsent: true,
  };
}

const draftCount = (ports: FakePorts) => ports.applications.records.size;

describe('createDraft', () => {
  it('creates a draft of the requested permit at version 1 with an office tracking code', async () => {
    const ports = fakePorts();

    const { application } = await createDraft(ports, aRequest(), undefined);

    expect(await ports.applications.get(application.id)).toEqual(application);
    expect(application).toMatchObject({ status: 'draft', permitCode: 'SIKOT', version: 1, visits: 0 });
    expect(application.trackingCode).toMatch(/^BNG-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
  });

  it('mails the applicant the tracking code once, echoing nothing they wrote', async () => {
    const ports = fakePorts();
    const request = aRequest({ fullName: 'Nama <b>Aneh</b>' });

    const { application } = await createDraft(ports, request, 'key-1');
    await refusal(createDraft(ports, request, 'key-1'));

    const mails = ports.mailer.to(request.applicant.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain(application.trackingCode);
    expect(mails[0]?.text).toContain(application.trackingCode);
    expect(mails[0]?.text).not.toContain('Aneh');
  });

  it('sends the tracking-code note on a replay when the first request died before sending it', async () => {
    const ports = fakePorts();
    const request = aRequest();
    const send = ports.mailer.send;
    ports.mailer.send = async () => {
      throw new Error('connection reset');
    };
    await expect(createDraft(ports, request, 'key-2')).rejects.toThrow('connection reset');
    ports.mailer.send = send;

    const replay = await refusal(createDraft(ports, request, 'key-2'));

    expect(replay.code).toBe('idempotent-replay');
    expect(ports.mailer.to(request.applicant.email)).toHaveLength(1);
  });

  it('stores only the hash of the access token it hands out', async () => {
    const ports = fakePorts();

    const { application, accessToken } = await createDraft(ports, aRequest(), undefined);

    expect(await ports.applications.accessHash(application.id)).toBe(hashAccessToken(accessToken));
  });

  it('keeps the applicant form beside the application, not in it', async () => {
    const ports = fakePorts();
    const request = aRequest();

    const { application } = await createDraft(ports, request, undefined);

    expect((await ports.applications.applicant(application.id))?.applicant).toEqual(request.applicant);
    expect(JSON.stringify(application)).not.toContain(request.applicant.nik);
  });

  it('records the creation in the audit trail as done by the applicant', async () => {
    const ports = fakePorts();

    const { application } = await createDraft(ports, aRequest(), undefined);

    expect(ports.audit.events(application.id)).toEqual([
      { applicationId: application.id, at: ports.now().toISOString(), type: 'created', actor: 'applicant' },
    ]);
  });

  it('refuses a permit the office does not serve, naming the field, and writes nothing', async () => {
    const ports = fakePorts();

    const error = await refusal(createDraft(ports, { ...aRequest(), permitCode: 'SIPOT' }, undefined));

    expect(error.kind).toBe('invalid-request');
    expect(error.errors).toEqual([expect.objectContaining({ field: 'permitCode', code: 'unknown-permit' })]);
    expect(draftCount(ports)).toBe(0);
  });

  it('lists every field problem at once', async () => {
    const ports = fakePorts();
    const request = aRequest({ profession: 'optometrist' }, {} as { secondPermit: boolean });

    const error = await refusal(createDraft(ports, request, undefined));

    expect(error.errors.map((e) => [e.field, e.code])).toEqual([
      ['applicant.profession', 'profession-mismatch'],
      ['answers.secondPermit', 'required'],
    ]);
  });

  it("judges an STR's expiry by the office's local date, not by UTC", async () => {
    // 17:30 UTC on 1 February is already 2 February in Bengkulu (WIB).
    const ports = fakePorts();
    ports.clock.set(new Date('2026-02-01T17:30:00Z'));
    const request = aRequest({ str: { number: 'STR-1', validUntil: '2026-02-01' } });

    const error = await refusal(createDraft(ports, request, undefined));

    expect(error.errors).toEqual([
      expect.objectContaining({ field: 'applicant.str.validUntil', code: 'str-expired' }),
    ]);
  });

  it('creates a second draft for the same request sent again without an Idempotency-Key', async () => {
    const ports = fakePorts();

    const first = await createDraft(ports, aRequest(), undefined);
    const second = await createDraft(ports, aRequest(), undefined);

    expect(second.application.id).not.toBe(first.application.id);
  });

  it('dates the draft with the clock', async () => {
    const ports = fakePorts();
    ports.clock.set(wib('2026-02-03T10:15:00'));

    const { application } = await createDraft(ports, aRequest(), undefined);

    expect(application.createdAt).toBe('2026-02-03T03:15:00.000Z');
  });
});

describe('createDraft with an Idempotency-Key', () => {
  it('answers a repeated request with 409 idempotent-replay naming the draft and the recovery path', async () => {
    const ports = fakePorts();
    const first = await createDraft(ports, aRequest(), 'key-1');

    const error = await refusal(createDraft(ports, aRequest(), 'key-1'));

    expect([error.kind, error.code]).toEqual(['conflict', 'idempotent-replay']);
    expect(error.extras.members).toEqual({
      applicationId: first.application.id,
      trackingCode: first.application.trackingCode,
    });
    expect(error.detail).toContain(first.application.trackingCode);
    expect(error.detail).toContain('POST /applications/recover');
    expect(draftCount(ports)).toBe(1);
  });

  it('keeps the first token working after a replay', async () => {
    const ports = fakePorts();
    const first = await createDraft(ports, aRequest(), 'key-1');

    await refusal(createDraft(ports, aRequest(), 'key-1'));

    expect(await ports.applications.accessHash(first.application.id)).toBe(
      hashAccessToken(first.accessToken),
    );
  });

  it('refuses the key for a request with another body', async () => {
    const ports = fakePorts();
    await createDraft(ports, aRequest(), 'key-1');

    const error = await refusal(createDraft(ports, aRequest({}, { secondPermit: true }), 'key-1'));

    expect([error.kind, error.code]).toEqual(['unprocessable', 'idempotency-key-reused']);
  });

  it('answers a replay after submission the same way, and changes nothing', async () => {
    const ports = fakePorts();
    const { application } = await createDraft(ports, aRequest(), 'key-1');
    ports.applications.put({ ...application, status: 'submitted', version: 2 });

    const error = await refusal(createDraft(ports, aRequest(), 'key-1'));

    expect([error.kind, error.code]).toEqual(['conflict', 'idempotent-replay']);
    expect((await ports.applications.get(application.id))?.status).toBe('submitted');
  });

  it('creates a new draft once the key has expired after 24 hours', async () => {
    const ports = fakePorts();
    const first = await createDraft(ports, aRequest(), 'key-1');
    ports.clock.advanceMinutes(24 * 60 + 1);

    const later = await createDraft(ports, aRequest(), 'key-1');

    expect(later.application.id).not.toBe(first.application.id);
  });

  it('answers as a replay when a concurrent request with the same key created the draft first', async () => {
    const ports = fakePorts();
    let winner: { id: string; token: string } | undefined;
    ports.applications.beforeNextWrite(async () => {
      const created = await createDraft(ports, aRequest(), 'key-1');
      winner = { id: created.application.id, token: created.accessToken };
    });

    const loser = await refusal(createDraft(ports, aRequest(), 'key-1'));

    expect([loser.code, loser.extras.members?.applicationId]).toEqual(['idempotent-replay', winner?.id]);
    expect(draftCount(ports)).toBe(1);
    expect(await ports.applications.accessHash(winner?.id ?? '')).toBe(hashAccessToken(winner?.token ?? ''));
  });
});

describe('createDraft tracking codes', () => {
  const zeros = (n: number) => new Uint8Array(n);

  it('draws another tracking code when the first one is taken', async () => {
    const ports = fakePorts();
    const taken = generateTrackingCode(trackingPrefix(ports.regency), zeros);
    ports.applications.trackingCodes.set(taken, 'another-application');
    const random = ports.randomBytes;
    let draws = 0;
    // The first draws (the token and the first code) are all zeros, the later ones are not.
    ports.randomBytes = (n) => (draws++ < 2 ? zeros(n) : random(n));

    const { application } = await createDraft(ports, aRequest(), undefined);

    expect(application.trackingCode).not.toBe(taken);
    expect(await ports.applications.idForTrackingCode(application.trackingCode)).toBe(application.id);
  });

  it('gives up when five codes in a row are taken', async () => {
    const ports = fakePorts({ randomBytes: zeros });
    ports.applications.trackingCodes.set(generateTrackingCode(trackingPrefix(ports.regency), zeros), 'other');

    await expect(createDraft(ports, aRequest(), undefined)).rejects.toThrow(
      'no free tracking code after 5 attempts',
    );
    expect(draftCount(ports)).toBe(0);
  });
});
