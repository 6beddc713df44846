/** Rate limits as a use case sees them: take one request from each limit, or refuse with a 429. */
import type { RateLimit } from '../domain/rate-limit.ts';
import { type RequestError, tooManyRequests } from '../domain/request-errors.ts';
import type { Ports } from '../ports.ts';

/**
 * Counts the request against every limit; when one is full, throws the 429 `refusal` builds for it
 * (given the moment its window ends, for the Indonesian detail), with Retry-After.
 */
export async function takeRateLimits(
  ports: Pick<Ports, 'rateLimits' | 'now' | 'log'>,
  limits: readonly RateLimit[],
  refusal: (limit: RateLimit, retryAt: Date) => string,
): Promise<void> {
  const now = ports.now();
  const result = await ports.rateLimits.take(limits, Math.floor(now.getTime() / 1000));
  if (result.allowed) return;
  // The subject's hash is enough to correlate repeated refusals; the subject itself is never logged.
  ports.log('rate limit reached', {
    limit: result.refusedBy.name,
    subject: result.refusedBy.subjectHash.slice(0, 12),
  });
  const retryAt = new Date(now.getTime() + result.retryAfterSeconds * 1000);
  throw rateLimited(refusal(result.refusedBy, retryAt), result.retryAfterSeconds);
}

const rateLimited = (detail: string, retryAfterSeconds: number): RequestError =>
  tooManyRequests('rate-limited', detail, retryAfterSeconds);
