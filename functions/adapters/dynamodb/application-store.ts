/**
 * The application store: the port the domain uses and its DynamoDB adapter (single-table design).
 *
 * Items (pk / sk):
 * - `APP#<id>` / `APP`: the application (gsi1: `TRACK#<trackingCode>` / `APP`, for the public tracker);
 * - `APP#<id>` / `VISIT#<nnnn>`: one stage visit (deadline, reminders, decision, office time used);
 * - `APP#<id>` / `AUDIT#<at>#<rand>`: the audit trail, append-only;
 * - `ACTION#<id>` / `ACTION`: a pending action (what a link points at) and its current task token;
 * - `COUNTER#<key>` / `COUNTER`: gap-free sequences (permit numbers).
 * Every state change is a conditional write: the application carries a version number.
 */
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  Application,
  AuditEvent,
  Decision,
  PendingAction,
  StageVisit,
} from '#core/domain/application.ts';

export class ConcurrentUpdateError extends Error {
  constructor(what: string) {
    super(`concurrent update of ${what}`);
    this.name = 'ConcurrentUpdateError';
  }
}

export type DecideResult = 'decided' | 'already-decided' | 'closed';

export interface ApplicationStore {
  getApplication(id: string): Promise<Application | undefined>;
  /** Creates the application; false if it already exists. */
  createApplication(app: Application): Promise<boolean>;
  /** Writes `next` if the stored version is still `next.version - 1`; throws ConcurrentUpdateError otherwise. */
  saveApplication(next: Application): Promise<void>;
  getVisit(applicationId: string, visit: number): Promise<StageVisit | undefined>;
  listVisits(applicationId: string): Promise<StageVisit[]>;
  putVisit(visit: StageVisit): Promise<void>;
  getPendingAction(id: string): Promise<PendingAction | undefined>;
  /** Creates the action; false if it already exists (a retried step). */
  createPendingAction(action: PendingAction): Promise<boolean>;
  /** Records the current task token unless the action is closed; returns the action as stored. */
  setTaskToken(id: string, token: string, at: string): Promise<PendingAction | undefined>;
  markNotified(id: string, at: string): Promise<void>;
  /** Records a decision once: only an open action can be decided. */
  decide(id: string, decision: Decision): Promise<DecideResult>;
  closePendingAction(id: string): Promise<void>;
  appendAudit(event: AuditEvent): Promise<void>;
  listAudit(applicationId: string): Promise<AuditEvent[]>;
  /** The next number of a gap-free sequence (1, 2, 3...). */
  nextInSequence(key: string): Promise<number>;
}

const appKey = (id: string) => ({ pk: `APP#${id}`, sk: 'APP' });
const visitKey = (applicationId: string, visit: number) => ({
  pk: `APP#${applicationId}`,
  sk: `VISIT#${String(visit).padStart(4, '0')}`,
});
const actionKey = (id: string) => ({ pk: `ACTION#${id}`, sk: 'ACTION' });

function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (item === undefined) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, ...rest } = item;
  return rest as T;
}

const isConditionFailure = (e: unknown): boolean =>
  e instanceof ConditionalCheckFailedException ||
  (e as { name?: string }).name === 'ConditionalCheckFailedException';

export class DynamoApplicationStore implements ApplicationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getApplication(id: string): Promise<Application | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: appKey(id), ConsistentRead: true }),
    );
    return strip<Application>(Item);
  }

  async createApplication(app: Application): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...appKey(app.id), gsi1pk: `TRACK#${app.trackingCode}`, gsi1sk: 'APP', ...app },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async saveApplication(next: Application): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...appKey(next.id), gsi1pk: `TRACK#${next.trackingCode}`, gsi1sk: 'APP', ...next },
          ConditionExpression: 'version = :previous',
          ExpressionAttributeValues: { ':previous': next.version - 1 },
        }),
      );
    } catch (e) {
      if (isConditionFailure(e)) throw new ConcurrentUpdateError(`application ${next.id}`);
      throw e;
    }
  }

  async getVisit(applicationId: string, visit: number): Promise<StageVisit | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: visitKey(applicationId, visit), ConsistentRead: true }),
    );
    return strip<StageVisit>(Item);
  }

  async listVisits(applicationId: string): Promise<StageVisit[]> {
    return this.queryPrefix<StageVisit>(applicationId, 'VISIT#');
  }

  async putVisit(visit: StageVisit): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...visitKey(visit.applicationId, visit.visit), ...visit },
      }),
    );
  }

  async getPendingAction(id: string): Promise<PendingAction | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: actionKey(id), ConsistentRead: true }),
    );
    return strip<PendingAction>(Item);
  }

  async createPendingAction(action: PendingAction): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...actionKey(action.id), ...action },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async setTaskToken(id: string, token: string, at: string): Promise<PendingAction | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: actionKey(id),
          UpdateExpression: 'SET taskToken = :token, tokenUpdatedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND #status <> :closed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':token': token, ':at': at, ':closed': 'closed' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip<PendingAction>(Attributes);
    } catch (e) {
      if (isConditionFailure(e)) return undefined;
      throw e;
    }
  }

  async markNotified(id: string, at: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: actionKey(id),
        UpdateExpression: 'SET notifiedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  async decide(id: string, decision: Decision): Promise<DecideResult> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: actionKey(id),
          UpdateExpression: 'SET #status = :decided, decision = :decision',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':decided': 'decided', ':decision': decision, ':open': 'open' },
        }),
      );
      return 'decided';
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const current = await this.getPendingAction(id);
      return current?.status === 'decided' ? 'already-decided' : 'closed';
    }
  }

  async closePendingAction(id: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: actionKey(id),
        UpdateExpression: 'SET #status = :closed REMOVE taskToken',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':closed': 'closed' },
      }),
    );
  }

  async appendAudit(event: AuditEvent): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `APP#${event.applicationId}`,
          sk: `AUDIT#${event.at}#${randomBytes(4).toString('hex')}`,
          ...event,
        },
      }),
    );
  }

  async listAudit(applicationId: string): Promise<AuditEvent[]> {
    return this.queryPrefix<AuditEvent>(applicationId, 'AUDIT#');
  }

  async nextInSequence(key: string): Promise<number> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `COUNTER#${key}`, sk: 'COUNTER' },
        UpdateExpression: 'ADD #value :one',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.value);
  }

  private async queryPrefix<T>(applicationId: string, prefix: string): Promise<T[]> {
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `APP#${applicationId}`, ':prefix': prefix },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) {
        const value = strip<T>(item);
        if (value !== undefined) items.push(value);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }
}
