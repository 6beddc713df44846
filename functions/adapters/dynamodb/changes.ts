/** Atomic changes (a state change, its audit records, its mail) and the outbox (items in keys.ts). */
import type { OutboxMail, OutboxRecord } from '#core/ports.ts';
import {
  type Change,
  type Changes,
  ConcurrentUpdateError,
  type Outbox,
  PermitNumberTakenError,
} from '#core/ports.ts';
import { transactWithAudit } from './audit.ts';
import { applicationItem, outboxItem, outboxPut, takeNumberUpdate } from './items.ts';
import { type ItemKey, keys, OUTBOX_PENDING, OUTBOX_SENDING } from './keys.ts';
import type { Table, TransactItem } from './table.ts';

const MUST_NOT_EXIST = 'attribute_not_exists(pk)';
const MUST_EXIST = 'attribute_exists(pk)';
const STATUS = { '#status': 'status' };

/** Puts a record that carries its `version`: only over `version - 1`; version 1 only where none is. */
function versionedPut(key: ItemKey, record: { version: number }): TransactItem {
  return {
    Put: {
      Item: { ...key, ...record },
      ...(record.version === 1
        ? { ConditionExpression: MUST_NOT_EXIST }
        : {
            ConditionExpression: 'version = :previous',
            ExpressionAttributeValues: { ':previous': record.version - 1 },
          }),
    },
  };
}

export class DynamoChanges implements Changes {
  constructor(private readonly table: Table) {}

  async commit(change: Change, at: string): Promise<void> {
    const items: TransactItem[] = [];
    const what: string[] = [];
    const add = (item: TransactItem, label: string) => {
      items.push(item);
      what.push(label);
    };
    if (change.application !== undefined)
      add(
        {
          Put: {
            Item: applicationItem(change.application),
            ConditionExpression: 'version = :previous',
            ExpressionAttributeValues: { ':previous': change.application.version - 1 },
          },
        },
        `application ${change.application.id}`,
      );
    if (change.expectVersion !== undefined)
      add(
        {
          ConditionCheck: {
            Key: keys.application(change.expectVersion.applicationId),
            ConditionExpression: 'version = :version',
            ExpressionAttributeValues: { ':version': change.expectVersion.version },
          },
        },
        `application ${change.expectVersion.applicationId}`,
      );
    for (const visit of change.createVisits ?? [])
      add(
        {
          Put: {
            Item: { ...keys.visit(visit.applicationId, visit.visit), ...visit },
            ConditionExpression: MUST_NOT_EXIST,
          },
        },
        `new visit ${visit.visit}`,
      );
    for (const visit of change.updateVisits ?? [])
      add(
        {
          Put: {
            Item: { ...keys.visit(visit.applicationId, visit.visit), ...visit },
            ConditionExpression: MUST_EXIST,
          },
        },
        `visit ${visit.visit}`,
      );
    for (const action of change.createActions ?? [])
      add(
        { Put: { Item: { ...keys.action(action.id), ...action }, ConditionExpression: MUST_NOT_EXIST } },
        `new action ${action.id}`,
      );
    for (const id of change.closeActions ?? [])
      add(
        {
          Update: {
            Key: keys.action(id),
            UpdateExpression: 'SET #status = :closed REMOVE taskToken',
            ConditionExpression: MUST_EXIST,
            ExpressionAttributeNames: STATUS,
            ExpressionAttributeValues: { ':closed': 'closed' },
          },
        },
        `action ${id}`,
      );
    for (const mail of change.mail ?? []) add(outboxPut(mail, at), `mail ${mail.id}`);
    if (change.takeNumber !== undefined)
      add(takeNumberUpdate(change.takeNumber), `sequence ${change.takeNumber.sequence}`);
    if (change.createPermit !== undefined) {
      const permit = change.createPermit;
      add(
        { Put: { Item: { ...keys.permit(permit.id), ...permit }, ConditionExpression: MUST_NOT_EXIST } },
        `new permit ${permit.id}`,
      );
      add(
        {
          Put: {
            Item: {
              ...keys.permitNumber(permit.regencyId, permit.number),
              permitId: permit.id,
              number: permit.number,
            },
            ConditionExpression: MUST_NOT_EXIST,
          },
        },
        `permit number ${permit.number}`,
      );
    }
    if (change.updatePermit !== undefined)
      add(
        versionedPut(keys.permit(change.updatePermit.id), change.updatePermit),
        `permit ${change.updatePermit.id}`,
      );
    if (change.supersedePermit !== undefined)
      add(
        versionedPut(keys.permit(change.supersedePermit.id), change.supersedePermit),
        `permit ${change.supersedePermit.id}`,
      );
    if (change.places !== undefined) {
      const places = change.places;
      add(
        versionedPut(keys.places(places.profession, places.holderKey), places),
        `places ${places.profession}`,
      );
    }
    if (change.registerDocument !== undefined)
      add(
        {
          Put: {
            Item: { ...keys.documentHash(change.registerDocument.sha256), ...change.registerDocument },
            ConditionExpression: MUST_NOT_EXIST,
          },
        },
        `document ${change.registerDocument.sha256}`,
      );
    const audit = change.audit ?? [];
    if (items.length === 0 && audit.length === 0) return;
    // The audit records go last (transactWithAudit), so `failedAt` indexes `what`.
    const result = await transactWithAudit(this.table, items, audit);
    if (!result.written) {
      const failed = what[result.failedAt] ?? 'a record';
      // Another permit holds the number (a template changed to give numbers already issued): taking
      // the counter again would give the same answer, so this is not a race to retry.
      if (failed.startsWith('permit number ')) throw new PermitNumberTakenError(failed.slice(14));
      throw new ConcurrentUpdateError(failed);
    }
  }
}

