import { event } from '../history/builders.ts';
import type { JsonObject } from '../interpreter/paths/json-path.ts';
import type { EngineCore } from './core.ts';
import type { Execution, ExecutionStatus, Run } from './model.ts';
import { cancelTimers } from './timers.ts';

/** How executions end (failed, aborted, timed out; success comes from the root run), and runs with them. */

export function failExecution(
  core: EngineCore,
  exec: Execution,
  run: Run | undefined,
  error: string | undefined,
  cause: string | undefined,
): void {
  event(core, exec, run, 'ExecutionFailed', { executionFailedEventDetails: errorDetails(error, cause) });
  finishExecution(core, exec, 'FAILED', { error, cause });
  core.log('info', 'execution failed', { executionArn: exec.arn, error });
}

export function abortExecution(
  core: EngineCore,
  exec: Execution,
  error: string | undefined,
  cause: string | undefined,
): void {
  event(
    core,
    exec,
    undefined,
    'ExecutionAborted',
    { executionAbortedEventDetails: errorDetails(error, cause) },
    0,
  );
  finishExecution(core, exec, 'ABORTED', { error, cause });
}

function errorDetails(error: string | undefined, cause: string | undefined): JsonObject {
  const details: JsonObject = {};
  if (error !== undefined) details.error = error;
  if (cause !== undefined) details.cause = cause;
  return details;
}

export function timeOutExecution(core: EngineCore, exec: Execution): void {
  const root = exec.runs.get('0');
  event(
    core,
    exec,
    undefined,
    'ExecutionTimedOut',
    { executionTimedOutEventDetails: { error: 'States.Timeout' } },
    root?.prev ?? exec.events.length,
  );
  // The history event names States.Timeout; DescribeExecution reports no error (as AWS does).
  finishExecution(core, exec, 'TIMED_OUT', {});
  core.log('info', 'execution timed out', { executionArn: exec.arn });
}

export function finishExecution(
  core: EngineCore,
  exec: Execution,
  status: ExecutionStatus,
  fields: { output?: string; error?: string | undefined; cause?: string | undefined },
): void {
  for (const run of [...exec.runs.values()]) deleteRun(core, exec, run);
  for (const timer of exec.timers ?? []) timer.handle.cancel();
  exec.timers = undefined;
  exec.context = undefined;
  exec.status = status;
  exec.stop = core.clock.now();
  if (fields.output !== undefined) exec.output = fields.output;
  if (fields.error !== undefined) exec.error = fields.error;
  if (fields.cause !== undefined) exec.cause = fields.cause;
  exec.statusChanged = true;
  core.options.onExecutionEnd?.(exec.arn, status);
}

/** The run is over: it leaves the execution, with its timers and its task token. */
export function deleteRun(core: EngineCore, exec: Execution, run: Run): void {
  exec.runs.delete(run.id);
  if (!exec.dirtyRuns) exec.dirtyRuns = new Map();
  exec.dirtyRuns.set(run.id, null);
  cancelTimers(exec, run.id);
  if (run.step.k === 'task' && run.step.token) core.activeTokens.delete(run.step.token);
}
