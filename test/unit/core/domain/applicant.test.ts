import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldErrors } from '#api/problem.ts';
import { createApplicationBody } from '#api/schemas.ts';
import { loadRegency } from '#config/load.ts';
import { applicantSchema, checkApplicant } from '#core/domain/applicant.ts';
import { checkAnswers, missingRequirements, requiredRequirements } from '#core/domain/requirements.ts';
import { applicantFixture, applicationFixture, nikFor } from '../../../fixtures/application.ts';

const bengkulu = loadRegency('kota-bengkulu').regency;
const sikot = bengkulu.permits[0];
if (sikot === undefined) throw new Error('Kota Bengkulu has SIKOT');
const pasuruan = loadRegency('kabupaten-pasuruan').regency.permits[0];
if (pasuruan === undefined) throw new Error('Kabupaten Pasuruan has SIPOT');

const errorsOf = (body: unknown) => {
  const result = createApplicationBody.safeParse(body, { error: z.locales.id().localeError });
  return result.success ? [] : fieldErrors(result.error.issues, '');
};

describe('applicant schema', () => {
  it('accepts the fixture and stores the mobile number as +62', () => {
    const parsed = applicantSchema.parse(applicantFixture());
    expect(parsed.mobileNumber).toBe('+6281234567890');
  });

  it('names a bad NIK with its own code and an Indonesian message', () => {
    expect(
      errorsOf(applicationFixture({ applicant: applicantFixture({ nik: '1771010005900001' }) })),
    ).toEqual([
      {
        field: 'applicant.nik',
        code: 'nik-birth-date',
        message: 'Tanggal lahir pada NIK (digit 7-12) tidak valid.',
      },
    ]);
  });

  it('rejects an unknown field anywhere and names it', () => {
    const body = applicationFixture({ extra: 1, applicant: applicantFixture({ nickname: 'Siti' }) });
    expect(errorsOf(body)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'extra', code: 'unknown-field' }),
        expect.objectContaining({ field: 'applicant.nickname', code: 'unknown-field' }),
      ]),
    );
  });

  it('reports a missing field as required', () => {
    const { email: _, ...applicant } = applicantFixture();
    expect(errorsOf(applicationFixture({ applicant }))).toEqual([
      expect.objectContaining({ field: 'applicant.email', code: 'required' }),
    ]);
  });

  it('refuses control characters in a name', () => {
    expect(errorsOf(applicationFixture({ applicant: applicantFixture({ fullName: 'Siti\u0000' }) }))).toEqual(
      [expect.objectContaining({ field: 'applicant.fullName', code: 'control-characters' })],
    );
  });

  it('requires consent to the processing of personal data', () => {
    expect(errorsOf(applicationFixture({ personalDataConsent: false }))).toEqual([
      expect.objectContaining({ field: 'personalDataConsent', code: 'invalid-value' }),
    ]);
  });

  it('checks the mobile number and the STR validity form', () => {
    const errors = errorsOf(
      applicationFixture({
        applicant: applicantFixture({
          mobileNumber: '0736-349730',
          str: { number: 'X', validUntil: 'forever' },
        }),
      }),
    );
    expect(errors.map((e) => [e.field, e.code])).toEqual(
      expect.arrayContaining([
        ['applicant.mobileNumber', 'mobile-invalid'],
        ['applicant.str.validUntil', 'invalid-date'],
      ]),
    );
  });
});

describe('checkApplicant', () => {
  const parse = (overrides: Record<string, unknown>) => applicantSchema.parse(applicantFixture(overrides));

  it('finds nothing wrong with a consistent applicant', () => {
    expect(checkApplicant(parse({}), sikot, '2026-03-17')).toEqual([]);
  });

  it('catches a sex that contradicts the NIK', () => {
    expect(checkApplicant(parse({ nik: nikFor('1990-05-15', 'male') }), sikot, '2026-03-17')).toEqual([
      expect.objectContaining({ field: 'applicant.sex', code: 'nik-sex-mismatch' }),
    ]);
  });

  it('catches a birth date that contradicts the NIK', () => {
    expect(checkApplicant(parse({ birthDate: '1990-05-16' }), sikot, '2026-03-17')).toEqual([
      expect.objectContaining({ field: 'applicant.birthDate', code: 'nik-birth-date-mismatch' }),
    ]);
  });

  it('catches an expired STR but accepts one valid today or for life', () => {
    const expired = parse({ str: { number: 'A', validUntil: '2026-03-16' } });
    expect(checkApplicant(expired, sikot, '2026-03-17')).toEqual([
      expect.objectContaining({ field: 'applicant.str.validUntil', code: 'str-expired' }),
    ]);
    expect(
      checkApplicant(parse({ str: { number: 'A', validUntil: '2026-03-17' } }), sikot, '2026-03-17'),
    ).toEqual([]);
  });

  it('catches a profession the permit is not for', () => {
    expect(checkApplicant(parse({ profession: 'optometrist' }), sikot, '2026-03-17')).toEqual([
      expect.objectContaining({ field: 'applicant.profession', code: 'profession-mismatch' }),
    ]);
  });

  it('catches a birth date in the future', () => {
    const future = parse({ birthDate: '2030-05-15', nik: nikFor('2030-05-15', 'female') });
    expect(checkApplicant(future, sikot, '2026-03-17')).toEqual([
      expect.objectContaining({ code: 'birth-date-implausible' }),
    ]);
  });
});

describe('conditional requirements', () => {
  it('needs every answer of the permit and no other', () => {
    expect(checkAnswers(sikot, { secondPermit: true })).toEqual([]);
    expect(checkAnswers(sikot, {})).toEqual([
      expect.objectContaining({ field: 'answers.secondPermit', code: 'required' }),
    ]);
    expect(checkAnswers(sikot, { secondPermit: false, renewal: true })).toEqual([
      expect.objectContaining({ field: 'answers.renewal', code: 'unknown-field' }),
    ]);
  });

  it('requires the first permit only for a second permit (Kota Bengkulu)', () => {
    const ids = (answers: Record<string, boolean>) => requiredRequirements(sikot, answers).map((r) => r.id);
    expect(ids({ secondPermit: false })).not.toContain('izin-pertama');
    expect(ids({ secondPermit: true })).toContain('izin-pertama');
    expect(ids({ secondPermit: false })).toHaveLength(sikot.requirements.length - 1);
  });

  it('follows each answer separately (Kabupaten Pasuruan: address and renewal)', () => {
    const conditional = pasuruan.requirements.filter((r) => r.when !== undefined).map((r) => r.when?.answer);
    expect(conditional.sort()).toEqual(['addressDiffersFromKtp', 'renewal']);
    const none = requiredRequirements(pasuruan, { addressDiffersFromKtp: false, renewal: false }).length;
    const both = requiredRequirements(pasuruan, { addressDiffersFromKtp: true, renewal: true }).length;
    expect(both - none).toBe(2);
  });

  it('lists what is missing', () => {
    const have = new Set(['ktp', 'ijazah', 'str']);
    expect(
      missingRequirements(sikot, { secondPermit: false }, (id) => have.has(id)).map((r) => r.id),
    ).toEqual(['surat-keterangan-bekerja', 'surat-keterangan-sehat', 'rekomendasi-organisasi-profesi']);
  });
});
