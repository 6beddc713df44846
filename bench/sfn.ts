/**
 * Benchmark of the local Step Functions service (not a test): executions and state transitions
 * per second, with 1 and 100 concurrent executions, for
 *   (a) a 10-state Pass/Choice/Task machine, and
 *   (b) a permit-like machine with 5 callback stages, each answered as soon as its token arrives,
 * durability on (every record fsynced by the journal's group commit). The same definitions run
 * on aws-local-stepfunctions in the same process and the ratio is printed. Then the resident
 * memory of a service process holding 10,000 executions that wait on callbacks (bench/sfn-rss.ts).
 *
 *   npx tsx bench/sfn.ts            (one to two minutes)
 *   npx tsx bench/sfn.ts --quick    (fewer executions, one run each: a smoke test, not figures)
 *
 * "engine" drives the interpreter in-process, as aws-local-stepfunctions is driven, and waits
 * for each start to be durable as the API does. "SDK" goes through @aws-sdk/client-sfn and HTTP
 * (client and service share this process and its CPU).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateStateMachineCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  Engine,
  type LambdaHandlerLike,
  registryFromModules,
  SystemClock,
  startStepFunctionsService,
} from '../local/sfn/index.ts';
import { localStateMachineClass } from '../test/fixtures/sfn/local-stepfunctions.ts';

// The SDK's Node 20 notice is known (README: Node versions): npm start's banner says it once, not every script.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const quick = process.argv.includes('--quick');
const REGION = 'ap-southeast-3';
const ROLE = 'arn:aws:iam::000000000000:role/bench';
const fn = (name: string) => `arn:aws:lambda:${REGION}:000000000000:function:${name}`;

// ---------------------------------------------------------------- definitions

const tenStates = {
  Comment: '(a) 10 states: Pass, Choice and Task',
  StartAt: 'Shape',
  States: {
    Shape: { Type: 'Pass', Parameters: { 'id.$': '$.id', 'days.$': '$.days', kind: 'SIP' }, Next: 'Check' },
    Check: { Type: 'Task', Resource: fn('check'), ResultPath: '$.check', Next: 'Route' },
    Route: {
      Type: 'Choice',
      Choices: [{ Variable: '$.days', NumericGreaterThan: 14, Next: 'Late' }],
      Default: 'OnTime',
    },
    Late: { Type: 'Pass', Result: 'late', ResultPath: '$.timing', Next: 'Score' },
    OnTime: { Type: 'Pass', Result: 'on-time', ResultPath: '$.timing', Next: 'Score' },
    Score: { Type: 'Task', Resource: fn('check'), ResultPath: '$.score', Next: 'Label' },
    Label: {
      Type: 'Pass',
      Parameters: {
        'id.$': '$.id',
        'label.$': "States.Format('{}-{}', $.id, $.timing)",
        'score.$': '$.score',
      },
      Next: 'Kind',
    },
    Kind: {
      Type: 'Choice',
      Choices: [{ Variable: '$.label', StringMatches: '*late', Next: 'Flag' }],
      Default: 'Flag',
    },
    Flag: { Type: 'Pass', Result: true, ResultPath: '$.flagged', Next: 'Finish' },
    Finish: { Type: 'Task', Resource: fn('check'), End: true },
  },
};

const STAGES = ['verifikasi', 'telaah', 'pemeriksaan', 'persetujuan', 'penandatanganan'];
const permitLike = {
  Comment: '(b) permit-like: 5 callback stages',
  StartAt: `${STAGES[0]}.begin`,
  States: Object.fromEntries(
    STAGES.flatMap((stage, i): Array<[string, object]> => {
      const next = STAGES[i + 1];
      return [
        [
          `${stage}.begin`,
          {
            Type: 'Pass',
            Parameters: {
              'applicationId.$': '$.applicationId',
              stage,
              'enteredAt.$': '$$.State.EnteredTime',
            },
            ResultPath: '$.current',
            Next: `${stage}.wait`,
          },
        ],
        [
          `${stage}.wait`,
          {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
            Parameters: {
              FunctionName: 'notify',
              Payload: { 'applicationId.$': '$.applicationId', stage, 'token.$': '$$.Task.Token' },
            },
            TimeoutSecondsPath: '$.stageTimeoutSeconds',
            Retry: [
              {
                ErrorEquals: [
                  'Lambda.ServiceException',
                  'Lambda.TooManyRequestsException',
                  'Lambda.SdkClientException',
                ],
                IntervalSeconds: 2,
                MaxAttempts: 3,
              },
            ],
            ResultPath: '$.decision',
            Next: `${stage}.route`,
          },
        ],
        [
          `${stage}.route`,
          {
            Type: 'Choice',
            Choices: [
              {
                Variable: '$.decision.outcome',
                StringEquals: 'approve',
                Next: next ? `${next}.begin` : 'Issued',
              },
            ],
            Default: 'Rejected',
          },
        ],
      ];
    }).concat([
      ['Issued', { Type: 'Succeed' }],
      ['Rejected', { Type: 'Fail', Error: 'Permit.Rejected' }],
    ] as Array<[string, object]>),
  ),
};
const permitInput = (id: string) => ({ applicationId: id, stageTimeoutSeconds: 21 * 24 * 3600 });
const tenInput = (id: string) => ({ id, days: 20 });
const ANSWER = JSON.stringify({ outcome: 'approve', by: 'kepala-dinas' });

// ---------------------------------------------------------------- runners

/** Runs `total` executions with at most `concurrency` in flight. */
async function pool(total: number, concurrency: number, one: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await one(next++);
    }),
  );
  return (performance.now() - started) / 1000;
}

