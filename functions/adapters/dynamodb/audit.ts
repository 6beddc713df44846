/**
 * The audit trail: per application, a hash chain of append-only items (`AUDIT#<seq>`) and its head
 * (`AUDITHEAD`), read in seq order. Every writer of audit events goes through `transactWithAudit`, which
 * chains the events onto the head it reads and moves the head in the same transaction, on the condition
 * that it has not moved meanwhile: concurrent appends to one application serialize, and the loser
 * re-reads the head and tries again.
 */
import type { AuditEvent } from '#core/domain/application.ts';
import { type AuditRecord, type ChainHead, chainEvents, GENESIS_HEAD } from '#core/domain/audit-chain.ts';
import { type AuditTrail, ConcurrentUpdateError } from '#core/ports.ts';
import { collections, keys } from './keys.ts';
import { conflictsAt, type Table, type TransactItem, type TransactResult } from './table.ts';

/** How many times a writer tries when concurrent appends keep moving the head first. */
const CHAIN_ATTEMPTS = 10;

/** Random, growing waits, so that the writers that lost a round do not collide again in step. */
const jitter = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(250, 10 * 2 ** attempt)));

/** The head item's move from `from` (undefined: no head yet) to `to`. */
function headPut(applicationId: string, from: ChainHead | undefined, to: ChainHead): TransactItem {
  return {
    Put: {
      Item: { ...keys.auditHead(applicationId), seq: to.seq, hash: to.hash },
      ...(from === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#seq = :seq AND #hash = :hash',
            // HASH is a reserved word.
            ExpressionAttributeNames: { '#seq': 'seq', '#hash': 'hash' },
            ExpressionAttributeValues: { ':seq': from.seq, ':hash': from.hash },
          }),
    },
  };
}

/**
 * The writes that append `events` (in order) to their applications' chains, as the heads are now: per
 * application, the conditional move of its head, then its records (each put only where no record is:
 * a record is never overwritten, even under a head that was tampered with).
 */
export async function chainedAuditWrites(
  table: Table,
  events: readonly AuditEvent[],
): Promise<TransactItem[]> {
  const byApplication = new Map<string, AuditEvent[]>();
  for (const event of events)
    byApplication.set(event.applicationId, [...(byApplication.get(event.applicationId) ?? []), event]);
  const writes = await Promise.all(
    [...byApplication].map(async ([applicationId, ofApplication]) => {
      const head = await table.get<ChainHead>(keys.auditHead(applicationId));
      const chained = chainEvents(
        head === undefined ? GENESIS_HEAD : { seq: head.seq, hash: head.hash },
        ofApplication,
      );
      return [
        headPut(applicationId, head, chained.head),
        ...chained.records.map(
          (record): TransactItem => ({
            Put: {
              Item: { ...keys.audit(applicationId, record.seq), ...record },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          }),
        ),
      ];
    }),
  );
  return writes.flat();
}

/**
 * Writes `items` and appends `events` to the audit trails in ONE transaction. The audit writes come
 * after `items`, so a `failedAt` in the result still points into `items`: a condition of the caller's
 * failed, and the result says so as before. When the transaction failed only on the audit writes (a
 * concurrent append moved a head, or was writing it), the heads are read again and the transaction
 * retried; ConcurrentUpdateError once the attempts are used up.
 */
export async function transactWithAudit(
  table: Table,
  items: readonly TransactItem[],
  events: readonly AuditEvent[],
  attempts = CHAIN_ATTEMPTS,
): Promise<TransactResult> {
  if (events.length === 0) return table.transact(items);
  for (let attempt = 1; ; attempt++) {
    const audit = await chainedAuditWrites(table, events);
    try {
      const result = await table.transact([...items, ...audit]);
      if (result.written || result.failedAt < items.length) return result;
    } catch (e) {
      // A transaction cancelled because another one was writing the same items (the chain's head,
      // or the application under a burst of requests) wrote nothing: run it again on fresh heads.
      if (conflictsAt(e).length === 0) throw e;
    }
    if (attempt >= attempts)
      throw new ConcurrentUpdateError(
        `audit trail of ${[...new Set(events.map((e) => e.applicationId))].join(', ')}`,
      );
    await jitter(attempt);
  }
}

export class DynamoAuditTrail implements AuditTrail {
  constructor(private readonly table: Table) {}

  async append(event: AuditEvent): Promise<void> {
    await transactWithAudit(this.table, [], [event]);
  }

  list(applicationId: string): Promise<AuditRecord[]> {
    return this.table.queryAll<AuditRecord>(collections.audit(applicationId));
  }

  async head(applicationId: string): Promise<ChainHead | undefined> {
    const head = await this.table.get<ChainHead>(keys.auditHead(applicationId));
    return head === undefined ? undefined : { seq: head.seq, hash: head.hash };
  }
}
