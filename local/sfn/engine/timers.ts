import { retryAttempt } from '../interpreter/retry-catch.ts';
import { isCurrentTask, timeOutTask } from '../interpreter/task.ts';
import { waitElapsed } from '../interpreter/wait.ts';
import type { TimerHandle } from './clock.ts';
import type { EngineCore } from './core.ts';
import { timeOutExecution } from './endings.ts';
import type { ArmedTimer, Execution, Run, TaskStep, TimerKind } from './model.ts';
import { settle } from './scheduler.ts';

/**
 * The timers of executions, on the service's clock: the execution's TimeoutSeconds, a Wait
 * state's instant or a retry back-off ("step"), a task's timeout and heartbeat. Each is recorded
 * as an absolute instant in the run's step, so recovery re-arms it at its original instant.
 */

const NO_HANDLE: TimerHandle = { cancel: () => undefined };

function setTimer(
  core: EngineCore,
  exec: Execution,
  kind: TimerKind,
  runId: string,
  at: number,
  seq = 0,
): void {
  cancelTimer(exec, kind, runId);
  const timer: ArmedTimer = { kind, runId, seq, handle: NO_HANDLE };
  // One closure per timer; what firing means is decided from the execution's state then.
  timer.handle = core.clock.setTimer(at, () => timerFired(core, exec, timer));
  if (!exec.timers) exec.timers = [];
  exec.timers.push(timer);
}

function cancelTimer(exec: Execution, kind: TimerKind, runId: string): void {
  const timers = exec.timers;
  if (!timers) return;
  const index = timers.findIndex((t) => t.kind === kind && t.runId === runId);
  if (index < 0) return;
  timers[index]?.handle.cancel();
  timers.splice(index, 1);
  if (timers.length === 0) exec.timers = undefined;
}

function timerFired(core: EngineCore, exec: Execution, timer: ArmedTimer): void {
  const timers = exec.timers;
  const index = timers ? timers.indexOf(timer) : -1;
  if (!timers || index < 0) return;
  timers.splice(index, 1);
  if (timers.length === 0) exec.timers = undefined;
  if (core.closed || exec.status !== 'RUNNING') return;
  if (timer.kind === 'execution') {
    timeOutExecution(core, exec);
  } else {
    const run = exec.runs.get(timer.runId);
    if (!run) return;
    if (timer.kind === 'step') stepTimerFired(core, exec, run);
    else if (isCurrentTask(exec, run.id, timer.seq)) {
      timeOutTask(core, exec, run, run.step as TaskStep, timer.kind === 'heartbeat');
    }
  }
  settle(core, exec);
}

/** Drops the timers of a run (its step, task timeout and heartbeat). */
export function cancelTimers(exec: Execution, runId: string): void {
  if (!exec.timers) return;
  for (const kind of ['step', 'timeout', 'heartbeat'] as const) cancelTimer(exec, kind, runId);
}

export function armExecutionTimeout(core: EngineCore, exec: Execution): void {
  if (exec.timeoutAt === undefined) return;
  setTimer(core, exec, 'execution', '', exec.timeoutAt);
}

/** The timer of a Wait state or of a retry back-off. */
export function armStepTimer(core: EngineCore, exec: Execution, run: Run): void {
  const step = run.step;
  if (step.k !== 'wait' && step.k !== 'retry') return;
  setTimer(core, exec, 'step', run.id, step.until);
}

/** A Wait state's instant or a retry back-off has come. */
function stepTimerFired(core: EngineCore, exec: Execution, run: Run): void {
  const step = run.step;
  if (step.k === 'wait') waitElapsed(core, exec, run);
  else if (step.k === 'retry') retryAttempt(core, exec, run);
}

export function armTaskTimers(core: EngineCore, exec: Execution, run: Run, step: TaskStep): void {
  if (step.timeoutAt !== undefined) setTimer(core, exec, 'timeout', run.id, step.timeoutAt, step.seq);
  if (step.heartbeatAt !== undefined) setTimer(core, exec, 'heartbeat', run.id, step.heartbeatAt, step.seq);
}
