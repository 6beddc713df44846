import type { EngineCore } from '../engine/core.ts';
import { type Execution, markDirty, type Run } from '../engine/model.ts';
import { armStepTimer } from '../engine/timers.ts';
import { parseTimestamp } from './choice.ts';
import { runtimeError } from './errors.ts';
import type { JsonObject } from './paths/json-path.ts';
import { readPath } from './paths/payload.ts';
import { contextRef, currentState, effectiveInput, exitState, guard, selectOutput } from './states.ts';

/**
 * Wait (Seconds, Timestamp, SecondsPath, TimestampPath): the run waits until an instant, a timer
 * on the service's clock, then leaves the state.
 */
export function performWait(core: EngineCore, exec: Execution, run: Run, state: JsonObject): void {
  const effective = effectiveInput(exec, run, state);
  let until: number;
  if (typeof state.Seconds === 'number') until = run.entered + state.Seconds * 1000;
  else if (typeof state.Timestamp === 'string') {
    const at = parseTimestamp(state.Timestamp);
    if (at === undefined) throw runtimeError(`The Timestamp '${state.Timestamp}' is not a valid timestamp`);
    until = at;
  } else if (typeof state.SecondsPath === 'string') {
    const found = readPath(state.SecondsPath, effective, contextRef(exec, run, state));
    if (!found.found) throw runtimeError(`Invalid path '${state.SecondsPath}' : No results for path`);
    const value = found.value;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw runtimeError(
        `The SecondsPath parameter does not reference a valid non-negative integer value: ${JSON.stringify(value)}`,
      );
    }
    until = run.entered + value * 1000;
  } else if (typeof state.TimestampPath === 'string') {
    const found = readPath(state.TimestampPath, effective, contextRef(exec, run, state));
    if (!found.found) throw runtimeError(`Invalid path '${state.TimestampPath}' : No results for path`);
    const at = parseTimestamp(found.value);
    if (at === undefined) {
      throw runtimeError(
        `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${JSON.stringify(found.value)}`,
      );
    }
    until = at;
  } else {
    throw runtimeError('The Wait state has no duration');
  }
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
