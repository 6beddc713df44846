import { failTaskAttempt } from '../interpreter/task.ts';
import type { JournalRecord } from '../journal/format.ts';
import { appendStoredEvents, eventDocument, executionMeta, journalForm } from '../journal/records.ts';
import type { EngineCore } from './core.ts';
import type { ExecutionStatus, Run, StateMachine, TaskStep } from './model.ts';
import { newExecution, newRun } from './model.ts';
import { schedule, settle } from './scheduler.ts';
import { armExecutionTimeout, armStepTimer, armTaskTimers } from './timers.ts';

/**
 * Recovery: the journal's records replayed into the engine's state (`applyRecord`), the state
 * written whole as a snapshot (`snapshot`), and running executions resumed after a restart
 * (`resume`): timers re-armed, task tokens valid again, interrupted invocations reported.
 */

const RESUME_CAUSE =
  'The local Step Functions service stopped while this function was running; whether it completed is unknown (an AWS Lambda service error would look the same).';

export function applyRecord(core: EngineCore, record: JournalRecord): void {
  switch (record.t) {
    case 'def':
      core.definitions.set(record.h as string, { text: record.text as string });
      break;
    case 'sm':
      core.stateMachines.set((record.sm as StateMachine).arn, record.sm as StateMachine);
      break;
    case 'smdel':
      core.stateMachines.delete(record.arn as string);
      break;
    case 'ex': {
      const exec = newExecution({
        seq: record.seq as number,
        arn: record.arn as string,
        name: record.name as string,
        smArn: record.sm as string,
        smName: record.smName as string,
        def: record.def as string,
        role: record.role as string,
        input: record.input as string,
        start: record.start as number,
        timeoutAt: record.timeoutAt as number | undefined,
      });
      exec.status = (record.status as ExecutionStatus | undefined) ?? 'RUNNING';
      appendStoredEvents(exec.events, record.e);
      for (const [id, run] of Object.entries((record.r as Record<string, Run> | undefined) ?? {})) {
        exec.runs.set(id, newRun(run));
      }
      exec.nextRun = (record.nr as number | undefined) ?? 1;
      exec.nextTask = (record.nt as number | undefined) ?? 1;
      exec.stop = record.stop as number | undefined;
      exec.output = record.output as string | undefined;
      exec.error = record.error as string | undefined;
      exec.cause = record.cause as string | undefined;
      core.register(exec);
      core.nextSeq = Math.max(core.nextSeq, exec.seq + 1);
      break;
    }
    case 'st': {
      const exec = core.executionsBySeq.get(record.s as number);
      if (!exec) throw new Error(`journal names unknown execution ${String(record.s)}`);
      appendStoredEvents(exec.events, record.e);
      if (record.r) {
        for (const [id, run] of Object.entries(
          record.r as Record<string, (Run & { ki?: 1; ie?: number }) | null>,
        )) {
          if (run === null) {
            exec.runs.delete(id);
          } else {
            if (run.ki === 1) {
              run.input = exec.runs.get(id)?.input ?? null;
              delete run.ki;
            } else if (typeof run.ie === 'number') {
              run.input = eventDocument(exec.events[run.ie - 1]);
              delete run.ie;
            }
            exec.runs.set(id, newRun(run));
          }
        }
      }
      if (Array.isArray(record.n)) [exec.nextRun, exec.nextTask] = record.n as [number, number];
      if (record.x) {
        const x = record.x as {
          status: ExecutionStatus;
          stop?: number;
          output?: string;
          error?: string;
          cause?: string;
        };
        exec.status = x.status;
        exec.stop = x.stop;
        exec.output = x.output;
        exec.error = x.error;
        exec.cause = x.cause;
      }
      break;
    }
    default:
      throw new Error(`unknown journal record type ${String(record.t)}`);
  }
}

export function snapshot(core: EngineCore): Array<{ record: JournalRecord; rawEvents?: readonly string[] }> {
  const records: Array<{ record: JournalRecord; rawEvents?: readonly string[] }> = [];
  for (const [h, { text }] of core.definitions) records.push({ record: { t: 'def', h, text } });
  for (const sm of core.stateMachines.values()) records.push({ record: { t: 'sm', sm } });
  for (const exec of core.executionsBySeq.values()) {
    const record: JournalRecord = {
      t: 'ex',
      ...executionMeta(exec),
      status: exec.status,
      r: Object.fromEntries(exec.runs.entries()),
      nr: exec.nextRun,
      nt: exec.nextTask,
    };
    if (exec.stop !== undefined) record.stop = exec.stop;
    if (exec.output !== undefined) record.output = exec.output;
    if (exec.error !== undefined) record.error = exec.error;
    if (exec.cause !== undefined) record.cause = exec.cause;
    // The history is copied: the execution may go on while the snapshot is written.
    records.push({ record, rawEvents: exec.events.map((event) => journalForm(event, exec.events)) });
  }
  return records;
}

/** After replay: re-arm every timer, re-index tokens, and settle tasks cut off by the crash. */
export function resume(core: EngineCore): void {
  let resumed = 0;
  for (const exec of core.executionsBySeq.values()) {
    if (exec.status !== 'RUNNING') continue;
    resumed++;
    armExecutionTimeout(core, exec);
    const interrupted: Run[] = [];
    for (const run of exec.runs.values()) {
      const step = run.step;
      if (step.k === 'enter') schedule(core, exec, run.id);
      else if (step.k === 'wait' || step.k === 'retry') armStepTimer(core, exec, run);
      else if (step.k === 'task') {
        if (step.token) core.activeTokens.set(step.token, { exec, runId: run.id });
        // An invocation in flight when the process died may or may not have run: report it as
        // Lambda does a lost response (Lambda.ServiceException), for Retry/Catch to decide.
        if (step.phase === 'invoking') interrupted.push(run);
        else armTaskTimers(core, exec, run, step);
      }
    }
    for (const run of interrupted) {
      const step = run.step as TaskStep;
      if (exec.status !== 'RUNNING' || exec.runs.get(run.id) !== run) continue;
      failTaskAttempt(core, exec, run, step, 'Lambda.ServiceException', RESUME_CAUSE);
    }
    settle(core, exec);
  }
  if (resumed > 0) core.log('info', 'executions resumed after restart', { count: resumed });
}
