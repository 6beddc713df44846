import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Regency } from '#config/regency-schema.ts';
import { applicantSchema } from '#core/domain/applicant.ts';
import type { Application } from '#core/domain/application.ts';
import { requiredRequirements } from '#core/domain/requirements.ts';
import { createDraft } from '#core/use-cases/drafts.ts';
import { issueDocument, numberPermit } from '#core/use-cases/issuance.ts';
import { NIK_PURPOSE } from '#core/use-cases/places.ts';
import { submit, withdraw } from '#core/use-cases/submission.ts';
import { revokePermit } from '#core/use-cases/verification.ts';
import { applicantFixture, nikFor } from '../../../fixtures/application.ts';
import { pdfText } from '../../../support/pdf.ts';
import { acceptedDocument, refusal } from '../builders.ts';
import { type FakePorts, fakePorts, regency, wib } from '../fakes.ts';

const SITI = { nik: nikFor('1990-05-15', 'female', 1) };
const BUDI = {
  nik: nikFor('1988-11-02', 'male', 7),
  fullName: 'Budi Santoso',
  birthDate: '1988-11-02',
  sex: 'male',
  email: 'budi@example.test',
};
type Person = typeof SITI | typeof BUDI;

/** A draft by `person`, with every required document accepted; optionally a renewal. */
async function draft(
  ports: FakePorts,
  person: Person,
  options: { permitCode?: string; renews?: string } = {},
) {
  const permitCode = options.permitCode ?? 'SIKOT';
  const permit = ports.regency.permits.find((p) => p.code === permitCode);
  if (permit === undefined) throw new Error(`no ${permitCode}`);
  const answers = Object.fromEntries(permit.questions.map((q) => [q.id, false]));
  const { application } = await createDraft(
    ports,
    {
      permitCode,
      applicant: applicantSchema.parse(applicantFixture({ ...person, profession: permit.profession })),
      answers,
      personalDataConsent: true,
      ...(options.renews === undefined ? {} : { renews: options.renews }),
    },
    undefined,
  );
  for (const r of requiredRequirements(permit, answers))
    await acceptedDocument(ports, application.id, r.id, ports.now());
  return application;
}

/** Through the workflow's two issuing steps, as the state machine runs them. */
async function issue(ports: FakePorts, id: string): Promise<string> {
  const number = await numberPermit(ports, id, ports.now());
  await issueDocument(ports, id, 'permit', ports.now());
  return number;
}

async function holding(ports: FakePorts, person: Person, count: number): Promise<string[]> {
  const numbers: string[] = [];
  for (let i = 0; i < count; i++) {
    const app = await draft(ports, person);
    await submit(ports, app.id);
    numbers.push(await issue(ports, app.id));
  }
  return numbers;
}

/** Many drafts: real random bytes, so tracking codes do not repeat. */
const manyDraftPorts = (theRegency?: Regency) =>
  fakePorts({ randomBytes, ...(theRegency === undefined ? {} : { regency: theRegency }) });

const stored = async (ports: FakePorts, id: string) => (await ports.applications.get(id)) as Application;

describe('the maximum of places per profession and NIK', () => {
  it('refuses a fourth place at submission, with the reason, and writes nothing', async () => {
    const ports = manyDraftPorts();
    await holding(ports, SITI, 3);
    const fourth = await draft(ports, SITI);
    const registers = JSON.stringify([...ports.permits.registers]);

    const error = await refusal(submit(ports, fourth.id));

    expect(error).toMatchObject({ kind: 'unprocessable', code: 'max-places-reached' });
    expect(error.detail).toContain('sudah memiliki 3 izin praktik aktif atau dalam proses');
    expect(error.detail).toContain('Permenkes 13/2025');
    expect(error.errors).toEqual([
      expect.objectContaining({ field: 'applicant.nik', code: 'max-places-reached' }),
    ]);
    expect(await stored(ports, fourth.id)).toMatchObject({ status: 'draft', version: fourth.version });
    expect(ports.workflows.starts.map((s) => s.applicationId)).not.toContain(fourth.id);
    expect(JSON.stringify([...ports.permits.registers])).toBe(registers);
  });

  it('counts applications still in progress, so three pending submissions leave no room', async () => {
    const ports = manyDraftPorts();
    for (let i = 0; i < 3; i++) await submit(ports, (await draft(ports, SITI)).id);

    const error = await refusal(submit(ports, (await draft(ports, SITI)).id));

    expect(error.code).toBe('max-places-reached');
  });

  it('gives the place back when an application is withdrawn or a permit revoked or expired', async () => {
    const ports = manyDraftPorts();
    const [first] = await holding(ports, SITI, 2);
    const pending = await draft(ports, SITI);
    await submit(ports, pending.id);
    await withdraw(ports, pending.id, undefined);
    await submit(ports, (await draft(ports, SITI)).id);
    await expect(refusal(submit(ports, (await draft(ports, SITI)).id))).resolves.toMatchObject({
      code: 'max-places-reached',
    });

    await revokePermit(ports, {
      ref: first as string,
      reason: 'STR dicabut',
      actor: 'admin',
      at: ports.now(),
    });
    await submit(ports, (await draft(ports, SITI)).id);
    // Kota Bengkulu's permits are valid for five years: past that, every place is free again.
    ports.clock.set(wib('2031-03-01T09:00:00'));
    const later = await draft(ports, SITI);

    expect((await submit(ports, later.id)).application.status).toBe('submitted');
  });

  it('counts each person and each profession apart', async () => {
    const ports = manyDraftPorts(regency('contoh'));
    const sikot = async (person: Person) => submit(ports, (await draft(ports, person)).id);
    for (let i = 0; i < 3; i++) await sikot(SITI);

    await sikot(BUDI);
    const optometrist = await draft(ports, SITI, { permitCode: 'SIKO' });

    expect((await submit(ports, optometrist.id)).application.status).toBe('submitted');
  });

  it('lets only one of two concurrent submissions take the last place', async () => {
    const ports = manyDraftPorts();
    await holding(ports, SITI, 2);
    const [a, b] = [await draft(ports, SITI), await draft(ports, SITI)];

    const results = await Promise.allSettled([submit(ports, a.id), submit(ports, b.id)]);

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'max-places-reached' });
  });

  it('keys the register by the keyed hash of the NIK and keeps no NIK in it', async () => {
    const ports = manyDraftPorts();
    const app = await draft(ports, SITI);
    await submit(ports, app.id);

    const holderKey = await ports.keyedHash.hash(NIK_PURPOSE, SITI.nik);
    const register = await ports.permits.places('occupational-therapist', holderKey);
    expect(register?.claims).toEqual([
      { applicationId: app.id, permitCode: 'SIKOT', claimedAt: ports.now().toISOString() },
    ]);
    expect(JSON.stringify([...ports.permits.registers])).not.toContain(SITI.nik);
  });
});

