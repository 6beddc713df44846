/**
 * Permit-number templates (per regency and permit, `permitNumberTemplate`). Offices number their letters
 * in several styles (shared/DOMAIN.md), all expressible with these placeholders:
 *
 * | placeholder     | gives                                   | e.g.                                   |
 * |-----------------|-----------------------------------------|----------------------------------------|
 * | `{seq}`         | the sequence number as it is            | `500.16.7.2/{seq}-PPO` -> 500.16.7.2/719-PPO |
 * | `{seq:N}`       | zero-padded to N digits (1-9)           | `503/{seq:4}/SIPD/DPM-PTSP/{year}` -> 503/0112/SIPD/DPM-PTSP/2024 |
 * | `{year}`        | the office's local year, 4 digits       | `503/SIP/{seq:3}/DPMPTSP/{year}` -> 503/SIP/012/DPMPTSP/2023 |
 * | `{yy}`          | the last two digits of the year         |                                        |
 * | `{month}`       | the local month, 2 digits               |                                        |
 * | `{month:roman}` | the local month in Roman numerals       | `800/{seq:3}/DPMPTSP/{month:roman}/{year}` -> 800/012/DPMPTSP/IV/2024 |
 * | `{code}`        | the permit's code                       | SIKOT                                  |
 *
 * The sequence runs per office, permit type and year (`yearly`), or never restarts (`continuous`):
 * a yearly sequence needs the year in the number, or two permits would carry the same number.
 */
import type { PermitNumberSequence } from '#config/permit-number-template.ts';

const PLACEHOLDER = /\{([^{}]*)\}/g;

const ROMAN_MONTHS = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'] as const;

/** The sequence a permit number is drawn from: per office (regency), permit type and year unless continuous. */
export function sequenceName(
  regencyId: string,
  permitCode: string,
  year: number,
  sequence: PermitNumberSequence = 'yearly',
): string {
  return sequence === 'continuous' ? `${regencyId}#${permitCode}` : `${regencyId}#${permitCode}#${year}`;
}

/** Fills a template; `localDate` is the office's local date (YYYY-MM-DD) of numbering. */
export function formatPermitNumber(template: string, seq: number, localDate: string, code: string): string {
  const year = localDate.slice(0, 4);
  const month = Number(localDate.slice(5, 7));
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    if (name === 'seq') return String(seq);
    if (name.startsWith('seq:')) return String(seq).padStart(Number(name.slice(4)), '0');
    if (name === 'year') return year;
    if (name === 'yy') return year.slice(2);
    if (name === 'month') return String(month).padStart(2, '0');
    if (name === 'month:roman') return ROMAN_MONTHS[month - 1] ?? whole;
    if (name === 'code') return code;
    return whole;
  });
}
