/**
 * The audit trail as a hash chain, one per application. Record `n` carries `seq: n`, the `hash` of
 * record `n - 1` as `prevHash` (GENESIS_HASH for the first) and its own `hash`: SHA-256 (hex) of the
 * canonical JSON of the record without `hash`. Every field is covered, including fields added later.
 *
 * The store keeps a head per application (`{seq, hash}` of the last record) and moves it in the same
 * transaction as the records, on the condition that nobody moved it first; so the records and the head
 * always agree, and `verifyTrail` can tell an edited, deleted, reordered or forged record. A chain
 * rewritten as a whole together with its head is not detectable from the store alone: that would
 * take publishing the head somewhere else.
 */
import { createHash } from 'node:crypto';
import type { AuditEvent } from './application.ts';
import { canonicalJson } from './canonical-json.ts';

/** One audit event as stored: the event and its place in its application's chain. */
export type AuditRecord = AuditEvent & {
  /** 1, 2, 3... per application, without gaps. */
  seq: number;
  /** The `hash` of record `seq - 1`; GENESIS_HASH for record 1. */
  prevHash: string;
  /** SHA-256 (hex) of the canonical JSON of this record without `hash`. */
  hash: string;
};

/** The last record of a chain, as the store's head item keeps it. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** What record 1 links to. */
export const GENESIS_HASH = '0'.repeat(64);

/** The head of an application without audit records. */
export const GENESIS_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** The hash a record must carry: over every field but `hash` itself. */
export function auditHash(record: Omit<AuditRecord, 'hash'> | AuditRecord): string {
  const { hash: _hash, ...covered } = record as AuditRecord;
  return createHash('sha256').update(canonicalJson(covered), 'utf8').digest('hex');
}

/**
 * Chains `events` (in order) onto `head`: the records to store and the new head. The events must
 * belong to the application of `head`; the caller groups events by application.
 */
export function chainEvents(
  head: ChainHead,
  events: readonly AuditEvent[],
): { records: AuditRecord[]; head: ChainHead } {
  let last = head;
  const records = events.map((event) => {
    const unhashed = { ...event, seq: last.seq + 1, prevHash: last.hash };
    const record = { ...unhashed, hash: auditHash(unhashed) } as AuditRecord;
    last = { seq: record.seq, hash: record.hash };
    return record;
  });
  return { records, head: last };
}

/** The first thing wrong with a trail, `seq` being where it shows. */
export type TrailProblem =
  /** The record's contents do not match its hash: a field was changed. */
  | { kind: 'edited'; seq: number }
  /** Records `expectedSeq` to `seq - 1` are missing: deleted. */
  | { kind: 'gap'; seq: number; expectedSeq: number }
  /** A record out of order, or twice. */
  | { kind: 'out-of-order'; seq: number; expectedSeq: number }
  /** The record does not link to the one before it (a record replaced by another, consistently hashed). */
  | { kind: 'broken-link'; seq: number }
  /** A record of another application. */
  | { kind: 'foreign-record'; seq: number }
  /** The head says there are records after `seq` (the last one listed): they were deleted. */
  | { kind: 'missing-tail'; seq: number; headSeq: number }
  /** Records after the head's: added outside a transaction that moved the head. */
  | { kind: 'beyond-head'; seq: number; headSeq: number }
  /** The last record is not the one the head recorded: replaced. */
  | { kind: 'head-mismatch'; seq: number };

export type TrailVerification = { valid: true; records: number } | { valid: false; problem: TrailProblem };

/**
 * Checks `records`, in the order listed, as one application's chain from record 1; with `head` (the
 * store's head, GENESIS_HEAD when it has none), also that no record is missing at the end or extra.
 * Reports the first problem found.
 */
export function verifyTrail(records: readonly AuditRecord[], head?: ChainHead): TrailVerification {
  const fail = (problem: TrailProblem): TrailVerification => ({ valid: false, problem });
  let previous: ChainHead = GENESIS_HEAD;
  const applicationId = records[0]?.applicationId;
  for (const record of records) {
    const expectedSeq = previous.seq + 1;
    // A record whose seq is not a number cannot be placed: report it where it should have been.
    const seq = typeof record.seq === 'number' ? record.seq : expectedSeq;
    if (auditHash(record) !== record.hash) return fail({ kind: 'edited', seq });
    if (seq > expectedSeq) return fail({ kind: 'gap', seq, expectedSeq });
    if (seq < expectedSeq) return fail({ kind: 'out-of-order', seq, expectedSeq });
    if (record.prevHash !== previous.hash) return fail({ kind: 'broken-link', seq });
    if (record.applicationId !== applicationId) return fail({ kind: 'foreign-record', seq });
    previous = { seq, hash: record.hash };
  }
  if (head !== undefined) {
    if (previous.seq < head.seq) return fail({ kind: 'missing-tail', seq: previous.seq, headSeq: head.seq });
    if (previous.seq > head.seq) return fail({ kind: 'beyond-head', seq: previous.seq, headSeq: head.seq });
    if (previous.hash !== head.hash) return fail({ kind: 'head-mismatch', seq: previous.seq });
  }
  return { valid: true, records: records.length };
}
