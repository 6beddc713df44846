/**
 * Starting and stopping the local stack's child processes.
 *
 * Every child gets a stdin pipe it never reads from but watches: when the launcher dies, even by
 * SIGKILL, the kernel closes the pipe and the child (or, for Java, the supervisor wrapper around it)
 * stops. Children run in their own process group so that a Ctrl-C in the terminal reaches only the
 * launcher, which then stops them in order and reports it, instead of five processes dying at once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { EXIT_PORT_IN_USE } from './emulators/lifeline.ts';

/** A failure the person starting the stack can act on: shown as its message alone, without a stack trace. */
export class LaunchError extends Error {
  override name = 'LaunchError';
}

export type Readiness =
  /** The child prints `{"ready":true,"url":...}` on stdout (see emulators/lifeline.ts). */
  | { kind: 'line' }
  /** The child says nothing useful: poll `url` until `accept` recognises the answer as the right server's. */
  | { kind: 'http'; url: string; accept: (status: number, body: string) => boolean };

export interface ChildSpec {
  /** Short id used in logs and endpoints.json: `dynamodb`, `s3`, `ses`, `sfn`, `api`. */
  name: string;
  /** Human name for messages: `DynamoDB Local`. */
  label: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  readiness: Readiness;
  port: number;
  /** How to pick another port, for the port-in-use message: `--api-port <n> or SATUPINTU_API_PORT=<n>`. */
  portHint: string;
  /** An output line that means the port is taken, for children that cannot exit with EXIT_PORT_IN_USE. */
  portInUsePattern?: RegExp;
  readyTimeoutMs?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningChild {
  readonly name: string;
  readonly label: string;
  readonly pid: number;
  readonly url: string;
  /** Settles when the process has exited, for whatever reason. */
  readonly exited: Promise<ExitInfo>;
  /** SIGTERM to the child's process group, SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * The children that run the product's functions (the API server, and the Step Functions service with
 * the workflow steps in flight) write to the emulators: they stop first, while DynamoDB Local, s3rver
 * and the mailbox are still up, so a step in flight either finishes or is cut off (and replayed on the
 * next start) instead of failing against a dead table and flagging its application NeedsAttention.
 */
export const STOP_FIRST: readonly string[] = ['api', 'sfn'];

/** Stops `children`: those named in `first` together, then, once they have exited, all the others. */
export async function stopInOrder(
  children: ReadonlyArray<Pick<RunningChild, 'name' | 'stop'>>,
  first: readonly string[] = STOP_FIRST,
): Promise<void> {
  await Promise.all(children.filter((c) => first.includes(c.name)).map((c) => c.stop()));
  await Promise.all(children.filter((c) => !first.includes(c.name)).map((c) => c.stop()));
}

/** Receives every line a child writes (stdout and stderr), except its ready line. */
export type OutputSink = (child: string, line: string) => void;

const STOP_GRACE_MS = 3000;
const DEFAULT_READY_TIMEOUT_MS = 30_000;
const OUTPUT_TAIL_LINES = 15;

export function portInUseMessage(label: string, port: number, hint: string): string {
  return `Port ${port} (${label}) on 127.0.0.1 is already in use: stop the program using it (perhaps an earlier npm start) or choose another port with ${hint}.`;
}

export async function startChild(spec: ChildSpec, sink: OutputSink): Promise<RunningChild> {
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const tail: string[] = [];
  let portInUse = false;
  let readyUrl: string | undefined;
  let onReadyLine: ((url: string) => void) | undefined;

  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));
  // The stdin pipe is the lifeline; a child that exits early must not crash us with EPIPE.
  child.stdin?.on('error', () => {});

  const onLine = (line: string): void => {
    if (readyUrl === undefined && spec.readiness.kind === 'line' && line.startsWith('{')) {
      const url = parseReadyLine(line);
      if (url !== undefined) {
        readyUrl = url;
        onReadyLine?.(url);
        return;
      }
    }
    if (spec.portInUsePattern?.test(line)) portInUse = true;
    tail.push(line);
    if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
    sink(spec.name, line);
  };
  if (child.stdout)
    createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on('line', onLine);
  if (child.stderr)
    createInterface({ input: child.stderr, crlfDelay: Number.POSITIVE_INFINITY }).on('line', onLine);

  const running = (url: string): RunningChild => ({
    name: spec.name,
    label: spec.label,
    pid: child.pid ?? -1,
    url,
    exited,
    stop: () => stopChild(child, exited),
  });

  const ready: Promise<string> =
    spec.readiness.kind === 'line'
      ? new Promise((resolve) => {
          onReadyLine = resolve;
          if (readyUrl !== undefined) resolve(readyUrl);
        })
      : pollHttp(spec.readiness, exited);

  const timeoutMs = spec.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const outcome = await Promise.race([
    ready.then((url) => ({ kind: 'ready' as const, url })),
    exited.then((info) => ({ kind: 'exited' as const, info })),
    spawnFailed.then((error) => ({ kind: 'spawn-error' as const, error })),
    delay(timeoutMs, undefined, { ref: false }).then(() => ({ kind: 'timeout' as const })),
  ]);
  if (outcome.kind === 'ready') return running(outcome.url);

  if (outcome.kind !== 'spawn-error') await stopChild(child, exited);
  if (outcome.kind === 'spawn-error') {
    throw new LaunchError(`Cannot start ${spec.label} (${spec.command}): ${outcome.error.message}`);
  }
  // The pattern may appear just before the exit is noticed; give the output streams a moment to drain.
  await delay(20);
  if (portInUse || (outcome.kind === 'exited' && outcome.info.code === EXIT_PORT_IN_USE)) {
    throw new LaunchError(portInUseMessage(spec.label, spec.port, spec.portHint));
  }
  const what =
    outcome.kind === 'timeout'
      ? `was not ready within ${Math.round(timeoutMs / 1000)} s`
      : `exited before it was ready (${describeExit(outcome.info)})`;
  throw new LaunchError(
    `${spec.label} ${what}.${tail.length > 0 ? ` Its last output:\n  ${tail.join('\n  ')}` : ''}`,
  );
}

export function describeExit(info: ExitInfo): string {
  return info.signal === null ? `exit code ${info.code}` : `signal ${info.signal}`;
}

function parseReadyLine(line: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null) {
      const { ready, url } = parsed as { ready?: unknown; url?: unknown };
      if (ready === true && typeof url === 'string') return url;
    }
  } catch {
    // An ordinary log line that happens to start with a brace.
  }
  return undefined;
}

async function pollHttp(
  readiness: Extract<Readiness, { kind: 'http' }>,
  exited: Promise<ExitInfo>,
): Promise<string> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  // The JVM gives no ready signal on its output: polling every 50 ms costs nothing next to its start-up.
  while (!gone) {
    try {
      const response = await fetch(readiness.url, { signal: AbortSignal.timeout(1000) });
      if (readiness.accept(response.status, await response.text())) return readiness.url;
    } catch {
      // Not listening yet.
    }
    await delay(50);
  }
  return new Promise(() => {});
}

async function stopChild(child: ChildProcess, exited: Promise<ExitInfo>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  child.stdin?.end();
  signalGroup('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
  // Whatever the child left in its group (a JVM whose supervisor was killed first) goes too.
  signalGroup('SIGKILL');
}

/** Whether a process exists (EPERM: it exists but belongs to someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
