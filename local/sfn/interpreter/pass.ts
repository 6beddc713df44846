import type { EngineCore } from '../engine/core.ts';
import type { Execution, Run } from '../engine/model.ts';
import type { Json, JsonObject } from './paths/json-path.ts';
import { applyResultPath, evaluateTemplate } from './paths/payload.ts';
import { contextRef, effectiveInput, exitState, resultPath, selectOutput } from './states.ts';

/** Pass: InputPath, Parameters, Result, ResultPath, OutputPath; then the next state. */
export function performPass(core: EngineCore, exec: Execution, run: Run, state: JsonObject): void {
  let effective = effectiveInput(exec, run, state);
  if (state.Parameters !== undefined)
    effective = evaluateTemplate(state.Parameters, effective, contextRef(exec, run, state));
  const result = state.Result !== undefined ? (state.Result as Json) : effective;
  const output = selectOutput(exec, run, state, applyResultPath(run.input, result, resultPath(state)));
  exitState(core, exec, run, state, output);
}
