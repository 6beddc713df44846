import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { AuditEvent, AuditEventType } from '#core/domain/application.ts';
import {
  type AuditRecord,
  auditHash,
  chainEvents,
  GENESIS_HASH,
  GENESIS_HEAD,
  verifyTrail,
} from '#core/domain/audit-chain.ts';

const APP = 'app-1';
const types: AuditEventType[] = ['created', 'submitted', 'stage-entered', 'stage-decided', 'issued'];

const event = fc.record(
  {
    applicationId: fc.constant(APP),
    at: fc
      .date({
        min: new Date('2026-01-01T00:00:00Z'),
        max: new Date('2027-01-01T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString()),
    type: fc.constantFrom(...types),
    stageId: fc.constantFrom('pemeriksaan-kelengkapan', 'verifikasi-teknis'),
    actor: fc.constantFrom('applicant', 'officer'),
    detail: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer(), fc.boolean()), {
      maxKeys: 3,
    }),
    from: fc.record({ ip: fc.ipV4(), userAgent: fc.string({ maxLength: 20 }) }),
  },
  { requiredKeys: ['applicationId', 'at', 'type'] },
) as fc.Arbitrary<AuditEvent>;

/** A valid chain of 1 to 12 records and its head. */
const chain = fc
  .array(event, { minLength: 1, maxLength: 12 })
  .map((events) => chainEvents(GENESIS_HEAD, events));
/** A chain of at least `n` records. */
const chainOfAtLeast = (n: number) =>
  fc.array(event, { minLength: n, maxLength: 12 }).map((events) => chainEvents(GENESIS_HEAD, events));

const at = (records: AuditRecord[], i: number): AuditRecord => records[i] as AuditRecord;

describe('chainEvents', () => {
  it('numbers the records from 1 and links the first to the genesis hash', () => {
    const { records, head } = chainEvents(GENESIS_HEAD, [
      { applicationId: APP, at: '2026-03-17T03:00:00.000Z', type: 'created' },
      { applicationId: APP, at: '2026-03-17T03:00:00.000Z', type: 'submitted' },
    ]);

    expect(records.map((r) => r.seq)).toEqual([1, 2]);
    expect(at(records, 0).prevHash).toBe(GENESIS_HASH);
    expect(at(records, 1).prevHash).toBe(at(records, 0).hash);
    expect(at(records, 0).hash).toMatch(/^[0-9a-f]{64}$/);
    expect(head).toEqual({ seq: 2, hash: at(records, 1).hash });
  });

  test.prop([fc.array(event, { maxLength: 8 }), fc.array(event, { maxLength: 8 })])(
    'chaining in two batches gives the chain of one batch',
    (first, second) => {
      const whole = chainEvents(GENESIS_HEAD, [...first, ...second]);
      const a = chainEvents(GENESIS_HEAD, first);
      const b = chainEvents(a.head, second);

      expect([...a.records, ...b.records]).toEqual(whole.records);
      expect(b.head).toEqual(whole.head);
    },
  );

  it('hashes the canonical JSON: the order of the keys does not matter', () => {
    const one = chainEvents(GENESIS_HEAD, [{ applicationId: APP, at: 't', type: 'created', actor: 'x' }]);
    const other = chainEvents(GENESIS_HEAD, [{ actor: 'x', type: 'created', at: 't', applicationId: APP }]);

    expect(other.head).toEqual(one.head);
  });
});

describe('verifyTrail', () => {
  test.prop([chain])('passes a chain as written, with or without its head', ({ records, head }) => {
    expect(verifyTrail(records)).toEqual({ valid: true, records: records.length });
    expect(verifyTrail(records, head)).toEqual({ valid: true, records: records.length });
  });

  it('passes an empty trail against the genesis head', () => {
    expect(verifyTrail([], GENESIS_HEAD)).toEqual({ valid: true, records: 0 });
  });

  test.prop([chain, fc.nat(), fc.nat()])(
    'reports an edit of any field of any record, the hash included',
    ({ records, head }, i, k) => {
      const index = i % records.length;
      const record = at(records, index);
      const fields = Object.keys(record);
      const field = fields[k % fields.length] as keyof AuditRecord;
      const edited = [...records];
      edited[index] = { ...record, [field]: `${JSON.stringify(record[field])}-edited` } as AuditRecord;

      expect(verifyTrail(edited, head)).toEqual({
        valid: false,
        problem: { kind: 'edited', seq: index + 1 },
      });
    },
  );

  test.prop([chain, fc.nat()])(
    'reports a field added to a record (a later field such as `role` is covered too)',
    ({ records, head }, i) => {
      const index = i % records.length;
      const edited = [...records];
      edited[index] = { ...at(records, index), role: 'kepala-dinas' } as AuditRecord;

      expect(verifyTrail(edited, head)).toMatchObject({ valid: false, problem: { kind: 'edited' } });
    },
  );

  test.prop([chain, fc.nat()])(
    'reports a nested field changed (the request origin)',
    ({ records, head }, i) => {
      const index = i % records.length;
      const record = at(records, index);
      const edited = [...records];
      edited[index] = { ...record, from: { ip: '10.6.6.6', userAgent: 'forged' } } as AuditRecord;

      expect(verifyTrail(edited, head)).toEqual({
        valid: false,
        problem: { kind: 'edited', seq: index + 1 },
      });
    },
  );

  test.prop([chainOfAtLeast(2), fc.nat()])(
    'reports a record deleted before the last as a gap',
    ({ records, head }, i) => {
      const index = i % (records.length - 1);
      const deleted = records.filter((_, j) => j !== index);

      expect(verifyTrail(deleted, head)).toEqual({
        valid: false,
        problem: { kind: 'gap', seq: index + 2, expectedSeq: index + 1 },
      });
    },
  );

  test.prop([chain])(
    'reports the last record deleted by the head alone (the records left form a valid chain)',
    ({ records, head }) => {
      const truncated = records.slice(0, -1);

      expect(verifyTrail(truncated).valid).toBe(true);
      expect(verifyTrail(truncated, head)).toEqual({
        valid: false,
        problem: { kind: 'missing-tail', seq: records.length - 1, headSeq: records.length },
      });
    },
  );

  test.prop([chainOfAtLeast(2), fc.nat(), fc.nat()])(
    'reports two records swapped',
    ({ records, head }, i, j) => {
      const a = i % records.length;
      const b = (a + 1 + (j % (records.length - 1))) % records.length;
      const swapped = [...records];
      swapped[a] = at(records, b);
      swapped[b] = at(records, a);

      // The first place out of order holds the later record: it looks like the ones between were deleted.
      const [first, second] = [Math.min(a, b), Math.max(a, b)];
      expect(verifyTrail(swapped, head)).toEqual({
        valid: false,
        problem: { kind: 'gap', seq: second + 1, expectedSeq: first + 1 },
      });
    },
  );

  test.prop([chainOfAtLeast(2), fc.nat(), event])(
    'reports a record replaced by a forgery with a correct hash of its own as a broken link or a head mismatch',
    ({ records, head }, i, forged) => {
      const index = i % records.length;
      const original = at(records, index);
      const unhashed = { ...forged, seq: original.seq, prevHash: original.prevHash };
      const forgery = { ...unhashed, hash: auditHash(unhashed) } as AuditRecord;
      fc.pre(forgery.hash !== original.hash);
      const replaced = [...records];
      replaced[index] = forgery;

      const last = index === records.length - 1;
      expect(verifyTrail(replaced, head)).toEqual({
        valid: false,
        problem: last ? { kind: 'head-mismatch', seq: index + 1 } : { kind: 'broken-link', seq: index + 2 },
      });
    },
  );

  test.prop([chain, event])('reports a record added beyond the head', ({ records, head }, extra) => {
    const longer = [...records, ...chainEvents(head, [extra]).records];

    expect(verifyTrail(longer).valid).toBe(true);
    expect(verifyTrail(longer, head)).toEqual({
      valid: false,
      problem: { kind: 'beyond-head', seq: records.length + 1, headSeq: records.length },
    });
  });

  it('reports a chain of another application slipped in', () => {
    const mine = chainEvents(GENESIS_HEAD, [{ applicationId: APP, at: 't1', type: 'created' }]);
    const theirs = chainEvents(mine.head, [{ applicationId: 'app-2', at: 't2', type: 'submitted' }]);

    expect(verifyTrail([...mine.records, ...theirs.records])).toEqual({
      valid: false,
      problem: { kind: 'foreign-record', seq: 2 },
    });
  });
});
