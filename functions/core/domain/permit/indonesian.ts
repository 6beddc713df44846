/** Indonesian wording the permit documents share: dates, professions, the signatory's title, masking. */
import type { Regency } from '#config/regency-schema.ts';
import { MONTH_NAMES } from '../calendar/calendar.ts';

const MONTHS = MONTH_NAMES;

/** `2026-02-25` -> `25 Februari 2026` (the form of dates in Indonesian letters). */
export function indonesianDate(localDate: string): string {
  const [y, m, d] = localDate.split('-').map(Number);
  const month = MONTHS[(m ?? 0) - 1];
  if (y === undefined || month === undefined || d === undefined || Number.isNaN(d))
    throw new RangeError(`'${localDate}' is not a YYYY-MM-DD date`);
  return `${d} ${month} ${y}`;
}

const NUMBER_WORDS = [
  'nol',
  'satu',
  'dua',
  'tiga',
  'empat',
  'lima',
  'enam',
  'tujuh',
  'delapan',
  'sembilan',
  'sepuluh',
];

/** `5` -> `5 (lima)`, as letters write small counts; larger ones as figures only. */
export const countInWords = (n: number): string =>
  NUMBER_WORDS[n] ? `${n} (${NUMBER_WORDS[n]})` : String(n);

export const PROFESSION_LABELS: Readonly<Record<Regency['permits'][number]['profession'], string>> = {
  'occupational-therapist': 'Okupasi Terapis',
  optometrist: 'Refraksionis Optisien/Optometris',
};

/** Adds whole years to a local date and steps back one day: a 5-year permit of 25 Feb 2026 ends 24 Feb 2031. */
export function lastDayAfterYears(localDate: string, years: number): string {
  const [y, m, d] = localDate.split('-').map(Number) as [number, number, number];
  const end = new Date(Date.UTC(y + years, m - 1, d));
  // 29 February plus N years lands on 1 March: the day before is 28 February, as intended.
  end.setUTCDate(end.getUTCDate() - 1);
  return end.toISOString().slice(0, 10);
}

/**
 * The signatory's title as letters print it: "Kepala Dinas" heading "Dinas Penanaman Modal ... Kota X"
 * becomes "Kepala Dinas Penanaman Modal ... Kota X"; another label is followed by the regency's name.
 */
export function signatoryTitle(regency: Regency): string {
  const official = regency.officials.find((o) => o.id === regency.signatory);
  const role = regency.roles.find((r) => official?.roles.includes(r.id) && r.kind === 'head-of-office');
  const label = role?.label ?? 'Kepala Dinas';
  const unit = label.replace(/^Kepala\s+/i, '');
  return regency.office.name.toLowerCase().startsWith(unit.toLowerCase())
    ? `Kepala ${regency.office.name}`
    : `${label} ${regency.name}`;
}

/** Where letters are signed: the configured city, or the regency's name without "Kota"/"Kabupaten". */
export const placeOfSigning = (regency: Regency): string =>
  regency.office.city ?? regency.name.replace(/^(Kota|Kabupaten)\s+/i, '');

/**
 * A name as the public may see it: each word's first letter and one star per other letter
 * ("Siti Rahmawati" -> "S*** R********"). Enough to match a paper in hand, not to learn a name.
 */
export function maskName(name: string): string {
  return name
    .trim()
    .split(/\s+/)
    .map((word) => {
      const letters = [...word];
      return `${letters[0] ?? ''}${'*'.repeat(Math.max(0, letters.length - 1))}`;
    })
    .join(' ');
}
