/**
 * Runs the product's functions inside the current process against local endpoints: the workflow
 * tests and the usage counter call the real handlers in-process, on a Step Functions service whose
 * clock they drive. Their container (runtime/container.ts) is built here, for the given table, bucket
 * and regency, and handed to the functions with useContainer.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
} from '@aws-sdk/client-sfn';
import type { Regency } from '#config/regency-schema.ts';
import type { AwsClients } from '#runtime/clients.ts';
import { buildContainer, type Container, useContainer } from '#runtime/container.ts';
import { type FunctionEnv, parseEnv } from '#runtime/env.ts';
import { localClients } from './clients.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './env.ts';
import { workflowFunctionModules } from './functions-registry.ts';
import { createStateMachines, ensureBucket, ensureTable } from './resources.ts';
import {
  type Clock,
  type FunctionRegistry,
  registryFromModules,
  type StepFunctionsService,
  startStepFunctionsService,
} from './sfn/index.ts';

/** The SDK's own settings for in-process product code: region, credentials and local endpoints. */
function pointSdkAt(endpoints: { dynamodb: string; s3: string; ses: string; sfn: string }): void {
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    AWS_ENDPOINT_URL_SFN: endpoints.sfn,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
}

export interface InProcessWorkflows {
  /** A temporary directory holding the regency file and the service's journal; removed by close(). */
  dir: string;
  sfnService: StepFunctionsService;
  /** A client of that service. */
  sfn: SFNClient;
  /** The container the in-process functions use (useContainer): same table, bucket and regency. */
  container: Container;
  /** Permit code -> state machine ARN. */
  machines: Map<string, string>;
  close(): Promise<void>;
}

/**
 * A regency's permit workflows on an in-process Step Functions service driven by `clock`, with the
 * real workflow functions running in this process against the given DynamoDB Local, s3rver and SES:
 * what the workflow tests and the usage counter run on.
 */
export async function startInProcessWorkflows(options: {
  regency: Regency;
  endpoints: { dynamodb: string; s3: string; ses: string };
  clock: Clock;
  tableName: string;
  bucket: string;
  /** The state machine name of a permit. */
  machineName: (permitCode: string) => string;
  /** The functions the service invokes; by default every functions/workflow/<name>.ts. */
  functions?: FunctionRegistry;
  /** The SDK clients the functions use (instrumented ones, say); by default the container's own. */
  clients?: (env: FunctionEnv) => AwsClients;
}): Promise<InProcessWorkflows> {
  const { regency, endpoints } = options;
  const dir = mkdtempSync(join(tmpdir(), 'satupintu-inproc-'));
  const regencyFile = join(dir, 'regency.json');
  writeFileSync(regencyFile, JSON.stringify(regency));
  const setup = localClients({ dynamodb: endpoints.dynamodb, s3: endpoints.s3 });
  try {
    await ensureTable(setup.dynamodb, options.tableName);
    await ensureBucket(setup.s3, options.bucket);
  } finally {
    setup.destroy();
  }
  const sfnService = await startStepFunctionsService({
    port: 0,
    dataDir: join(dir, 'sfn'),
    functions: options.functions ?? registryFromModules(workflowFunctionModules()),
    clock: options.clock,
    log: () => {},
  });
  pointSdkAt({ ...endpoints, sfn: sfnService.url });
  const env = parseEnv({
    SATUPINTU_LOCAL: '1',
    SATUPINTU_REGENCY_FILE: regencyFile,
    TABLE_NAME: options.tableName,
    DOCUMENTS_BUCKET: options.bucket,
    SIGNING_KEY_FILE: join(dir, 'signing-key.pem'),
  });
  const container = buildContainer(env, {}, options.clients?.(env));
  useContainer(container);
  const sfn = new SFNClient({
    region: LOCAL_REGION,
    endpoint: sfnService.url,
    credentials: LOCAL_CREDENTIALS,
  });
  const machines = await createStateMachines({ client: sfn, regency, name: options.machineName });
  return {
    dir,
    sfnService,
    sfn,
    container,
    machines,
    async close() {
      sfn.destroy();
      await sfnService.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every event of an execution's history, all pages. */
export async function executionHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return events;
}

/**
 * Waits until an execution is quiet after `afterEvents` history events: it has ended, or its last
 * event hands a callback task over to a person (TaskSubmitted), or (given `timerPending`, which says
 * whether the service's clock has a timer to fire) a task failed and its retry waits out a back-off
 * on that clock. Polls: the service has no push API.
 */
export async function settleExecution(
  sfn: SFNClient,
  executionArn: string,
  afterEvents: number,
  timeoutMs: number,
  timerPending: () => boolean = () => false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await executionHistory(sfn, executionArn);
    if (events.length > afterEvents) {
      const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      const last = events.at(-1)?.type;
      if (status !== 'RUNNING' || last === 'TaskSubmitted') return;
      if (last === 'TaskFailed' && timerPending()) return;
    }
    if (Date.now() > deadline)
      throw new Error(
        `execution ${executionArn} did not settle; last events: ${events
          .slice(-4)
          .map((e) => e.type)
          .join(', ')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
