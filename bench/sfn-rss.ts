/**
 * Resident memory of a local Step Functions service process holding 10,000 executions that wait
 * on callbacks (target: < 150 MB), before and after a restart that reloads them from the data
 * directory. Run by bench/sfn.ts, or alone: `npx tsx bench/sfn-rss.ts [--quick]`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const COUNT = process.argv.includes('--quick') ? 2_000 : 10_000;

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

interface Service {
  child: ChildProcess;
  url: string;
  exited: Promise<unknown>;
}

async function startService(dataDir: string): Promise<Service> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'local/sfn/main.ts',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--functions',
      'bench/sfn-functions.ts',
      '--log-level',
      'warn',
      '--exit-with-stdin',
    ],
    {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, NODE_OPTIONS: process.env.CHILD_NODE_OPTIONS ?? '' },
    },
  );
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
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kib / 1024;
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
  for (;;) {
    if ((await health(url)).tasksWaitingForCallback >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function settleMemory(): Promise<void> {
  // Let timers, sockets and the allocator quiet down before reading RSS.
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.SETTLE_MS ?? 2000)));
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sfn-rss-'));
  try {
    let service = await startService(dataDir);
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
    await settleMemory();
    const waiting = rssMiB(service.child.pid as number);
    const waitingHeap = (await health(service.url)).memoryMiB;

    service.child.kill('SIGTERM');
    await service.exited;
    const restartAt = performance.now();
    service = await startService(dataDir);
    const restartSeconds = (performance.now() - restartAt) / 1000;
    const recovered = await health(service.url);
    await settleMemory();
    const afterRestart = rssMiB(service.child.pid as number);
    const restartHeap = (await health(service.url)).memoryMiB;
    service.child.kill('SIGTERM');
    await service.exited;

    console.log('');
    console.log(`| service process RSS (target < 150 MB)                          | MiB   |`);
    console.log(`|----------------------------------------------------------------|-------|`);
    console.log(
      `| idle, empty data directory                                     | ${idle.toFixed(1).padStart(5)} |`,
    );
    console.log(
      `| ${`${COUNT} executions waiting on callbacks`.padEnd(62)} | ${waiting.toFixed(1).padStart(5)} |`,
    );
    console.log(
      `| ${'same, after a restart that reloaded them from disk'.padEnd(62)} | ${afterRestart.toFixed(1).padStart(5)} |`,
    );
    console.log('');
    console.log(
      `started ${COUNT} executions through the SDK in ${startSeconds.toFixed(1)} s; restart to ready: ${restartSeconds.toFixed(1)} s; ` +
        `after restart: ${recovered.executions.RUNNING} running, ${recovered.tasksWaitingForCallback} tokens valid`,
    );
    console.log(
      `V8 heap used/total MiB: waiting ${waitingHeap.heapUsed}/${waitingHeap.heapTotal}, ` +
        `after restart ${restartHeap.heapUsed}/${restartHeap.heapTotal}`,
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
