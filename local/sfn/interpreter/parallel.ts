import type { EngineCore } from '../engine/core.ts';
import { type ChildrenStep, type Execution, markDirty, type Run } from '../engine/model.ts';
import { schedule } from '../engine/scheduler.ts';
import { event } from '../history/builders.ts';
import type { JsonObject } from './paths/json-path.ts';
import { evaluateTemplate } from './paths/payload.ts';
import { childrenSucceeded, newChildRun } from './runs.ts';
import { contextRef, definitionOf, effectiveInput } from './states.ts';

/** Parallel: one child run per branch, all started at once; the results in branch order (runs.ts). */
export function performParallel(core: EngineCore, exec: Execution, run: Run, state: JsonObject): void {
  let effective = effectiveInput(run, state);
  if (state.Parameters !== undefined)
    effective = evaluateTemplate(state.Parameters, effective, contextRef(exec, run));
  const scopes = definitionOf(core, exec).scopes[run.scope]?.children.get(run.state) ?? [];
  const startedEventId = event(core, exec, run, 'ParallelStateStarted');
  const step: ChildrenStep = {
    k: 'children',
    type: 'Parallel',
    total: scopes.length,
    done: 0,
    results: scopes.map(() => null),
    launched: scopes.length,
    max: 0,
    effective,
    startedEventId,
  };
  run.step = step;
  markDirty(exec, run);
  if (scopes.length === 0) {
    childrenSucceeded(core, exec, run, step);
    return;
  }
  scopes.forEach((scopeId, slot) => {
    const child = newChildRun(core, exec, run, slot, scopeId, effective, startedEventId);
    schedule(core, exec, child.id);
  });
}