describe('renewals', () => {
  it('records the permit a renewal replaces, by its printed number', async () => {
    const ports = manyDraftPorts();
    const [number] = await holding(ports, SITI, 1);

    const renewal = await draft(ports, SITI, { renews: ` ${number} ` });

    const old = await ports.permits.byNumber(number as string);
    expect(renewal.renews).toEqual({ permitId: old?.id, number });
  });

  it('refuses, naming the field, a renewal of a permit held by someone else or that does not exist, alike', async () => {
    const ports = manyDraftPorts();
    const [number] = await holding(ports, SITI, 1);

    const others = await refusal(draft(ports, BUDI, { renews: number as string }));
    const missing = await refusal(draft(ports, SITI, { renews: '503/9999/SIKOT/DPMPTSP/2026' }));

    for (const error of [others, missing])
      expect(error.errors).toEqual([
        expect.objectContaining({ field: 'renews', code: 'renewed-permit-not-found' }),
      ]);
  });

  it('refuses a renewal of a revoked permit, and of one of another profession', async () => {
    const ports = manyDraftPorts(regency('contoh'));
    const optometrist = await draft(ports, SITI, { permitCode: 'SIKO' });
    await submit(ports, optometrist.id);
    const sikoNumber = await issue(ports, optometrist.id);
    const [number] = await holding(ports, SITI, 1);
    await revokePermit(ports, {
      ref: number as string,
      reason: 'Pelanggaran etik',
      actor: 'admin',
      at: ports.now(),
    });

    const revoked = await refusal(draft(ports, SITI, { renews: number as string }));
    const otherProfession = await refusal(draft(ports, SITI, { renews: sikoNumber }));

    expect(revoked.errors[0]?.code).toBe('renewed-permit-revoked');
    expect(otherProfession.errors[0]?.code).toBe('renewed-permit-other-profession');
  });

  it('lets a holder of three permits renew one, and supersedes it when the new one is issued', async () => {
    const ports = manyDraftPorts();
    const [, second] = await holding(ports, SITI, 3);
    const renewal = await draft(ports, SITI, { renews: second as string });
    await submit(ports, renewal.id);

    const number = await issue(ports, renewal.id);

    const old = await ports.permits.byNumber(second as string);
    const renewed = await ports.permits.byNumber(number);
    expect(old).toMatchObject({
      status: 'superseded',
      superseded: { at: ports.now().toISOString(), byId: renewed?.id, byNumber: number },
    });
    expect(renewed).toMatchObject({ status: 'active', supersedes: { id: old?.id, number: second } });
    expect(ports.audit.types(old?.applicationId as string)).toContain('permit-superseded');
    const pdf = ports.files.objects.get(renewed?.document?.objectKey as string)?.body as Uint8Array;
    expect(pdfText(pdf).replace(/\s+/g, ' ')).toContain(`menggantikan izin nomor ${second}`);
    // Still three places: the renewal took the place of the permit it replaced.
    await expect(refusal(submit(ports, (await draft(ports, SITI)).id))).resolves.toMatchObject({
      code: 'max-places-reached',
    });
  });

  it('refuses a second renewal of a permit while the first is in progress', async () => {
    const ports = manyDraftPorts();
    const [number] = await holding(ports, SITI, 1);
    await submit(ports, (await draft(ports, SITI, { renews: number as string })).id);

    const error = await refusal(submit(ports, (await draft(ports, SITI, { renews: number as string })).id));

    expect(error).toMatchObject({ kind: 'conflict', code: 'renewal-in-progress' });
  });

  it('leaves a permit revoked while its renewal ran revoked, and still issues the renewal', async () => {
    const ports = manyDraftPorts();
    const [number] = await holding(ports, SITI, 1);
    const renewal = await draft(ports, SITI, { renews: number as string });
    await submit(ports, renewal.id);
    await revokePermit(ports, { ref: number as string, reason: 'Dicabut', actor: 'admin', at: ports.now() });

    await issue(ports, renewal.id);

    expect((await ports.permits.byNumber(number as string))?.status).toBe('revoked');
    expect((await stored(ports, renewal.id)).status).toBe('issued');
  });
});
