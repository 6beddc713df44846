/**
 * Start-up of the local stack, as `npm start` runs it: the target is a ready stack (banner printed,
 * resources created) within 5 s, Java included.
 *
 *   npx tsx bench/startup.ts [--runs 3]
 *
 * Measures, on fresh temporary data directories and kernel-chosen ports:
 * - cold start: empty data directory (tables and bucket created);
 * - warm restart: the same directory again (data kept, resources only checked);
 * both through the real command (the tsx CLI running local/start.ts, timed until its banner), and
 * the memory (RSS) of each child process tree while the stack runs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { PORT_OVERRIDES, pickFreePorts, SERVICES } from '../local/ports.ts';
import { ENDPOINTS_FILE, REPO_ROOT, type StackEndpoints } from '../local/stack.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);

interface Launch {
  ms: number;
  endpoints: StackEndpoints;
  stop: () => Promise<void>;
}

/** Runs `tsx local/start.ts` and resolves when its banner is printed. */
async function launch(dataDir: string): Promise<Launch> {
  const ports = await pickFreePorts();
  const flags = SERVICES.flatMap((s) => [`--${PORT_OVERRIDES[s].flag}`, String(ports[s])]);
  const t0 = performance.now();
  const child = spawn(
    join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
    ['local/start.ts', '--quiet', '--data-dir', dataDir, ...flags],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const errors: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => errors.push(line));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (/ready in/.test(line)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`start.ts exited with ${code}:\n${errors.join('\n')}`)));
  });
  const ms = performance.now() - t0;
  const endpoints = JSON.parse(readFileSync(join(dataDir, ENDPOINTS_FILE), 'utf8')) as StackEndpoints;
  return {
    ms,
    endpoints,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function childrenTable(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  return children;
}

/** RSS in MB of a process and all its descendants (the supervisor and its JVM, a Node child and its esbuild). */
function treeRssMb(pid: number, table: Map<number, number[]>): number {
  let kb = 0;
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift() as number;
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // Gone meanwhile.
    }
    queue.push(...(table.get(p) ?? []));
  }
  return kb / 1024;
}

const stats = (xs: number[]): string => {
  const sorted = [...xs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  return `median ${(median / 1000).toFixed(2)} s  (min ${((sorted[0] ?? 0) / 1000).toFixed(2)}, max ${((sorted.at(-1) ?? 0) / 1000).toFixed(2)}, n=${xs.length})`;
};

const cold: number[] = [];
const warm: number[] = [];
const inner: number[] = [];
let rss: Record<string, number> = {};
for (let i = 0; i < runs; i++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'satupintu-bench-'));
  try {
    const first = await launch(dataDir);
    cold.push(first.ms);
    await first.stop();
    const second = await launch(dataDir);
    warm.push(second.ms);
    inner.push(second.endpoints.startupMs);
    if (i === runs - 1) {
      const table = childrenTable();
      rss = Object.fromEntries(
        Object.entries(second.endpoints.processes).map(([name, pid]) => [name, treeRssMb(pid, table)]),
      );
      // The launcher's own figure counts its children too; report it alone.
      rss.launcher =
        Number(
          /VmRSS:\s+(\d+)/.exec(
            readFileSync(`/proc/${second.endpoints.processes.launcher}/status`, 'utf8'),
          )?.[1] ?? 0,
        ) / 1024;
    }
    await second.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(`local stack start-up (tsx CLI -> banner), ${process.version}, ${runs} runs`);
console.log(`  cold start (empty data dir):   ${stats(cold)}`);
console.log(`  warm restart (existing data):  ${stats(warm)}`);
console.log(`  of which inside startStack():  ${stats(inner)}`);
console.log('  RSS while running (MB, each child with its descendants):');
for (const [name, mb] of Object.entries(rss)) console.log(`    ${name.padEnd(10)} ${mb.toFixed(0)}`);
console.log(
  `    total      ${Object.values(rss)
    .reduce((a, b) => a + b, 0)
    .toFixed(0)}`,
);
