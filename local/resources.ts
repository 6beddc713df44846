/**
 * The AWS resources of one regency, created in the local emulators through the same APIs CDK's
 * CloudFormation would call. Every step is idempotent: starting again on existing data keeps the data
 * and only adds what is missing.
 */
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
import type { Regency } from '#config/regency-schema.ts';
import { generateStateMachines, substitute } from '../statemachines/index.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, localStateMachineArn } from './env.ts';

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
    // DynamoDB Local records the setting but never deletes expired items: readers check expiresAt.
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

/**
 * Creates (or updates to the current definition) one state machine per permit of the regency, named
 * `name(permitCode)`, with the generated ASL and its `${...}` placeholders replaced by local function
 * ARNs, the way CDK's `definitionSubstitutions` put in the deployed ones. Returns permit code -> ARN.
 */
export async function createStateMachines(args: {
  client: SFNClient;
  regency: Regency;
  name: (permitCode: string) => string;
}): Promise<Map<string, string>> {
  const existing = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const page = await args.client.send(new ListStateMachinesCommand({ nextToken }));
    for (const sm of page.stateMachines ?? [])
      if (sm.name && sm.stateMachineArn) existing.set(sm.name, sm.stateMachineArn);
    nextToken = page.nextToken;
  } while (nextToken);

  const stateMachines = new Map<string, string>();
  for (const machine of generateStateMachines(args.regency)) {
    const name = args.name(machine.name);
    const functionArns = Object.fromEntries(
      Object.entries(machine.substitutions).map(([placeholder, fn]) => [placeholder, localFunctionArn(fn)]),
    );
    const definition = JSON.stringify(substitute(machine.definition, functionArns));
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
      stateMachines.set(machine.name, created.stateMachineArn ?? localStateMachineArn(name));
    } else {
      await args.client.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition }));
      stateMachines.set(machine.name, arn);
    }
  }
  return stateMachines;
}

function localWorkflowRoleArn(): string {
  return `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/satupintu-local-workflow`;
}
