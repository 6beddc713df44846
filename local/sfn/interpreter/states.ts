import { iso } from '../engine/clock.ts';
import type { EngineCore } from '../engine/core.ts';
import { failExecution } from '../engine/endings.ts';
import {
  type Execution,
  INPUT_EVENT,
  INPUT_TEXT,
  markDirty,
  type Run,
  type RunMemo,
} from '../engine/model.ts';
import { cancelTimers } from '../engine/timers.ts';
import { stateEvent } from '../history/builders.ts';
import { documentOf, isStateEvent, stateEventType } from '../history/events.ts';
import { performChoice } from './choice.ts';
import { type CompiledDefinition, stateOf } from './definition.ts';
import { runtimeError, StatesError } from './errors.ts';
import { performMap } from './map.ts';
import { performParallel } from './parallel.ts';
import { performPass } from './pass.ts';
import type { Json, JsonObject } from './paths/json-path.ts';
import { applyResultPath, type ContextRef, evaluateTemplate, selectPath } from './paths/payload.ts';
import { handleError } from './retry-catch.ts';
import { failRun, succeedRun } from './runs.ts';
import { performFail, performSucceed } from './succeed-fail.ts';
import { performTask } from './task.ts';
import { performWait } from './wait.ts';

/**
 * Entering and leaving states: the one place that dispatches on the state's type (one file per
 * type in this folder), the context object (`$$`), and the error boundary of a state (guard).
 */

const MAX_PAYLOAD_BYTES = 262_144;

function byteLength(text: string): number {
  return text.length * 3 <= MAX_PAYLOAD_BYTES ? text.length : Buffer.byteLength(text);
}

export function definitionOf(core: EngineCore, exec: Execution): CompiledDefinition {
  return core.compiled(exec.def);
}

/** The definition of the state a run is in. */
export function currentState(core: EngineCore, exec: Execution, run: Run): JsonObject {
  return stateOf(definitionOf(core, exec), run.scope, run.state);
}

export function resultPath(state: JsonObject): string | null | undefined {
  return state.ResultPath as string | null | undefined;
}

export function outputPath(state: JsonObject): string | null | undefined {
  return state.OutputPath as string | null | undefined;
}

/** The state's effective input: its raw input through InputPath. */
export function effectiveInput(exec: Execution, run: Run, state: JsonObject): Json {
  return selectPath(run.input, state.InputPath as string | null | undefined, contextRef(exec, run, state));
}

/** OutputPath applied to a state's output. */
export function selectOutput(exec: Execution, run: Run, state: JsonObject, output: Json): Json {
  return selectPath(output, outputPath(state), contextRef(exec, run, state));
}

/** Runs `action`; a StatesError from it fails the current state, anything else is a bug. */
export function guard(core: EngineCore, exec: Execution, run: Run, action: () => void): void {
  try {
    action();
  } catch (error) {
    if (exec.status !== 'RUNNING' || exec.runs.get(run.id) !== run) return;
    try {
      if (error instanceof StatesError) {
        handleError(core, exec, run, withStateOfRuntimeError(exec, run, error));
        return;
      }
      core.log('error', 'internal error while running a state', {
        executionArn: exec.arn,
        error: String(error),
      });
      failRun(
        core,
        exec,
        run,
        'States.Runtime',
        `Internal error in the local Step Functions service: ${String(error)}`,
      );
    } catch (secondary) {
      // The error handling itself failed (a bug): end the execution rather than leave it stuck.
      core.log('error', 'internal error while handling a state error', {
        executionArn: exec.arn,
        error: String(secondary),
      });
      if (exec.status === 'RUNNING') {
        failExecution(
          core,
          exec,
          undefined,
          'States.Runtime',
          `Internal error in the local Step Functions service: ${String(secondary)}`,
        );
      }
    }
  }
}

const RUNTIME_PREFIX = 'An error occurred while executing the state ';

/**
 * AWS opens the cause of a States.Runtime error with the state and its StateEntered event:
 * "An error occurred while executing the state 'X' (entered at the event id #N). <reason>".
 */
function withStateOfRuntimeError(exec: Execution, run: Run, error: StatesError): StatesError {
  if (error.error !== 'States.Runtime' || error.cause_?.startsWith(RUNTIME_PREFIX)) return error;
  const entered = enteredEventId(exec, run);
  return new StatesError(
    error.error,
    `${RUNTIME_PREFIX}'${run.state}' (entered at the event id #${entered}). ${error.cause_ ?? ''}`,
  );
}

/** Id of the StateEntered event of the run's current state: back along the run's chain of events. */
function enteredEventId(exec: Execution, run: Run): number {
  let id = run.prev;
  while (id > 0) {
    const found = exec.events[id - 1];
    if (!found) break;
    if (isStateEvent(found) && !found.exited && found.name === run.state) return id;
    id = found.prev;
  }
  return run.prev;
}

function executionInput(exec: Execution): Json {
  // Parsed on use, not kept: few definitions read $$.Execution.Input, and every waiting
  // execution would otherwise hold a second copy of its input.
  return JSON.parse(exec.input) as Json;
}

/** The states that can Retry: only their context object has `State.RetryCount` (as on AWS). */
const RETRYING_TYPES = new Set(['Task', 'Parallel', 'Map']);

