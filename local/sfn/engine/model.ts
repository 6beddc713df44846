import type { StoredEvent } from '../history/events.ts';
import type { Json, JsonObject } from '../interpreter/paths/json-path.ts';
import type { TimerHandle } from './clock.ts';

/**
 * The data the engine keeps: state machines, executions and their runs.
 *
 * An execution is a set of "runs": the root run, plus one run per Parallel branch and per Map
 * iteration in progress. A run is plain data (which state, its input, what it is doing: entering
 * a state, waiting until an instant, a task in flight, waiting for its children), so the whole
 * execution can be written to the journal after every step and rebuilt exactly after a crash.
 */

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
export const EXECUTION_STATUSES: ExecutionStatus[] = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
];

export type Logger = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: object) => void;

export interface TaskStep {
  k: 'task';
  /** Task attempt number within the execution: what a task token names. */
  seq: number;
  /** Task* events (optimized integration) or LambdaFunction* events (plain function ARN). */
  family: 'task' | 'lambda';
  resource: string;
  callback: boolean;
  token?: string;
  phase: 'invoking' | 'waiting';
  timeoutAt?: number;
  heartbeatSeconds?: number;
  heartbeatAt?: number;
}

export interface ChildrenStep {
  k: 'children';
  type: 'Parallel' | 'Map';
  total: number;
  done: number;
  results: Json[];
  /** Map: how many iterations were started so far (MaxConcurrency). */
  launched: number;
  max: number;
  items?: Json[];
  effective: Json;
  startedEventId: number;
}

export type Step =
  | { k: 'enter' }
  | { k: 'wait'; until: number }
  | { k: 'retry'; until: number }
  | TaskStep
  | ChildrenStep;

export interface Run {
  id: string;
  parent?: string;
  /** Branch index (Parallel) or item index (Map) in the parent. */
  slot?: number;
  scope: number;
  state: string;
  /** The raw input of the current state. */
  input: Json;
  /** When the current state was entered (epoch ms). */
  entered: number;
  /** Id of the last history event of this run, for previousEventId. */
  prev: number;
  retries?: number[];
  retryCount?: number;
  step: Step;
}

export interface StateMachine {
  arn: string;
  name: string;
  type: 'STANDARD';
  roleArn: string;
  def: string;
  created: number;
  updated?: number;
  revisionId?: string;
  logging: Json;
  tracing: Json;
  description?: string;
}

export interface Execution {
  seq: number;
  arn: string;
  name: string;
  smArn: string;
  smName: string;
  def: string;
  role: string;
  input: string;
  start: number;
  status: ExecutionStatus;
  stop?: number;
  output?: string;
  error?: string;
  cause?: string;
  timeoutAt?: number;
  events: StoredEvent[];
  runs: RunTable;
  nextRun: number;
  nextTask: number;
  // Not persisted: rebuilt or recomputed.
  newEvents: StoredEvent[];
  /** Runs changed since the last journal record; created when needed (most executions wait). */
  dirtyRuns?: Map<string, Run | null>;
  statusChanged: boolean;
  afterSync: Array<() => void>;
  /** The armed timers (a handful at most); absent when none is armed. */
  timers?: ArmedTimer[];
  /** `$$.Execution` once built (see executionContext in ../interpreter/states.ts); dropped at each journal record. */
  context?: JsonObject;
}

export type TimerKind = 'execution' | 'step' | 'timeout' | 'heartbeat';

/** A timer of an execution: what it is for, and the clock's handle to cancel it. */
export interface ArmedTimer {
  kind: TimerKind;
  runId: string;
  /** Task attempt a timeout belongs to (0 for other kinds). */
  seq: number;
  handle: TimerHandle;
}

/**
 * The runs of an execution, by id. Nearly every execution has one run (no Parallel or Map in
 * progress): a short array then costs far less than a Map.
 */
export class RunTable {
  private readonly list: Run[] = [];

  get size(): number {
    return this.list.length;
  }

  get(id: string): Run | undefined {
    for (const run of this.list) if (run.id === id) return run;
    return undefined;
  }

  set(id: string, run: Run): void {
    const index = this.list.findIndex((r) => r.id === id);
    if (index >= 0) this.list[index] = run;
    else this.list.push(run);
  }

  delete(id: string): void {
    const index = this.list.findIndex((r) => r.id === id);
    if (index >= 0) this.list.splice(index, 1);
  }

  values(): Run[] {
    return this.list;
  }

  entries(): Array<[string, Run]> {
    return this.list.map((run) => [run.id, run]);
  }
}

/** A task step with all its fields present from the start (one shape, no property array). */
export function taskStep(
  seq: number,
  family: TaskStep['family'],
  resource: string,
  callback: boolean,
): TaskStep {
  return {
    k: 'task',
    seq,
    family,
    resource,
    callback,
    token: undefined,
    phase: 'invoking',
    timeoutAt: undefined,
    heartbeatSeconds: undefined,
    heartbeatAt: undefined,
  };
}

/** Every field present from the start: one object shape, properties stored in the object. */
export function newExecution(
  fields: Pick<
    Execution,
    'seq' | 'arn' | 'name' | 'smArn' | 'smName' | 'def' | 'role' | 'input' | 'start' | 'timeoutAt'
  >,
): Execution {
  return {
    seq: fields.seq,
    arn: fields.arn,
    name: fields.name,
    smArn: fields.smArn,
    smName: fields.smName,
    def: fields.def,
    role: fields.role,
    input: fields.input,
    start: fields.start,
    timeoutAt: fields.timeoutAt,
    status: 'RUNNING',
    stop: undefined,
    output: undefined,
    error: undefined,
    cause: undefined,
    events: [],
    runs: new RunTable(),
    nextRun: 1,
    nextTask: 1,
    newEvents: [],
    dirtyRuns: undefined,
    statusChanged: false,
    afterSync: [],
    timers: undefined,
    context: undefined,
  };
}

/** A run with all its fields (and the transient memo slots) from the start. */
export function newRun(fields: Omit<Run, 'parent' | 'slot'> & Partial<Run>): Run & RunMemo {
  return {
    id: fields.id,
    parent: fields.parent,
    slot: fields.slot,
    scope: fields.scope,
    state: fields.state,
    input: fields.input,
    entered: fields.entered,
    prev: fields.prev,
    retries: fields.retries,
    retryCount: fields.retryCount,
    step: fields.step,
    [PERSISTED_INPUT]: undefined,
    [INPUT_TEXT]: undefined,
    [INPUT_EVENT]: undefined,
  };
}

/**
 * Transient facts about a run, under symbol keys so JSON.stringify (the journal) skips them:
 * the input last written to the journal (a delta can then leave it out) and the input's JSON
 * text when the previous state already produced it.
 */
export const PERSISTED_INPUT = Symbol('persistedInput');
export const INPUT_TEXT = Symbol('inputText');
/** Id of a history event whose document is exactly the run's input (its StateEntered, or the
 * StateExited of the state before): the journal points at it instead of repeating the input. */
export const INPUT_EVENT = Symbol('inputEvent');
export type RunMemo = { [PERSISTED_INPUT]?: Json; [INPUT_TEXT]?: string; [INPUT_EVENT]?: number };

/** The run changed: it goes into the execution's next journal record. */
export function markDirty(exec: Execution, run: Run): void {
  if (!exec.dirtyRuns) exec.dirtyRuns = new Map();
  exec.dirtyRuns.set(run.id, run);
}
