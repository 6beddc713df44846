import { randomBytes, randomUUID } from 'node:crypto';
import type { Json } from '../interpreter/paths/json-path.ts';
import {
  type FunctionRegistry,
  functionArn,
  type LambdaHandler,
  type LambdaLikeContext,
  parseFunctionRef,
} from './registry.ts';

/**
 * Invokes a product handler in-process the way the Lambda service would for Step Functions:
 * the event is a JSON copy of the payload, the context is Lambda-like, and a thrown error is
 * reported with the error type and the JSON cause Lambda's Node.js runtime produces.
 */

export type InvokeOutcome =
  | { ok: true; payload: Json; payloadText: string; requestId: string; executedVersion: string }
  | { ok: false; error: string; cause: string };

export interface InvokeOptions {
  region: string;
  accountId: string;
  /** What getRemainingTimeInMillis counts down from; the local service does not kill handlers. */
  functionTimeoutMs: number;
  memoryLimitInMB: number;
}

const resolvedHandlers = new WeakMap<FunctionRegistry, Map<string, LambdaHandler>>();

export async function invokeFunction(
  registry: FunctionRegistry,
  functionName: string,
  payload: Json | undefined,
  options: InvokeOptions,
  /** The payload's JSON text when the caller already has it (the history event needed it). */
  payloadText?: string,
): Promise<InvokeOutcome> {
  const requestId = randomUUID();
  const ref = parseFunctionRef(functionName);
  if (!ref) {
    return {
      ok: false,
      error: 'Lambda.AWSLambdaException',
      cause: `1 validation error detected: Value '${functionName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))? (Service: AWSLambda; Status Code: 400; Error Code: ValidationException; Request ID: ${requestId}; Proxy: null)`,
    };
  }
  const arn = functionArn(ref, options.region, options.accountId);
  // A function found once is kept (registries import a module once and keep it): later calls
  // skip the lookup and its extra turn of the promise queue.
  let known = resolvedHandlers.get(registry);
  if (!known) {
    known = new Map();
    resolvedHandlers.set(registry, known);
  }
  let handler = known.get(functionName);
  if (!handler) {
    try {
      handler = await registry.resolve(functionName);
    } catch (error) {
      // Lambda reports a module that fails to load as a function error of this type.
      return functionError(error, 'Runtime.ImportModuleError');
    }
    if (handler) known.set(functionName, handler);
  }
  if (!handler) {
    const unqualified = functionArn({ ...ref, qualifier: undefined }, options.region, options.accountId);
    return {
      ok: false,
      error: 'Lambda.ResourceNotFoundException',
      cause: `Function not found: ${unqualified}${ref.qualifier ? `:${ref.qualifier}` : ''} (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: ${requestId}; Proxy: null)`,
    };
  }
  // The handler gets its own copy, as a real invocation deserializes the payload.
  const event = payload === undefined ? {} : (JSON.parse(payloadText ?? JSON.stringify(payload)) as unknown);
  const context = lambdaContext(ref.name, arn, ref.qualifier, requestId, options);
  let result: unknown;
  try {
    result = await handler(event, context);
  } catch (error) {
    return functionError(error);
  }
  let serialized: string | undefined;
  try {
    serialized = JSON.stringify(result);
  } catch (error) {
    return functionError(error, 'Runtime.MarshalError');
  }
  const text = serialized ?? 'null';
  return {
    ok: true,
    payload: JSON.parse(text) as Json,
    payloadText: text,
    requestId,
    executedVersion: ref.qualifier && ref.qualifier !== '$LATEST' ? ref.qualifier : '$LATEST',
  };
}

function functionError(error: unknown, forcedType?: string): InvokeOutcome {
  const err = error instanceof Error ? error : undefined;
  const errorType = forcedType ?? (err?.name || 'Error');
  const errorMessage = err ? err.message : String(error);
  const trace = err?.stack ? err.stack.split('\n') : [];
  // Same field order as the Node.js runtime's error payload.
  const cause = JSON.stringify({ errorType, errorMessage, trace });
  return { ok: false, error: errorType, cause };
}

/**
 * A real function keeps its log stream for as long as its execution environment lives; here the
 * "environment" is this process, so each function gets one stream name (and no random bytes per
 * invocation).
 */
const logStreams = new Map<string, string>();

/** The Lambda-like context: a class, so an invocation allocates one object and no closures. */
class LocalLambdaContext implements LambdaLikeContext {
  callbackWaitsForEmptyEventLoop = true;
  constructor(
    readonly awsRequestId: string,
    readonly functionName: string,
    readonly functionVersion: string,
    readonly invokedFunctionArn: string,
    readonly memoryLimitInMB: string,
    readonly logGroupName: string,
    readonly logStreamName: string,
    private readonly deadline: number,
  ) {}

  getRemainingTimeInMillis(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  // Deprecated callback-era methods, kept so handlers typed against aws-lambda's Context accept it.
  done(): void {}
  fail(): void {}
  succeed(): void {}
}

function lambdaContext(
  name: string,
  invokedArn: string,
  qualifier: string | undefined,
  requestId: string,
  options: InvokeOptions,
): LambdaLikeContext {
  const version = qualifier && /^\d+$/.test(qualifier) ? qualifier : '$LATEST';
  const streamKey = `${name}:${version}`;
  let logStreamName = logStreams.get(streamKey);
  if (!logStreamName) {
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    logStreamName = `${day}/[${version}]${randomBytes(16).toString('hex')}`;
    logStreams.set(streamKey, logStreamName);
  }
  return new LocalLambdaContext(
    requestId,
    name,
    version,
    invokedArn,
    String(options.memoryLimitInMB),
    `/aws/lambda/${name}`,
    logStreamName,
    Date.now() + options.functionTimeoutMs,
  );
}
/** The result of the optimized `lambda:invoke` integration: the Invoke API response, as AWS shows it. */
export function invokeResult(payload: Json, requestId: string, executedVersion: string, date: Date): Json {
  const length = String(Buffer.byteLength(JSON.stringify(payload)));
  const httpDate = date.toUTCString();
  return {
    ExecutedVersion: executedVersion,
    Payload: payload,
    SdkHttpMetadata: {
      AllHttpHeaders: {
        'X-Amz-Executed-Version': [executedVersion],
        'x-amzn-Remapped-Content-Length': ['0'],
        Connection: ['keep-alive'],
        'x-amzn-RequestId': [requestId],
        'Content-Length': [length],
        Date: [httpDate],
        'Content-Type': ['application/json'],
      },
      HttpHeaders: {
        Connection: 'keep-alive',
        'Content-Length': length,
        'Content-Type': 'application/json',
        Date: httpDate,
        'X-Amz-Executed-Version': executedVersion,
        'x-amzn-Remapped-Content-Length': '0',
        'x-amzn-RequestId': requestId,
      },
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}
