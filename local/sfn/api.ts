import { z } from 'zod';
import { type Engine, EXECUTION_STATUSES } from './engine.ts';
import { ApiError } from './errors.ts';

/**
 * The Step Functions operations, as the AWS JSON 1.0 protocol carries them
 * (`X-Amz-Target: AWSStepFunctions.<Operation>`). Requests are validated with the constraints
 * AWS publishes and rejected with its wording ("1 validation error detected: ...").
 */

const str = (min: number, max: number) => z.string().min(min).max(max);
const json = z.unknown();
const maxResults = z.number().int().min(0).max(1000).optional();

const schemas = {
  CreateStateMachine: z.object({
    name: str(1, 80),
    definition: str(1, 1_048_576),
    roleArn: str(1, 256),
    type: z.enum(['STANDARD', 'EXPRESS']).optional(),
    loggingConfiguration: json.optional(),
    tracingConfiguration: json.optional(),
    description: str(0, 256).optional(),
  }),
  UpdateStateMachine: z.object({
    stateMachineArn: str(1, 256),
    definition: str(1, 1_048_576).optional(),
    roleArn: str(1, 256).optional(),
    loggingConfiguration: json.optional(),
    tracingConfiguration: json.optional(),
  }),
  DescribeStateMachine: z.object({ stateMachineArn: str(1, 256) }),
  DeleteStateMachine: z.object({ stateMachineArn: str(1, 256) }),
  ListStateMachines: z.object({ maxResults, nextToken: str(1, 1024).optional() }),
  DescribeStateMachineForExecution: z.object({ executionArn: str(1, 2048) }),
  StartExecution: z.object({
    stateMachineArn: str(1, 256),
    name: str(1, 80).optional(),
    input: str(0, 262_144).optional(),
    traceHeader: str(0, 256).optional(),
  }),
  DescribeExecution: z.object({ executionArn: str(1, 2048) }),
  ListExecutions: z.object({
    stateMachineArn: str(1, 256).optional(),
    statusFilter: z.enum([...EXECUTION_STATUSES, 'PENDING_REDRIVE']).optional(),
    maxResults,
    nextToken: str(1, 3096).optional(),
    mapRunArn: str(1, 2048).optional(),
    redriveFilter: z.string().optional(),
  }),
  GetExecutionHistory: z.object({
    executionArn: str(1, 2048),
    maxResults,
    reverseOrder: z.boolean().optional(),
    nextToken: str(1, 3096).optional(),
    includeExecutionData: z.boolean().optional(),
  }),
  StopExecution: z.object({
    executionArn: str(1, 2048),
    error: str(0, 256).optional(),
    cause: str(0, 32_768).optional(),
  }),
  SendTaskSuccess: z.object({ taskToken: str(1, 2048), output: str(0, 262_144) }),
  SendTaskFailure: z.object({
    taskToken: str(1, 2048),
    error: str(0, 256).optional(),
    cause: str(0, 32_768).optional(),
  }),
  SendTaskHeartbeat: z.object({ taskToken: str(1, 2048) }),
};

export type OperationName = keyof typeof schemas;

type Input<Op extends OperationName> = z.infer<(typeof schemas)[Op]>;

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
  const parsed = schemas[operation].safeParse(body, { reportInput: true });
  if (!parsed.success) throw validationError(parsed.error.issues);
  const handler = handlers[operation] as (engine: Engine, input: unknown) => object | string;
  const result = handler(engine, parsed.data);
  await engine.sync();
  return typeof result === 'string' ? result : JSON.stringify(result);
}

function validationError(issues: z.core.$ZodIssue[]): ApiError {
  const messages = issues.map((issue) => {
    const at = issue.path.join('.');
    const input = (issue as { input?: unknown }).input;
    const value =
      input === undefined ? 'null' : `'${typeof input === 'string' ? input : JSON.stringify(input)}'`;
    let constraint: string;
    switch (issue.code) {
      case 'invalid_type':
        constraint =
          input === undefined ? 'Member must not be null' : `Member must be of type ${issue.expected}`;
        break;
      case 'too_small':
        constraint =
          issue.origin === 'string'
            ? `Member must have length greater than or equal to ${String(issue.minimum)}`
            : `Member must have value greater than or equal to ${String(issue.minimum)}`;
        break;
      case 'too_big':
        constraint =
          issue.origin === 'string'
            ? `Member must have length less than or equal to ${String(issue.maximum)}`
            : `Member must have value less than or equal to ${String(issue.maximum)}`;
        break;
      case 'invalid_value':
        constraint = `Member must satisfy enum value set: [${issue.values.map(String).join(', ')}]`;
        break;
      default:
        constraint = issue.message;
    }
    return `Value ${value} at '${at}' failed to satisfy constraint: ${constraint}`;
  });
  const count = messages.length;
  return new ApiError(
    'ValidationException',
    `${count} validation error${count === 1 ? '' : 's'} detected: ${messages.join('; ')}`,
  );
}
