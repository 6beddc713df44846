import { enterState } from '../interpreter/states.ts';
import { changeRecord } from '../journal/records.ts';
import type { EngineCore } from './core.ts';
import { failExecution } from './endings.ts';
import type { Execution, Run } from './model.ts';

/**
 * The scheduler: the ready queue of runs about to enter a state, the turns of the interpreter
 * that drain it, and the journal records written at the end of each turn (group commit), with
 * the actions that must wait until those records are durable (invoking a Lambda function).
 *
 * Every change made while handling one event (an API call, a timer, a task result) is written as
 * one journal record per execution. A Lambda handler is only invoked once the record saying the
 * task started is durable, so after a crash the service knows which invocations may have run.
 */

const MAX_HISTORY_EVENTS = 25_000;
const STEPS_PER_TURN = 250;

export function schedule(core: EngineCore, exec: Execution, runId: string): void {
  const key = `${exec.seq}:${runId}`;
  if (core.queued.has(key)) return;
  core.queued.add(key);
  core.ready.push({ exec, runId });
  kick(core);
}

function kick(core: EngineCore): void {
  if (core.draining || core.closed) return;
  core.draining = true;
  setImmediate(() => drain(core));
}

/**
 * One turn of the interpreter: advance the runs that are ready, then write one journal record
 * per changed execution. Changes made by callbacks, timers and task results since the last
 * turn are written here too, together with what they led to, rather than one record each.
 */
function drain(core: EngineCore): void {
  const batch = core.ready;
  core.ready = [];
  for (const { exec, runId } of batch) {
    core.queued.delete(`${exec.seq}:${runId}`);
    if (core.closed) break;
    const run = exec.runs.get(runId);
    if (!run || exec.status !== 'RUNNING' || run.step.k !== 'enter') continue;
    advance(core, exec, run);
    core.uncommitted.add(exec);
  }
  // A run can release another one (a branch ending its Parallel state): schedule it.
  for (const exec of core.uncommitted) scheduleReleased(core, exec);
  commitAll(core);
  core.draining = false;
  if (core.ready.length > 0) kick(core);
}

export function commitAll(core: EngineCore): void {
  if (core.closed) return;
  for (const exec of core.uncommitted) commit(core, exec);
  core.uncommitted.clear();
  // Everything of this turn is queued: the group commit can start now.
  core.journal.flushNow();
}

/** Writes what changed in `exec` as one journal record. */
export function commit(core: EngineCore, exec: Execution): void {
  if (exec.newEvents.length === 0 && !exec.dirtyRuns && !exec.statusChanged) {
    runAfterSync(core, exec);
    return;
  }
  core.journal.appendLine(changeRecord(exec));
  exec.newEvents = [];
  exec.dirtyRuns = undefined;
  exec.statusChanged = false;
  // Most executions now wait (a callback, a Wait state) for long: they need not hold it.
  exec.context = undefined;
  runAfterSync(core, exec);
}

function runAfterSync(core: EngineCore, exec: Execution): void {
  if (exec.afterSync.length === 0) return;
  for (const action of exec.afterSync) core.afterSyncQueue.push(action);
  exec.afterSync = [];
  if (core.afterSyncScheduled) return;
  core.afterSyncScheduled = true;
  // One sync for everything queued in this turn: they all ride the same group commit.
  queueMicrotask(() => {
    const actions = core.afterSyncQueue;
    core.afterSyncQueue = [];
    core.afterSyncScheduled = false;
    core.journal.sync().then(
      () => {
        for (const action of actions) action();
      },
      (error: unknown) =>
        core.log('error', 'journal sync failed; tasks not started', { error: String(error) }),
    );
  });
}

/** Runs one run through states until it has to wait for something (or its turn ends). */
function advance(core: EngineCore, exec: Execution, run: Run): void {
  let budget = STEPS_PER_TURN;
  while (exec.status === 'RUNNING' && exec.runs.get(run.id) === run && run.step.k === 'enter') {
    if (budget-- === 0) {
      schedule(core, exec, run.id);
      return;
    }
    if (exec.events.length >= MAX_HISTORY_EVENTS) {
      failExecution(
        core,
        exec,
        run,
        'States.Runtime',
        `The execution reached the maximum number of history events (${MAX_HISTORY_EVENTS})`,
      );
      return;
    }
    enterState(core, exec, run);
  }
}

/**
 * The end of handling an event (timer, callback, task result): runs it released into a new
 * state continue on the next turn, and the changes go to the journal.
 */
export function settle(core: EngineCore, exec: Execution): void {
  scheduleReleased(core, exec);
  core.uncommitted.add(exec);
  kick(core);
}

function scheduleReleased(core: EngineCore, exec: Execution): void {
  if (exec.status !== 'RUNNING') return;
  for (const run of exec.runs.values()) {
    if (run.step.k === 'enter') schedule(core, exec, run.id);
  }
}
