/**
 * The demo's applicants: one fictitious person per profession, living in the running regency, with the
 * data a real applicant types in (a NIK that passes the server's structural checks, a mobile number as
 * people write it, an STR, a place of practice). The NIK serial is random so that repeated runs do not
 * create several applications for one NIK.
 */
import { randomInt } from 'node:crypto';
import type { Permit } from '#config/regency-schema.ts';
import { DemoError } from './client.ts';

type Profession = Permit['profession'];

interface Persona {
  fullName: string;
  sex: 'male' | 'female';
  birthDate: string;
  emailLocalPart: string;
  mobileNumber: string;
  strPrefix: string;
  facility: (place: string) => { facilityName: string; type: string };
}

/** Every profession a permit can name has a persona (the Record makes a new profession a type error). */
const PERSONAS: Readonly<Record<Profession, Persona>> = {
  'occupational-therapist': {
    fullName: 'Siti Rahmawati',
    sex: 'female',
    birthDate: '1990-05-15',
    emailLocalPart: 'siti.rahmawati',
    mobileNumber: '0812-7345-2210',
    strPrefix: 'STR-OT',
    facility: (place) => ({ facilityName: `Rumah Sakit Umum Daerah ${place}`, type: 'hospital' }),
  },
  optometrist: {
    fullName: 'Budi Santoso',
    sex: 'male',
    birthDate: '1988-11-02',
    emailLocalPart: 'budi.santoso',
    mobileNumber: '+62 853 1120 4478',
    strPrefix: 'STR-RO',
    facility: (place) => ({ facilityName: `Optik Sinar Jaya ${place}`, type: 'optical-shop' }),
  },
};

/**
 * A NIK for a person first registered in district 01 of the regency `kemendagriCode` (e.g. 17.71):
 * province, regency, district, then the birth date as DDMMYY with 40 added to the day for women, then a
 * serial from 0001.
 */
export function nikFor(
  kemendagriCode: string,
  birthDate: string,
  sex: 'male' | 'female',
  serial: number,
): string {
  const [province = '', regency = ''] = kemendagriCode.split('.');
  const [year = '', month = '', day = ''] = birthDate.split('-');
  const dd = String(Number(day) + (sex === 'female' ? 40 : 0)).padStart(2, '0');
  return `${province}${regency}01${dd}${month}${year.slice(2)}${String(serial).padStart(4, '0')}`;
}

/** For progress lines: the NIK is personal data, so only the region and the serial are shown. */
export const maskNik = (nik: string): string => `${nik.slice(0, 6)}******${nik.slice(12)}`;

/** The place name people use: "Kota Bengkulu" -> "Bengkulu", "Kabupaten Pasuruan" -> "Pasuruan". */
export const placeName = (regencyName: string): string =>
  regencyName.replace(/^(Kota|Kabupaten|Kab\.)\s+/i, '');

/** The API publishes the profession as a string: one without a persona is named in the error. */
export function applicantFor(
  permit: { code: string; profession: string },
  regency: { name: string; kemendagriCode: string },
) {
  const persona = (PERSONAS as Readonly<Record<string, Persona | undefined>>)[permit.profession];
  if (persona === undefined)
    throw new DemoError(
      `no demo applicant for the profession '${permit.profession}': add one to local/demo/applicant.ts`,
    );
  const place = placeName(regency.name);
  return {
    fullName: persona.fullName,
    nik: nikFor(regency.kemendagriCode, persona.birthDate, persona.sex, randomInt(1, 10_000)),
    birthPlace: place,
    birthDate: persona.birthDate,
    sex: persona.sex,
    address: `Jl. Jenderal Sudirman No. 27, RT 003 RW 002, ${regency.name}`,
    // example.test can never receive real mail (RFC 2606); the local mailbox shows what is sent.
    email: `${persona.emailLocalPart}@example.test`,
    mobileNumber: persona.mobileNumber,
    profession: permit.profession,
    str: {
      number: `${persona.strPrefix}-${regency.kemendagriCode.replace('.', '')}-2021-00${randomInt(1000, 10_000)}`,
      validUntil: 'lifetime',
    },
    practicePlace: {
      ...persona.facility(place),
      address: `Jl. Ahmad Yani No. 8, ${regency.name}`,
    },
  };
}

export type DemoApplicant = ReturnType<typeof applicantFor>;
