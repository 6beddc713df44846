import { describe, expect, it } from 'vitest';
import type { ApplicantForm } from '#core/domain/applicant.ts';
import type { Application } from '#core/domain/application.ts';
import { issueDocument, numberPermit } from '#core/use-cases/issuance.ts';
import {
  checkDocumentBytes,
  publicKeySet,
  revokePermit,
  verifyPermit,
} from '#core/use-cases/verification.ts';
import { verificationPage } from '../../../../functions/api/pages/verification-page.tsx';
import { applicantFixture } from '../../../fixtures/application.ts';
import { anApplication } from '../builders.ts';
import { fakePorts, wib } from '../fakes.ts';

const decidedAt = wib('2026-02-25T10:00:00');
const NUMBER = '503/0001/SIKOT/DPMPTSP/2026';

async function issued() {
  const ports = fakePorts();
  const app = anApplication({ status: 'in-progress', version: 3 });
  ports.applications.put(app);
  const applicant = applicantFixture() as ApplicantForm;
  ports.applications.applicants.set(app.id, { applicationId: app.id, applicant, createdAt: app.createdAt });
  await numberPermit(ports, app.id, decidedAt);
  const { objectKey } = await issueDocument(ports, app.id, 'permit', decidedAt);
  const permitId = ((await ports.applications.get(app.id)) as Application).permitId as string;
  return { ports, app, applicant, permitId, pdf: ports.files.objects.get(objectKey)?.body as Uint8Array };
}

const revocation = { reason: 'STR dicabut', actor: 'admin@example.test', at: wib('2026-03-02T09:00:00') };

describe('verifyPermit', () => {
  it('finds an issued permit by id or by number, genuine, with the name masked and no NIK or birth date', async () => {
    const { ports, permitId, applicant } = await issued();

    const byId = await verifyPermit(ports, permitId);
    const byNumber = await verifyPermit(ports, NUMBER);

    expect(byNumber).toEqual(byId);
    expect(byId).toMatchObject({
      verdict: 'genuine',
      permit: {
        id: permitId,
        number: NUMBER,
        holderName: 'S*** R********',
        validUntil: '2031-02-24',
        expired: false,
      },
    });
    expect(JSON.stringify(byId)).not.toContain(applicant.nik);
    expect(JSON.stringify(byId)).not.toContain(applicant.birthDate);
  });

  it('does not know a permit that was numbered but not yet issued, nor an unknown reference', async () => {
    const ports = fakePorts();
    const app = anApplication({ status: 'in-progress' });
    ports.applications.put(app);
    await numberPermit(ports, app.id, decidedAt);

    expect(await verifyPermit(ports, NUMBER)).toBeUndefined();
    expect(await verifyPermit(ports, 'no-such-permit')).toBeUndefined();
  });

  it('says expired once the last valid day has passed', async () => {
    const { ports } = await issued();
    ports.clock.set(wib('2031-02-25T08:00:00'));

    expect((await verifyPermit(ports, NUMBER))?.permit.expired).toBe(true);
  });
});

describe('checkDocumentBytes', () => {
  it('recognises the issued bytes, and not a copy with one byte changed', async () => {
    const { ports, pdf } = await issued();
    const tampered = Uint8Array.from(pdf);
    tampered[100] = (tampered[100] ?? 0) ^ 0x20;

    expect(await checkDocumentBytes(ports, pdf)).toMatchObject({ identical: true, document: 'permit' });
    expect(await checkDocumentBytes(ports, tampered)).toMatchObject({ identical: false });
  });
});

describe('publicKeySet', () => {
  it("publishes the signer's public key with the key id the permits record", async () => {
    const { ports } = await issued();

    const { keys } = await publicKeySet(ports);

    expect(keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })]);
    expect((await verifyPermit(ports, NUMBER))?.permit.document.keyId).toBe(keys[0]?.kid);
    expect(JSON.stringify(keys)).not.toMatch(/"d"/);
  });
});

describe('revokePermit', () => {
  it('revokes at once: verification says revoked with the date and reason, and the audit trail tells who', async () => {
    const { ports, app } = await issued();

    const result = await revokePermit(ports, { ref: NUMBER, ...revocation });

    expect(result.revoked).toBe('now');
    expect(await verifyPermit(ports, NUMBER)).toMatchObject({
      verdict: 'revoked',
      revoked: { at: revocation.at.toISOString(), reason: 'STR dicabut' },
    });
    expect(ports.audit.events(app.id).filter((e) => e.type === 'permit-revoked')).toEqual([
      expect.objectContaining({
        applicationId: app.id,
        actor: revocation.actor,
        detail: expect.objectContaining({ permitNumber: NUMBER, reason: 'STR dicabut' }),
      }),
    ]);
  });

  it('changes nothing when the permit is already revoked', async () => {
    const { ports, app } = await issued();
    await revokePermit(ports, { ref: NUMBER, ...revocation });

    const again = await revokePermit(ports, { ref: NUMBER, ...revocation, reason: 'lain' });

    expect(again.revoked).toBe('before');
    expect(again.permit.revoked?.reason).toBe('STR dicabut');
    expect(ports.audit.types(again.permit.permit.id)).toEqual([]);
    expect(ports.audit.events(app.id).filter((e) => e.type === 'permit-revoked')).toHaveLength(1);
  });

  it('refuses an unknown permit and an empty reason', async () => {
    const { ports } = await issued();

    await expect(revokePermit(ports, { ref: 'nope', ...revocation })).rejects.toMatchObject({
      code: 'permit-not-found',
    });
    await expect(revokePermit(ports, { ref: NUMBER, ...revocation, reason: '  ' })).rejects.toMatchObject({
      code: 'reason-required',
    });
  });
});

describe('the verification page', () => {
  it('escapes every value it shows', async () => {
    const { ports } = await issued();
    await revokePermit(ports, { ref: NUMBER, ...revocation, reason: '<script>alert(1)</script>' });
    const verification = await verifyPermit(ports, NUMBER);

    const html = verificationPage(verification as NonNullable<typeof verification>, {
      issuedOn: '25 Februari 2026',
      revokedAt: '<img src=x>',
    });

    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script>alert(1)&lt;/script>');
  });
});
