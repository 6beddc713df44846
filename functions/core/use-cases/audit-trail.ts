/** Exporting an application's audit trail, with the verification of its hash chain. */
import {
  type AuditRecord,
  type ChainHead,
  GENESIS_HEAD,
  type TrailVerification,
  verifyTrail,
} from '../domain/audit-chain.ts';
import type { Ports } from '../ports.ts';

export interface TrailExport {
  applicationId: string;
  /** In chain order. */
  records: AuditRecord[];
  /** The store's head (GENESIS_HEAD for an application without records). */
  head: ChainHead;
  verification: TrailVerification;
}

/**
 * The records and head of an application's trail, and whether they form an unbroken chain. The head
 * is read before and after the records: a concurrent append in between would look like a record beyond
 * the head, so the read is repeated until the head held still (a few times at most).
 */
export async function exportTrail(
  ports: Pick<Ports, 'audit'>,
  applicationId: string,
  attempts = 3,
): Promise<TrailExport> {
  for (let attempt = 1; ; attempt++) {
    const before = (await ports.audit.head(applicationId)) ?? GENESIS_HEAD;
    const records = await ports.audit.list(applicationId);
    const head = (await ports.audit.head(applicationId)) ?? GENESIS_HEAD;
    if ((before.seq === head.seq && before.hash === head.hash) || attempt >= attempts)
      return { applicationId, records, head, verification: verifyTrail(records, head) };
  }
}
