/** Stage visits and pending actions (items in keys.ts). */
import type { AuditEvent, Decision, PendingAction, StageVisit } from '#core/domain/application.ts';
import type { DecideResult, StageRepository } from '#core/ports.ts';
import { transactWithAudit } from './audit.ts';
import { collections, keys } from './keys.ts';
import type { Table } from './table.ts';

const STATUS = { '#status': 'status' };

export class DynamoStages implements StageRepository {
  constructor(private readonly table: Table) {}

  getVisit(applicationId: string, visit: number): Promise<StageVisit | undefined> {
    return this.table.get<StageVisit>(keys.visit(applicationId, visit));
  }

  listVisits(applicationId: string): Promise<StageVisit[]> {
    return this.table.queryAll<StageVisit>(collections.visits(applicationId));
  }

  getAction(id: string): Promise<PendingAction | undefined> {
    return this.table.get<PendingAction>(keys.action(id));
  }

  async setTaskToken(id: string, token: string, at: string): Promise<PendingAction | undefined> {
    return (await this.table.update(keys.action(id), {
      UpdateExpression: 'SET taskToken = :token, tokenUpdatedAt = :at',
      ConditionExpression: 'attribute_exists(pk) AND #status <> :closed',
      ExpressionAttributeNames: STATUS,
      ExpressionAttributeValues: { ':token': token, ':at': at, ':closed': 'closed' },
    })) as PendingAction | undefined;
  }

  async markNotified(id: string, at: string): Promise<void> {
    const written = await this.table.update(keys.action(id), {
      UpdateExpression: 'SET notifiedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': at },
      ReturnValues: 'NONE',
    });
    if (written === undefined) throw new Error(`pending action ${id} does not exist`);
  }

  async decide(
    id: string,
    decision: Decision,
    options: { audit?: AuditEvent; linkCreatedAt?: string } = {},
  ): Promise<DecideResult> {
    // A link minted before the last reassignment may not decide, even if it raced the reassignment.
    const linkCondition =
      options.linkCreatedAt === undefined
        ? ''
        : ' AND (attribute_not_exists(linksValidFrom) OR linksValidFrom <= :linkCreatedAt)';
    const result = await transactWithAudit(
      this.table,
      [
        {
          Update: {
            Key: keys.action(id),
            UpdateExpression: 'SET #status = :decided, decision = :decision',
            ConditionExpression: `#status = :open${linkCondition}`,
            ExpressionAttributeNames: STATUS,
            ExpressionAttributeValues: {
              ':decided': 'decided',
              ':decision': decision,
              ':open': 'open',
              ...(options.linkCreatedAt === undefined ? {} : { ':linkCreatedAt': options.linkCreatedAt }),
            },
          },
        },
      ],
      options.audit === undefined ? [] : [options.audit],
    );
    if (result.written) return 'decided';
    const current = await this.getAction(id);
    return current?.status === 'decided' ? 'already-decided' : 'closed';
  }

  async reassign(id: string, assignees: string[], at: string, audit: AuditEvent): Promise<boolean> {
    const result = await transactWithAudit(
      this.table,
      [
        {
          Update: {
            Key: keys.action(id),
            UpdateExpression: 'SET assignees = :assignees, linksValidFrom = :at',
            ConditionExpression: '#status = :open',
            ExpressionAttributeNames: STATUS,
            ExpressionAttributeValues: { ':assignees': assignees, ':at': at, ':open': 'open' },
          },
        },
      ],
      [audit],
    );
    return result.written;
  }
}