const check: LambdaHandlerLike = async (event: { id?: string }) => ({ ok: true, id: event.id ?? null });

async function runEngine(
  definition: object,
  input: (id: string) => object,
  total: number,
  concurrency: number,
) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sfn-bench-'));
  const waiting = new Map<string, () => void>();
  let engine!: Engine;
  const notify: LambdaHandlerLike = async (event: { token: string }) => {
    // The officer answers at once.
    setImmediate(() => engine.sendTaskSuccess(event.token, ANSWER));
    return { delivered: true };
  };
  const clock = new SystemClock();
  engine = await Engine.open({
    dataDir,
    clock,
    functions: registryFromModules({
      check: async () => ({ handler: check }),
      notify: async () => ({ handler: notify }),
    }),
    region: REGION,
    accountId: '000000000000',
    log: () => undefined,
    onExecutionEnd: (arn) => {
      const done = waiting.get(arn);
      waiting.delete(arn);
      // The end is counted once it is durable.
      if (done) queueMicrotask(() => void engine.sync().then(done));
    },
  });
  const { stateMachineArn } = engine.createStateMachine({
    name: 'bench',
    definition: JSON.stringify(definition),
    roleArn: ROLE,
  });
  let transitions = 0;
  const seconds = await pool(total, concurrency, async (i) => {
    const name = `e${i}`;
    const arn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const done = new Promise<void>((resolve) => waiting.set(arn, resolve));
    engine.startExecution({ stateMachineArn, name, input: JSON.stringify(input(name)) });
    await engine.sync();
    await done;
    if (i === 0)
      transitions = countTransitions(engine.getExecutionHistory(arn, 1000, undefined, false, false));
  });
  await engine.close();
  clock.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return { executions: total, seconds, transitions: transitions * total };
}

