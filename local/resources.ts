/**
 * The AWS resources of one regency, created in the local emulators through the same APIs CDK's
 * CloudFormation would call. Every step is idempotent: starting again on existing data keeps the data
 * and only adds what is missing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  ListStateMachinesCommand,
  type SFNClient,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { tableDesign } from '#adapters/dynamodb/keys.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, localStateMachineArn, stateMachineName } from './env.ts';

export type Outcome = 'created' | 'updated' | 'unchanged';

const keyAttributes = (): AttributeDefinition[] => {
  const names = new Set<string>([tableDesign.partitionKey, tableDesign.sortKey]);
  for (const gsi of tableDesign.globalSecondaryIndexes) {
    names.add(gsi.partitionKey);
    names.add(gsi.sortKey);
  }
  return [...names].map((AttributeName) => ({ AttributeName, AttributeType: 'S' }));
};

const gsiSpec = (gsi: (typeof tableDesign.globalSecondaryIndexes)[number]): GlobalSecondaryIndex => ({
  IndexName: gsi.indexName,
  KeySchema: [
    { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
    { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
  ],
  Projection: { ProjectionType: 'ALL' },
});

/**
 * The single table of `tableDesign` (string keys, every GSI projecting ALL, on-demand billing, TTL on
 * its attribute). A table from an older design gets the GSIs it lacks, as a CloudFormation update would.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<Outcome> {
  let outcome: Outcome = 'unchanged';
  let existing: DescribeTableCommandOutput | undefined;
  try {
    existing = await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  if (existing === undefined) {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keyAttributes(),
        KeySchema: [
          { AttributeName: tableDesign.partitionKey, KeyType: 'HASH' },
          { AttributeName: tableDesign.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: tableDesign.globalSecondaryIndexes.map(gsiSpec),
      }),
    );
    outcome = 'created';
  } else {
    const have = new Set((existing.Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
    // DynamoDB accepts one new index per UpdateTable call.
    for (const gsi of tableDesign.globalSecondaryIndexes.filter((g) => !have.has(g.indexName))) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: keyAttributes(),
          GlobalSecondaryIndexUpdates: [{ Create: gsiSpec(gsi) }],
        }),
      );
      outcome = 'updated';
    }
    if (outcome === 'updated') await waitForIndexes(client, tableName);
  }
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const ttlOn =
    ttl.TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED' &&
    ttl.TimeToLiveDescription.AttributeName === tableDesign.ttlAttribute;
  if (!ttlOn) {
    // DynamoDB Local records the setting but never deletes expired items (see LOCAL-AWS.md).
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: tableDesign.ttlAttribute, Enabled: true },
      }),
    );
    if (outcome === 'unchanged') outcome = 'updated';
  }
  return outcome;
}

/** A new index is briefly CREATING even in DynamoDB Local; queries on it fail until it is ACTIVE. */
async function waitForIndexes(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if ((Table?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE')) return;
    if (Date.now() > deadline)
      throw new Error(`the indexes of ${tableName} did not become ACTIVE within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function ensureBucket(client: S3Client, bucket: string): Promise<Outcome> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return 'unchanged';
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404) throw error;
  }
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return 'created';
}

/** The ARN a workflow function `name` has locally; the local service resolves it to `functions/workflow/<name>.ts`. */
export function localFunctionArn(name: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${name}`;
}

/** The shape of `statemachines/index.ts` this module relies on (kept structural: that module is another team's). */
interface WorkflowGenerator {
  generateStateMachines(regency: unknown): Array<{
    name: string;
    definition: object;
    substitutions: Record<string, string>;
  }>;
}

export interface StateMachinesResult {
  /** Permit code -> state machine ARN. */
  stateMachines: Record<string, string>;
  /** Why nothing was created, when nothing was. */
  note?: string;
}

/**
 * Creates (or updates to the current definition) one state machine per permit of the regency, with the
 * ASL from the workflow generator and its `${...}` placeholders replaced by local function ARNs, the
 * way CDK's `definitionSubstitutions` put in the deployed ones.
 */
export async function createStateMachines(args: {
  client: SFNClient | undefined;
  regencyId: string;
  regency: unknown;
  repoRoot: string;
}): Promise<StateMachinesResult> {
  const generatorFile = join(args.repoRoot, 'statemachines', 'index.ts');
  if (!existsSync(generatorFile)) {
    return { stateMachines: {}, note: 'no workflows generated yet (statemachines/index.ts does not exist)' };
  }
  if (args.client === undefined) {
    return {
      stateMachines: {},
      note: 'workflows not created: the local Step Functions service is not running',
    };
  }
  const generator = (await import(pathToFileURL(generatorFile).href)) as Partial<WorkflowGenerator>;
  if (typeof generator.generateStateMachines !== 'function') {
    return { stateMachines: {}, note: 'statemachines/index.ts does not export generateStateMachines yet' };
  }
  const existing = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const page = await args.client.send(new ListStateMachinesCommand({ nextToken }));
    for (const sm of page.stateMachines ?? [])
      if (sm.name && sm.stateMachineArn) existing.set(sm.name, sm.stateMachineArn);
    nextToken = page.nextToken;
  } while (nextToken);

  const stateMachines: Record<string, string> = {};
  for (const machine of generator.generateStateMachines(args.regency)) {
    const name = stateMachineName(args.regencyId, machine.name);
    const definition = substitutePlaceholders(JSON.stringify(machine.definition), machine.substitutions);
    const arn = existing.get(name);
    if (arn === undefined) {
      const created = await args.client.send(
        new CreateStateMachineCommand({
          name,
          definition,
          roleArn: localWorkflowRoleArn(),
          type: 'STANDARD',
        }),
      );
      stateMachines[machine.name] = created.stateMachineArn ?? localStateMachineArn(name);
    } else {
      await args.client.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition }));
      stateMachines[machine.name] = arn;
    }
  }
  return { stateMachines };
}

/** Replaces `${Placeholder}` by the local ARN of the function it names, failing on a placeholder without one. */
export function substitutePlaceholders(
  definitionJson: string,
  substitutions: Record<string, string>,
): string {
  return definitionJson.replace(/\$\{([A-Za-z0-9_]+)\}/g, (match, placeholder: string) => {
    const fn = substitutions[placeholder];
    if (fn === undefined)
      throw new Error(`state machine definition uses ${match} but gives no substitution for it`);
    return localFunctionArn(fn);
  });
}

function localWorkflowRoleArn(): string {
  return `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/satupintu-local-workflow`;
}
