/**
 * The table as every repository uses it: consistent reads, paged queries, conditional writes and
 * transactions that say which condition failed. Repositories hold no SDK loop of their own.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type ItemKey, strip } from './keys.ts';

/** One write of a transaction, without the table name (the table adds it). */
export type TransactItem =
  | { Put: { Item: Record<string, unknown>; ConditionExpression?: string } & ExpressionParts }
  | { Update: { Key: ItemKey; UpdateExpression: string; ConditionExpression?: string } & ExpressionParts }
  | { ConditionCheck: { Key: ItemKey; ConditionExpression: string } & ExpressionParts };

interface ExpressionParts {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** A transaction's outcome: written, or cancelled by the condition of the item at `failedAt`. */
export type TransactResult = { written: true } | { written: false; failedAt: number };

export type UpdateInput = Omit<UpdateCommandInput, 'TableName' | 'Key'>;

const nameOf = (e: unknown): string | undefined => (e as { name?: string }).name;

export function isConditionFailure(e: unknown): boolean {
  return e instanceof ConditionalCheckFailedException || nameOf(e) === 'ConditionalCheckFailedException';
}

/** Indexes of the items a cancelled transaction names with `code`; undefined for any other error. */
function cancelledAt(e: unknown, code: string): number[] | undefined {
  if (!(e instanceof TransactionCanceledException) && nameOf(e) !== 'TransactionCanceledException')
    return undefined;
  const reasons = (e as TransactionCanceledException).CancellationReasons ?? [];
  return reasons.flatMap((r, index) => (r.Code === code ? [index] : []));
}

/** Index of the first item a cancelled transaction failed on because of its condition. */
function failedConditionAt(e: unknown): number | undefined {
  return cancelledAt(e, 'ConditionalCheckFailed')?.[0];
}

/**
 * Indexes of the items a transaction was cancelled on because another transaction was writing them
 * (`TransactionConflict`, thrown by `transact`): nothing was written, so it may simply run again.
 */
export function conflictsAt(e: unknown): number[] {
  return cancelledAt(e, 'TransactionConflict') ?? [];
}

/** How often a transaction cancelled only by conflicts is run again before the error surfaces. */
const TRANSACTION_CONFLICT_ATTEMPTS = 3;

export class Table {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly name: string,
  ) {}

  async get<T>(key: ItemKey): Promise<T | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.name, Key: key, ConsistentRead: true }),
    );
    return strip<T>(Item);
  }

  /**
   * The items of a Query, page after page, without their keys, until the pages end or `limit` items
   * were read. `page` gives the query of the next page (its remaining limit, where to start).
   */
  private async queryPages<T>(
    page: (start: Record<string, unknown> | undefined, remaining: number) => QueryCommandInput,
    limit = Number.POSITIVE_INFINITY,
  ): Promise<T[]> {
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const result = await this.db.send(new QueryCommand(page(start, limit - items.length)));
      for (const item of result.Items ?? []) {
        const value = strip<T>(item);
        if (value !== undefined) items.push(value);
      }
      start = result.LastEvaluatedKey;
    } while (start !== undefined && items.length < limit);
    return items;
  }

  /** Every item of a partition whose sort key starts with `prefix`, over all pages, oldest first. */
  queryAll<T>(where: { pk: string; prefix: string }): Promise<T[]> {
    return this.queryPages<T>((start) => ({
      TableName: this.name,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': where.pk, ':prefix': where.prefix },
      ExclusiveStartKey: start,
      ConsistentRead: true,
    }));
  }

  /**
   * Up to `limit` items of a secondary index's partition whose sort key is below `before`, in sort-key
   * order (eventually consistent, as index reads are).
   */
  queryIndexBefore<T>(
    index: 'gsi1' | 'gsi2',
    where: { pk: string; before: string },
    limit: number,
  ): Promise<T[]> {
    return this.queryPages<T>(
      (start, remaining) => ({
        TableName: this.name,
        IndexName: index,
        KeyConditionExpression: '#pk = :pk AND #sk < :before',
        ExpressionAttributeNames: { '#pk': `${index}pk`, '#sk': `${index}sk` },
        ExpressionAttributeValues: { ':pk': where.pk, ':before': where.before },
        ExclusiveStartKey: start,
        Limit: remaining,
      }),
      limit,
    );
  }

  /** A put; with a condition, false when the condition failed. */
  async put(
    item: Record<string, unknown>,
    condition?: ExpressionParts & { expression: string },
  ): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.name,
          Item: item,
          ...(condition === undefined
            ? {}
            : {
                ConditionExpression: condition.expression,
                ExpressionAttributeNames: condition.ExpressionAttributeNames,
                ExpressionAttributeValues: condition.ExpressionAttributeValues,
              }),
        }),
      );
      return true;
    } catch (e) {
      if (condition !== undefined && isConditionFailure(e)) return false;
      throw e;
    }
  }

  /** An update: the item as written (ALL_NEW unless `ReturnValues` says otherwise), or undefined when its condition failed. */
  async update(key: ItemKey, input: UpdateInput): Promise<Record<string, unknown> | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({ ReturnValues: 'ALL_NEW', ...input, TableName: this.name, Key: key }),
      );
      return strip<Record<string, unknown>>(Attributes) ?? {};
    } catch (e) {
      if (input.ConditionExpression !== undefined && isConditionFailure(e)) return undefined;
      throw e;
    }
  }

  /** All or nothing; a failed condition is an answer (which item), anything else an error. */
  async transact(items: readonly TransactItem[]): Promise<TransactResult> {
    const TransactItems = items.map((item) => {
      const [kind, body] = Object.entries(item)[0] as [string, object];
      return { [kind]: { TableName: this.name, ...body } };
    }) as TransactWriteCommandInput['TransactItems'];
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems }));
        return { written: true };
      } catch (e) {
        const failedAt = failedConditionAt(e);
        if (failedAt !== undefined) return { written: false, failedAt };
        // Cancelled only because another transaction was writing the same items: nothing was
        // written, and DynamoDB's advice is to run it again (a burst of requests on one application).
        if (conflictsAt(e).length === 0 || attempt >= TRANSACTION_CONFLICT_ATTEMPTS) throw e;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }
}
