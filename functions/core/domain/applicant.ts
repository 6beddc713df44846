/**
 * The applicant's form: who they are (KTP data), how to reach them, their registration (STR) and where
 * they will practise. The zod schema checks each field's form (with Indonesian messages and stable
 * codes); `checkApplicant` adds the checks that span fields or depend on today and on the permit.
 * Everything here is personal data (UU 27/2022): it is stored in its own item and never logged.
 */
import { z } from 'zod';
import { type Permit, permitSchema } from '#config/regency-schema.ts';
import type { FieldError } from './field-error.ts';
import { normaliseMobileNumber } from './mobile-number.ts';
import { NIK_MESSAGES, nikMatchesBirthDate, parseNik } from './nik.ts';

/** A field error code the HTTP layer reports as `errors[].code`. */
const withCode = (code: string, message: string) => ({ message, params: { code } });

/** C0 controls and DEL; with `allowNewlines`, line feeds, carriage returns and tabs are fine. */
export function hasControlCharacters(text: string, allowNewlines = false): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (allowNewlines && (c === 0x0a || c === 0x0d || c === 0x09)) continue;
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Free text a person types on one line: trimmed, not empty, bounded, no control characters. */
export const lineText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'Wajib diisi.')
    .max(max, `Paling banyak ${max} karakter.`)
    .refine((s) => !hasControlCharacters(s), withCode('control-characters', 'Mengandung karakter kontrol.'));

export const isoDate = z.iso.date('Tanggal harus berformat YYYY-MM-DD.');

export const nikSchema = z
  .string()
  .trim()
  .max(32, 'NIK harus terdiri dari 16 angka.')
  .superRefine((value, ctx) => {
    const result = parseNik(value);
    if (!result.ok)
      ctx.addIssue({ code: 'custom', ...withCode(`nik-${result.problem}`, NIK_MESSAGES[result.problem]) });
  })
  .meta({
    description: 'NIK from the KTP: 16 digits, checked as DOMAIN rules say (region, birth date, serial).',
    examples: ['1771014505900001'],
  });

/** Checked, then rewritten to +628...: `overwrite` keeps the schema a plain string in the OpenAPI document. */
export const mobileNumberSchema = z
  .string()
  .max(32, 'Paling banyak 32 karakter.')
  .refine(
    (value) => normaliseMobileNumber(value) !== undefined,
    withCode(
      'mobile-invalid',
      'Nomor HP harus nomor seluler Indonesia, mis. 081234567890 atau +6281234567890.',
    ),
  )
  .overwrite((value) => normaliseMobileNumber(value) ?? value)
  .meta({
    description: 'Indonesian mobile number (08..., 628..., +628...); stored as +628...',
    examples: ['0812-3456-7890'],
  });

export const FACILITY_TYPES = [
  'hospital',
  'health-centre',
  'clinic',
  'rehabilitation-centre',
  'optical-shop',
  'independent-practice',
  'other',
] as const;

export const strSchema = z
  .strictObject({
    number: lineText(64).meta({
      description: 'STR number; it has no published format, so it is kept as typed (trimmed).',
    }),
    validUntil: z.union([z.literal('lifetime'), isoDate]).meta({
      description: "'lifetime' for an STR valid for life (UU 17/2023), or its last valid day (YYYY-MM-DD).",
    }),
  })
  .meta({ description: 'Registration certificate (Surat Tanda Registrasi).' });

export const practicePlaceSchema = z
  .strictObject({
    facilityName: lineText(200),
    address: lineText(300),
    type: z.enum(FACILITY_TYPES).meta({
      description:
        'hospital (rumah sakit), health-centre (puskesmas), clinic (klinik), rehabilitation-centre, optical-shop (optik), independent-practice (praktik mandiri), other.',
    }),
  })
  .meta({ description: 'The place of practice the permit is for.' });

export const applicantSchema = z
  .strictObject({
    fullName: lineText(150).meta({ description: 'Full name as on the KTP.' }),
    nik: nikSchema,
    birthPlace: lineText(100),
    birthDate: isoDate.meta({ description: 'Birth date, YYYY-MM-DD; must match the NIK.' }),
    sex: z
      .enum(['male', 'female'])
      .meta({ description: 'male (laki-laki) or female (perempuan); must match the NIK.' }),
    address: lineText(300).meta({ description: 'Home address.' }),
    email: z.email('Alamat e-mail tidak valid.').max(254).meta({ description: 'Notices are sent here.' }),
    mobileNumber: mobileNumberSchema,
    profession: permitSchema.shape.profession,
    str: strSchema,
    practicePlace: practicePlaceSchema,
  })
  .meta({ description: 'The applicant (personal data: stored apart, never logged).' });

export type ApplicantForm = z.output<typeof applicantSchema>;

/** Checks across fields and against the permit and today's date (`today`: YYYY-MM-DD, office time). */
export function checkApplicant(applicant: ApplicantForm, permit: Permit, today: string): FieldError[] {
  const errors: FieldError[] = [];
  const nik = parseNik(applicant.nik);
  if (nik.ok) {
    if (nik.parts.female !== (applicant.sex === 'female'))
      errors.push({
        field: 'applicant.sex',
        code: 'nik-sex-mismatch',
        message: 'Jenis kelamin tidak sesuai dengan NIK (tanggal lahir perempuan ditambah 40).',
      });
    if (!nikMatchesBirthDate(nik.parts, applicant.birthDate))
      errors.push({
        field: 'applicant.birthDate',
        code: 'nik-birth-date-mismatch',
        message: 'Tanggal lahir tidak sesuai dengan NIK.',
      });
  }
  if (applicant.birthDate > today || applicant.birthDate < '1900-01-01')
    errors.push({
      field: 'applicant.birthDate',
      code: 'birth-date-implausible',
      message: 'Tanggal lahir tidak masuk akal.',
    });
  if (applicant.str.validUntil !== 'lifetime' && applicant.str.validUntil < today)
    errors.push({
      field: 'applicant.str.validUntil',
      code: 'str-expired',
      message: 'STR sudah tidak berlaku.',
    });
  if (applicant.profession !== permit.profession)
    errors.push({
      field: 'applicant.profession',
      code: 'profession-mismatch',
      message: `Izin ${permit.code} hanya untuk profesi ${permit.profession}.`,
    });
  return errors;
}
