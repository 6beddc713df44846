/**
 * The applicant's access token: 32 random bytes (base64url), shown once when the draft is created
 * and stored only as its SHA-256. Requests carry it as `Authorization: Bearer <token>`; the digests
 * are compared in constant time, and an unknown application is compared against a dummy digest so
 * that "no such application" and "wrong token" take the same time and get the same answer.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { tokenInvalid, tokenMissing } from './request-errors.ts';

export const TOKEN_BYTES = 32;

export function newAccessToken(random: (n: number) => Uint8Array = randomBytes): string {
  return Buffer.from(random(TOKEN_BYTES)).toString('base64url');
}

export function hashAccessToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const DUMMY_HASH = hashAccessToken('no application has this token');

/** The token of an `Authorization: Bearer` header; undefined when there is none. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

/** Constant-time comparison of a presented token with a stored hash (either may be missing). */
export function tokenMatches(token: string, storedHash: string | undefined): boolean {
  const presented = Buffer.from(hashAccessToken(token), 'hex');
  const stored = Buffer.from(storedHash ?? DUMMY_HASH, 'hex');
  const equal = stored.length === presented.length && timingSafeEqual(stored, presented);
  return equal && storedHash !== undefined;
}

/**
 * Checks the request's token against the application's stored hash; throws token-missing (401) or
 * token-invalid (403). `loadHash` is only called with a well-formed id.
 */
export async function authorizeApplicant(
  authorization: string | undefined,
  applicationId: string,
  loadHash: (id: string) => Promise<string | undefined>,
): Promise<void> {
  const token = bearerToken(authorization);
  if (token === undefined) {
    if (authorization !== undefined && authorization.trim() !== '') throw tokenInvalid();
    throw tokenMissing();
  }
  const stored = isApplicationId(applicationId) ? await loadHash(applicationId) : undefined;
  if (!tokenMatches(token, stored)) throw tokenInvalid();
}

/** Application ids are UUIDs (version 4, lower case): anything else cannot exist. */
export const isApplicationId = (id: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id);