export class DynamoOutbox implements Outbox {
  constructor(private readonly table: Table) {}

  get(id: string): Promise<OutboxRecord | undefined> {
    return this.table.get<OutboxRecord>(keys.outbox(id));
  }

  add(mail: OutboxMail, at: string): Promise<boolean> {
    return this.table.put(outboxItem(mail, at), { expression: MUST_NOT_EXIST });
  }

  async claim(id: string, at: string): Promise<boolean> {
    const written = await this.table.update(keys.outbox(id), {
      // From the sweeper's pending list to its sending list (keys.ts: the outbox's sparse gsi2).
      UpdateExpression: 'SET #status = :sending, claimedAt = :at, gsi2pk = :index, gsi2sk = :at',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: STATUS,
      ExpressionAttributeValues: {
        ':sending': 'sending',
        ':pending': 'pending',
        ':at': at,
        ':index': OUTBOX_SENDING,
      },
      ReturnValues: 'NONE',
    });
    return written !== undefined;
  }

  async release(id: string): Promise<void> {
    await this.table.update(keys.outbox(id), {
      UpdateExpression: 'SET #status = :pending, gsi2pk = :index, gsi2sk = createdAt REMOVE claimedAt',
      ConditionExpression: '#status = :sending',
      ExpressionAttributeNames: STATUS,
      ExpressionAttributeValues: { ':sending': 'sending', ':pending': 'pending', ':index': OUTBOX_PENDING },
      ReturnValues: 'NONE',
    });
  }

  async markSent(id: string, at: string, eraseBody = false): Promise<void> {
    await this.table.update(keys.outbox(id), {
      // Out of the sweeper's index: nothing is left to do for a sent mail.
      UpdateExpression: `SET #status = :sent, sentAt = :at REMOVE gsi2pk, gsi2sk${eraseBody ? ', #text, html' : ''}`,
      ConditionExpression: MUST_EXIST,
      ExpressionAttributeNames: eraseBody ? { ...STATUS, '#text': 'text' } : STATUS,
      ExpressionAttributeValues: { ':sent': 'sent', ':at': at },
      ReturnValues: 'NONE',
    });
  }

  listPending(before: string, limit: number): Promise<OutboxRecord[]> {
    return this.table.queryIndexBefore<OutboxRecord>('gsi2', { pk: OUTBOX_PENDING, before }, limit);
  }

  listStuckSending(before: string, limit: number): Promise<OutboxRecord[]> {
    return this.table.queryIndexBefore<OutboxRecord>('gsi2', { pk: OUTBOX_SENDING, before }, limit);
  }

  async reportStuck(id: string, at: string, report: OutboxMail): Promise<boolean> {
    const result = await this.table.transact([
      {
        Update: {
          Key: keys.outbox(id),
          // Out of the sweeper's index: a stuck mail is reported once, and then left to an operator.
          UpdateExpression: 'SET stuckReportedAt = :at REMOVE gsi2pk, gsi2sk',
          ConditionExpression: '#status = :sending AND attribute_not_exists(stuckReportedAt)',
          ExpressionAttributeNames: STATUS,
          ExpressionAttributeValues: { ':sending': 'sending', ':at': at },
        },
      },
      outboxPut(report, at),
    ]);
    if (!result.written && result.failedAt !== 0)
      throw new Error(`stuck report for ${id}: unexpected condition failure at item ${result.failedAt}`);
    return result.written;
  }
}
