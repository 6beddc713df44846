import { describe, expect, it } from 'vitest';
import type { AuditEventType } from '#core/domain/application.ts';
import { GENESIS_HEAD } from '#core/domain/audit-chain.ts';
import { exportTrail } from '#core/use-cases/audit-trail.ts';
import { fakeAudit } from '../fakes.ts';

const APP = 'app-1';
const AT = '2026-03-17T03:00:00.000Z';

async function trailOf(...types: AuditEventType[]) {
  const audit = fakeAudit();
  for (const type of types) await audit.append({ applicationId: APP, at: AT, type });
  return audit;
}

describe('exportTrail', () => {
  it('returns the records in chain order with the head, verified', async () => {
    const audit = await trailOf('created', 'submitted', 'execution-started');

    const exported = await exportTrail({ audit }, APP);

    expect(exported.records.map((r) => [r.seq, r.type])).toEqual([
      [1, 'created'],
      [2, 'submitted'],
      [3, 'execution-started'],
    ]);
    expect(exported.head).toEqual({ seq: 3, hash: exported.records[2]?.hash });
    expect(exported.verification).toEqual({ valid: true, records: 3 });
  });

  it('verifies an application without records against the genesis head', async () => {
    const exported = await exportTrail({ audit: fakeAudit() }, APP);

    expect(exported).toMatchObject({ records: [], head: GENESIS_HEAD, verification: { valid: true } });
  });

  it('reports an edited record', async () => {
    const audit = await trailOf('created', 'submitted');
    const chain = audit.chains.get(APP) ?? [];
    chain[0] = { ...(chain[0] as (typeof chain)[number]), actor: 'someone else' };

    const exported = await exportTrail({ audit }, APP);

    expect(exported.verification).toEqual({ valid: false, problem: { kind: 'edited', seq: 1 } });
  });

  it('reports the last record deleted, by the head', async () => {
    const audit = await trailOf('created', 'submitted');
    audit.chains.get(APP)?.pop();

    const exported = await exportTrail({ audit }, APP);

    expect(exported.verification).toEqual({
      valid: false,
      problem: { kind: 'missing-tail', seq: 1, headSeq: 2 },
    });
  });

  it('reads again when an append moved the head while the records were read', async () => {
    const audit = await trailOf('created');
    const list = audit.list;
    let raced = false;
    audit.list = async (id) => {
      const records = await list(id);
      if (!raced) {
        raced = true;
        await audit.append({ applicationId: APP, at: AT, type: 'submitted' });
      }
      return records;
    };

    const exported = await exportTrail({ audit }, APP);

    expect(exported.records).toHaveLength(2);
    expect(exported.verification).toEqual({ valid: true, records: 2 });
  });
});
