import { randomUUID } from 'node:crypto';
import {
  executionArn,
  isValidResourceName,
  parseExecutionArn,
  parseStateMachineArn,
  stateMachineArn,
} from './arn.ts';
import { evaluateRule, parseTimestamp } from './choice.ts';
import type { Clock, TimerHandle } from './clock.ts';
import {
  type CompiledDefinition,
  compileDefinition,
  definitionHash,
  type Scope,
  stateOf,
  taskKind,
  validateDefinition,
} from './definition.ts';
import { ApiError, apiErrors, runtimeError, StatesError } from './errors.ts';
import { evaluateIntrinsic, isIntrinsic } from './intrinsics.ts';
import { Journal, type JournalRecord } from './journal.ts';
import { isJsonObject, type Json, type JsonObject } from './json-path.ts';
import { invokeFunction, invokeResult } from './lambda.ts';
import { applyResultPath, type ContextRef, evaluateTemplate, readPath, selectPath } from './payload.ts';
import type { FunctionRegistry } from './registry.ts';
import { TokenIssuer } from './tokens.ts';

/**
 * The interpreter and the store of state machines and executions.
 *
 * An execution is a set of "runs": the root run, plus one run per Parallel branch and per Map
 * iteration in progress. A run is plain data (which state, its input, what it is doing: entering
 * a state, waiting until an instant, a task in flight, waiting for its children), so the whole
 * execution can be written to the journal after every step and rebuilt exactly after a crash.
 *
 * Every change made while handling one event (an API call, a timer, a task result) is written as
 * one journal record per execution. A Lambda handler is only invoked once the record saying the
 * task started is durable, so after a crash the service knows which invocations may have run.
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

interface TaskStep {
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

interface ChildrenStep {
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

type Step =
  | { k: 'enter' }
  | { k: 'wait'; until: number }
  | { k: 'retry'; until: number }
  | TaskStep
  | ChildrenStep;

interface Run {
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

interface StateMachine {
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

interface Execution {
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
  /** `$$.Execution` once built (see executionContext); dropped at each journal record. */
  context?: JsonObject;
}

export interface EngineOptions {
  dataDir: string;
  clock: Clock;
  functions: FunctionRegistry;
  region: string;
  accountId: string;
  log: Logger;
  functionTimeoutMs?: number;
  compactAfterBytes?: number;
  /** Called when an execution ends (its last event is in the journal, not necessarily synced yet). */
  onExecutionEnd?: (executionArn: string, status: ExecutionStatus) => void;
}

const MAX_PAYLOAD_BYTES = 262_144;
const MAX_HISTORY_EVENTS = 25_000;
const STEPS_PER_TURN = 250;
const RESUME_CAUSE =
  'The local Step Functions service stopped while this function was running; whether it completed is unknown (an AWS Lambda service error would look the same).';

/** ISO text of an instant; the last one is remembered (transitions come many to a millisecond). */
let isoMs = Number.NaN;
let isoText = '';
const iso = (ms: number): string => {
  if (ms !== isoMs) {
    isoText = new Date(ms).toISOString();
    isoMs = ms;
  }
  return isoText;
};

type TimerKind = 'execution' | 'step' | 'timeout' | 'heartbeat';

/** A timer of an execution: what it is for, and the clock's handle to cancel it. */
interface ArmedTimer {
  kind: TimerKind;
  runId: string;
  /** Task attempt a timeout belongs to (0 for other kinds). */
  seq: number;
  handle: TimerHandle;
}

const NO_HANDLE: TimerHandle = { cancel: () => undefined };

/**
 * The runs of an execution, by id. Nearly every execution has one run (no Parallel or Map in
 * progress): a short array then costs far less than a Map.
 */
