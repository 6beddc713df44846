/** The office's own records: surveys, complaints and gap-free sequences (items in keys.ts). */
import type { AuditEvent } from '#core/domain/application.ts';
import type { ComplaintRecord, SurveyRecord } from '#core/domain/records.ts';
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
import type { Table } from './table.ts';

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

  async put(complaint: ComplaintRecord, number: SequenceNumber, audit?: AuditEvent): Promise<void> {
    const result = await transactWithAudit(
      this.table,
      [
        {
          Put: {
            Item: { ...keys.complaint(complaint.reference), ...indexKeys.complaint(complaint), ...complaint },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        takeNumberUpdate(number),
      ],
      audit === undefined ? [] : [audit],
    );
    if (!result.written) throw new ConcurrentUpdateError(`complaint reference ${complaint.reference}`);
  }
}

export class DynamoSequences implements Sequences {
  constructor(private readonly table: Table) {}

  async current(name: string): Promise<number> {
    return (await this.table.get<{ value: number }>(keys.counter(name)))?.value ?? 0;
  }
}
