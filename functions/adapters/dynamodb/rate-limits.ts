/**
 * Fixed-window rate-limit counters (items in keys.ts): one conditional atomic increment per limit.
 * Separate updates rather than one transaction: concurrent transactions on a hot counter cancel each
 * other (TransactionConflict), while concurrent updates of one item are serialised by DynamoDB. The
 * price is that a refusal must give back what the earlier limits took, which it does.
 */
import { fixedWindow, type RateLimit } from '#core/domain/rate-limit.ts';
import type { RateLimiter, RateLimitResult } from '#core/ports.ts';
import { keys } from './keys.ts';
import type { Table } from './table.ts';

/** A counter outlives its window by an hour, so a late request never sees a vanished window as empty. */
const KEEP_AFTER_WINDOW_SECONDS = 60 * 60;

export class DynamoRateLimiter implements RateLimiter {
  constructor(private readonly table: Table) {}

  async take(limits: readonly RateLimit[], nowEpochSeconds: number): Promise<RateLimitResult> {
    const taken: RateLimit[] = [];
    for (const limit of limits) {
      const window = fixedWindow(limit, nowEpochSeconds);
      const counted = await this.table.update(this.key(limit, nowEpochSeconds), {
        UpdateExpression: 'SET expiresAt = if_not_exists(expiresAt, :expires) ADD #count :one',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':limit': limit.limit,
          ':expires': window.end + KEEP_AFTER_WINDOW_SECONDS,
        },
        ReturnValues: 'NONE',
      });
      if (counted === undefined) {
        await Promise.all(taken.map((t) => this.giveBack(t, nowEpochSeconds)));
        return { allowed: false, refusedBy: limit, retryAfterSeconds: window.end - nowEpochSeconds };
      }
      taken.push(limit);
    }
    return { allowed: true };
  }

  private key(limit: RateLimit, nowEpochSeconds: number) {
    return keys.rateWindow(limit.name, limit.subjectHash, fixedWindow(limit, nowEpochSeconds).start);
  }

  private async giveBack(limit: RateLimit, nowEpochSeconds: number): Promise<void> {
    await this.table.update(this.key(limit, nowEpochSeconds), {
      UpdateExpression: 'ADD #count :minusOne',
      ConditionExpression: '#count > :zero',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
      ReturnValues: 'NONE',
    });
  }
}
