/**
 * Resident memory of a local Step Functions service process holding 10,000 executions that wait
 * on callbacks (target: < 150 MB), before and after a restart that reloads them from the data
 * directory. Run by bench/sfn.ts, or alone: `npx tsx bench/sfn-rss.ts [--quick]`.
 *
 * Two ways of running the same service are measured:
 *   - as `npm start` runs it: `node --import tsx local/sfn/main.ts` (the TypeScript loader runs in
 *     a second V8 isolate of the same process, about 38 MB of it);
 *   - bundled with esbuild and run by plain `node`: the service's own footprint.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { build } from 'esbuild';

// The SDK's Node 20 notice is known (README: Node versions): npm start's banner says it once, not every script.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const COUNT = process.argv.includes('--quick') ? 2_000 : 10_000;
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 4000);

const definition = {
  Comment: 'A permit stage waiting for an officer: the product pattern',
  StartAt: 'verifikasi.begin',
  States: {
    'verifikasi.begin': {
      Type: 'Pass',
      Parameters: {
        'applicationId.$': '$.applicationId',
        stage: 'verifikasi',
        'enteredAt.$': '$$.State.EnteredTime',
      },
      ResultPath: '$.current',
      Next: 'verifikasi.wait',
    },
    'verifikasi.wait': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: 'notify',
        Payload: { 'applicationId.$': '$.applicationId', stage: 'verifikasi', 'token.$': '$$.Task.Token' },
      },
      TimeoutSecondsPath: '$.stageTimeoutSeconds',
      ResultPath: '$.decision',
      End: true,
    },
  },
};

interface Launch {
  label: string;
  /** Arguments for node, before the service's own. */
  command: (dataDir: string) => string[];
}

interface Service {
  child: ChildProcess;
  url: string;
  exited: Promise<unknown>;
}

async function startService(launch: Launch, dataDir: string): Promise<Service> {
  // EXTRA_NODE_FLAGS (for example --max-semi-space-size=2) go before the script.
  const flags = (process.env.EXTRA_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, ...launch.command(dataDir)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const ready = JSON.parse(line) as { url?: string };
      if (ready.url) resolve(ready.url);
    });
    void exited.then(() => reject(new Error('service exited before it was ready')));
  });
  return { child, url, exited };
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

interface Health {
  executions: Record<string, number>;
  tasksWaitingForCallback: number;
  memoryMiB: Record<string, number>;
}

async function health(url: string): Promise<Health> {
  return (await (await fetch(`${url}/_local/health`)).json()) as Health;
}

async function untilWaiting(url: string, count: number): Promise<void> {
  while ((await health(url)).tasksWaitingForCallback < count) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Lets the service go idle (it compacts its heap after two quiet seconds) before reading RSS. */
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

async function measure(launch: Launch) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sfn-rss-'));
  try {
    let service = await startService(launch, dataDir);
    await settle();
    const idle = rssMiB(service.child.pid as number);
    const client = new SFNClient({
      endpoint: service.url,
      region: 'ap-southeast-3',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    const { stateMachineArn } = await client.send(
      new CreateStateMachineCommand({
        name: 'rss',
        definition: JSON.stringify(definition),
        roleArn: 'arn:aws:iam::000000000000:role/bench',
      }),
    );
    const startedAt = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < COUNT) {
          const i = next++;
          await client.send(
            new StartExecutionCommand({
              stateMachineArn,
              name: `app-${i}`,
              input: JSON.stringify({ applicationId: `app-${i}`, stageTimeoutSeconds: 21 * 24 * 3600 }),
            }),
          );
        }
      }),
    );
    await untilWaiting(service.url, COUNT);
    const startSeconds = (performance.now() - startedAt) / 1000;
    client.destroy();
    await settle();
    const waiting = rssMiB(service.child.pid as number);
    const waitingHeap = (await health(service.url)).memoryMiB;

    service.child.kill('SIGTERM');
    await service.exited;
    const restartAt = performance.now();
    service = await startService(launch, dataDir);
    const restartSeconds = (performance.now() - restartAt) / 1000;
    const recovered = await health(service.url);
    await settle();
    const afterRestart = rssMiB(service.child.pid as number);
    service.child.kill('SIGTERM');
    await service.exited;
    return { idle, waiting, afterRestart, waitingHeap, startSeconds, restartSeconds, recovered };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const buildDir = join(ROOT, '.local', 'bench-build');
  mkdirSync(buildDir, { recursive: true });
  await build({
    entryPoints: [join(ROOT, 'local/sfn/main.ts'), join(ROOT, 'bench/sfn-functions.ts')],
    outdir: buildDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    packages: 'external',
    logLevel: 'error',
  });
  const serviceArgs = (dataDir: string, functions: string) => [
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--functions',
    functions,
    '--log-level',
    'warn',
    '--exit-with-stdin',
  ];
  const launches: Launch[] = [
    {
      label: 'node --import tsx (as npm start runs it)',
      command: (dataDir) => [
        '--import',
        'tsx',
        'local/sfn/main.ts',
        ...serviceArgs(dataDir, 'bench/sfn-functions.ts'),
      ],
    },
    {
      label: 'plain node, esbuild bundle',
      command: (dataDir) => [
        join(buildDir, 'local/sfn/main.mjs'),
        ...serviceArgs(dataDir, join(buildDir, 'bench/sfn-functions.mjs')),
      ],
    },
  ];
  const results: Array<{ launch: Launch; result: Awaited<ReturnType<typeof measure>> }> = [];
  for (const launch of launches) results.push({ launch, result: await measure(launch) });

  const cell = (n: number) => n.toFixed(1).padStart(8);
  console.log('');
  console.log(
    `| service process RSS, MiB (target < 150)   | ${launches.map((l) => l.label.padEnd(40)).join(' | ')} |`,
  );
  console.log(
    `|--------------------------------------------|${launches.map(() => '-'.repeat(42)).join('|')}|`,
  );
  const row = (label: string, pick: (r: (typeof results)[number]['result']) => number) =>
    console.log(
      `| ${label.padEnd(42)} | ${results.map(({ result }) => cell(pick(result)).padEnd(40)).join(' | ')} |`,
    );
  row('idle, empty data directory', (r) => r.idle);
  row(`${COUNT} executions waiting on callbacks`, (r) => r.waiting);
  row('same, after a restart reloading them', (r) => r.afterRestart);
  console.log('');
  for (const { launch, result } of results) {
    console.log(
      `${launch.label}: ${COUNT} starts through the SDK in ${result.startSeconds.toFixed(1)} s; restart to ready ` +
        `${result.restartSeconds.toFixed(1)} s, then ${result.recovered.executions.RUNNING} running and ` +
        `${result.recovered.tasksWaitingForCallback} tokens valid; V8 heap used/total while waiting ` +
        `${result.waitingHeap.heapUsed}/${result.waitingHeap.heapTotal} MiB`,
    );
  }
}

await main();
