/** The audit trail: append-only items in the application's partition, read oldest first. */
import { randomBytes } from 'node:crypto';
import type { AuditEvent } from '#core/domain/application.ts';
import type { AuditTrail } from '#core/ports.ts';
import { collections, keys } from './keys.ts';
import type { Table } from './table.ts';

/** The item of one audit event; repositories put it in the transaction of the change it records. */
export const auditItem = (event: AuditEvent): Record<string, unknown> => ({
  ...keys.audit(event.applicationId, event.at, randomBytes(4).toString('hex')),
  ...event,
});

/** The transaction write of one audit event. */
export const auditPut = (event: AuditEvent) => ({ Put: { Item: auditItem(event) } });

export class DynamoAuditTrail implements AuditTrail {
  constructor(private readonly table: Table) {}

  async append(event: AuditEvent): Promise<void> {
    await this.table.put(auditItem(event));
  }

  list(applicationId: string): Promise<AuditEvent[]> {
    return this.table.queryAll<AuditEvent>(collections.audit(applicationId));
  }
}
