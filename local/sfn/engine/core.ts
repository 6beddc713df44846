import { type CompiledDefinition, compileDefinition } from '../interpreter/definition.ts';
import type { Journal } from '../journal/journal.ts';
import type { FunctionRegistry } from '../lambda/registry.ts';
import type { Clock } from './clock.ts';
import type { Execution, ExecutionStatus, Logger, StateMachine } from './model.ts';
import type { TokenIssuer } from './tokens.ts';

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

/**
 * The engine's state, shared by its parts: the facade (engine.ts), the scheduler, the timers,
 * recovery, the interpreter and the history builders are plain functions taking this object,
 * so the hot path is direct calls on one object with a fixed shape (no per-call closures).
 */
export class EngineCore {
  journal!: Journal;
  tokens!: TokenIssuer;
  readonly definitions = new Map<string, { text: string; compiled?: CompiledDefinition }>();
  readonly stateMachines = new Map<string, StateMachine>();
  readonly executions = new Map<string, Execution>();
  readonly executionsBySeq = new Map<number, Execution>();
  readonly executionsByMachine = new Map<string, Execution[]>();
  readonly activeTokens = new Map<string, { exec: Execution; runId: string }>();
  nextSeq = 1;
  ready: Array<{ exec: Execution; runId: string }> = [];
  readonly queued = new Set<string>();
  /** Lambda invocations running now. */
  readonly inFlight = new Set<Promise<unknown>>();
  afterSyncQueue: Array<() => void> = [];
  /** Executions changed since their last journal record (written at the end of the turn). */
  readonly uncommitted = new Set<Execution>();
  afterSyncScheduled = false;
  draining = false;
  closed = false;
  readonly clock: Clock;
  readonly log: Logger;
  readonly region: string;
  readonly accountId: string;

  constructor(readonly options: EngineOptions) {
    this.clock = options.clock;
    this.log = options.log;
    this.region = options.region;
    this.accountId = options.accountId;
  }

  definitionText(hash: string): string {
    const entry = this.definitions.get(hash);
    if (!entry) throw new Error(`definition ${hash} missing from the store`);
    return entry.text;
  }

  compiled(hash: string): CompiledDefinition {
    const entry = this.definitions.get(hash);
    if (!entry) throw new Error(`definition ${hash} missing from the store`);
    entry.compiled ??= compileDefinition(entry.text);
    return entry.compiled;
  }

  putDefinition(hash: string, text: string): void {
    if (this.definitions.has(hash)) return;
    this.definitions.set(hash, { text });
    this.journal.append({ t: 'def', h: hash, text });
  }

  register(exec: Execution): void {
    this.executions.set(exec.arn, exec);
    this.executionsBySeq.set(exec.seq, exec);
    let list = this.executionsByMachine.get(exec.smArn);
    if (!list) {
      list = [];
      this.executionsByMachine.set(exec.smArn, list);
    }
    list.push(exec);
  }
}
