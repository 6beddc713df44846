/**
 * Runs the product's functions inside the current process against local endpoints: the workflow
 * tests and the usage counter call the real handlers in-process, on a Step Functions service whose
 * clock they drive. This points every function-side setting (SDK endpoints, regency, table, bucket)
 * at the given targets and drops what the functions cached at their first "cold start".
 */
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { Regency } from '#config/regency-schema.ts';
import { resetAwsClients } from '#runtime/clients.ts';
import { functionEnvReset } from '#runtime/env.ts';
import { resetCurrentRegency } from '#runtime/regency.ts';
import { resetWorkflowPorts } from '#runtime/workflow-container.ts';
import { generateStateMachines, substitute } from '../statemachines/index.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './env.ts';
import { localFunctionArn } from './resources.ts';

export interface InProcessTargets {
  dynamodb: string;
  s3: string;
  ses: string;
  sfn: string;
  /** A regency configuration as JSON (what the stack bundles as regency.json). */
  regencyFile: string;
  tableName: string;
  bucket: string;
}

export function pointFunctionsAt(targets: InProcessTargets): void {
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: targets.dynamodb,
    AWS_ENDPOINT_URL_S3: targets.s3,
    AWS_ENDPOINT_URL_SESV2: targets.ses,
    AWS_ENDPOINT_URL_SFN: targets.sfn,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    SATUPINTU_LOCAL: '1',
    SATUPINTU_REGENCY_FILE: targets.regencyFile,
    TABLE_NAME: targets.tableName,
    DOCUMENTS_BUCKET: targets.bucket,
  });
  resetCurrentRegency();
  resetAwsClients();
  functionEnvReset();
  resetWorkflowPorts();
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
 * event hands a callback task over to a person (TaskSubmitted). Polls: the service has no push API.
 */
export async function settleExecution(
  sfn: SFNClient,
  executionArn: string,
  afterEvents: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await executionHistory(sfn, executionArn);
    if (events.length > afterEvents) {
      const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (status !== 'RUNNING' || events.at(-1)?.type === 'TaskSubmitted') return;
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

/**
 * Creates every permit workflow of `regency` on the local Step Functions service, its tasks
 * pointed at the functions by their local ARNs, under the name `name(permitCode)`. Returns
 * permit code -> state machine ARN.
 */
export async function createWorkflows(
  sfn: SFNClient,
  regency: Regency,
  name: (permitCode: string) => string,
): Promise<Map<string, string>> {
  const machines = new Map<string, string>();
  for (const machine of generateStateMachines(regency)) {
    const values = Object.fromEntries(
      Object.entries(machine.substitutions).map(([placeholder, fn]) => [placeholder, localFunctionArn(fn)]),
    );
    const created = await sfn.send(
      new CreateStateMachineCommand({
        name: name(machine.name),
        definition: JSON.stringify(substitute(machine.definition, values)),
        roleArn: 'arn:aws:iam::000000000000:role/satupintu-local',
      }),
    );
    machines.set(machine.name, created.stateMachineArn ?? '');
  }
  return machines;
}
