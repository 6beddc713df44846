/** The office's own records: surveys, complaints and gap-free sequences (items in keys.ts). */
import type { AuditEvent } from '#core/domain/application.ts';
import type { ComplaintIdempotencyRecord, ComplaintRecord, SurveyRecord } from '#core/domain/records.ts';
import {
  type ComplaintRepository,
  ConcurrentUpdateError,
  type SequenceNumber,
  type Sequences,
  type SurveyRepository,
} from '#core/ports.ts';
import { transactWithAudit } from './audit.ts';
import { takeNumberUpdate } from './items.ts';
import { indexKeys, keys } from './keys.ts';
import type { Table, TransactItem } from './table.ts';

export class DynamoSurveys implements SurveyRepository {
  constructor(private readonly table: Table) {}

  async put(survey: SurveyRecord, audit: AuditEvent): Promise<boolean> {
    const result = await transactWithAudit(
      this.table,
      [
        {
          Put: {
            Item: {
              ...keys.survey(survey.applicationId),
              ...indexKeys.survey(survey.regencyId, survey.month, survey.answeredAt, survey.applicationId),
              ...survey,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
      [audit],
    );
    if (!result.written && result.failedAt !== 0)
      throw new Error(`survey of ${survey.applicationId}: unexpected condition failure`);
    return result.written;
  }

  get(applicationId: string): Promise<SurveyRecord | undefined> {
    return this.table.get<SurveyRecord>(keys.survey(applicationId));
  }
}

export class DynamoComplaints implements ComplaintRepository {
  constructor(private readonly table: Table) {}

  async put(
    complaint: ComplaintRecord,
    number: SequenceNumber,
    audit?: AuditEvent,
    idempotency?: ComplaintIdempotencyRecord,
  ): Promise<'filed' | 'idempotency-key-taken'> {
    const items: TransactItem[] = [
      {
        Put: {
          Item: { ...keys.complaint(complaint.reference), ...indexKeys.complaint(complaint), ...complaint },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      takeNumberUpdate(number),
    ];
    const idempotencyAt = items.length;
    if (idempotency !== undefined)
      items.push({
        Put: {
          Item: { ...keys.idempotency(idempotency.keyHash), ...idempotency },
          // An expired record (TTL deletion lags, and never happens in DynamoDB Local) may be reused.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': Math.floor(Date.parse(complaint.filedAt) / 1000) },
        },
      });
    const result = await transactWithAudit(this.table, items, audit === undefined ? [] : [audit]);
    if (result.written) return 'filed';
    if (idempotency !== undefined && result.failedAt === idempotencyAt) return 'idempotency-key-taken';
    throw new ConcurrentUpdateError(`complaint reference ${complaint.reference}`);
  }

  get(reference: string): Promise<ComplaintRecord | undefined> {
    return this.table.get<ComplaintRecord>(keys.complaint(reference));
  }

  async idempotency(
    keyHash: string,
    nowEpochSeconds: number,
  ): Promise<ComplaintIdempotencyRecord | undefined> {
    const record = await this.table.get<ComplaintIdempotencyRecord>(keys.idempotency(keyHash));
    // A draft's record under the same hash cannot exist (the hashes are scoped), but check the shape.
    return record === undefined || record.expiresAt < nowEpochSeconds || record.reference === undefined
      ? undefined
      : record;
  }
}

export class DynamoSequences implements Sequences {
  constructor(private readonly table: Table) {}

  async current(name: string): Promise<number> {
    return (await this.table.get<{ value: number }>(keys.counter(name)))?.value ?? 0;
  }
}
