import type { EngineCore } from '../engine/core.ts';
import { deleteRun, failExecution, finishExecution } from '../engine/endings.ts';
import { type ChildrenStep, type Execution, markDirty, newRun, type Run } from '../engine/model.ts';
import { event } from '../history/builders.ts';
import { NOT_TRUNCATED } from '../history/events.ts';
import type { Scope } from './definition.ts';
import { StatesError } from './errors.ts';
import { launchIterations } from './map.ts';
import type { Json } from './paths/json-path.ts';
import { handleError, willRetry } from './retry-catch.ts';
import { currentState, definitionOf, finishWithResult, guard } from './states.ts';

/**
 * Runs: the root run of an execution, and one child run per Parallel branch and Map iteration.
 * How a run ends decides what follows: the root ends the execution; a child reports to its
 * Parallel or Map state, which goes on once every child has succeeded or fails with the first.
 */

/** A child run of `parent` (a branch or an iteration), about to enter its first state. */
export function newChildRun(
  core: EngineCore,
  exec: Execution,
  parent: Run,
  slot: number,
  scopeId: number,
  input: Json,
  prev: number,
): Run {
  const scope = definitionOf(core, exec).scopes[scopeId] as Scope;
  const child = newRun({
    id: String(exec.nextRun++),
    parent: parent.id,
    slot,
    scope: scopeId,
    state: scope.startAt,
    input,
    entered: core.clock.now(),
    prev,
    step: { k: 'enter' },
  });
  exec.runs.set(child.id, child);
  markDirty(exec, child);
  return child;
}

/**
 * A Parallel or Map state now waits for its children (branches, iterations). Without any, it
 * has succeeded at once: then undefined, else its step.
 */
export function awaitChildren(
  core: EngineCore,
  exec: Execution,
  run: Run,
  fields: Pick<
    ChildrenStep,
    'type' | 'total' | 'launched' | 'max' | 'items' | 'effective' | 'startedEventId'
  >,
): ChildrenStep | undefined {
  // The fields in the order the journal has always written them (items only for a Map).
  const step: ChildrenStep = {
    k: 'children',
    type: fields.type,
    total: fields.total,
    done: 0,
    results: new Array<Json>(fields.total).fill(null),
    launched: fields.launched,
    max: fields.max,
    items: fields.items,
    effective: fields.effective,
    startedEventId: fields.startedEventId,
  };
  run.step = step;
  markDirty(exec, run);
  if (step.total > 0) return step;
  childrenSucceeded(core, exec, run, step);
  return undefined;
}

/** Every branch or iteration succeeded: the Parallel or Map state goes on with their results. */
export function childrenSucceeded(core: EngineCore, exec: Execution, run: Run, step: ChildrenStep): void {
  const state = currentState(core, exec, run);
  event(core, exec, run, step.type === 'Parallel' ? 'ParallelStateSucceeded' : 'MapStateSucceeded');
  const results = step.results;
  run.step = { k: 'enter' };
  markDirty(exec, run);
  guard(core, exec, run, () => finishWithResult(core, exec, run, state, results));
}

export function succeedRun(
  core: EngineCore,
  exec: Execution,
  run: Run,
  output: Json,
  outputText: string,
): void {
  if (run.parent === undefined) {
    event(core, exec, run, 'ExecutionSucceeded', {
      executionSucceededEventDetails: { output: outputText, outputDetails: NOT_TRUNCATED },
    });
    finishExecution(core, exec, 'SUCCEEDED', { output: outputText });
    return;
  }
  const parent = exec.runs.get(run.parent);
  deleteRun(core, exec, run);
  if (parent?.step.k !== 'children') return;
  const step = parent.step;
  const slot = run.slot ?? 0;
  step.results[slot] = output;
  step.done++;
  markDirty(exec, parent);
  if (step.type === 'Map') {
    parent.prev = run.prev;
    event(core, exec, parent, 'MapIterationSucceeded', {
      mapIterationSucceededEventDetails: { name: parent.state, index: slot },
    });
    if (step.done < step.total) {
      const state = currentState(core, exec, parent);
      guard(core, exec, parent, () => launchIterations(core, exec, parent, state, step));
      return;
    }
  } else if (step.done < step.total) {
    return;
  } else {
    parent.prev = run.prev;
  }
  childrenSucceeded(core, exec, parent, step);
}

/** A run ended in error with no Retry/Catch of its own left to try. */
export function failRun(
  core: EngineCore,
  exec: Execution,
  run: Run,
  error: string | undefined,
  cause: string | undefined,
): void {
  if (run.parent === undefined) {
    // An error without a name (an empty Fail state, passed up through a Parallel or Map as '')
    // is reported without an error field, as AWS does.
    failExecution(core, exec, run, error === '' ? undefined : error, cause);
    return;
  }
  const parent = exec.runs.get(run.parent);
  deleteRun(core, exec, run);
  if (parent?.step.k !== 'children') return;
  const step = parent.step;
  parent.prev = run.prev;
  if (step.type === 'Map') {
    event(core, exec, parent, 'MapIterationFailed', {
      mapIterationFailedEventDetails: { name: parent.state, index: run.slot ?? 0 },
    });
  }
  // The other branches / iterations are stopped.
  for (const sibling of [...exec.runs.values()]) {
    if (sibling.parent !== parent.id) continue;
    if (step.type === 'Map') {
      event(core, exec, parent, 'MapIterationAborted', {
        mapIterationAbortedEventDetails: { name: parent.state, index: sibling.slot ?? 0 },
      });
    }
    deleteRunTree(core, exec, sibling);
  }
  const failure = new StatesError(error ?? '', cause);
  // AWS records the state's failure once, when it has no retry left: an attempt that is retried
  // ends with its iterations' or branches' events only.
  if (!willRetry(core, exec, parent, failure.error)) {
    event(core, exec, parent, step.type === 'Parallel' ? 'ParallelStateFailed' : 'MapStateFailed');
  }
  parent.step = { k: 'enter' };
  markDirty(exec, parent);
  guard(core, exec, parent, () => handleError(core, exec, parent, failure));
}

function deleteRunTree(core: EngineCore, exec: Execution, run: Run): void {
  for (const child of [...exec.runs.values()]) {
    if (child.parent === run.id) deleteRunTree(core, exec, child);
  }
  deleteRun(core, exec, run);
}
