/**
 * Tracking codes: what an applicant reads over the phone or types from a receipt, e.g. `BKL-7K3M-Q9TX`.
 * A regency prefix and 8 characters from an alphabet without look-alikes (no 0/O, no 1/I): 32 symbols,
 * so 40 random bits. Uniqueness is the store's job (a conditional put on `TRACK#<code>`).
 */
import type { Regency } from '#config/regency-schema.ts';

export const TRACKING_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const BODY_LENGTH = 8;
export const TRACKING_CODE_PATTERN = /^[A-Z]{3}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/;

/**
 * Three letters that say which office issued the code: the first letter of the place name and the
 * next two consonants (`kota-bengkulu` -> BNG, `kota-pekanbaru` -> PKN, `kabupaten-pasuruan` -> PSR).
 * Consonants avoid the ambiguous I and O. Codes are unique per regency table, so two offices sharing
 * a prefix is harmless.
 */
export function trackingPrefix(regency: Pick<Regency, 'id'>): string {
  const place = regency.id.replace(/^(kota|kabupaten|kab)-/, '').replace(/[^a-z]/g, '');
  const first = (place[0] ?? 'x').toUpperCase();
  const consonants = place
    .slice(1)
    .toUpperCase()
    .replace(/[AEIOU]/g, '');
  return `${first}${consonants}XX`.slice(0, 3).replace(/[IO]/g, 'X');
}

/** A new code; `randomBytes` is injected so tests can be deterministic. */
export function generateTrackingCode(prefix: string, randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(BODY_LENGTH);
  let body = '';
  // 256 is a multiple of 32: taking the low five bits is uniform, no rejection needed.
  for (const byte of bytes) body += TRACKING_ALPHABET[byte & 31];
  return `${prefix}-${body.slice(0, 4)}-${body.slice(4)}`;
}

/**
 * What a person types, made canonical: upper case, spaces and missing hyphens forgiven. Undefined
 * when it cannot be a tracking code (then no lookup is made).
 */
export function normaliseTrackingCode(input: string): string | undefined {
  const compact = input.toUpperCase().replace(/[\s-]/g, '');
  if (compact.length !== 3 + BODY_LENGTH) return undefined;
  const code = `${compact.slice(0, 3)}-${compact.slice(3, 7)}-${compact.slice(7)}`;
  return TRACKING_CODE_PATTERN.test(code) ? code : undefined;
}
