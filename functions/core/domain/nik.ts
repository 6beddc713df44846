/**
 * NIK (Nomor Induk Kependudukan), 16 digits: province (2) + regency/city (2) + district (2) + birth date
 * DDMMYY with 40 added to the day for women + serial (4, from 0001). Only the structure is checked:
 * the region may differ from the office's, because the NIK keeps the place of first registration.
 */

export type NikProblem = 'format' | 'region' | 'birth-date' | 'serial';

export interface NikParts {
  province: string;
  regency: string;
  district: string;
  /** Day of birth (1-31), with the +40 for women removed. */
  birthDay: number;
  birthMonth: number;
  /** Two-digit year: the century is not encoded. */
  birthYear2: number;
  female: boolean;
  serial: string;
}

export type NikResult = { ok: true; parts: NikParts } | { ok: false; problem: NikProblem };

const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

function daysInMonth(month: number, year: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

export function parseNik(nik: string): NikResult {
  if (!/^\d{16}$/.test(nik)) return { ok: false, problem: 'format' };
  const province = nik.slice(0, 2);
  const regency = nik.slice(2, 4);
  const district = nik.slice(4, 6);
  if (province === '00' || regency === '00' || district === '00') return { ok: false, problem: 'region' };
  const rawDay = Number(nik.slice(6, 8));
  const birthMonth = Number(nik.slice(8, 10));
  const birthYear2 = Number(nik.slice(10, 12));
  const female = rawDay > 40;
  const birthDay = female ? rawDay - 40 : rawDay;
  // The century is unknown: a day is plausible if it exists in 19YY or in 20YY (29 Feb 00 is 2000).
  const plausible =
    birthMonth >= 1 &&
    birthMonth <= 12 &&
    birthDay >= 1 &&
    Math.max(daysInMonth(birthMonth, 1900 + birthYear2), daysInMonth(birthMonth, 2000 + birthYear2)) >=
      birthDay;
  if (!plausible) return { ok: false, problem: 'birth-date' };
  const serial = nik.slice(12);
  if (serial === '0000') return { ok: false, problem: 'serial' };
  return {
    ok: true,
    parts: { province, regency, district, birthDay, birthMonth, birthYear2, female, serial },
  };
}

/** True when the NIK's DDMMYY is the birth date `YYYY-MM-DD`. */
export function nikMatchesBirthDate(parts: NikParts, birthDate: string): boolean {
  const [y, m, d] = birthDate.split('-').map(Number);
  return parts.birthDay === d && parts.birthMonth === m && parts.birthYear2 === (y ?? 0) % 100;
}

export const NIK_MESSAGES: Readonly<Record<NikProblem, string>> = {
  format: 'NIK harus terdiri dari 16 angka.',
  region: 'Kode provinsi, kabupaten/kota dan kecamatan pada NIK tidak boleh 00.',
  'birth-date': 'Tanggal lahir pada NIK (digit 7-12) tidak valid.',
  serial: 'Nomor urut pada NIK (4 digit terakhir) tidak boleh 0000.',
};
