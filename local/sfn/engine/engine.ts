import { randomUUID } from 'node:crypto';
import {
  executionArn,
  isValidResourceName,
  parseExecutionArn,
  parseStateMachineArn,
  stateMachineArn,
} from '../api/arn.ts';
import { ApiError, apiErrors } from '../api/errors.ts';
import { event } from '../history/builders.ts';
import { NOT_TRUNCATED } from '../history/events.ts';
import { renderEvent, stripExecutionData } from '../history/render.ts';
import { definitionHash, type Scope, validateDefinition } from '../interpreter/definition.ts';
import { StatesError } from '../interpreter/errors.ts';
import type { Json, JsonObject } from '../interpreter/paths/json-path.ts';
import { handleError } from '../interpreter/retry-catch.ts';
import { guard } from '../interpreter/states.ts';
import { closeTask, completeTask } from '../interpreter/task.ts';
import { Journal } from '../journal/journal.ts';
import { executionMeta, journalForm } from '../journal/records.ts';
import { seconds } from './clock.ts';
import { EngineCore, type EngineOptions } from './core.ts';
import { abortExecution } from './endings.ts';
import {
  type Execution,
  type ExecutionStatus,
  markDirty,
  newExecution,
  newRun,
  type Run,
  type StateMachine,
  type TaskStep,
} from './model.ts';
import { applyRecord, resume, snapshot } from './recovery.ts';
import { commit, commitAll, schedule, settle } from './scheduler.ts';
import { armExecutionTimeout, armTaskTimers } from './timers.ts';
import { TokenIssuer } from './tokens.ts';

export type { EngineOptions } from './core.ts';
export { EXECUTION_STATUSES, type ExecutionStatus, type Logger } from './model.ts';

/**
 * The engine's face: the Step Functions operations (state machines, executions, callbacks) on
 * the store of state machines and executions, which it opens from the journal and resumes.
 *
 * The rest of the engine works on the shared EngineCore: the scheduler (scheduler.ts), timers
 * (timers.ts), how executions end (endings.ts), recovery (recovery.ts), and the interpreter
 * (../interpreter/), which writes the history (../history/) and the journal (../journal/).
 */
export class Engine {
  private readonly core: EngineCore;
  readonly region: string;
  readonly accountId: string;

  private constructor(options: EngineOptions) {
    this.core = new EngineCore(options);
    this.region = options.region;
    this.accountId = options.accountId;
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const engine = new Engine(options);
    const core = engine.core;
    core.tokens = TokenIssuer.load(options.dataDir);
    core.journal = await Journal.open(options.dataDir, (record) => applyRecord(core, record), {
      compactAfterBytes: options.compactAfterBytes,
      onError: (error) => options.log('error', 'journal write failed', { error: String(error) }),
    });
    core.journal.snapshotSource = () => snapshot(core);
    resume(core);
    return engine;
  }

  /** Resolves once everything the service did so far is durable. */
  sync(): Promise<void> {
    commitAll(this.core);
    return this.core.journal.sync();
  }

