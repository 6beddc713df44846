/**
 * Fixed-window rate limits: at most `limit` requests per window of `windowSeconds`, counted per
 * subject (an e-mail address, a source IP). Windows are aligned to the epoch, so every instance of
 * every function agrees on which window a request falls in without talking to each other.
 *
 * The subject is kept only as a hash (`subjectHash`): counters are stored and may be logged, and an
 * address or an IP in clear would be personal data in both places.
 */
import { createHash } from 'node:crypto';

export interface RateLimit {
  /** What is limited, e.g. `complaint-address`: part of the counter's key and of the refusal. */
  name: string;
  /** SHA-256 of the name and the subject, never the subject itself. */
  subjectHash: string;
  limit: number;
  windowSeconds: number;
}

/** The hash a counter is kept under: scoped by `name`, so one address gives unrelated keys per limit. */
export const rateSubjectHash = (name: string, subject: string): string =>
  createHash('sha256').update(`${name}:${subject}`, 'utf8').digest('hex');

export const rateLimit = (
  name: string,
  subject: string,
  limit: number,
  windowSeconds: number,
): RateLimit => ({ name, subjectHash: rateSubjectHash(name, subject), limit, windowSeconds });

/** The window `nowEpochSeconds` falls in: [start, end), in epoch seconds. */
export function fixedWindow(limit: RateLimit, nowEpochSeconds: number): { start: number; end: number } {
  const start = Math.floor(nowEpochSeconds / limit.windowSeconds) * limit.windowSeconds;
  return { start, end: start + limit.windowSeconds };
}
