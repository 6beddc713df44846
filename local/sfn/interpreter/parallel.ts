import type { EngineCore } from '../engine/core.ts';
import type { Execution, Run } from '../engine/model.ts';
import { schedule } from '../engine/scheduler.ts';
import { event } from '../history/builders.ts';
import type { JsonObject } from './paths/json-path.ts';
import { evaluateTemplate } from './paths/payload.ts';
import { awaitChildren, newChildRun } from './runs.ts';
import { contextRef, definitionOf, effectiveInput } from './states.ts';

/** Parallel: one child run per branch, all started at once; the results in branch order (runs.ts). */
export function performParallel(core: EngineCore, exec: Execution, run: Run, state: JsonObject): void {
  let effective = effectiveInput(exec, run, state);
  if (state.Parameters !== undefined)
    effective = evaluateTemplate(state.Parameters, effective, contextRef(exec, run, state));
  const scopes = definitionOf(core, exec).scopes[run.scope]?.children.get(run.state) ?? [];
  const startedEventId = event(core, exec, run, 'ParallelStateStarted');
  const started = awaitChildren(core, exec, run, {
    type: 'Parallel',
    total: scopes.length,
    launched: scopes.length,
    max: 0,
    items: undefined,
    effective,
    startedEventId,
  });
  if (!started) return;
  scopes.forEach((scopeId, slot) => {
    const child = newChildRun(core, exec, run, slot, scopeId, effective, startedEventId);
    schedule(core, exec, child.id);
  });
}
