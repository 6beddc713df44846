import type { EngineCore } from '../engine/core.ts';
import type { Execution, Run } from '../engine/model.ts';
import type { Json, JsonObject } from './paths/json-path.ts';
import { applyResultPath, evaluateTemplate, selectPath } from './paths/payload.ts';
import { contextRef, effectiveInput, exitState, outputPath, resultPath } from './states.ts';

/** Pass: InputPath, Parameters, Result, ResultPath, OutputPath; then the next state. */
export function performPass(core: EngineCore, exec: Execution, run: Run, state: JsonObject): void {
  let effective = effectiveInput(run, state);
  if (state.Parameters !== undefined)
    effective = evaluateTemplate(state.Parameters, effective, contextRef(exec, run));
  const result = state.Result !== undefined ? (state.Result as Json) : effective;
  const output = selectPath(applyResultPath(run.input, result, resultPath(state)), outputPath(state));
  exitState(core, exec, run, state, output);
}
