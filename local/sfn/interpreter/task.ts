import { randomUUID } from 'node:crypto';
import type { EngineCore } from '../engine/core.ts';
import { type Execution, markDirty, type Run, type TaskStep, taskStep } from '../engine/model.ts';
import { settle } from '../engine/scheduler.ts';
import { armTaskTimers, cancelTimers } from '../engine/timers.ts';
import { event, invokeEvent } from '../history/builders.ts';
import { type InvokeFields, NOT_TRUNCATED } from '../history/events.ts';
import { invokeResponse } from '../history/render.ts';
import { type InvokeOutcome, invokeFunction } from '../lambda/invoke.ts';
import { taskKind } from './definition.ts';
import { runtimeError, StatesError } from './errors.ts';
import { isJsonObject, type Json, type JsonObject } from './paths/json-path.ts';
import { type ContextRef, evaluateTemplate, readPath } from './paths/payload.ts';
import { handleError } from './retry-catch.ts';
import { contextRef, currentState, effectiveInput, finishWithResult, guard, textOf } from './states.ts';

/**
 * Task: `lambda:invoke` (Task* events, the Invoke response as result), `lambda:invoke.waitForTaskToken`
 * (a task token; the result comes with SendTaskSuccess/Failure) and plain function ARNs
 * (LambdaFunction* events). The function runs only once the record of its start is durable.
 */

type Invocation =
  | (Extract<InvokeOutcome, { ok: true }> & { statusCode: number })
  | Extract<InvokeOutcome, { ok: false }>;

