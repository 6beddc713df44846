import type { EngineCore } from '../engine/core.ts';
import { type Execution, markDirty, type Run } from '../engine/model.ts';
import { armStepTimer } from '../engine/timers.ts';
import { StatesError } from './errors.ts';
import type { JsonObject } from './paths/json-path.ts';
import { applyResultPath } from './paths/payload.ts';
import { failRun } from './runs.ts';
import { currentState, exitState, guard, perform } from './states.ts';

/** Error handling of Task, Parallel and Map: Retry (with back-off on the clock), then Catch. */

/** Retry, then Catch, then failure of the run. */
export function handleError(
  core: EngineCore,
  exec: Execution,
  run: Run,
  failure: StatesError,
  heartbeat = false,
): void {
  const state = currentState(core, exec, run);
  const { error, cause_: cause } = failure;
  const handles = HANDLING_TYPES.has(state.Type as string);
  const retry = retrierFor(state, run, error, heartbeat);
  if (retry) {
    const { retrier, index, used } = retry;
    run.retries ??= (state.Retry as JsonObject[]).map(() => 0);
    run.retries[index] = used + 1;
    const interval = typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1;
    const backoff = typeof retrier.BackoffRate === 'number' ? retrier.BackoffRate : 2;
    let delay = interval * backoff ** used;
    if (typeof retrier.MaxDelaySeconds === 'number') delay = Math.min(delay, retrier.MaxDelaySeconds);
    if (retrier.JitterStrategy === 'FULL') delay = Math.random() * delay;
    run.step = { k: 'retry', until: core.clock.now() + Math.round(delay * 1000) };
    markDirty(exec, run);
    armStepTimer(core, exec, run);
    return;
  }
  if (handles && Array.isArray(state.Catch)) {
    const catcher = (state.Catch as JsonObject[]).find((c) => errorMatches(c.ErrorEquals, error, heartbeat));
    if (catcher) {
      const errorOutput: JsonObject = { Error: error };
      if (cause !== undefined) errorOutput.Cause = cause;
      try {
        const output = applyResultPath(
          run.input,
          errorOutput,
          catcher.ResultPath as string | null | undefined,
        );
        exitState(core, exec, run, state, output, catcher.Next as string);
      } catch (catchError) {
        if (!(catchError instanceof StatesError)) throw catchError;
        // A failure while catching (ResultPath, size limit) is not caught again.
        failRun(core, exec, run, catchError.error, catchError.cause_);
      }
      return;
    }
  }
  failRun(core, exec, run, error, cause);
}

const HANDLING_TYPES = new Set(['Task', 'Parallel', 'Map']);

/** The retrier that will retry `error` in the run's current state, if one matches with attempts left. */
function retrierFor(
  state: JsonObject,
  run: Run,
  error: string,
  heartbeat: boolean,
): { retrier: JsonObject; index: number; used: number } | undefined {
  if (!HANDLING_TYPES.has(state.Type as string) || !Array.isArray(state.Retry)) return undefined;
  const retriers = state.Retry as JsonObject[];
  const index = retriers.findIndex((r) => errorMatches(r.ErrorEquals, error, heartbeat));
  if (index < 0) return undefined;
  const retrier = retriers[index] as JsonObject;
  const maxAttempts = typeof retrier.MaxAttempts === 'number' ? retrier.MaxAttempts : 3;
  const used = run.retries?.[index] ?? 0;
  return used < maxAttempts ? { retrier, index, used } : undefined;
}

/** Whether handleError will retry this error in the run's current state (rather than catch or fail). */
export function willRetry(core: EngineCore, exec: Execution, run: Run, error: string): boolean {
  return retrierFor(currentState(core, exec, run), run, error, false) !== undefined;
}

/** The back-off of a retry is over: the state runs again. */
export function retryAttempt(core: EngineCore, exec: Execution, run: Run): void {
  run.retryCount = (run.retryCount ?? 0) + 1;
  run.step = { k: 'enter' };
  markDirty(exec, run);
  const state = currentState(core, exec, run);
  guard(core, exec, run, () => perform(core, exec, run, state));
}

/** Whether an ErrorEquals list matches an error, with the wildcards' AWS semantics. */
export function errorMatches(errorEquals: unknown, error: string, heartbeat: boolean): boolean {
  if (!Array.isArray(errorEquals)) return false;
  // States.Runtime is never retried or caught; States.DataLimitExceeded only when named.
  if (error === 'States.Runtime') return false;
  for (const name of errorEquals) {
    if (name === error) return true;
    if (name === 'States.ALL' && error !== 'States.DataLimitExceeded') return true;
    if (name === 'States.TaskFailed' && error !== 'States.Timeout' && error !== 'States.DataLimitExceeded') {
      return true;
    }
    if (name === 'States.HeartbeatTimeout' && heartbeat) return true;
  }
  return false;
}