async function runSdk(definition: object, input: (id: string) => object, total: number, concurrency: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sfn-bench-'));
  const waiting = new Map<string, () => void>();
  let client!: SFNClient;
  const answers = new Set<Promise<unknown>>();
  const notify: LambdaHandlerLike = async (event: { token: string }) => {
    setImmediate(() => {
      const answer = client.send(new SendTaskSuccessCommand({ taskToken: event.token, output: ANSWER }));
      answers.add(answer);
      void answer.finally(() => answers.delete(answer));
    });
    return { delivered: true };
  };
  const service = await startStepFunctionsService({
    port: 0,
    dataDir,
    functions: registryFromModules({
      check: async () => ({ handler: check }),
      notify: async () => ({ handler: notify }),
    }),
    log: () => undefined,
    onExecutionEnd: (arn) => {
      const done = waiting.get(arn);
      waiting.delete(arn);
      if (done) queueMicrotask(done);
    },
  });
  client = new SFNClient({
    endpoint: service.url,
    region: REGION,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const created = await client.send(
    new CreateStateMachineCommand({ name: 'bench', definition: JSON.stringify(definition), roleArn: ROLE }),
  );
  const seconds = await pool(total, concurrency, async (i) => {
    const name = `e${i}`;
    const arn = `${(created.stateMachineArn as string).replace(':stateMachine:', ':execution:')}:${name}`;
    const done = new Promise<void>((resolve) => waiting.set(arn, resolve));
    await client.send(
      new StartExecutionCommand({
        stateMachineArn: created.stateMachineArn,
        name,
        input: JSON.stringify(input(name)),
      }),
    );
    await done;
  });
  await Promise.all(answers);
  client.destroy();
  await service.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { executions: total, seconds, transitions: 0 };
}

async function runAls(definition: object, input: (id: string) => object, total: number, concurrency: number) {
  const StateMachine = localStateMachineClass();
  const machine = new StateMachine(withoutTimeoutPaths(definition, input('probe')) as never, {
    validationOptions: { checkArn: false },
  });
  // aws-local-stepfunctions has no task tokens: a callback task's override returns the answer
  // itself, which is what "answered at once" amounts to.
  const overrides: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [name, state] of Object.entries(
    (definition as { States: Record<string, { Type: string; Resource?: string }> }).States,
  )) {
    if (state.Type !== 'Task') continue;
    overrides[name] = state.Resource?.includes('waitForTaskToken')
      ? async () => JSON.parse(ANSWER)
      : async (event) => (check as (e: unknown) => Promise<unknown>)(event);
  }
  const seconds = await pool(total, concurrency, async (i) => {
    const executionInput = input(`e${i}`);
    const now = new Date().toISOString();
    // Its default context object has no State: give the fields the definitions read.
    const context = {
      Execution: { Input: executionInput, StartTime: now, Name: `e${i}` },
      State: { EnteredTime: now },
      Task: { Token: 'no-token-in-aws-local-stepfunctions' },
    };
    await machine.run(executionInput as never, {
      overrides: { taskResourceLocalHandlers: overrides } as never,
      context: context as never,
    }).result;
  });
  return { executions: total, seconds, transitions: 0 };
}

/**
 * aws-local-stepfunctions reads TimeoutSecondsPath from the Parameters output instead of the
 * state input (its known difference from AWS), so with it the permit machine fails. It gets the same timeout as a
 * literal TimeoutSeconds instead: the same work, the only way it can run the definition.
 */
function withoutTimeoutPaths(definition: object, sampleInput: object): object {
  const copy = structuredClone(definition) as { States: Record<string, Record<string, unknown>> };
  for (const state of Object.values(copy.States)) {
    const path = state.TimeoutSecondsPath;
    if (typeof path !== 'string') continue;
    delete state.TimeoutSecondsPath;
    state.TimeoutSeconds = (sampleInput as Record<string, unknown>)[path.replace('$.', '')];
  }
  return copy;
}

function countTransitions(historyJson: string): number {
  const { events } = JSON.parse(historyJson) as { events: Array<{ type: string }> };
  return events.filter((e) => e.type.endsWith('StateEntered')).length;
}

// ---------------------------------------------------------------- table

const median = (values: number[]) =>
  [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] as number;

async function main(): Promise<void> {
  const rows: string[][] = [];
  const scenarios = [
    { label: '(a) 10-state Pass/Choice/Task', definition: tenStates, input: tenInput },
    { label: '(b) permit-like, 5 callbacks', definition: permitLike, input: permitInput },
  ];
  // Each configuration: one warm-up run per runner (not counted: the JIT compiles both
  // interpreters first), then REPEATS measured runs, the runners interleaved so that a slower
  // moment of the shared machine hits both alike; the table gives medians.
  const repeats = quick ? 1 : 3;
  for (const scenario of scenarios) {
    for (const concurrency of [1, 100]) {
      const total =
        (concurrency === 1 ? 200 : 3000) / (quick ? 5 : 1) / (scenario.definition === permitLike ? 2 : 1);
      const sdkTotal = total / (concurrency === 1 ? 1 : 2);
      const warmUp = Math.min(total, 300);
      await runEngine(scenario.definition, scenario.input, warmUp, concurrency);
      await runSdk(scenario.definition, scenario.input, Math.min(sdkTotal, 100), concurrency);
      await runAls(scenario.definition, scenario.input, warmUp, concurrency);
      const engineRates: number[] = [];
      const sdkRates: number[] = [];
      const alsRates: number[] = [];
      let perExecution = 0;
      for (let repeat = 0; repeat < repeats; repeat++) {
        const engine = await runEngine(scenario.definition, scenario.input, total, concurrency);
        perExecution = engine.transitions / engine.executions;
        engineRates.push(engine.executions / engine.seconds);
        const als = await runAls(scenario.definition, scenario.input, total, concurrency);
        alsRates.push(als.executions / als.seconds);
        const sdk = await runSdk(scenario.definition, scenario.input, sdkTotal, concurrency);
        sdkRates.push(sdk.executions / sdk.seconds);
      }
      const cell = (executionsPerSecond: number) =>
        `${Math.round(executionsPerSecond)} / ${Math.round(executionsPerSecond * perExecution)}`;
      const engineRate = median(engineRates);
      const alsRate = median(alsRates);
      rows.push([
        scenario.label,
        String(concurrency),
        String(perExecution),
        cell(engineRate),
        cell(median(sdkRates)),
        cell(alsRate),
        `${(engineRate / alsRate).toFixed(2)}x`,
        engineRates.map((r) => (r / alsRate).toFixed(2)).join(' '),
      ]);
      process.stderr.write(`done: ${scenario.label}, concurrency ${concurrency}\n`);
    }
  }
  const header = [
    'machine',
    'concurrent',
    'transitions/exec',
    'local-sfn engine, durable: exec/s / transitions/s',
    'local-sfn via SDK+HTTP, durable: exec/s / transitions/s',
    'aws-local-stepfunctions (memory): exec/s / transitions/s',
    'ratio (engine / aws-local-sfn)',
    'each engine run / median aws-local-sfn',
  ];
  printTable(header, rows);

  // RSS in a separate process, so this process's own memory is not counted.
  const rss = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./sfn-rss.ts', import.meta.url)),
      ...(quick ? ['--quick'] : []),
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (rss.status !== 0) process.exitCode = 1;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

await main();
