import { type Engine, EXECUTION_STATUSES } from '../engine/engine.ts';
import { ApiError } from './errors.ts';
import { field, type Infer, parseRequest } from './request-schema.ts';

/**
 * The Step Functions operations, as the AWS JSON 1.0 protocol carries them
 * (`X-Amz-Target: AWSStepFunctions.<Operation>`). Requests are validated with the constraints
 * AWS publishes and rejected with its wording ("1 validation error detected: ...").
 */

const { string: str, optional } = field;
const maxResults = optional(field.int(0, 1000));

const schemas = {
  CreateStateMachine: {
    name: str(1, 80),
    definition: str(1, 1_048_576),
    roleArn: str(1, 256),
    type: optional(field.enum(['STANDARD', 'EXPRESS'])),
    loggingConfiguration: optional(field.json()),
    tracingConfiguration: optional(field.json()),
    description: optional(str(0, 256)),
  },
  UpdateStateMachine: {
    stateMachineArn: str(1, 256),
    definition: optional(str(1, 1_048_576)),
    roleArn: optional(str(1, 256)),
    loggingConfiguration: optional(field.json()),
    tracingConfiguration: optional(field.json()),
  },
  DescribeStateMachine: { stateMachineArn: str(1, 256) },
  DeleteStateMachine: { stateMachineArn: str(1, 256) },
  ListStateMachines: { maxResults, nextToken: optional(str(1, 1024)) },
  DescribeStateMachineForExecution: { executionArn: str(1, 2048) },
  StartExecution: {
    stateMachineArn: str(1, 256),
    name: optional(str(1, 80)),
    input: optional(str(0, 262_144)),
    traceHeader: optional(str(0, 256)),
  },
  DescribeExecution: { executionArn: str(1, 2048) },
  ListExecutions: {
    stateMachineArn: optional(str(1, 256)),
    statusFilter: optional(field.enum([...EXECUTION_STATUSES, 'PENDING_REDRIVE'] as const)),
    maxResults,
    nextToken: optional(str(1, 3096)),
    mapRunArn: optional(str(1, 2048)),
    redriveFilter: optional(str(0, 256)),
  },
  GetExecutionHistory: {
    executionArn: str(1, 2048),
    maxResults,
    reverseOrder: optional(field.boolean()),
    nextToken: optional(str(1, 3096)),
    includeExecutionData: optional(field.boolean()),
  },
  StopExecution: {
    executionArn: str(1, 2048),
    error: optional(str(0, 256)),
    cause: optional(str(0, 32_768)),
  },
  SendTaskSuccess: { taskToken: str(1, 2048), output: str(0, 262_144) },
  SendTaskFailure: {
    taskToken: str(1, 2048),
    error: optional(str(0, 256)),
    cause: optional(str(0, 32_768)),
  },
  SendTaskHeartbeat: { taskToken: str(1, 2048) },
};

export type OperationName = keyof typeof schemas;

type Input<Op extends OperationName> = Infer<(typeof schemas)[Op]>;

const handlers: { [Op in OperationName]: (engine: Engine, input: Input<Op>) => object | string } = {
  CreateStateMachine: (engine, input) =>
    engine.createStateMachine({
      name: input.name,
      definition: input.definition,
      roleArn: input.roleArn,
      type: input.type,
      loggingConfiguration: input.loggingConfiguration as never,
      tracingConfiguration: input.tracingConfiguration as never,
      description: input.description,
    }),
  UpdateStateMachine: (engine, input) =>
    engine.updateStateMachine({
      stateMachineArn: input.stateMachineArn,
      definition: input.definition,
      roleArn: input.roleArn,
      loggingConfiguration: input.loggingConfiguration as never,
      tracingConfiguration: input.tracingConfiguration as never,
    }),
  DescribeStateMachine: (engine, input) => engine.describeStateMachine(input.stateMachineArn),
  DeleteStateMachine: (engine, input) => {
    engine.deleteStateMachine(input.stateMachineArn);
    return {};
  },
  ListStateMachines: (engine, input) => engine.listStateMachines(pageSize(input.maxResults), input.nextToken),
  DescribeStateMachineForExecution: (engine, input) =>
    engine.describeStateMachineForExecution(input.executionArn),
  StartExecution: (engine, input) =>
    engine.startExecution({
      stateMachineArn: input.stateMachineArn,
      name: input.name,
      input: input.input,
      traceHeader: input.traceHeader,
    }),
  DescribeExecution: (engine, input) => engine.describeExecution(input.executionArn),
  ListExecutions: (engine, input) => {
    if (input.mapRunArn !== undefined) {
      throw new ApiError(
        'ValidationException',
        'Map runs (distributed Map) are not supported by the local service',
      );
    }
    if (input.stateMachineArn === undefined) {
      throw new ApiError('ValidationException', 'Must provide a StateMachine ARN or MapRun ARN');
    }
    if (input.statusFilter === 'PENDING_REDRIVE') return { executions: [] };
    return engine.listExecutions(
      input.stateMachineArn,
      input.statusFilter,
      pageSize(input.maxResults),
      input.nextToken,
    );
  },
  GetExecutionHistory: (engine, input) =>
    engine.getExecutionHistory(
      input.executionArn,
      pageSize(input.maxResults),
      input.nextToken,
      input.reverseOrder ?? false,
      input.includeExecutionData ?? true,
    ),
  StopExecution: (engine, input) => engine.stopExecution(input),
  SendTaskSuccess: (engine, input) => {
    engine.sendTaskSuccess(input.taskToken, input.output);
    return {};
  },
  SendTaskFailure: (engine, input) => {
    engine.sendTaskFailure(input.taskToken, input.error, input.cause);
    return {};
  },
  SendTaskHeartbeat: (engine, input) => {
    engine.sendTaskHeartbeat(input.taskToken);
    return {};
  },
};

/** maxResults 0 or absent means the default page of 100, as on AWS. */
function pageSize(maxResults: number | undefined): number {
  return maxResults === undefined || maxResults === 0 ? 100 : maxResults;
}

export function isOperation(name: string): name is OperationName {
  return Object.hasOwn(schemas, name);
}

/**
 * Runs one operation and returns the JSON text of its response. The response is only produced
 * once everything the operation changed (and everything it may have read) is durable.
 */
export async function runOperation(engine: Engine, operation: string, body: unknown): Promise<string> {
  if (!isOperation(operation)) {
    throw new ApiError('UnknownOperationException', `Unknown operation ${operation}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('SerializationException', 'The request body must be a JSON object');
  }
  const parsed = parseRequest(schemas[operation], body as Record<string, unknown>);
  const handler = handlers[operation] as (engine: Engine, input: unknown) => object | string;
  const result = handler(engine, parsed);
  await engine.sync();
  return typeof result === 'string' ? result : JSON.stringify(result);
}
