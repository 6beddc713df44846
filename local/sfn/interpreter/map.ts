import type { EngineCore } from '../engine/core.ts';
import { type ChildrenStep, type Execution, markDirty, type Run } from '../engine/model.ts';
import { schedule } from '../engine/scheduler.ts';
import { event } from '../history/builders.ts';
import { isGenericEvent } from '../history/events.ts';
import { runtimeError } from './errors.ts';
import type { Json, JsonObject } from './paths/json-path.ts';
import { evaluateTemplate, readPath, selectPath } from './paths/payload.ts';
import { awaitChildren, newChildRun } from './runs.ts';
import { contextRef, definitionOf, effectiveInput } from './states.ts';

/**
 * Map (inline): one child run per item of ItemsPath, at most MaxConcurrency(Path) at a time, each
 * item shaped by ItemSelector (or Parameters); the results in item order (runs.ts).
 */
export function performMap(core: EngineCore, exec: Execution, run: Run, state: JsonObject): void {
  const context = contextRef(exec, run, state);
  const effective = effectiveInput(exec, run, state);
  const items =
    typeof state.ItemsPath === 'string' ? selectPath(effective, state.ItemsPath, context) : effective;
  if (!Array.isArray(items)) {
    throw runtimeError(
      `Item path ${String(state.ItemsPath ?? '$')} for the Map state must resolve to a JSON array, got ${JSON.stringify(items)}`,
    );
  }
  let max = typeof state.MaxConcurrency === 'number' ? state.MaxConcurrency : 0;
  if (typeof state.MaxConcurrencyPath === 'string') {
    const found = readPath(state.MaxConcurrencyPath, run.input, context);
    if (
      !found.found ||
      typeof found.value !== 'number' ||
      !Number.isInteger(found.value) ||
      found.value < 0
    ) {
      throw runtimeError(
        `MaxConcurrencyPath ${state.MaxConcurrencyPath} does not give a non-negative integer`,
      );
    }
    max = found.value;
  }
  const startedEventId = event(core, exec, run, 'MapStateStarted', {
    mapStateStartedEventDetails: { length: items.length },
  });
  const step = awaitChildren(core, exec, run, {
    type: 'Map',
    total: items.length,
    launched: 0,
    max,
    items,
    effective,
    startedEventId,
  });
  if (!step) return;
  launchIterations(core, exec, run, state, step);
}

/** Starts iterations while MaxConcurrency allows (again each time one succeeds). */
export function launchIterations(
  core: EngineCore,
  exec: Execution,
  run: Run,
  state: JsonObject,
  step: ChildrenStep,
): void {
  const scopeId = definitionOf(core, exec).scopes[run.scope]?.children.get(run.state)?.[0];
  if (scopeId === undefined) throw runtimeError('The Map state has no item processor');
  const items = step.items ?? [];
  const selector = state.ItemSelector ?? state.Parameters;
  while (step.launched < items.length && (step.max === 0 || step.launched - step.done < step.max)) {
    const index = step.launched++;
    const value = items[index] as Json;
    const input =
      selector === undefined
        ? value
        : evaluateTemplate(
            selector,
            step.effective,
            contextRef(exec, run, state, undefined, { index, value }),
          );
    const startedId = event(
      core,
      exec,
      run,
      'MapIterationStarted',
      { mapIterationStartedEventDetails: { name: run.state, index } },
      index === 0 ? step.startedEventId : lastEventOfIteration(exec, run, step, index - 1),
    );
    const child = newChildRun(core, exec, run, index, scopeId, input, startedId);
    schedule(core, exec, child.id);
  }
  markDirty(exec, run);
}

/**
 * The last event so far of iteration `index`, which the next iteration's MapIterationStarted
 * points at (as AWS chains them): the newest event of its run while it runs, else the
 * MapIterationSucceeded/Failed that ended it.
 */
function lastEventOfIteration(exec: Execution, run: Run, step: ChildrenStep, index: number): number {
  for (const child of exec.runs.values()) {
    if (child.parent === run.id && child.slot === index) return child.prev;
  }
  for (let id = exec.events.length; id > step.startedEventId; id--) {
    const found = exec.events[id - 1];
    if (!found || !isGenericEvent(found)) continue;
    if (found.type !== 'MapIterationSucceeded' && found.type !== 'MapIterationFailed') continue;
    const details = found.details;
    if (details?.index === index && details.name === run.state) return id;
  }
  return step.startedEventId;
}