class RunTable {
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
function taskStep(seq: number, family: TaskStep['family'], resource: string, callback: boolean): TaskStep {
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
function newExecution(fields: {
  seq: number;
  arn: string;
  name: string;
  smArn: string;
  smName: string;
  def: string;
  role: string;
  input: string;
  start: number;
  timeoutAt: number | undefined;
}): Execution {
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
function newRun(fields: Omit<Run, 'parent' | 'slot'> & Partial<Run>): Run & RunMemo {
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
const PERSISTED_INPUT = Symbol('persistedInput');
const INPUT_TEXT = Symbol('inputText');
/** Id of a history event whose document is exactly the run's input (its StateEntered, or the
 * StateExited of the state before): the journal points at it instead of repeating the input. */
const INPUT_EVENT = Symbol('inputEvent');
type RunMemo = { [PERSISTED_INPUT]?: Json; [INPUT_TEXT]?: string; [INPUT_EVENT]?: number };
const seconds = (ms: number) => ms / 1000;

/**
 * A run as its journal entry: its fields, with the input written only when the journal does not
 * already have it: "ki":1 (keep the input of the run's previous entry) or "ie":N (the input is
 * the document of history event N), else "input".
 */
function encodeRun(run: Run & RunMemo): string {
  let text = `{"id":${JSON.stringify(run.id)}`;
  if (run.parent !== undefined) text += `,"parent":${JSON.stringify(run.parent)}`;
  if (run.slot !== undefined) text += `,"slot":${run.slot}`;
  text += `,"scope":${run.scope},"state":${JSON.stringify(run.state)},"entered":${run.entered},"prev":${run.prev}`;
  if (run.retries !== undefined) text += `,"retries":${JSON.stringify(run.retries)}`;
  if (run.retryCount !== undefined) text += `,"retryCount":${run.retryCount}`;
  text += `,"step":${JSON.stringify(run.step)}`;
  if (run[PERSISTED_INPUT] === run.input) return `${text},"ki":1}`;
  run[PERSISTED_INPUT] = run.input;
  if (run[INPUT_EVENT] !== undefined) return `${text},"ie":${run[INPUT_EVENT]}}`;
  return `${text},"input":${JSON.stringify(run.input) ?? 'null'}}`;
}

function byteLength(text: string): number {
  return text.length * 3 <= MAX_PAYLOAD_BYTES ? text.length : Buffer.byteLength(text);
}

export class Engine {
  private journal!: Journal;
  private tokens!: TokenIssuer;
  private readonly definitions = new Map<string, { text: string; compiled?: CompiledDefinition }>();
  private readonly stateMachines = new Map<string, StateMachine>();
  private readonly executions = new Map<string, Execution>();
  private readonly executionsBySeq = new Map<number, Execution>();
  private readonly executionsByMachine = new Map<string, Execution[]>();
  private readonly activeTokens = new Map<string, { exec: Execution; runId: string }>();
  private nextSeq = 1;
  private ready: Array<{ exec: Execution; runId: string }> = [];
  private readonly queued = new Set<string>();
  /** Lambda invocations running now. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private afterSyncQueue: Array<() => void> = [];
  /** Executions changed since their last journal record (written at the end of the turn). */
  private readonly uncommitted = new Set<Execution>();
  private afterSyncScheduled = false;
  private draining = false;
  private closed = false;
  private readonly clock: Clock;
  private readonly log: Logger;
  readonly region: string;
  readonly accountId: string;

  private constructor(private readonly options: EngineOptions) {
    this.clock = options.clock;
    this.log = options.log;
    this.region = options.region;
    this.accountId = options.accountId;
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const engine = new Engine(options);
    engine.tokens = TokenIssuer.load(options.dataDir);
    engine.journal = await Journal.open(options.dataDir, (record) => engine.apply(record), {
      compactAfterBytes: options.compactAfterBytes,
      onError: (error) => options.log('error', 'journal write failed', { error: String(error) }),
    });
    engine.journal.snapshotSource = () => engine.snapshot();
    engine.resume();
    return engine;
  }

  /** Resolves once everything the service did so far is durable. */
  sync(): Promise<void> {
    this.commitAll();
    return this.journal.sync();
  }

  /**
   * Stops the engine. Lambda invocations in flight get a short grace period to finish and be
   * recorded; one still running after it is cut off, and after a restart it is reported as an
   * interrupted invocation (Lambda.ServiceException), exactly as after a crash.
   */
  async close(graceMs = 1500): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      await Promise.race([...this.inFlight, new Promise((resolve) => setTimeout(resolve, 20))]);
    }
    this.commitAll();
    this.closed = true;
    for (const exec of this.executions.values()) {
      for (const timer of exec.timers ?? []) timer.handle.cancel();
      exec.timers = undefined;
    }
    await this.journal.close();
  }

  // ---------------------------------------------------------------- state machines

  createStateMachine(input: {
    name: string;
    definition: string;
    roleArn: string;
    type?: string;
    loggingConfiguration?: Json;
    tracingConfiguration?: Json;
    description?: string;
  }): { stateMachineArn: string; creationDate: number } {
    if (!isValidResourceName(input.name)) throw apiErrors.invalidName(input.name);
    if ((input.type ?? 'STANDARD') !== 'STANDARD') {
      throw apiErrors.validation('The local Step Functions service runs STANDARD state machines only');
    }
    validateRoleArn(input.roleArn);
    validateDefinition(input.definition);
    const arn = stateMachineArn(this.region, this.accountId, input.name);
    const hash = definitionHash(input.definition);
    const existing = this.stateMachines.get(arn);
    if (existing) {
      // CreateStateMachine is idempotent for an identical request.
      if (existing.def === hash && existing.roleArn === input.roleArn) {
        return { stateMachineArn: arn, creationDate: seconds(existing.created) };
      }
      throw apiErrors.stateMachineAlreadyExists(arn);
    }
    this.putDefinition(hash, input.definition);
    const machine: StateMachine = {
      arn,
      name: input.name,
      type: 'STANDARD',
      roleArn: input.roleArn,
      def: hash,
      created: this.clock.now(),
      logging: input.loggingConfiguration ?? { level: 'OFF', includeExecutionData: false },
      tracing: input.tracingConfiguration ?? { enabled: false },
      ...(input.description ? { description: input.description } : {}),
    };
    this.stateMachines.set(arn, machine);
    this.journal.append({ t: 'sm', sm: machine });
    this.log('info', 'state machine created', { stateMachineArn: arn });
    return { stateMachineArn: arn, creationDate: seconds(machine.created) };
  }

  updateStateMachine(input: {
    stateMachineArn: string;
    definition?: string;
    roleArn?: string;
    loggingConfiguration?: Json;
    tracingConfiguration?: Json;
  }): { updateDate: number; revisionId: string } {
    const machine = this.machine(input.stateMachineArn);
    if (
      input.definition === undefined &&
      input.roleArn === undefined &&
      input.loggingConfiguration === undefined &&
      input.tracingConfiguration === undefined
    ) {
      throw new ApiError(
        'MissingRequiredParameter',
        'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified',
      );
    }
    if (input.roleArn !== undefined) validateRoleArn(input.roleArn);
    let hash = machine.def;
    if (input.definition !== undefined) {
      validateDefinition(input.definition);
      hash = definitionHash(input.definition);
    }
    const changed =
      hash !== machine.def ||
      (input.roleArn !== undefined && input.roleArn !== machine.roleArn) ||
      (input.loggingConfiguration !== undefined &&
        JSON.stringify(input.loggingConfiguration) !== JSON.stringify(machine.logging)) ||
      (input.tracingConfiguration !== undefined &&
        JSON.stringify(input.tracingConfiguration) !== JSON.stringify(machine.tracing));
    if (!changed && machine.revisionId && machine.updated) {
      return { updateDate: seconds(machine.updated), revisionId: machine.revisionId };
    }
    if (input.definition !== undefined) this.putDefinition(hash, input.definition);
    machine.def = hash;
    if (input.roleArn !== undefined) machine.roleArn = input.roleArn;
    if (input.loggingConfiguration !== undefined) machine.logging = input.loggingConfiguration;
    if (input.tracingConfiguration !== undefined) machine.tracing = input.tracingConfiguration;
    machine.updated = this.clock.now();
    machine.revisionId = randomUUID();
    this.journal.append({ t: 'sm', sm: machine });
    return { updateDate: seconds(machine.updated), revisionId: machine.revisionId };
  }

  describeStateMachine(arn: string): JsonObject {
    const machine = this.machine(arn);
    return this.describeMachine(machine, this.definitionText(machine.def));
  }

  describeStateMachineForExecution(arn: string): JsonObject {
    const exec = this.execution(arn);
    const machine = this.stateMachines.get(exec.smArn);
    const out: JsonObject = {
      stateMachineArn: exec.smArn,
      name: exec.smName,
      definition: this.definitionText(exec.def),
      roleArn: exec.role,
      updateDate: seconds(machine?.updated ?? machine?.created ?? exec.start),
      loggingConfiguration: machine?.logging ?? { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: machine?.tracing ?? { enabled: false },
    };
    return out;
  }

  listStateMachines(maxResults: number, nextToken: string | undefined): JsonObject {
    const machines = [...this.stateMachines.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    const start = nextToken === undefined ? 0 : decodeCursor(nextToken, 'sm');
    const page = machines.slice(start, start + maxResults);
    const out: JsonObject = {
      stateMachines: page.map((m) => ({
        stateMachineArn: m.arn,
        name: m.name,
        type: m.type,
        creationDate: seconds(m.created),
      })),
    };
    if (start + maxResults < machines.length) out.nextToken = encodeCursor('sm', start + maxResults);
    return out;
  }

  deleteStateMachine(arn: string): void {
    parseStateMachineArn(arn);
    const machine = this.stateMachines.get(arn);
    // Deleting a state machine that does not exist succeeds on AWS too.
    if (!machine) return;
    for (const exec of this.executionsByMachine.get(arn) ?? []) {
      if (exec.status === 'RUNNING') {
        this.abortExecution(exec, undefined, 'The state machine was deleted');
        this.commit(exec);
      }
    }
    this.stateMachines.delete(arn);
    this.journal.append({ t: 'smdel', arn });
    this.log('info', 'state machine deleted', { stateMachineArn: arn });
  }

  // ---------------------------------------------------------------- executions

  startExecution(input: { stateMachineArn: string; name?: string; input?: string; traceHeader?: string }): {
    executionArn: string;
    startDate: number;
  } {
    const machine = this.machine(input.stateMachineArn);
    const name = input.name ?? randomUUID();
    if (!isValidResourceName(name)) throw apiErrors.invalidName(name);
    const inputText = input.input ?? '{}';
    let parsedInput: Json;
    try {
      parsedInput = JSON.parse(inputText) as Json;
    } catch (error) {
      throw apiErrors.invalidExecutionInput((error as Error).message);
    }
    const arn = executionArn(this.region, this.accountId, machine.name, name);
    const existing = this.executions.get(arn);
    if (existing) {
      // Idempotent only while the first execution runs and the input is the same (AWS STANDARD).
      if (existing.status === 'RUNNING' && existing.input === inputText) {
        return { executionArn: arn, startDate: seconds(existing.start) };
      }
      throw apiErrors.executionAlreadyExists(arn);
    }
    const definition = this.compiled(machine.def);
    const now = this.clock.now();
    const exec = newExecution({
      seq: this.nextSeq++,
      arn,
      name,
      smArn: machine.arn,
      smName: machine.name,
      def: machine.def,
      role: machine.roleArn,
      input: inputText,
      start: now,
      timeoutAt: definition.timeoutSeconds !== undefined ? now + definition.timeoutSeconds * 1000 : undefined,
    });
    this.register(exec);
    this.event(exec, undefined, 'ExecutionStarted', {
      executionStartedEventDetails: {
        input: inputText,
        inputDetails: NOT_TRUNCATED,
        roleArn: exec.role,
      },
    });
    const root = newRun({
      id: '0',
      scope: 0,
      state: (definition.scopes[0] as Scope).startAt,
      input: parsedInput,
      entered: now,
      prev: 0,
      step: { k: 'enter' },
    });
    exec.runs.set(root.id, root);
    this.journal.append(
      { t: 'ex', ...this.executionMeta(exec), r: { [root.id]: root } },
      exec.newEvents.map((event) => journalForm(event, exec.events)),
    );
    exec.newEvents = [];
    this.armExecutionTimeout(exec);
    this.schedule(exec, root.id);
    this.log('info', 'execution started', { executionArn: arn });
    return { executionArn: arn, startDate: seconds(now) };
  }

  describeExecution(arn: string): JsonObject {
    const exec = this.execution(arn);
    const out: JsonObject = {
      executionArn: exec.arn,
      stateMachineArn: exec.smArn,
      name: exec.name,
      status: exec.status,
      startDate: seconds(exec.start),
      input: exec.input,
      inputDetails: { included: true },
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason:
        exec.status === 'RUNNING' || exec.status === 'SUCCEEDED'
          ? `Execution is ${exec.status} and cannot be redriven`
          : 'Redrive is not supported by the local Step Functions service',
    };
    if (exec.stop !== undefined) out.stopDate = seconds(exec.stop);
    if (exec.output !== undefined) {
      out.output = exec.output;
      out.outputDetails = { included: true };
    }
    if (exec.error !== undefined) out.error = exec.error;
    if (exec.cause !== undefined) out.cause = exec.cause;
    return out;
  }

  listExecutions(
    machineArn: string,
    statusFilter: ExecutionStatus | undefined,
    maxResults: number,
    nextToken: string | undefined,
  ): JsonObject {
    const machine = this.machine(machineArn);
    const all = (this.executionsByMachine.get(machine.arn) ?? []).filter(
      (e) => statusFilter === undefined || e.status === statusFilter,
    );
    // Newest first, as AWS lists them.
    const ordered = all.slice().reverse();
    const start = nextToken === undefined ? 0 : decodeCursor(nextToken, `ex:${statusFilter ?? ''}`);
    const page = ordered.slice(start, start + maxResults);
    const out: JsonObject = {
      executions: page.map((e) => {
        const item: JsonObject = {
          executionArn: e.arn,
          stateMachineArn: e.smArn,
          name: e.name,
          status: e.status,
          startDate: seconds(e.start),
          redriveCount: 0,
        };
        if (e.stop !== undefined) item.stopDate = seconds(e.stop);
        return item;
      }),
    };
    if (start + maxResults < ordered.length)
      out.nextToken = encodeCursor(`ex:${statusFilter ?? ''}`, start + maxResults);
    return out;
  }

  /** The history page as JSON text (events are kept serialized; this avoids re-encoding them). */
  getExecutionHistory(
    arn: string,
    maxResults: number,
    nextToken: string | undefined,
    reverseOrder: boolean,
    includeExecutionData: boolean,
  ): string {
    const exec = this.execution(arn);
    const events = reverseOrder ? exec.events.slice().reverse() : exec.events;
    const scope = `h:${reverseOrder ? 'r' : 'f'}:${exec.seq}`;
    const start = nextToken === undefined ? 0 : decodeCursor(nextToken, scope);
    const page = events
      .slice(start, start + maxResults)
      .map((event) => (includeExecutionData ? renderEvent(event) : stripExecutionData(event)));
    const next =
      start + maxResults < events.length
        ? `,"nextToken":${JSON.stringify(encodeCursor(scope, start + maxResults))}`
        : '';
    return `{"events":[${page.join(',')}]${next}}`;
  }

  stopExecution(input: { executionArn: string; error?: string; cause?: string }): { stopDate: number } {
    const exec = this.execution(input.executionArn);
    if (exec.status === 'RUNNING') {
      this.abortExecution(exec, input.error, input.cause);
      this.commit(exec);
      this.log('info', 'execution stopped', { executionArn: exec.arn });
    }
    return { stopDate: seconds(exec.stop ?? this.clock.now()) };
  }

  // ---------------------------------------------------------------- callbacks

  sendTaskSuccess(token: string, output: string): void {
    const { exec, run, step } = this.taskForToken(token);
    let result: Json;
    try {
      result = JSON.parse(output) as Json;
    } catch (error) {
      throw apiErrors.invalidOutput((error as Error).message);
    }
    this.event(exec, run, 'TaskSucceeded', {
      taskSucceededEventDetails: {
        resourceType: 'lambda',
        resource: step.resource,
        output,
        outputDetails: NOT_TRUNCATED,
      },
    });
    this.closeTask(exec, run, step);
    this.guard(exec, run, () => this.completeTask(exec, run, result));
    this.settle(exec);
  }

  sendTaskFailure(token: string, error: string | undefined, cause: string | undefined): void {
    const { exec, run, step } = this.taskForToken(token);
    const details: JsonObject = { resourceType: 'lambda', resource: step.resource };
    if (error !== undefined) details.error = error;
    if (cause !== undefined) details.cause = cause;
    this.event(exec, run, 'TaskFailed', { taskFailedEventDetails: details });
    this.closeTask(exec, run, step);
    this.guard(exec, run, () => this.handleError(exec, run, new StatesError(error ?? '', cause)));
    this.settle(exec);
  }

  sendTaskHeartbeat(token: string): void {
    const { exec, run, step } = this.taskForToken(token);
    if (step.heartbeatSeconds !== undefined) {
      step.heartbeatAt = this.clock.now() + step.heartbeatSeconds * 1000;
      this.markDirty(exec, run);
      this.armTaskTimers(exec, run, step);
      this.commit(exec);
    }
  }

  // ---------------------------------------------------------------- lookups

  private machine(arn: string): StateMachine {
    parseStateMachineArn(arn);
    const machine = this.stateMachines.get(arn);
    if (!machine) throw apiErrors.stateMachineDoesNotExist(arn);
    return machine;
  }

  private execution(arn: string): Execution {
    parseExecutionArn(arn);
    const exec = this.executions.get(arn);
    if (!exec) throw apiErrors.executionDoesNotExist(arn);
    return exec;
  }

  private taskForToken(token: string): { exec: Execution; run: Run; step: TaskStep } {
    // A token of an open task is one this service issued (the map holds exactly those strings):
    // its MAC needs no second check.
    const active = this.activeTokens.get(token);
    if (active) {
      const run = active.exec.runs.get(active.runId);
      if (run && run.step.k === 'task' && run.step.token === token && active.exec.status === 'RUNNING') {
        return { exec: active.exec, run, step: run.step };
      }
    }
    if (!this.tokens.verify(token)) throw apiErrors.invalidToken("Invalid Token: 'Invalid token'");
    // A token this service issued whose task is closed (done, failed, timed out, or its
    // execution ended): AWS answers TaskTimedOut.
    throw apiErrors.taskTimedOut();
  }

  private describeMachine(machine: StateMachine, definition: string): JsonObject {
    const out: JsonObject = {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition,
      roleArn: machine.roleArn,
      type: machine.type,
      creationDate: seconds(machine.created),
      loggingConfiguration: machine.logging,
      tracingConfiguration: machine.tracing,
    };
    if (machine.revisionId) out.revisionId = machine.revisionId;
    if (machine.description) out.description = machine.description;
    return out;
  }

  private definitionText(hash: string): string {
    const entry = this.definitions.get(hash);
    if (!entry) throw new Error(`definition ${hash} missing from the store`);
    return entry.text;
  }

  private compiled(hash: string): CompiledDefinition {
    const entry = this.definitions.get(hash);
    if (!entry) throw new Error(`definition ${hash} missing from the store`);
    entry.compiled ??= compileDefinition(entry.text);
    return entry.compiled;
  }

  private putDefinition(hash: string, text: string): void {
    if (this.definitions.has(hash)) return;
    this.definitions.set(hash, { text });
    this.journal.append({ t: 'def', h: hash, text });
  }

  private register(exec: Execution): void {
    this.executions.set(exec.arn, exec);
    this.executionsBySeq.set(exec.seq, exec);
    let list = this.executionsByMachine.get(exec.smArn);
    if (!list) {
      list = [];
      this.executionsByMachine.set(exec.smArn, list);
    }
    list.push(exec);
  }

  private executionMeta(exec: Execution): JournalRecord {
    const meta: JournalRecord = {
      seq: exec.seq,
      arn: exec.arn,
      name: exec.name,
      sm: exec.smArn,
      smName: exec.smName,
      def: exec.def,
      role: exec.role,
      input: exec.input,
      start: exec.start,
    };
    if (exec.timeoutAt !== undefined) meta.timeoutAt = exec.timeoutAt;
    return meta;
  }

  // ---------------------------------------------------------------- journal: replay and snapshot

  private apply(record: JournalRecord): void {
    switch (record.t) {
      case 'def':
        this.definitions.set(record.h as string, { text: record.text as string });
        break;
      case 'sm':
        this.stateMachines.set((record.sm as StateMachine).arn, record.sm as StateMachine);
        break;
      case 'smdel':
        this.stateMachines.delete(record.arn as string);
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
        this.register(exec);
        this.nextSeq = Math.max(this.nextSeq, exec.seq + 1);
        break;
      }
      case 'st': {
        const exec = this.executionsBySeq.get(record.s as number);
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

  private snapshot(): Array<{ record: JournalRecord; rawEvents?: readonly string[] }> {
    const records: Array<{ record: JournalRecord; rawEvents?: readonly string[] }> = [];
    for (const [h, { text }] of this.definitions) records.push({ record: { t: 'def', h, text } });
    for (const sm of this.stateMachines.values()) records.push({ record: { t: 'sm', sm } });
    for (const exec of this.executionsBySeq.values()) {
      const record: JournalRecord = {
        t: 'ex',
        ...this.executionMeta(exec),
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
  private resume(): void {
    let resumed = 0;
    for (const exec of this.executionsBySeq.values()) {
      if (exec.status !== 'RUNNING') continue;
      resumed++;
      this.armExecutionTimeout(exec);
      const interrupted: Run[] = [];
      for (const run of exec.runs.values()) {
        const step = run.step;
        if (step.k === 'enter') this.schedule(exec, run.id);
        else if (step.k === 'wait' || step.k === 'retry') this.armStepTimer(exec, run);
        else if (step.k === 'task') {
          if (step.token) this.activeTokens.set(step.token, { exec, runId: run.id });
          // An invocation in flight when the process died may or may not have run: report it as
          // Lambda does a lost response (Lambda.ServiceException), for Retry/Catch to decide.
          if (step.phase === 'invoking') interrupted.push(run);
          else this.armTaskTimers(exec, run, step);
        }
      }
      for (const run of interrupted) {
        const step = run.step as TaskStep;
        if (exec.status !== 'RUNNING' || exec.runs.get(run.id) !== run) continue;
        this.failTaskAttempt(exec, run, step, 'Lambda.ServiceException', RESUME_CAUSE);
      }
      this.settle(exec);
    }
    if (resumed > 0) this.log('info', 'executions resumed after restart', { count: resumed });
  }

  // ---------------------------------------------------------------- bookkeeping

  private event(
    exec: Execution,
    run: Run | undefined,
    type: string,
    details?: JsonObject,
    previous?: number,
  ): number {
    const id = exec.events.length + 1;
    const previousEventId = previous ?? (run ? run.prev : id - 1);
    // Kept as an object and rendered when read: its strings (the execution input, the role,
    // the parameters) are shared or stored once, not escaped into a second copy.
    const key = detailsKey(type);
    if (details !== undefined && (Object.keys(details).length !== 1 || !(key in details))) {
      throw new Error(`event ${type} must carry exactly ${key}`);
    }
    const inner = details?.[key] as JsonObject | undefined;
    const ts = this.clock.now();
    const data =
      inner && DATA_EVENT_TYPES.has(type) ? ((inner.input ?? inner.output) as string | undefined) : undefined;
    // Events that carry a JSON document keep it as text, written raw to the journal.
    const event: GenericEvent | DataEvent =
      data !== undefined && inner
        ? {
            id,
            prev: previousEventId,
            ts,
            type,
            data: sharedDocument(exec.events[previousEventId - 1], data),
            resource: inner.resource as string | undefined,
            timeout: inner.timeoutInSeconds as number | undefined,
          }
        : { id, prev: previousEventId, ts, type, details: inner };
    exec.events.push(event);
    exec.newEvents.push(event);
    if (run) {
      run.prev = id;
      this.markDirty(exec, run);
    }
    return id;
  }

  /**
   * A StateEntered/StateExited event, kept compact: the state's data is the JSON text the state
   * produced (shared by the Exited event and the next Entered one), escaped into the AWS event
   * only when the history is read.
   */
  private stateEvent(exec: Execution, run: Run, type: string, data: string, exited: boolean): void {
    const id = exec.events.length + 1;
    const event: StateEvent = {
      id,
      prev: run.prev,
      ts: this.clock.now(),
      type,
      name: run.state,
      data: sharedDocument(exec.events[run.prev - 1], data),
      exited,
    };
    exec.events.push(event);
    exec.newEvents.push(event);
    run.prev = id;
    this.markDirty(exec, run);
  }

  /**
   * The TaskSubmitted / TaskSucceeded event of a lambda:invoke task. Its output is the whole
   * Invoke response (HTTP metadata included), rebuilt from these few fields when read.
   */
  private invokeEvent(exec: Execution, run: Run, fields: Omit<InvokeEvent, 'id' | 'prev' | 'ts'>): void {
    const id = exec.events.length + 1;
    const event: InvokeEvent = {
      id,
      prev: run.prev,
      ts: this.clock.now(),
      ...fields,
      payload: flatten(fields.payload),
      requestId: flatten(fields.requestId),
    };
    exec.events.push(event);
    exec.newEvents.push(event);
    run.prev = id;
    this.markDirty(exec, run);
  }

  private markDirty(exec: Execution, run: Run): void {
    if (!exec.dirtyRuns) exec.dirtyRuns = new Map();
    exec.dirtyRuns.set(run.id, run);
  }

  private deleteRun(exec: Execution, run: Run): void {
    exec.runs.delete(run.id);
    if (!exec.dirtyRuns) exec.dirtyRuns = new Map();
    exec.dirtyRuns.set(run.id, null);
    this.cancelTimers(exec, run.id);
    if (run.step.k === 'task' && run.step.token) this.activeTokens.delete(run.step.token);
  }

  /**
   * Writes what changed in `exec` as one journal record. The record is `{"t":"st", "s": seq,
   * "n": [nextRun, nextTask], "r": {runId: run | null}, "x": status, "e": [events]}`, built as
   * text here: it is the hottest path of the service, and JSON.stringify of a spread copy of each
   * run cost more than the rest of the commit.
   */
  private commit(exec: Execution): void {
    if (exec.newEvents.length === 0 && !exec.dirtyRuns && !exec.statusChanged) {
      this.runAfterSync(exec);
      return;
    }
    let line = `{"t":"st","s":${exec.seq},"n":[${exec.nextRun},${exec.nextTask}]`;
    if (exec.dirtyRuns) {
      let runs = '';
      for (const [id, run] of exec.dirtyRuns) {
        runs += `${runs === '' ? '' : ','}${JSON.stringify(id)}:${run === null ? 'null' : encodeRun(run as Run & RunMemo)}`;
      }
      line += `,"r":{${runs}}`;
    }
    if (exec.statusChanged) {
      line += `,"x":${JSON.stringify({
        status: exec.status,
        stop: exec.stop,
        output: exec.output,
        error: exec.error,
        cause: exec.cause,
      })}`;
    }
    if (exec.newEvents.length > 0) {
      line += `,"e":[${exec.newEvents.map((event) => journalForm(event, exec.events)).join(',')}]`;
    }
    this.journal.appendLine(`${line}}\n`);
    exec.newEvents = [];
    exec.dirtyRuns = undefined;
    exec.statusChanged = false;
    // Most executions now wait (a callback, a Wait state) for long: they need not hold it.
    exec.context = undefined;
    this.runAfterSync(exec);
  }

  private runAfterSync(exec: Execution): void {
    if (exec.afterSync.length === 0) return;
    for (const action of exec.afterSync) this.afterSyncQueue.push(action);
    exec.afterSync = [];
    if (this.afterSyncScheduled) return;
    this.afterSyncScheduled = true;
    // One sync for everything queued in this turn: they all ride the same group commit.
    queueMicrotask(() => {
      const actions = this.afterSyncQueue;
      this.afterSyncQueue = [];
      this.afterSyncScheduled = false;
      this.journal.sync().then(
        () => {
          for (const action of actions) action();
        },
        (error: unknown) =>
          this.log('error', 'journal sync failed; tasks not started', { error: String(error) }),
      );
    });
  }

  private schedule(exec: Execution, runId: string): void {
    const key = `${exec.seq}:${runId}`;
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.ready.push({ exec, runId });
    this.kick();
  }

  private kick(): void {
    if (this.draining || this.closed) return;
    this.draining = true;
    setImmediate(() => this.drain());
  }

  /**
   * One turn of the interpreter: advance the runs that are ready, then write one journal record
   * per changed execution. Changes made by callbacks, timers and task results since the last
   * turn are written here too, together with what they led to, rather than one record each.
   */
  private drain(): void {
    const batch = this.ready;
    this.ready = [];
    for (const { exec, runId } of batch) {
      this.queued.delete(`${exec.seq}:${runId}`);
      if (this.closed) break;
      const run = exec.runs.get(runId);
      if (!run || exec.status !== 'RUNNING' || run.step.k !== 'enter') continue;
      this.advance(exec, run);
      this.uncommitted.add(exec);
    }
    // A run can release another one (a branch ending its Parallel state): schedule it.
    for (const exec of this.uncommitted) this.scheduleReleased(exec);
    this.commitAll();
    this.draining = false;
    if (this.ready.length > 0) this.kick();
  }

  private commitAll(): void {
    if (this.closed) return;
    for (const exec of this.uncommitted) this.commit(exec);
    this.uncommitted.clear();
    // Everything of this turn is queued: the group commit can start now.
    this.journal.flushNow();
  }

  /** Runs one run through states until it has to wait for something (or its turn ends). */
  private advance(exec: Execution, run: Run): void {
    let budget = STEPS_PER_TURN;
    while (exec.status === 'RUNNING' && exec.runs.get(run.id) === run && run.step.k === 'enter') {
      if (budget-- === 0) {
        this.schedule(exec, run.id);
        return;
      }
      if (exec.events.length >= MAX_HISTORY_EVENTS) {
        this.failExecution(
          exec,
          run,
          'States.Runtime',
          `The execution reached the maximum number of history events (${MAX_HISTORY_EVENTS})`,
        );
        return;
      }
      this.enterState(exec, run);
    }
  }

  /** Runs `action`; a StatesError from it fails the current state, anything else is a bug. */
  private guard(exec: Execution, run: Run, action: () => void): void {
    try {
      action();
    } catch (error) {
      if (exec.status !== 'RUNNING' || exec.runs.get(run.id) !== run) return;
      try {
        if (error instanceof StatesError) {
          this.handleError(exec, run, error);
          return;
        }
        this.log('error', 'internal error while running a state', {
          executionArn: exec.arn,
          error: String(error),
        });
        this.failRun(
          exec,
          run,
          'States.Runtime',
          `Internal error in the local Step Functions service: ${String(error)}`,
        );
      } catch (secondary) {
        // The error handling itself failed (a bug): end the execution rather than leave it stuck.
        this.log('error', 'internal error while handling a state error', {
          executionArn: exec.arn,
          error: String(secondary),
        });
        if (exec.status === 'RUNNING') {
          this.failExecution(
            exec,
            undefined,
            'States.Runtime',
            `Internal error in the local Step Functions service: ${String(secondary)}`,
          );
        }
      }
    }
  }

  private definitionOf(exec: Execution): CompiledDefinition {
    return this.compiled(exec.def);
  }

  private state(exec: Execution, run: Run): JsonObject {
    return stateOf(this.definitionOf(exec), run.scope, run.state);
  }

  private executionInput(exec: Execution): Json {
    // Parsed on use, not kept: few definitions read $$.Execution.Input, and every waiting
    // execution would otherwise hold a second copy of its input.
    return JSON.parse(exec.input) as Json;
  }

  private contextRef(
    exec: Execution,
    run: Run,
    token?: string,
    item?: { index: number; value: Json },
  ): ContextRef {
    let built: JsonObject | undefined;
    return () => {
      if (!built) {
        built = {
          Execution: this.executionContext(exec),
          State: { EnteredTime: iso(run.entered), Name: run.state, RetryCount: run.retryCount ?? 0 },
          StateMachine: { Id: exec.smArn, Name: exec.smName },
        };
        if (token) built.Task = { Token: token };
        if (item) built.Map = { Item: { Index: item.index, Value: item.value } };
      }
      return built;
    };
  }

  /**
   * `$$.Execution`, the same for every state of an execution: built once per turn of the
   * interpreter and kept until the turn's journal record (values read from the context are never
   * changed in place). Input and StartTime are computed when read: most paths into $$ never
   * touch them.
   */
  private executionContext(exec: Execution): JsonObject {
    if (exec.context) return exec.context;
    const engine = this;
    const context = {
      Id: exec.arn,
      get Input() {
        return engine.executionInput(exec);
      },
      Name: exec.name,
      RoleArn: exec.role,
      get StartTime() {
        return iso(exec.start);
      },
      RedriveCount: 0,
    } as JsonObject;
    if (exec.status === 'RUNNING') exec.context = context;
    return context;
  }

  // ---------------------------------------------------------------- states

  private enterState(exec: Execution, run: Run): void {
    const state = this.state(exec, run);
    const type = state.Type as string;
    run.entered = this.clock.now();
    run.retries = undefined;
    run.retryCount = undefined;
    const memo = run as Run & RunMemo;
    const inputText = memo[INPUT_TEXT] ?? JSON.stringify(run.input);
    memo[INPUT_TEXT] = undefined;
    this.stateEvent(exec, run, stateEventType(type, false), inputText, false);
    memo[INPUT_EVENT] = run.prev;
    this.guard(exec, run, () => this.perform(exec, run, state));
  }

  /** What a state does once entered (and again on each retry). */
  private perform(exec: Execution, run: Run, state: JsonObject): void {
    switch (state.Type) {
      case 'Pass':
        this.performPass(exec, run, state);
        return;
      case 'Choice':
        this.performChoice(exec, run, state);
        return;
      case 'Wait':
        this.performWait(exec, run, state);
        return;
      case 'Succeed': {
        const output = selectPath(
          selectPath(run.input, state.InputPath as string | null | undefined),
          outputPath(state),
        );
        this.exitState(exec, run, state, output);
        return;
      }
      case 'Fail':
        this.performFail(exec, run, state);
        return;
      case 'Task':
        this.performTask(exec, run, state);
        return;
      case 'Parallel':
        this.performParallel(exec, run, state);
        return;
      case 'Map':
        this.performMap(exec, run, state);
        return;
      default:
        throw runtimeError(`Unknown state type ${String(state.Type)}`);
    }
  }

  private performPass(exec: Execution, run: Run, state: JsonObject): void {
    let effective = selectPath(run.input, state.InputPath as string | null | undefined);
    if (state.Parameters !== undefined)
      effective = evaluateTemplate(state.Parameters, effective, this.contextRef(exec, run));
    const result = state.Result !== undefined ? (state.Result as Json) : effective;
    const output = selectPath(applyResultPath(run.input, result, resultPath(state)), outputPath(state));
    this.exitState(exec, run, state, output);
  }

  private performChoice(exec: Execution, run: Run, state: JsonObject): void {
    const effective = selectPath(run.input, state.InputPath as string | null | undefined);
    const context = this.contextRef(exec, run);
    let next: string | undefined;
    for (const rule of (state.Choices ?? []) as JsonObject[]) {
      if (evaluateRule(rule, effective, context)) {
        next = rule.Next as string;
        break;
      }
    }
    next ??= state.Default as string | undefined;
    if (next === undefined) {
      throw new StatesError(
        'States.NoChoiceMatched',
        `No Matches! The input was ${JSON.stringify(effective)}`,
      );
    }
    this.exitState(exec, run, state, selectPath(effective, outputPath(state)), next);
  }

  private performWait(exec: Execution, run: Run, state: JsonObject): void {
    const effective = selectPath(run.input, state.InputPath as string | null | undefined);
    let until: number;
    if (typeof state.Seconds === 'number') until = run.entered + state.Seconds * 1000;
    else if (typeof state.Timestamp === 'string') {
      const at = parseTimestamp(state.Timestamp);
      if (at === undefined) throw runtimeError(`The Timestamp '${state.Timestamp}' is not a valid timestamp`);
      until = at;
    } else if (typeof state.SecondsPath === 'string') {
      const found = readPath(state.SecondsPath, effective, this.contextRef(exec, run));
      if (!found.found) throw runtimeError(`Invalid path '${state.SecondsPath}' : No results for path`);
      const value = found.value;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw runtimeError(
          `The SecondsPath parameter does not reference a valid non-negative integer value: ${JSON.stringify(value)}`,
        );
      }
      until = run.entered + value * 1000;
    } else if (typeof state.TimestampPath === 'string') {
      const found = readPath(state.TimestampPath, effective, this.contextRef(exec, run));
      if (!found.found) throw runtimeError(`Invalid path '${state.TimestampPath}' : No results for path`);
      const at = parseTimestamp(found.value);
      if (at === undefined) {
        throw runtimeError(
          `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${JSON.stringify(found.value)}`,
        );
      }
      until = at;
    } else {
      throw runtimeError('The Wait state has no duration');
    }
    run.step = { k: 'wait', until };
    this.markDirty(exec, run);
    this.armStepTimer(exec, run);
  }

  private performFail(exec: Execution, run: Run, state: JsonObject): void {
    const context = this.contextRef(exec, run);
    const pick = (literal: unknown, path: unknown): string | undefined => {
      if (typeof literal === 'string') return literal;
      if (typeof path !== 'string') return undefined;
      const value = isIntrinsic(path)
        ? evaluateIntrinsic(path, { input: run.input, context })
        : (() => {
            const found = readPath(path, run.input, context);
            if (!found.found) throw runtimeError(`Invalid path '${path}' : No results for path`);
            return found.value;
          })();
      return typeof value === 'string' ? value : JSON.stringify(value);
    };
    const error = pick(state.Error, state.ErrorPath);
    const cause = pick(state.Cause, state.CausePath);
    this.failRun(exec, run, error, cause);
  }

  private performTask(exec: Execution, run: Run, state: JsonObject): void {
    const kind = taskKind(String(state.Resource));
    if (!kind) throw runtimeError(`The resource ${String(state.Resource)} is not supported locally`);
    const callback = kind.kind === 'invoke' && kind.callback;
    const seq = exec.nextTask++;
    const token = callback ? this.tokens.issue({ executionSeq: exec.seq, taskSeq: seq }) : undefined;
    const context = this.contextRef(exec, run, token);
    let payload = selectPath(run.input, state.InputPath as string | null | undefined);
    if (state.Parameters !== undefined) payload = evaluateTemplate(state.Parameters, payload, context);
    const timeoutSeconds = positiveSeconds(state, 'TimeoutSeconds', run.input, context);
    const heartbeatSeconds = positiveSeconds(state, 'HeartbeatSeconds', run.input, context);
    const now = this.clock.now();

    let functionName: string;
    let invokePayload: Json | undefined;
    let invokePayloadText: string | undefined;
    let step: TaskStep;
    if (kind.kind === 'invoke') {
      if (!isJsonObject(payload) || typeof payload.FunctionName !== 'string') {
        throw runtimeError('The Parameters of a lambda:invoke task must give FunctionName as a string');
      }
      functionName = payload.FunctionName;
      invokePayload = payload.Payload;
      const resource = callback ? 'invoke.waitForTaskToken' : 'invoke';
      const details: JsonObject = {
        resourceType: 'lambda',
        resource,
        region: this.region,
        parameters: JSON.stringify(payload),
      };
      if (timeoutSeconds !== undefined) details.timeoutInSeconds = timeoutSeconds;
      if (heartbeatSeconds !== undefined) details.heartbeatInSeconds = heartbeatSeconds;
      this.event(exec, run, 'TaskScheduled', { taskScheduledEventDetails: details });
      this.event(exec, run, 'TaskStarted', { taskStartedEventDetails: { resourceType: 'lambda', resource } });
      step = taskStep(seq, 'task', resource, callback);
    } else {
      functionName = kind.functionArn;
      invokePayload = payload;
      invokePayloadText = this.textOf(exec, run, payload);
      const details: JsonObject = {
        resource: kind.functionArn,
        input: invokePayloadText,
        inputDetails: NOT_TRUNCATED,
      };
      if (timeoutSeconds !== undefined) details.timeoutInSeconds = timeoutSeconds;
      this.event(exec, run, 'LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: details });
      this.event(exec, run, 'LambdaFunctionStarted');
      step = taskStep(seq, 'lambda', kind.functionArn, false);
    }
    if (token) step.token = token;
    if (timeoutSeconds !== undefined) step.timeoutAt = now + timeoutSeconds * 1000;
    if (callback && heartbeatSeconds !== undefined) {
      step.heartbeatSeconds = heartbeatSeconds;
      step.heartbeatAt = now + heartbeatSeconds * 1000;
    }
    run.step = step;
    this.markDirty(exec, run);
    if (token) this.activeTokens.set(token, { exec, runId: run.id });
    this.armTaskTimers(exec, run, step);
    const invocationType = isJsonObject(payload) ? payload.InvocationType : undefined;
    // The handler runs only once "task started" is on disk: after a crash the service then knows
    // an invocation may have happened, and never silently runs it a second time.
    exec.afterSync.push(() => {
      void this.invoke(
        exec,
        run.id,
        seq,
        functionName,
        invokePayload,
        invokePayloadText,
        invocationType === 'Event',
      );
    });
  }

  private async invoke(
    exec: Execution,
    runId: string,
    seq: number,
    functionName: string,
    payload: Json | undefined,
    payloadText: string | undefined,
    asynchronous: boolean,
  ): Promise<void> {
    if (!this.isCurrentTask(exec, runId, seq) || this.closed) return;
    const pending = invokeFunction(
      this.options.functions,
      functionName,
      payload,
      {
        region: this.region,
        accountId: this.accountId,
        functionTimeoutMs: this.options.functionTimeoutMs ?? 60_000,
        memoryLimitInMB: 1024,
      },
      payloadText,
    );
    if (asynchronous) {
      // InvocationType Event: Lambda queues the event and answers 202 at once.
      pending.catch(() => undefined);
      const run = exec.runs.get(runId) as Run;
      const step = run.step as TaskStep;
      this.settleInvocation(exec, run, step, {
        ok: true,
        payload: '',
        payloadText: '""',
        requestId: randomUUID(),
        executedVersion: '$LATEST',
        statusCode: 202,
      });
      this.settle(exec);
      return;
    }
    this.inFlight.add(pending);
    const outcome = await pending.finally(() => this.inFlight.delete(pending));
    if (!this.isCurrentTask(exec, runId, seq) || this.closed) return;
    const run = exec.runs.get(runId) as Run;
    const step = run.step as TaskStep;
    if (step.phase !== 'invoking') return;
    this.settleInvocation(exec, run, step, outcome.ok ? { ...outcome, statusCode: 200 } : outcome);
    this.settle(exec);
  }

  private settleInvocation(
    exec: Execution,
    run: Run,
    step: TaskStep,
    outcome:
      | {
          ok: true;
          payload: Json;
          payloadText: string;
          requestId: string;
          executedVersion: string;
          statusCode: number;
        }
      | { ok: false; error: string; cause: string },
  ): void {
    if (!outcome.ok) {
      this.failTaskAttempt(exec, run, step, outcome.error, outcome.cause);
      return;
    }
    if (step.family === 'lambda') {
      const output = outcome.payloadText;
      this.event(exec, run, 'LambdaFunctionSucceeded', {
        lambdaFunctionSucceededEventDetails: { output, outputDetails: NOT_TRUNCATED },
      });
      this.closeTask(exec, run, step);
      this.guard(exec, run, () => this.completeTask(exec, run, outcome.payload));
      return;
    }
    const invoked: Omit<InvokeEvent, 'id' | 'prev' | 'ts'> = {
      type: step.callback ? 'TaskSubmitted' : 'TaskSucceeded',
      resource: step.resource,
      payload: outcome.payloadText,
      requestId: outcome.requestId,
      version: outcome.executedVersion,
      status: outcome.statusCode,
    };
    this.invokeEvent(exec, run, invoked);
    if (step.callback) {
      step.phase = 'waiting';
      this.markDirty(exec, run);
      return;
    }
    const response = invokeResponse(invoked, this.clock.now());
    this.closeTask(exec, run, step);
    this.guard(exec, run, () => this.completeTask(exec, run, response));
  }

  private isCurrentTask(exec: Execution, runId: string, seq: number): boolean {
    if (exec.status !== 'RUNNING') return false;
    const run = exec.runs.get(runId);
    return run !== undefined && run.step.k === 'task' && run.step.seq === seq;
  }

  private failTaskAttempt(
    exec: Execution,
    run: Run,
    step: TaskStep,
    error: string,
    cause: string | undefined,
  ): void {
    if (step.family === 'lambda') {
      const details: JsonObject = { error };
      if (cause !== undefined) details.cause = cause;
      this.event(exec, run, 'LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: details });
    } else {
      const details: JsonObject = { resourceType: 'lambda', resource: step.resource, error };
      if (cause !== undefined) details.cause = cause;
      this.event(exec, run, 'TaskFailed', { taskFailedEventDetails: details });
    }
    this.closeTask(exec, run, step);
    this.guard(exec, run, () => this.handleError(exec, run, new StatesError(error, cause)));
  }

  private timeOutTask(exec: Execution, run: Run, step: TaskStep, heartbeat: boolean): void {
    // AWS reports both kinds of task timeout as States.Timeout; a States.HeartbeatTimeout
    // retrier or catcher still matches the heartbeat kind.
    if (step.family === 'lambda') {
      this.event(exec, run, 'LambdaFunctionTimedOut', {
        lambdaFunctionTimedOutEventDetails: { error: 'States.Timeout' },
      });
    } else {
      this.event(exec, run, 'TaskTimedOut', {
        taskTimedOutEventDetails: {
          resourceType: 'lambda',
          resource: step.resource,
          error: 'States.Timeout',
        },
      });
    }
    this.closeTask(exec, run, step);
    const error = new StatesError('States.Timeout');
    this.guard(exec, run, () => this.handleError(exec, run, error, heartbeat));
  }

  /** The task attempt is over: its token stops working and its timers are dropped. */
  private closeTask(exec: Execution, run: Run, step: TaskStep): void {
    if (step.token) this.activeTokens.delete(step.token);
    this.cancelTimers(exec, run.id);
    // Leave the task step so late results of this attempt are ignored.
    run.step = { k: 'enter' };
    this.markDirty(exec, run);
  }

  /** ResultSelector, ResultPath and OutputPath of a Task with its result; then leave the state. */
  private completeTask(exec: Execution, run: Run, result: Json): void {
    const state = this.state(exec, run);
    this.finishWithResult(exec, run, state, result);
  }

  private finishWithResult(exec: Execution, run: Run, state: JsonObject, result: Json): void {
    let selected = result;
    if (state.ResultSelector !== undefined)
      selected = evaluateTemplate(state.ResultSelector, result, this.contextRef(exec, run));
    const output = selectPath(applyResultPath(run.input, selected, resultPath(state)), outputPath(state));
    this.exitState(exec, run, state, output);
  }

  private performParallel(exec: Execution, run: Run, state: JsonObject): void {
    let effective = selectPath(run.input, state.InputPath as string | null | undefined);
    if (state.Parameters !== undefined)
      effective = evaluateTemplate(state.Parameters, effective, this.contextRef(exec, run));
    const scopes = this.definitionOf(exec).scopes[run.scope]?.children.get(run.state) ?? [];
    const startedEventId = this.event(exec, run, 'ParallelStateStarted');
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
    this.markDirty(exec, run);
    if (scopes.length === 0) {
      this.childrenSucceeded(exec, run, step);
      return;
    }
    scopes.forEach((scopeId, slot) => {
      const child = this.newRun(exec, run, slot, scopeId, effective, startedEventId);
      this.schedule(exec, child.id);
    });
  }

  private performMap(exec: Execution, run: Run, state: JsonObject): void {
    const context = this.contextRef(exec, run);
    const effective = selectPath(run.input, state.InputPath as string | null | undefined);
    const items = typeof state.ItemsPath === 'string' ? selectPath(effective, state.ItemsPath) : effective;
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
    const startedEventId = this.event(exec, run, 'MapStateStarted', {
      mapStateStartedEventDetails: { length: items.length },
    });
    const step: ChildrenStep = {
      k: 'children',
      type: 'Map',
      total: items.length,
      done: 0,
      results: items.map(() => null),
      launched: 0,
      max,
      items,
      effective,
      startedEventId,
    };
    run.step = step;
    this.markDirty(exec, run);
    if (items.length === 0) {
      this.childrenSucceeded(exec, run, step);
      return;
    }
    this.launchIterations(exec, run, state, step);
  }

  private launchIterations(exec: Execution, run: Run, state: JsonObject, step: ChildrenStep): void {
    const scopeId = this.definitionOf(exec).scopes[run.scope]?.children.get(run.state)?.[0];
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
              this.contextRef(exec, run, undefined, { index, value }),
            );
      const startedId = this.event(
        exec,
        run,
        'MapIterationStarted',
        { mapIterationStartedEventDetails: { name: run.state, index } },
        step.startedEventId,
      );
      const child = this.newRun(exec, run, index, scopeId, input, startedId);
      this.schedule(exec, child.id);
    }
    this.markDirty(exec, run);
  }

  private newRun(
    exec: Execution,
    parent: Run,
    slot: number,
    scopeId: number,
    input: Json,
    prev: number,
  ): Run {
    const scope = this.definitionOf(exec).scopes[scopeId] as Scope;
    const child = newRun({
      id: String(exec.nextRun++),
      parent: parent.id,
      slot,
      scope: scopeId,
      state: scope.startAt,
      input,
      entered: this.clock.now(),
      prev,
      step: { k: 'enter' },
    });
    exec.runs.set(child.id, child);
    this.markDirty(exec, child);
    return child;
  }

  private childrenSucceeded(exec: Execution, run: Run, step: ChildrenStep): void {
    const state = this.state(exec, run);
    this.event(exec, run, step.type === 'Parallel' ? 'ParallelStateSucceeded' : 'MapStateSucceeded');
    const results = step.results;
    run.step = { k: 'enter' };
    this.markDirty(exec, run);
    this.guard(exec, run, () => this.finishWithResult(exec, run, state, results));
  }

  /** Leaves the current state with `output`: to the next state, or the end of the run. */
  /**
   * JSON text of `value`; when it is the state's input itself (a Choice, a Task without
   * InputPath or Parameters), the text its StateEntered event already holds.
   */
  private textOf(exec: Execution, run: Run, value: Json): string {
    const entered = (run as Run & RunMemo)[INPUT_EVENT];
    if (value === run.input && entered !== undefined) {
      const text = documentOf(exec.events[entered - 1]);
      if (text !== undefined) return text;
    }
    return JSON.stringify(value);
  }

  private exitState(exec: Execution, run: Run, state: JsonObject, output: Json, next?: string): void {
    const outputText = this.textOf(exec, run, output);
    if (byteLength(outputText) > MAX_PAYLOAD_BYTES) {
      throw new StatesError(
        'States.DataLimitExceeded',
        `The state/task '${run.state}' returned a result with a size exceeding the maximum number of bytes service limit.`,
      );
    }
    const type = state.Type as string;
    this.stateEvent(exec, run, stateEventType(type, true), outputText, true);
    const target =
      next ?? (state.End === true || type === 'Succeed' ? undefined : (state.Next as string | undefined));
    if (target === undefined) {
      this.succeedRun(exec, run, output, outputText);
      return;
    }
    const exitedEvent = run.prev;
    this.transition(exec, run, target, output);
    (run as Run & RunMemo)[INPUT_TEXT] = outputText;
    (run as Run & RunMemo)[INPUT_EVENT] = exitedEvent;
  }

  private transition(exec: Execution, run: Run, target: string, input: Json): void {
    this.cancelTimers(exec, run.id);
    run.state = target;
    run.input = input;
    run.step = { k: 'enter' };
    run.retries = undefined;
    run.retryCount = undefined;
    this.markDirty(exec, run);
  }

  private succeedRun(exec: Execution, run: Run, output: Json, outputText: string): void {
    if (run.parent === undefined) {
      this.event(exec, run, 'ExecutionSucceeded', {
        executionSucceededEventDetails: { output: outputText, outputDetails: NOT_TRUNCATED },
      });
      this.finishExecution(exec, 'SUCCEEDED', { output: outputText });
      return;
    }
    const parent = exec.runs.get(run.parent);
    this.deleteRun(exec, run);
    if (parent?.step.k !== 'children') return;
    const step = parent.step;
    const slot = run.slot ?? 0;
    step.results[slot] = output;
    step.done++;
    this.markDirty(exec, parent);
    if (step.type === 'Map') {
      parent.prev = run.prev;
      this.event(exec, parent, 'MapIterationSucceeded', {
        mapIterationSucceededEventDetails: { name: parent.state, index: slot },
      });
      if (step.done < step.total) {
        const state = this.state(exec, parent);
        this.guard(exec, parent, () => this.launchIterations(exec, parent, state, step));
        return;
      }
    } else if (step.done < step.total) {
      return;
    } else {
      parent.prev = run.prev;
    }
    this.childrenSucceeded(exec, parent, step);
  }

  /** A run ended in error with no Retry/Catch of its own left to try. */
  private failRun(exec: Execution, run: Run, error: string | undefined, cause: string | undefined): void {
    if (run.parent === undefined) {
      this.failExecution(exec, run, error, cause);
      return;
    }
    const parent = exec.runs.get(run.parent);
    this.deleteRun(exec, run);
    if (parent?.step.k !== 'children') return;
    const step = parent.step;
    parent.prev = run.prev;
    if (step.type === 'Map') {
      this.event(exec, parent, 'MapIterationFailed', {
        mapIterationFailedEventDetails: { name: parent.state, index: run.slot ?? 0 },
      });
    }
    // The other branches / iterations are stopped.
    for (const sibling of [...exec.runs.values()]) {
      if (sibling.parent !== parent.id) continue;
      if (step.type === 'Map') {
        this.event(exec, parent, 'MapIterationAborted', {
          mapIterationAbortedEventDetails: { name: parent.state, index: sibling.slot ?? 0 },
        });
      }
      this.deleteRunTree(exec, sibling);
    }
    this.event(exec, parent, step.type === 'Parallel' ? 'ParallelStateFailed' : 'MapStateFailed');
    parent.step = { k: 'enter' };
    this.markDirty(exec, parent);
    const failure = new StatesError(error ?? '', cause);
    this.guard(exec, parent, () => this.handleError(exec, parent, failure));
  }

  private deleteRunTree(exec: Execution, run: Run): void {
    for (const child of [...exec.runs.values()]) {
      if (child.parent === run.id) this.deleteRunTree(exec, child);
    }
    this.deleteRun(exec, run);
  }

  /** Retry, then Catch, then failure of the run: the error handling of Task, Parallel and Map. */
  private handleError(exec: Execution, run: Run, failure: StatesError, heartbeat = false): void {
    const state = this.state(exec, run);
    const { error, cause_: cause } = failure;
    const handles = state.Type === 'Task' || state.Type === 'Parallel' || state.Type === 'Map';
    if (handles && Array.isArray(state.Retry)) {
      const retriers = state.Retry as JsonObject[];
      const index = retriers.findIndex((r) => errorMatches(r.ErrorEquals, error, heartbeat));
      if (index >= 0) {
        const retrier = retriers[index] as JsonObject;
        const maxAttempts = typeof retrier.MaxAttempts === 'number' ? retrier.MaxAttempts : 3;
        run.retries ??= retriers.map(() => 0);
        const used = run.retries[index] ?? 0;
        if (used < maxAttempts) {
          run.retries[index] = used + 1;
          const interval = typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1;
          const backoff = typeof retrier.BackoffRate === 'number' ? retrier.BackoffRate : 2;
          let delay = interval * backoff ** used;
          if (typeof retrier.MaxDelaySeconds === 'number') delay = Math.min(delay, retrier.MaxDelaySeconds);
          if (retrier.JitterStrategy === 'FULL') delay = Math.random() * delay;
          run.step = { k: 'retry', until: this.clock.now() + Math.round(delay * 1000) };
          this.markDirty(exec, run);
          this.armStepTimer(exec, run);
          return;
        }
      }
    }
    if (handles && Array.isArray(state.Catch)) {
      const catcher = (state.Catch as JsonObject[]).find((c) =>
        errorMatches(c.ErrorEquals, error, heartbeat),
      );
      if (catcher) {
        const errorOutput: JsonObject = { Error: error };
        if (cause !== undefined) errorOutput.Cause = cause;
        try {
          const output = applyResultPath(
            run.input,
            errorOutput,
            catcher.ResultPath as string | null | undefined,
          );
          this.exitState(exec, run, state, output, catcher.Next as string);
        } catch (catchError) {
          if (!(catchError instanceof StatesError)) throw catchError;
          // A failure while catching (ResultPath, size limit) is not caught again.
          this.failRun(exec, run, catchError.error, catchError.cause_);
        }
        return;
      }
    }
    this.failRun(exec, run, error, cause);
  }

  // ---------------------------------------------------------------- ending executions

  private failExecution(
    exec: Execution,
    run: Run | undefined,
    error: string | undefined,
    cause: string | undefined,
  ): void {
    const details: JsonObject = {};
    if (error !== undefined) details.error = error;
    if (cause !== undefined) details.cause = cause;
    this.event(exec, run, 'ExecutionFailed', { executionFailedEventDetails: details });
    this.finishExecution(exec, 'FAILED', { error, cause });
    this.log('info', 'execution failed', { executionArn: exec.arn, error });
  }

  private abortExecution(exec: Execution, error: string | undefined, cause: string | undefined): void {
    const details: JsonObject = {};
    if (error !== undefined) details.error = error;
    if (cause !== undefined) details.cause = cause;
    this.event(exec, undefined, 'ExecutionAborted', { executionAbortedEventDetails: details }, 0);
    this.finishExecution(exec, 'ABORTED', { error, cause });
  }

  private timeOutExecution(exec: Execution): void {
    const root = exec.runs.get('0');
    this.event(
      exec,
      undefined,
      'ExecutionTimedOut',
      { executionTimedOutEventDetails: { error: 'States.Timeout' } },
      root?.prev ?? exec.events.length,
    );
    this.finishExecution(exec, 'TIMED_OUT', { error: 'States.Timeout' });
    this.log('info', 'execution timed out', { executionArn: exec.arn });
  }

  private finishExecution(
    exec: Execution,
    status: ExecutionStatus,
    fields: { output?: string; error?: string | undefined; cause?: string | undefined },
  ): void {
    for (const run of [...exec.runs.values()]) this.deleteRun(exec, run);
    for (const timer of exec.timers ?? []) timer.handle.cancel();
    exec.timers = undefined;
    exec.context = undefined;
    exec.status = status;
    exec.stop = this.clock.now();
    if (fields.output !== undefined) exec.output = fields.output;
    if (fields.error !== undefined) exec.error = fields.error;
    if (fields.cause !== undefined) exec.cause = fields.cause;
    exec.statusChanged = true;
    this.options.onExecutionEnd?.(exec.arn, status);
  }

  // ---------------------------------------------------------------- timers

  private setTimer(exec: Execution, kind: TimerKind, runId: string, at: number, seq = 0): void {
    this.cancelTimer(exec, kind, runId);
    const timer: ArmedTimer = { kind, runId, seq, handle: NO_HANDLE };
    // One closure per timer; what firing means is decided from the execution's state then.
    timer.handle = this.clock.setTimer(at, () => this.timerFired(exec, timer));
    if (!exec.timers) exec.timers = [];
    exec.timers.push(timer);
  }

  private cancelTimer(exec: Execution, kind: TimerKind, runId: string): void {
    const timers = exec.timers;
    if (!timers) return;
    const index = timers.findIndex((t) => t.kind === kind && t.runId === runId);
    if (index < 0) return;
    timers[index]?.handle.cancel();
    timers.splice(index, 1);
    if (timers.length === 0) exec.timers = undefined;
  }

  private timerFired(exec: Execution, timer: ArmedTimer): void {
    const timers = exec.timers;
    const index = timers ? timers.indexOf(timer) : -1;
    if (!timers || index < 0) return;
    timers.splice(index, 1);
    if (timers.length === 0) exec.timers = undefined;
    if (this.closed || exec.status !== 'RUNNING') return;
    if (timer.kind === 'execution') {
      this.timeOutExecution(exec);
    } else {
      const run = exec.runs.get(timer.runId);
      if (!run) return;
      if (timer.kind === 'step') this.stepTimerFired(exec, run);
      else if (this.isCurrentTask(exec, run.id, timer.seq)) {
        this.timeOutTask(exec, run, run.step as TaskStep, timer.kind === 'heartbeat');
      }
    }
    this.settle(exec);
  }
  private cancelTimers(exec: Execution, runId: string): void {
    if (!exec.timers) return;
    for (const kind of ['step', 'timeout', 'heartbeat'] as const) this.cancelTimer(exec, kind, runId);
  }
  private armExecutionTimeout(exec: Execution): void {
    if (exec.timeoutAt === undefined) return;
    this.setTimer(exec, 'execution', '', exec.timeoutAt);
  }
  /** The timer of a Wait state or of a retry back-off. */
  private armStepTimer(exec: Execution, run: Run): void {
    const step = run.step;
    if (step.k !== 'wait' && step.k !== 'retry') return;
    this.setTimer(exec, 'step', run.id, step.until);
  }

  /** A Wait state's instant or a retry back-off has come. */
  private stepTimerFired(exec: Execution, run: Run): void {
    const step = run.step;
    if (step.k === 'wait') {
      const state = this.state(exec, run);
      run.step = { k: 'enter' };
      this.markDirty(exec, run);
      this.guard(exec, run, () => {
        const effective = selectPath(run.input, state.InputPath as string | null | undefined);
        this.exitState(exec, run, state, selectPath(effective, outputPath(state)));
      });
    } else if (step.k === 'retry') {
      run.retryCount = (run.retryCount ?? 0) + 1;
      run.step = { k: 'enter' };
      this.markDirty(exec, run);
      const state = this.state(exec, run);
      this.guard(exec, run, () => this.perform(exec, run, state));
    }
  }
  private armTaskTimers(exec: Execution, run: Run, step: TaskStep): void {
    if (step.timeoutAt !== undefined) this.setTimer(exec, 'timeout', run.id, step.timeoutAt, step.seq);
    if (step.heartbeatAt !== undefined) this.setTimer(exec, 'heartbeat', run.id, step.heartbeatAt, step.seq);
  }
  /**
   * The end of handling an event (timer, callback, task result): runs it released into a new
   * state continue on the next turn, and the changes go to the journal.
   */
  private settle(exec: Execution): void {
    this.scheduleReleased(exec);
    this.uncommitted.add(exec);
    this.kick();
  }

  private scheduleReleased(exec: Execution): void {
    if (exec.status !== 'RUNNING') return;
    for (const run of exec.runs.values()) {
      if (run.step.k === 'enter') this.schedule(exec, run.id);
    }
  }

  /** Task tokens handed out and not yet answered. */
  waitingTasks(): number {
    let waiting = 0;
    for (const { exec, runId } of this.activeTokens.values()) {
      const step = exec.runs.get(runId)?.step;
      if (step?.k === 'task' && step.phase === 'waiting') waiting++;
    }
    return waiting;
  }

  /** Number of executions per status (for logs and the benchmark). */
  counts(): Record<ExecutionStatus, number> {
    const counts = { RUNNING: 0, SUCCEEDED: 0, FAILED: 0, TIMED_OUT: 0, ABORTED: 0 };
    for (const exec of this.executionsBySeq.values()) counts[exec.status]++;
    return counts;
  }
}

// ------------------------------------------------------------------ helpers

/** The JSON document a state or data event carries, parsed (a run's input at replay). */
function eventDocument(event: StoredEvent | undefined): Json {
  if (!event || !('data' in event))
    throw new Error('journal: a run input points at an event without a document');
  return JSON.parse(event.data) as Json;
}

/** A StateEntered or StateExited event before it is rendered in AWS's form. */
interface StateEvent {
  id: number;
  prev: number;
  /** Epoch milliseconds (AWS shows seconds: converted when rendered). */
  ts: number;
  type: string;
  name: string;
  /** The state's input or output as JSON text. */
  data: string;
  exited: boolean;
}

/** A lambda:invoke TaskSubmitted or TaskSucceeded event before it is rendered. */
interface InvokeEvent {
  id: number;
  prev: number;
  /** Epoch milliseconds (AWS shows seconds: converted when rendered). */
  ts: number;
  type: 'TaskSubmitted' | 'TaskSucceeded';
  resource: string;
  /** The function's result as JSON text. */
  payload: string;
  requestId: string;
  version: string;
  status: number;
}

/** A history event: AWS JSON text, or a compact form rendered when read. */
type StoredEvent = GenericEvent | StateEvent | InvokeEvent | DataEvent;

/**
 * An event whose details are one JSON document (a function's input or output, an execution's
 * output) plus fixed fields; the document is kept as text.
 */
interface DataEvent {
  id: number;
  prev: number;
  /** Epoch milliseconds (AWS shows seconds: converted when rendered). */
  ts: number;
  type: string;
  data: string;
  resource: string | undefined;
  timeout: number | undefined;
}

const DATA_EVENT_TYPES = new Set([
  'LambdaFunctionScheduled',
  'LambdaFunctionSucceeded',
  'ExecutionSucceeded',
  'TaskSucceeded',
]);

function isDataEvent(event: StoredEvent): event is DataEvent {
  return 'data' in event && !('exited' in event);
}

/** The AWS details of a data event, rebuilt from its fields. */
function dataDetails(event: DataEvent): JsonObject {
  switch (event.type) {
    case 'LambdaFunctionScheduled': {
      const details: JsonObject = {
        resource: event.resource ?? '',
        input: event.data,
        inputDetails: NOT_TRUNCATED,
      };
      if (event.timeout !== undefined) details.timeoutInSeconds = event.timeout;
      return details;
    }
    case 'TaskSucceeded':
      return {
        resourceType: 'lambda',
        resource: event.resource ?? '',
        output: event.data,
        outputDetails: NOT_TRUNCATED,
      };
    default:
      return { output: event.data, outputDetails: NOT_TRUNCATED };
  }
}

/** Any other event: its AWS details object, rendered with JSON.stringify when read. */
interface GenericEvent {
  id: number;
  prev: number;
  /** Epoch milliseconds (AWS shows seconds: converted when rendered). */
  ts: number;
  type: string;
  details: JsonObject | undefined;
}

const DETAILS_KEYS = new Map<string, string>();

/** AWS names an event's details after its type: TaskScheduled -> taskScheduledEventDetails. */
function detailsKey(type: string): string {
  let key = DETAILS_KEYS.get(type);
  if (!key) {
    key = `${type[0]?.toLowerCase() ?? ''}${type.slice(1)}EventDetails`;
    DETAILS_KEYS.set(type, key);
  }
  return key;
}

function isStateEvent(event: StoredEvent): event is StateEvent {
  return 'exited' in event;
}

function isGenericEvent(event: StoredEvent): event is GenericEvent {
  return 'details' in event;
}

function genericObject(event: GenericEvent): JsonObject {
  const object: JsonObject = {
    id: event.id,
    previousEventId: event.prev,
    timestamp: seconds(event.ts),
    type: event.type,
  };
  if (event.details !== undefined) object[detailsKey(event.type)] = event.details;
  return object;
}
const STATE_EVENT_TYPES = new Map<string, [string, string]>();

/** `PassStateEntered` etc.: one shared string per type instead of a new one per event. */
function stateEventType(stateType: string, exited: boolean): string {
  let names = STATE_EVENT_TYPES.get(stateType);
  if (!names) {
    names = [`${stateType}StateEntered`, `${stateType}StateExited`].map(flatten) as [string, string];
    STATE_EVENT_TYPES.set(stateType, names);
  }
  return names[exited ? 1 : 0];
}

/**
 * A flat string, for text that is kept for long. V8 builds JSON.stringify results and
 * concatenations as trees of pieces; a history entry held as such a tree costs several times its
 * length in headers. Reading a character makes V8 flatten the tree in place (one copy; the
 * pieces become garbage and the collector later drops the wrapper).
 */
function flatten(text: string): string {
  if (text.length >= 16) text.charCodeAt(0);
  return text;
}

/** The document of an event that carries one (state input/output, function input/output). */
function documentOf(event: StoredEvent | undefined): string | undefined {
  return event !== undefined && 'data' in event ? event.data : undefined;
}

/**
 * The text to keep for an event's document: the previous event's own string when it is the same
 * document (a state's output is the next state's input; a Choice passes its input through), so
 * the history holds it once and the journal writes a reference instead of a second copy.
 */
function sharedDocument(previous: StoredEvent | undefined, data: string): string {
  const before = documentOf(previous);
  return before !== undefined && before === data ? before : flatten(data);
}

/** `{"truncated":false}`, shared by every event (history data is never truncated here). */
const NOT_TRUNCATED: JsonObject = Object.freeze({ truncated: false }) as JsonObject;

function invokeResponse(event: Omit<InvokeEvent, 'id' | 'prev' | 'ts'>, at: number): Json {
  const response = invokeResult(
    JSON.parse(event.payload) as Json,
    event.requestId,
    event.version,
    new Date(at),
  );
  if (event.status !== 200 && isJsonObject(response)) response.StatusCode = event.status;
  return response;
}

/**
 * How an event is written in the journal: AWS events as their JSON, state events as
 * `[id, prev, ts, type, name, <data as raw JSON>, exited]` (the data is not escaped into a string).
 * When an event's document is the same text as that of the event it follows (`prev`), the
 * document is written as null followed by a trailing 1: "the document of event prev".
 */
function journalForm(event: StoredEvent, history: readonly StoredEvent[]): string {
  if (isGenericEvent(event)) {
    return `["g",${event.id},${event.prev},${event.ts},"${event.type}",${event.details === undefined ? 'null' : JSON.stringify(event.details)}]`;
  }
  if (isDataEvent(event)) {
    const head = `["d",${event.id},${event.prev},${event.ts},"${event.type}",${JSON.stringify(event.resource ?? null)},${event.timeout ?? null}`;
    return documentOf(history[event.prev - 1]) === event.data ? `${head},null,1]` : `${head},${event.data}]`;
  }
  if (!isStateEvent(event)) {
    return `["i",${event.id},${event.prev},${event.ts},"${event.type}",${JSON.stringify(event.resource)},"${event.requestId}",${JSON.stringify(event.version)},${event.status},${event.payload}]`;
  }
  const head = `[${event.id},${event.prev},${event.ts},"${event.type}",${JSON.stringify(event.name)}`;
  const exited = event.exited ? 1 : 0;
  return documentOf(history[event.prev - 1]) === event.data
    ? `${head},null,${exited},1]`
    : `${head},${event.data},${exited}]`;
}

/**
 * Appends the history events of a journal record (either form, or older string entries) to
 * `history`, resolving documents written as references to the event before.
 */
function appendStoredEvents(history: StoredEvent[], events: unknown): void {
  if (!Array.isArray(events)) return;
  const documentText = (prev: number, data: Json, reference: unknown): string =>
    reference === 1
      ? (documentOf(history[prev - 1]) ?? 'null')
      : sharedDocument(history[prev - 1], JSON.stringify(data));
  for (const item of events as unknown[]) history.push(storedEvent(item));

  function storedEvent(event: unknown): StoredEvent {
    if (typeof event === 'string') return genericEvent(JSON.parse(event) as JsonObject);
    if (Array.isArray(event) && event[0] === 'g') {
      const [, id, prev, ts, type, details] = event as [
        'g',
        number,
        number,
        number,
        string,
        JsonObject | null,
      ];
      return { id, prev, ts, type, details: details ?? undefined };
    }
    if (Array.isArray(event) && event[0] === 'd') {
      const [, id, prev, ts, type, resource, timeout, data, reference] = event as [
        'd',
        number,
        number,
        number,
        string,
        string | null,
        number | null,
        Json,
        1 | undefined,
      ];
      return {
        id,
        prev,
        ts,
        type,
        data: documentText(prev, data, reference),
        resource: resource ?? undefined,
        timeout: timeout ?? undefined,
      };
    }
    if (Array.isArray(event) && event[0] === 'i') {
      const [, id, prev, ts, type, resource, requestId, version, status, payload] = event as [
        'i',
        number,
        number,
        number,
        InvokeEvent['type'],
        string,
        string,
        string,
        number,
        Json,
      ];
      return { id, prev, ts, type, resource, requestId, version, status, payload: JSON.stringify(payload) };
    }
    if (Array.isArray(event)) {
      const [id, prev, ts, type, name, data, exited, reference] = event as [
        number,
        number,
        number,
        string,
        string,
        Json,
        number,
        1 | undefined,
      ];
      return { id, prev, ts, type, name, data: documentText(prev, data, reference), exited: exited === 1 };
    }
    return genericEvent(event as JsonObject);
  }
}

function genericEvent(object: JsonObject): GenericEvent {
  const type = object.type as string;
  return {
    id: object.id as number,
    prev: object.previousEventId as number,
    ts: Math.round((object.timestamp as number) * 1000),
    type,
    details: object[detailsKey(type)] as JsonObject | undefined,
  };
}
function renderEvent(event: StoredEvent): string {
  if (isGenericEvent(event)) return JSON.stringify(genericObject(event));
  if (isDataEvent(event)) {
    return JSON.stringify({
      id: event.id,
      previousEventId: event.prev,
      timestamp: seconds(event.ts),
      type: event.type,
      [detailsKey(event.type)]: dataDetails(event),
    });
  }
  if (!isStateEvent(event)) {
    const key = event.type === 'TaskSubmitted' ? 'taskSubmittedEventDetails' : 'taskSucceededEventDetails';
    return JSON.stringify({
      id: event.id,
      previousEventId: event.prev,
      timestamp: seconds(event.ts),
      type: event.type,
      [key]: {
        resourceType: 'lambda',
        resource: event.resource,
        output: JSON.stringify(invokeResponse(event, event.ts)),
        outputDetails: NOT_TRUNCATED,
      },
    });
  }
  const head = `{"id":${event.id},"previousEventId":${event.prev},"timestamp":${seconds(event.ts)},"type":"${event.type}"`;
  const name = JSON.stringify(event.name);
  const data = JSON.stringify(event.data);
  return event.exited
    ? `${head},"stateExitedEventDetails":{"name":${name},"output":${data},"outputDetails":{"truncated":false}}}`
    : `${head},"stateEnteredEventDetails":{"name":${name},"input":${data},"inputDetails":{"truncated":false}}}`;
}

function resultPath(state: JsonObject): string | null | undefined {
  return state.ResultPath as string | null | undefined;
}

function outputPath(state: JsonObject): string | null | undefined {
  return state.OutputPath as string | null | undefined;
}

/** TimeoutSeconds / HeartbeatSeconds, or their `...Path` form read from the state's raw input. */
function positiveSeconds(
  state: JsonObject,
  field: 'TimeoutSeconds' | 'HeartbeatSeconds',
  input: Json,
  context: ContextRef,
): number | undefined {
  const literal = state[field];
  if (typeof literal === 'number') return literal;
  const path = state[`${field}Path`];
  if (typeof path !== 'string') return undefined;
  const found = readPath(path, input, context);
  if (!found.found) throw runtimeError(`Invalid path '${path}' : No results for path: ${path}`);
  const value = found.value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw runtimeError(
      `The ${field}Path '${path}' must reference a positive integer, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Whether an ErrorEquals list matches an error, with the wildcards' AWS semantics. */
export function errorMatches(errorEquals: unknown, error: string, heartbeat: boolean): boolean {
  if (!Array.isArray(errorEquals)) return false;
  // States.Runtime is never retried or caught; States.DataLimitExceeded only when named.
  if (error === 'States.Runtime') return false;
  for (const name of errorEquals) {
    if (name === error) return true;
    if (name === 'States.ALL' && error !== 'States.DataLimitExceeded') return true;
    if (name === 'States.TaskFailed' && error !== 'States.Timeout' && error !== 'States.DataLimitExceeded') {
      return true;
    }
    if (name === 'States.HeartbeatTimeout' && heartbeat) return true;
  }
  return false;
}

function validateRoleArn(roleArn: string): void {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(roleArn)) {
    throw apiErrors.invalidArn(roleArn, `Invalid Arn: ${roleArn}`);
  }
}

function encodeCursor(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ s: scope, o: offset })).toString('base64url');
}

function decodeCursor(token: string, scope: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      s?: unknown;
      o?: unknown;
    };
    if (parsed.s === scope && typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0) {
      return parsed.o;
    }
  } catch {
    // Falls through to InvalidToken.
  }
  throw apiErrors.invalidToken(`Invalid Token: '${token}'`);
}

/** includeExecutionData=false: the events without their input and output data. */
function stripExecutionData(event: StoredEvent): string {
  const parsed = JSON.parse(renderEvent(event)) as JsonObject;
  for (const value of Object.values(parsed)) {
    if (isJsonObject(value)) {
      delete value.input;
      delete value.output;
      delete value.parameters;
    }
  }
  return JSON.stringify(parsed);
}
