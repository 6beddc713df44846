import type { EngineCore } from '../engine/core.ts';
import { type Execution, markDirty, type Run } from '../engine/model.ts';
import { armStepTimer } from '../engine/timers.ts';
import { parseTimestamp } from './choice.ts';
import { runtimeError } from './errors.ts';
import type { Json, JsonObject } from './paths/json-path.ts';
import { readPath } from './paths/payload.ts';
import { contextRef, currentState, effectiveInput, exitState, guard, selectOutput } from './states.ts';

/**
 * The longest wait of a standard workflow: AWS documents one year ("Wait workflow state") and
 * fails the execution at once with States.Runtime when a Wait asks for more.
 */
const MAX_WAIT_MS = 365 * 86_400_000;

/** `path == value` as AWS's causes show what a Wait path read (a string without quotes). */
const assignment = (path: string, value: Json) =>
  `${path} == ${typeof value === 'string' ? value : JSON.stringify(value)}`;

/**
 * Wait (Seconds, Timestamp, SecondsPath, TimestampPath): the run waits until an instant, a timer
 * on the service's clock, then leaves the state. Causes of failures follow AWS's wording.
 */
export function performWait(core: EngineCore, exec: Execution, run: Run, state: JsonObject): void {
  const effective = effectiveInput(exec, run, state);
  let until: number;
  if (typeof state.Seconds === 'number') until = run.entered + state.Seconds * 1000;
  else if (typeof state.Timestamp === 'string') {
    const at = parseTimestamp(state.Timestamp);
    if (at === undefined) {
      throw runtimeError(
        `The Timestamp parameter does not reference a valid ISO-8601 extended offset date-time format string: ${state.Timestamp}`,
      );
    }
    until = at;
  } else if (typeof state.SecondsPath === 'string') {
    const path = state.SecondsPath;
    const found = readPath(path, effective, contextRef(exec, run, state));
    if (!found.found)
      throw runtimeError(`The SecondsPath parameter does not reference an input value: ${path}`);
    const value = found.value;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw runtimeError(
        `The SecondsPath parameter cannot be parsed as a long value: ${assignment(path, value)}`,
      );
    }
    if (value < 0) {
      throw runtimeError(`The SecondsPath parameter references a negative value: ${assignment(path, value)}`);
    }
    until = run.entered + value * 1000;
  } else if (typeof state.TimestampPath === 'string') {
    const path = state.TimestampPath;
    const found = readPath(path, effective, contextRef(exec, run, state));
    if (!found.found)
      throw runtimeError(`The TimestampPath parameter does not reference an input value: ${path}`);
    const at = parseTimestamp(found.value);
    if (at === undefined) {
      throw runtimeError(
        `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${assignment(path, found.value)}`,
      );
    }
    until = at;
  } else {
    throw runtimeError('The Wait state has no duration');
  }
  if (until - run.entered > MAX_WAIT_MS) throw runtimeError('Wait state delay is too long');
  run.step = { k: 'wait', until };
  markDirty(exec, run);
  armStepTimer(core, exec, run);
}

/** The Wait state's instant has come: leave the state. */
export function waitElapsed(core: EngineCore, exec: Execution, run: Run): void {
  const state = currentState(core, exec, run);
  run.step = { k: 'enter' };
  markDirty(exec, run);
  guard(core, exec, run, () => {
    exitState(core, exec, run, state, selectOutput(exec, run, state, effectiveInput(exec, run, state)));
  });
}