export function performTask(core: EngineCore, exec: Execution, run: Run, state: JsonObject): void {
  const kind = taskKind(String(state.Resource));
  if (!kind) throw runtimeError(`The resource ${String(state.Resource)} is not supported locally`);
  const callback = kind.kind === 'invoke' && kind.callback;
  const seq = exec.nextTask++;
  const token = callback ? core.tokens.issue({ executionSeq: exec.seq, taskSeq: seq }) : undefined;
  const context = contextRef(exec, run, state, token);
  let payload = effectiveInput(exec, run, state);
  if (state.Parameters !== undefined) payload = evaluateTemplate(state.Parameters, payload, context);
  const timeoutSeconds = positiveSeconds(state, 'TimeoutSeconds', run.input, context);
  const heartbeatSeconds = positiveSeconds(state, 'HeartbeatSeconds', run.input, context);
  const now = core.clock.now();

  let functionName: string;
  let invokePayload: Json | undefined;
  let invokePayloadText: string | undefined;
  let step: TaskStep;
  if (kind.kind === 'invoke') {
    if (!isJsonObject(payload) || typeof payload.FunctionName !== 'string') {
      throw runtimeError('The Parameters of a lambda:invoke task must give FunctionName as a string');
    }
    functionName = payload.FunctionName;
    invokePayload = payload.Payload;
    const resource = callback ? 'invoke.waitForTaskToken' : 'invoke';
    const details: JsonObject = {
      resourceType: 'lambda',
      resource,
      region: core.region,
      parameters: JSON.stringify(payload),
    };
    if (timeoutSeconds !== undefined) details.timeoutInSeconds = timeoutSeconds;
    if (heartbeatSeconds !== undefined) details.heartbeatInSeconds = heartbeatSeconds;
    event(core, exec, run, 'TaskScheduled', { taskScheduledEventDetails: details });
    event(core, exec, run, 'TaskStarted', { taskStartedEventDetails: { resourceType: 'lambda', resource } });
    step = taskStep(seq, 'task', resource, callback);
  } else {
    functionName = kind.functionArn;
    invokePayload = payload;
    invokePayloadText = textOf(exec, run, payload);
    const details: JsonObject = {
      resource: kind.functionArn,
      input: invokePayloadText,
      inputDetails: NOT_TRUNCATED,
    };
    if (timeoutSeconds !== undefined) details.timeoutInSeconds = timeoutSeconds;
    event(core, exec, run, 'LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: details });
    event(core, exec, run, 'LambdaFunctionStarted');
    step = taskStep(seq, 'lambda', kind.functionArn, false);
  }
  if (token) step.token = token;
  if (timeoutSeconds !== undefined) step.timeoutAt = now + timeoutSeconds * 1000;
  if (callback && heartbeatSeconds !== undefined) {
    step.heartbeatSeconds = heartbeatSeconds;
    step.heartbeatAt = now + heartbeatSeconds * 1000;
  }
  run.step = step;
  markDirty(exec, run);
  if (token) core.activeTokens.set(token, { exec, runId: run.id });
  armTaskTimers(core, exec, run, step);
  const invocationType = isJsonObject(payload) ? payload.InvocationType : undefined;
  // The handler runs only once "task started" is on disk: after a crash the service then knows
  // an invocation may have happened, and never silently runs it a second time.
  exec.afterSync.push(() => {
    void invoke(
      core,
      exec,
      run.id,
      seq,
      functionName,
      invokePayload,
      invokePayloadText,
      invocationType === 'Event',
    );
  });
}

async function invoke(
  core: EngineCore,
  exec: Execution,
  runId: string,
  seq: number,
  functionName: string,
  payload: Json | undefined,
  payloadText: string | undefined,
  asynchronous: boolean,
): Promise<void> {
  if (!isCurrentTask(exec, runId, seq) || core.closed) return;
  const pending = invokeFunction(
    core.options.functions,
    functionName,
    payload,
    {
      region: core.region,
      accountId: core.accountId,
      functionTimeoutMs: core.options.functionTimeoutMs ?? 60_000,
      memoryLimitInMB: 1024,
    },
    payloadText,
  );
  if (asynchronous) {
    // InvocationType Event: Lambda queues the event and answers 202 at once.
    pending.catch(() => undefined);
    const run = exec.runs.get(runId) as Run;
    const step = run.step as TaskStep;
    settleInvocation(core, exec, run, step, {
      ok: true,
      payload: '',
      payloadText: '""',
      requestId: randomUUID(),
      executedVersion: '$LATEST',
      statusCode: 202,
    });
    settle(core, exec);
    return;
  }
  core.inFlight.add(pending);
  const outcome = await pending.finally(() => core.inFlight.delete(pending));
  if (!isCurrentTask(exec, runId, seq) || core.closed) return;
  const run = exec.runs.get(runId) as Run;
  const step = run.step as TaskStep;
  if (step.phase !== 'invoking') return;
  settleInvocation(core, exec, run, step, outcome.ok ? { ...outcome, statusCode: 200 } : outcome);
  settle(core, exec);
}

function settleInvocation(
  core: EngineCore,
  exec: Execution,
  run: Run,
  step: TaskStep,
  outcome: Invocation,
): void {
  if (!outcome.ok) {
    failTaskAttempt(core, exec, run, step, outcome.error, outcome.cause);
    return;
  }
  if (step.family === 'lambda') {
    const output = outcome.payloadText;
    event(core, exec, run, 'LambdaFunctionSucceeded', {
      lambdaFunctionSucceededEventDetails: { output, outputDetails: NOT_TRUNCATED },
    });
    closeTask(core, exec, run, step);
    guard(core, exec, run, () => completeTask(core, exec, run, outcome.payload));
    return;
  }
  const invoked: InvokeFields = {
    type: step.callback ? 'TaskSubmitted' : 'TaskSucceeded',
    resource: step.resource,
    payload: outcome.payloadText,
    requestId: outcome.requestId,
    version: outcome.executedVersion,
    status: outcome.statusCode,
  };
  invokeEvent(core, exec, run, invoked);
  if (step.callback) {
    step.phase = 'waiting';
    markDirty(exec, run);
    return;
  }
  const response = invokeResponse(invoked, core.clock.now());
  closeTask(core, exec, run, step);
  guard(core, exec, run, () => completeTask(core, exec, run, response));
}

export function isCurrentTask(exec: Execution, runId: string, seq: number): boolean {
  if (exec.status !== 'RUNNING') return false;
  const run = exec.runs.get(runId);
  return run !== undefined && run.step.k === 'task' && run.step.seq === seq;
}

export function failTaskAttempt(
  core: EngineCore,
  exec: Execution,
  run: Run,
  step: TaskStep,
  error: string,
  cause: string | undefined,
): void {
  if (step.family === 'lambda') {
    const details: JsonObject = { error };
    if (cause !== undefined) details.cause = cause;
    event(core, exec, run, 'LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: details });
  } else {
    const details: JsonObject = { resourceType: 'lambda', resource: step.resource, error };
    if (cause !== undefined) details.cause = cause;
    event(core, exec, run, 'TaskFailed', { taskFailedEventDetails: details });
  }
  closeTask(core, exec, run, step);
  guard(core, exec, run, () => handleError(core, exec, run, new StatesError(error, cause)));
}

export function timeOutTask(
  core: EngineCore,
  exec: Execution,
  run: Run,
  step: TaskStep,
  heartbeat: boolean,
): void {
  // AWS reports both kinds of task timeout as States.Timeout; a States.HeartbeatTimeout
  // retrier or catcher still matches the heartbeat kind.
  if (step.family === 'lambda') {
    event(core, exec, run, 'LambdaFunctionTimedOut', {
      lambdaFunctionTimedOutEventDetails: { error: 'States.Timeout' },
    });
  } else {
    event(core, exec, run, 'TaskTimedOut', {
      taskTimedOutEventDetails: {
        resourceType: 'lambda',
        resource: step.resource,
        error: 'States.Timeout',
      },
    });
  }
  closeTask(core, exec, run, step);
  const error = new StatesError('States.Timeout');
  guard(core, exec, run, () => handleError(core, exec, run, error, heartbeat));
}

/** The task attempt is over: its token stops working and its timers are dropped. */
export function closeTask(core: EngineCore, exec: Execution, run: Run, step: TaskStep): void {
  if (step.token) core.activeTokens.delete(step.token);
  cancelTimers(exec, run.id);
  // Leave the task step so late results of this attempt are ignored.
  run.step = { k: 'enter' };
  markDirty(exec, run);
}

/** ResultSelector, ResultPath and OutputPath of a Task with its result; then leave the state. */
export function completeTask(core: EngineCore, exec: Execution, run: Run, result: Json): void {
  const state = currentState(core, exec, run);
  finishWithResult(core, exec, run, state, result);
}

/** TimeoutSeconds / HeartbeatSeconds, or their `...Path` form read from the state's raw input. */
function positiveSeconds(
  state: JsonObject,
  field: 'TimeoutSeconds' | 'HeartbeatSeconds',
  input: Json,
  context: ContextRef,
): number | undefined {
  const literal = state[field];
  if (typeof literal === 'number') return literal;
  const path = state[`${field}Path`];
  if (typeof path !== 'string') return undefined;
  const found = readPath(path, input, context);
  if (!found.found) throw runtimeError(`Invalid path '${path}' : No results for path: ${path}`);
  const value = found.value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw runtimeError(
      `The ${field}Path '${path}' must reference a positive integer, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
