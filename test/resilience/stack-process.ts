/**
 * The local stack as `npm start` runs it, in a child process of its own process group, so that the
 * suite can `kill -9` all of it at once and start it again on the same data directory and ports.
 *
 * The launcher (local/start.ts) starts each child in a process group of its own (local/processes.ts),
 * so a SIGKILL to the launcher's group alone would leave the children to notice their stdin pipe
 * closing and stop gracefully. "The whole stack" is therefore every group whose leader is listed in
 * the launcher's `endpoints.json` (launcher, dynamodb with its JVM, s3, ses, sfn, api): all of them
 * get SIGKILL in the same tick.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PORT_OVERRIDES, SERVICES, type ServiceName } from '../../local/ports.ts';
import { ENDPOINTS_FILE, REPO_ROOT, type StackEndpoints } from '../../local/stack.ts';

const READY_TIMEOUT_MS = 90_000;
const GONE_TIMEOUT_MS = 30_000;

/** True while the process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export interface KillRecord {
  /** Process group leaders that were sent SIGKILL. */
  groups: Record<string, number>;
  /** Milliseconds until every process was gone and every port free again. */
  freeAfterMs: number;
}

export class StackProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private current: StackEndpoints | undefined;
  starts = 0;
  readonly kills: KillRecord[] = [];
  /** Milliseconds from spawning the launcher to its endpoints file, per start. */
  readonly startupMs: number[] = [];

  constructor(
    private readonly options: {
      dataDir: string;
      logDir: string;
      ports: Record<ServiceName, number>;
      regency: string;
    },
  ) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  get endpoints(): StackEndpoints {
    if (this.current === undefined) throw new Error('the stack is not running');
    return this.current;
  }

  /** Starts `node --import tsx local/start.ts` and waits until it has written its endpoints. */
  async start(): Promise<StackEndpoints> {
    if (this.child !== undefined) throw new Error('the stack is already running');
    const t0 = performance.now();
    const endpointsFile = join(this.options.dataDir, ENDPOINTS_FILE);
    // A file left by a killed launcher must not be mistaken for the new one's.
    rmSync(endpointsFile, { force: true });
    mkdirSync(this.options.logDir, { recursive: true });
    this.starts += 1;
    const logFile = join(this.options.logDir, `stack-${this.starts}.log`);
    const log = openSync(logFile, 'a');
    const portFlags = SERVICES.flatMap((s) => [`--${PORT_OVERRIDES[s].flag}`, String(this.options.ports[s])]);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_ROOT, 'local', 'start.ts'),
        '--regency',
        this.options.regency,
        '--data-dir',
        this.options.dataDir,
        ...portFlags,
      ],
      { cwd: REPO_ROOT, detached: true, stdio: ['ignore', log, log], env: process.env },
    );
    closeSync(log);
    this.child = child;
    let exitInfo: string | undefined;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        exitInfo = signal === null ? `exit code ${code}` : `signal ${signal}`;
        resolve();
      });
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (exitInfo !== undefined) {
        this.child = undefined;
        throw new Error(`the stack exited while starting (${exitInfo}); see ${logFile}:\n${tail(logFile)}`);
      }
      if (existsSync(endpointsFile)) {
        try {
          const endpoints = JSON.parse(readFileSync(endpointsFile, 'utf8')) as StackEndpoints;
          if (endpoints.processes.launcher === child.pid) {
            this.current = endpoints;
            this.startupMs.push(Math.round(performance.now() - t0));
            return endpoints;
          }
        } catch {
          // Being written.
        }
      }
      if (Date.now() > deadline) {
        await this.kill9();
        throw new Error(`the stack was not ready within ${READY_TIMEOUT_MS / 1000} s; see ${logFile}`);
      }
      await sleep(50);
    }
  }

  /** SIGKILL to every process group of the stack in one tick; resolves once all are gone and the ports are free. */
  async kill9(): Promise<KillRecord> {
    const child = this.child;
    if (child?.pid === undefined) throw new Error('the stack is not running');
    const t0 = performance.now();
    const groups: Record<string, number> = { ...(this.current?.processes ?? {}), launcher: child.pid };
    for (const pid of Object.values(groups)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await this.exited;
    const deadline = Date.now() + GONE_TIMEOUT_MS;
    for (;;) {
      const left = Object.entries(groups).filter(([, pid]) => alive(pid));
      const taken: number[] = [];
      if (left.length === 0)
        for (const port of Object.values(this.options.ports)) if (!(await portFree(port))) taken.push(port);
      if (left.length === 0 && taken.length === 0) break;
      if (Date.now() > deadline)
        throw new Error(
          `after kill -9: processes still alive ${JSON.stringify(left)}, ports still taken ${taken.join(', ')}`,
        );
      await sleep(50);
    }
    this.child = undefined;
    this.current = undefined;
    const record = { groups, freeAfterMs: Math.round(performance.now() - t0) };
    this.kills.push(record);
    return record;
  }

  /** A clean stop (SIGTERM to the launcher, which stops its children), SIGKILL if it takes too long. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child?.pid === undefined) return;
    const pid = child.pid;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Gone.
    }
    const timer = setTimeout(() => {
      for (const leader of Object.values({ ...(this.current?.processes ?? {}), launcher: pid })) {
        try {
          process.kill(-leader, 'SIGKILL');
        } catch {
          // Gone.
        }
      }
    }, 15_000);
    await this.exited;
    clearTimeout(timer);
    this.child = undefined;
    this.current = undefined;
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
