/** The application record and what the applicant API keeps beside it (items in keys.ts). */
import { type Application, FINAL_STATUSES } from '#core/domain/application.ts';
import type { ApplicantRecord, IdempotencyRecord } from '#core/domain/records.ts';
import type { ApplicationRepository, CreateDraftResult } from '#core/ports.ts';
import { transactWithAudit } from './audit.ts';
import { applicationItem, outboxPut } from './items.ts';
import { keys } from './keys.ts';
import type { Table, TransactItem } from './table.ts';

/** The application exists and is not in a final state. */
const notFinal = {
  ConditionExpression: `attribute_exists(pk) AND NOT #status IN (${FINAL_STATUSES.map((_, i) => `:final${i}`).join(', ')})`,
  ExpressionAttributeNames: { '#status': 'status' },
  ExpressionAttributeValues: Object.fromEntries(FINAL_STATUSES.map((status, i) => [`:final${i}`, status])),
};

export class DynamoApplications implements ApplicationRepository {
  constructor(private readonly table: Table) {}

  get(id: string): Promise<Application | undefined> {
    return this.table.get<Application>(keys.application(id));
  }

  create(app: Application): Promise<boolean> {
    return this.table.put(applicationItem(app), { expression: 'attribute_not_exists(pk)' });
  }

  async createDraft(input: Parameters<ApplicationRepository['createDraft']>[0]): Promise<CreateDraftResult> {
    const { application: app } = input;
    const idempotency: TransactItem[] =
      input.idempotency === undefined
        ? []
        : [
            {
              Put: {
                Item: { ...keys.idempotency(input.idempotency.keyHash), ...input.idempotency },
                // An expired record (TTL deletion lags, and never happens in DynamoDB Local) may be reused.
                ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
                ExpressionAttributeValues: { ':now': Math.floor(Date.parse(app.createdAt) / 1000) },
              },
            },
          ];
    const items: TransactItem[] = [
      {
        Put: {
          Item: { ...keys.track(app.trackingCode), applicationId: app.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Put: { Item: applicationItem(app), ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { Item: { ...keys.applicant(app.id), ...input.applicant } } },
      { Put: { Item: { ...keys.access(app.id), tokenHash: input.tokenHash, issuedAt: app.createdAt } } },
      ...(input.mail === undefined ? [] : [outboxPut(input.mail, app.createdAt)]),
      ...idempotency,
    ];
    const result = await transactWithAudit(this.table, items, [input.audit]);
    if (result.written) return 'created';
    if (result.failedAt === 0) return 'tracking-code-taken';
    if (idempotency.length > 0 && result.failedAt === items.length - 1) return 'idempotency-key-taken';
    throw new Error(`draft ${app.id}: unexpected condition failure at item ${result.failedAt}`);
  }

  async idempotency(keyHash: string, nowEpochSeconds: number): Promise<IdempotencyRecord | undefined> {
    const record = await this.table.get<IdempotencyRecord>(keys.idempotency(keyHash));
    return record === undefined || record.expiresAt < nowEpochSeconds ? undefined : record;
  }

  async accessHash(applicationId: string): Promise<string | undefined> {
    return (await this.table.get<{ tokenHash: string }>(keys.access(applicationId)))?.tokenHash;
  }

  async rotateAccessToken(
    input: Parameters<ApplicationRepository['rotateAccessToken']>[0],
  ): Promise<boolean> {
    const { applicationId, tokenHash, at } = input;
    const result = await transactWithAudit(
      this.table,
      [
        { ConditionCheck: { Key: keys.application(applicationId), ...notFinal } },
        { Put: { Item: { ...keys.access(applicationId), tokenHash, issuedAt: at } } },
        outboxPut(input.mail, at),
      ],
      [input.audit],
    );
    if (!result.written && result.failedAt !== 0)
      throw new Error(
        `access token of ${applicationId}: unexpected condition failure at item ${result.failedAt}`,
      );
    return result.written;
  }

  applicant(applicationId: string): Promise<ApplicantRecord | undefined> {
    return this.table.get<ApplicantRecord>(keys.applicant(applicationId));
  }

  async idForTrackingCode(code: string): Promise<string | undefined> {
    return (await this.table.get<{ applicationId: string }>(keys.track(code)))?.applicationId;
  }
}
