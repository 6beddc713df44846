import type { EngineCore } from '../engine/core.ts';
import type { Execution, Run } from '../engine/model.ts';
import { runtimeError } from './errors.ts';
import { evaluateIntrinsic, isIntrinsic } from './intrinsics.ts';
import type { JsonObject } from './paths/json-path.ts';
import { readPath } from './paths/payload.ts';
import { failRun } from './runs.ts';
import { contextRef, effectiveInput, exitState, selectOutput } from './states.ts';

/** The terminal states: Succeed (InputPath, OutputPath) and Fail (Error/Cause or their paths). */

export function performSucceed(core: EngineCore, exec: Execution, run: Run, state: JsonObject): void {
  const output = selectOutput(exec, run, state, effectiveInput(exec, run, state));
  exitState(core, exec, run, state, output);
}

export function performFail(core: EngineCore, exec: Execution, run: Run, state: JsonObject): void {
  const context = contextRef(exec, run, state);
  const pick = (literal: unknown, path: unknown, field: string): string | undefined => {
    if (typeof literal === 'string') return literal;
    if (typeof path !== 'string') return undefined;
    const value = isIntrinsic(path)
      ? evaluateIntrinsic(path, { input: run.input, context })
      : (() => {
          const found = readPath(path, run.input, context);
          if (!found.found) {
            throw runtimeError(
              `The JSONPath '${path}' specified for the field '${field}' could not be found in the input '${JSON.stringify(run.input)}'`,
            );
          }
          return found.value;
        })();
    return typeof value === 'string' ? value : JSON.stringify(value);
  };
  const error = pick(state.Error, state.ErrorPath, 'ErrorPath');
  const cause = pick(state.Cause, state.CausePath, 'CausePath');
  failRun(core, exec, run, error, cause);
}