export function contextRef(
  exec: Execution,
  run: Run,
  state: JsonObject,
  token?: string,
  item?: { index: number; value: Json },
): ContextRef {
  let built: JsonObject | undefined;
  return () => {
    if (!built) {
      const stateContext: JsonObject = { EnteredTime: iso(run.entered), Name: run.state };
      if (RETRYING_TYPES.has(state.Type as string)) stateContext.RetryCount = run.retryCount ?? 0;
      built = {
        Execution: executionContext(exec),
        State: stateContext,
        StateMachine: { Id: exec.smArn, Name: exec.smName },
      };
      if (token) built.Task = { Token: token };
      if (item) built.Map = { Item: { Index: item.index, Value: item.value } };
    }
    return built;
  };
}

/**
 * `$$.Execution`, the same for every state of an execution: built once per turn of the
 * interpreter and kept until the turn's journal record (values read from the context are never
 * changed in place). Input and StartTime are computed when read: most paths into $$ never
 * touch them.
 */
function executionContext(exec: Execution): JsonObject {
  if (exec.context) return exec.context;
  const context = {
    Id: exec.arn,
    get Input() {
      return executionInput(exec);
    },
    Name: exec.name,
    RoleArn: exec.role,
    get StartTime() {
      return iso(exec.start);
    },
    RedriveCount: 0,
  } as JsonObject;
  if (exec.status === 'RUNNING') exec.context = context;
  return context;
}

export function enterState(core: EngineCore, exec: Execution, run: Run): void {
  const state = currentState(core, exec, run);
  const type = state.Type as string;
  run.entered = core.clock.now();
  run.retries = undefined;
  run.retryCount = undefined;
  const memo = run as Run & RunMemo;
  const inputText = memo[INPUT_TEXT] ?? JSON.stringify(run.input);
  memo[INPUT_TEXT] = undefined;
  stateEvent(core, exec, run, stateEventType(type, false), inputText, false);
  memo[INPUT_EVENT] = run.prev;
  guard(core, exec, run, () => perform(core, exec, run, state));
}

type Perform = (core: EngineCore, exec: Execution, run: Run, state: JsonObject) => void;

/** What each type of state does once entered (and again on each retry): one file per type. */
const PERFORM = new Map<string, Perform>([
  ['Pass', performPass],
  ['Choice', performChoice],
  ['Wait', performWait],
  ['Succeed', performSucceed],
  ['Fail', performFail],
  ['Task', performTask],
  ['Parallel', performParallel],
  ['Map', performMap],
]);

export function perform(core: EngineCore, exec: Execution, run: Run, state: JsonObject): void {
  const action = PERFORM.get(state.Type as string);
  if (!action) throw runtimeError(`Unknown state type ${String(state.Type)}`);
  action(core, exec, run, state);
}

/** ResultSelector, ResultPath and OutputPath of a state with its result; then leave the state. */
export function finishWithResult(
  core: EngineCore,
  exec: Execution,
  run: Run,
  state: JsonObject,
  result: Json,
): void {
  let selected = result;
  if (state.ResultSelector !== undefined)
    selected = evaluateTemplate(state.ResultSelector, result, contextRef(exec, run, state));
  const output = selectOutput(exec, run, state, applyResultPath(run.input, selected, resultPath(state)));
  exitState(core, exec, run, state, output);
}

/**
 * JSON text of `value`; when it is the state's input itself (a Choice, a Task without
 * InputPath or Parameters), the text its StateEntered event already holds.
 */
export function textOf(exec: Execution, run: Run, value: Json): string {
  const entered = (run as Run & RunMemo)[INPUT_EVENT];
  if (value === run.input && entered !== undefined) {
    const text = documentOf(exec.events[entered - 1]);
    if (text !== undefined) return text;
  }
  return JSON.stringify(value);
}

/** Leaves the current state with `output`: to the next state, or the end of the run. */
export function exitState(
  core: EngineCore,
  exec: Execution,
  run: Run,
  state: JsonObject,
  output: Json,
  next?: string,
): void {
  const outputText = textOf(exec, run, output);
  if (byteLength(outputText) > MAX_PAYLOAD_BYTES) {
    throw new StatesError(
      'States.DataLimitExceeded',
      `The state/task '${run.state}' returned a result with a size exceeding the maximum number of bytes service limit.`,
    );
  }
  const type = state.Type as string;
  stateEvent(core, exec, run, stateEventType(type, true), outputText, true);
  const target =
    next ?? (state.End === true || type === 'Succeed' ? undefined : (state.Next as string | undefined));
  if (target === undefined) {
    succeedRun(core, exec, run, output, outputText);
    return;
  }
  const exitedEvent = run.prev;
  transition(exec, run, target, output);
  (run as Run & RunMemo)[INPUT_TEXT] = outputText;
  (run as Run & RunMemo)[INPUT_EVENT] = exitedEvent;
}

function transition(exec: Execution, run: Run, target: string, input: Json): void {
  cancelTimers(exec, run.id);
  run.state = target;
  run.input = input;
  run.step = { k: 'enter' };
  run.retries = undefined;
  run.retryCount = undefined;
  markDirty(exec, run);
}