  /**
   * Stops the engine. Lambda invocations in flight get a short grace period to finish and be
   * recorded; one still running after it is cut off, and after a restart it is reported as an
   * interrupted invocation (Lambda.ServiceException), exactly as after a crash.
   */
  async close(graceMs = 1500): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.core.inFlight.size > 0 && Date.now() < deadline) {
      await Promise.race([...this.core.inFlight, new Promise((resolve) => setTimeout(resolve, 20))]);
    }
    commitAll(this.core);
    this.core.closed = true;
    for (const exec of this.core.executions.values()) {
      for (const timer of exec.timers ?? []) timer.handle.cancel();
      exec.timers = undefined;
    }
    await this.core.journal.close();
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
    const existing = this.core.stateMachines.get(arn);
    if (existing) {
      // CreateStateMachine is idempotent for an identical request.
      if (existing.def === hash && existing.roleArn === input.roleArn) {
        return { stateMachineArn: arn, creationDate: seconds(existing.created) };
      }
      throw apiErrors.stateMachineAlreadyExists(arn);
    }
    this.core.putDefinition(hash, input.definition);
    const machine: StateMachine = {
      arn,
      name: input.name,
      type: 'STANDARD',
      roleArn: input.roleArn,
      def: hash,
      created: this.core.clock.now(),
      logging: input.loggingConfiguration ?? { level: 'OFF', includeExecutionData: false },
      tracing: input.tracingConfiguration ?? { enabled: false },
      ...(input.description ? { description: input.description } : {}),
    };
    this.core.stateMachines.set(arn, machine);
    this.core.journal.append({ t: 'sm', sm: machine });
    this.core.log('info', 'state machine created', { stateMachineArn: arn });
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
    if (input.definition !== undefined) this.core.putDefinition(hash, input.definition);
    machine.def = hash;
    if (input.roleArn !== undefined) machine.roleArn = input.roleArn;
    if (input.loggingConfiguration !== undefined) machine.logging = input.loggingConfiguration;
    if (input.tracingConfiguration !== undefined) machine.tracing = input.tracingConfiguration;
    machine.updated = this.core.clock.now();
    machine.revisionId = randomUUID();
    this.core.journal.append({ t: 'sm', sm: machine });
    return { updateDate: seconds(machine.updated), revisionId: machine.revisionId };
  }

  describeStateMachine(arn: string): JsonObject {
    const machine = this.machine(arn);
    return this.describeMachine(machine, this.core.definitionText(machine.def));
  }

  describeStateMachineForExecution(arn: string): JsonObject {
    const exec = this.execution(arn);
    const machine = this.core.stateMachines.get(exec.smArn);
    const out: JsonObject = {
      stateMachineArn: exec.smArn,
      name: exec.smName,
      definition: this.core.definitionText(exec.def),
      roleArn: exec.role,
      updateDate: seconds(machine?.updated ?? machine?.created ?? exec.start),
      loggingConfiguration: machine?.logging ?? { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: machine?.tracing ?? { enabled: false },
    };
    return out;
  }

  listStateMachines(maxResults: number, nextToken: string | undefined): JsonObject {
    const machines = [...this.core.stateMachines.values()].sort((a, b) =>
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
    const machine = this.core.stateMachines.get(arn);
    // Deleting a state machine that does not exist succeeds on AWS too.
    if (!machine) return;
    for (const exec of this.core.executionsByMachine.get(arn) ?? []) {
      if (exec.status === 'RUNNING') {
        abortExecution(this.core, exec, undefined, 'The state machine was deleted');
        commit(this.core, exec);
      }
    }
    this.core.stateMachines.delete(arn);
    this.core.journal.append({ t: 'smdel', arn });
    this.core.log('info', 'state machine deleted', { stateMachineArn: arn });
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
    const existing = this.core.executions.get(arn);
    if (existing) {
      // Idempotent only while the first execution runs and the input is the same (AWS STANDARD).
      if (existing.status === 'RUNNING' && existing.input === inputText) {
        return { executionArn: arn, startDate: seconds(existing.start) };
      }
      throw apiErrors.executionAlreadyExists(arn);
    }
    const definition = this.core.compiled(machine.def);
    const now = this.core.clock.now();
    const exec = newExecution({
      seq: this.core.nextSeq++,
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
    this.core.register(exec);
    event(this.core, exec, undefined, 'ExecutionStarted', {
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
    this.core.journal.append(
      { t: 'ex', ...executionMeta(exec), r: { [root.id]: root } },
      exec.newEvents.map((event) => journalForm(event, exec.events)),
    );
    exec.newEvents = [];
    armExecutionTimeout(this.core, exec);
    schedule(this.core, exec, root.id);
    this.core.log('info', 'execution started', { executionArn: arn });
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
    const all = (this.core.executionsByMachine.get(machine.arn) ?? []).filter(
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
      abortExecution(this.core, exec, input.error, input.cause);
      commit(this.core, exec);
      this.core.log('info', 'execution stopped', { executionArn: exec.arn });
    }
    return { stopDate: seconds(exec.stop ?? this.core.clock.now()) };
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
    event(this.core, exec, run, 'TaskSucceeded', {
      taskSucceededEventDetails: {
        resourceType: 'lambda',
        resource: step.resource,
        output,
        outputDetails: NOT_TRUNCATED,
      },
    });
    closeTask(this.core, exec, run, step);
    guard(this.core, exec, run, () => completeTask(this.core, exec, run, result));
    settle(this.core, exec);
  }

  sendTaskFailure(token: string, error: string | undefined, cause: string | undefined): void {
    const { exec, run, step } = this.taskForToken(token);
    const details: JsonObject = { resourceType: 'lambda', resource: step.resource };
    if (error !== undefined) details.error = error;
    if (cause !== undefined) details.cause = cause;
    event(this.core, exec, run, 'TaskFailed', { taskFailedEventDetails: details });
    closeTask(this.core, exec, run, step);
    guard(this.core, exec, run, () => handleError(this.core, exec, run, new StatesError(error ?? '', cause)));
    settle(this.core, exec);
  }

  sendTaskHeartbeat(token: string): void {
    const { exec, run, step } = this.taskForToken(token);
    if (step.heartbeatSeconds !== undefined) {
      step.heartbeatAt = this.core.clock.now() + step.heartbeatSeconds * 1000;
      markDirty(exec, run);
      armTaskTimers(this.core, exec, run, step);
      commit(this.core, exec);
    }
  }

  // ---------------------------------------------------------------- lookups

  private machine(arn: string): StateMachine {
    parseStateMachineArn(arn);
    const machine = this.core.stateMachines.get(arn);
    if (!machine) throw apiErrors.stateMachineDoesNotExist(arn);
    return machine;
  }

  private execution(arn: string): Execution {
    parseExecutionArn(arn);
    const exec = this.core.executions.get(arn);
    if (!exec) throw apiErrors.executionDoesNotExist(arn);
    return exec;
  }

  private taskForToken(token: string): { exec: Execution; run: Run; step: TaskStep } {
    // A token of an open task is one this service issued (the map holds exactly those strings):
    // its MAC needs no second check.
    const active = this.core.activeTokens.get(token);
    if (active) {
      const run = active.exec.runs.get(active.runId);
      if (run && run.step.k === 'task' && run.step.token === token && active.exec.status === 'RUNNING') {
        return { exec: active.exec, run, step: run.step };
      }
    }
    if (!this.core.tokens.verify(token)) throw apiErrors.invalidToken("Invalid Token: 'Invalid token'");
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

  /** Task tokens handed out and not yet answered. */
  waitingTasks(): number {
    let waiting = 0;
    for (const { exec, runId } of this.core.activeTokens.values()) {
      const step = exec.runs.get(runId)?.step;
      if (step?.k === 'task' && step.phase === 'waiting') waiting++;
    }
    return waiting;
  }

  /** Number of executions per status (for logs and the benchmark). */
  counts(): Record<ExecutionStatus, number> {
    const counts = { RUNNING: 0, SUCCEEDED: 0, FAILED: 0, TIMED_OUT: 0, ABORTED: 0 };
    for (const exec of this.core.executionsBySeq.values()) counts[exec.status]++;
    return counts;
  }
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
