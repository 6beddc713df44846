/**
 * Counts what one application costs to run, by running it: the generated state machine of each permit
 * of a regency on the local Step Functions service, with the real workflow functions against DynamoDB
 * Local, s3rver and the SES emulator (the stack `npm start` runs). Officials approve every stage; a
 * second run returns the file once at the first stage that allows it.
 *
 *   npx tsx infra/usage/count-usage.ts [--regency kota-bengkulu]
 *
 * Prints, per permit and scenario: state transitions (StateEntered events), Lambda invocations and
 * their in-process duration, DynamoDB read/write request units (as DynamoDB Local reports consumed
 * capacity), mails sent, objects and bytes written to S3. `docs/deploy.md` turns these into the cost
 * table. This is a measurement script, not a test: it takes about a minute.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type HistoryEvent, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { routes } from '#api/routes.ts';
import type { Outcome } from '#config/regency-schema.ts';
import { FINAL_STATUSES } from '#core/domain/application.ts';
import { submitDecision } from '#core/use-cases/stage-waits.ts';
import { type AwsClients, awsClients } from '#runtime/clients.ts';
import { workflowFunctionModules } from '../../local/functions-registry.ts';
import { executionHistory, settleExecution, startInProcessWorkflows } from '../../local/in-process.ts';
import {
  adaptHandler,
  type FunctionRegistry,
  type LambdaHandler,
  ManualClock,
} from '../../local/sfn/index.ts';
import { resolveRegency, startStack } from '../../local/stack.ts';
import { workflowFunctionAccess } from '../function-access.ts';
import { type CountedUsage, costLines, fixedMonthlyLines, markdownTable } from './cost-table.ts';

/** What a run counts; `durationMs` sums in-process handler durations (an indication only: Lambda on ARM differs). */
export interface Usage extends CountedUsage {
  dynamoRequests: number;
}

const emptyUsage = (): Usage => ({
  transitions: 0,
  invocations: {},
  durationMs: {},
  readUnits: 0,
  writeUnits: 0,
  dynamoRequests: 0,
  mails: 0,
  s3Puts: 0,
  s3Bytes: 0,
});

let current = emptyUsage();

type Capacity = { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };
const WRITE_COMMANDS = /Put|Update|Delete|BatchWrite|TransactWrite/;

/** The product's own SDK clients, counting DynamoDB capacity, mails and S3 writes. */
function instrumented(clients: AwsClients): AwsClients {
  clients.dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      current.dynamoRequests += 1;
      const output = result.output as { ConsumedCapacity?: Capacity | Capacity[] };
      const consumed = ([] as Capacity[]).concat(output.ConsumedCapacity ?? []);
      const units = consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      if (WRITE_COMMANDS.test(context.commandName ?? '')) current.writeUnits += units;
      else current.readUnits += units;
      return result;
    },
    { step: 'initialize', name: 'countConsumedCapacity' },
  );
  clients.ses().middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      current.mails += 1;
      return result;
    },
    { step: 'initialize', name: 'countMails' },
  );
  clients.s3().middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutObjectCommand') {
        current.s3Puts += 1;
        const body = (args.input as { Body?: { length?: number } }).Body;
        current.s3Bytes += body?.length ?? 0;
      }
      return next(args);
    },
    { step: 'initialize', name: 'countPuts' },
  );
  return clients;
}

/** The real workflow functions, counted. */
function countingRegistry(): FunctionRegistry {
  const modules = workflowFunctionModules();
  const loaded = new Map<string, Promise<LambdaHandler>>();
  return {
    async resolve(functionNameOrArn) {
      const name = Object.keys(modules).find(
        (n) => functionNameOrArn.endsWith(`function:${n}`) || functionNameOrArn === n,
      );
      const load = name === undefined ? undefined : modules[name];
      if (name === undefined || load === undefined) return undefined;
      let handler = loaded.get(name);
      if (handler === undefined) {
        handler = load().then((m) => adaptHandler(m.handler as Parameters<typeof adaptHandler>[0]));
        loaded.set(name, handler);
      }
      const inner = await handler;
      return async (event, context) => {
        const t0 = performance.now();
        try {
          return await inner(event, context);
        } finally {
          current.invocations[name] = (current.invocations[name] ?? 0) + 1;
          current.durationMs[name] = (current.durationMs[name] ?? 0) + (performance.now() - t0);
        }
      };
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      regency: { type: 'string', default: 'kota-bengkulu' },
      markdown: { type: 'boolean', default: false },
    },
  });
  const regencyId = values.regency ?? 'kota-bengkulu';
  const { regency } = resolveRegency(regencyId);
  const dir = mkdtempSync(join(tmpdir(), 'satupintu-usage-'));
  const stack = await startStack({
    regency: regencyId,
    dataDir: join(dir, 'stack'),
    fresh: true,
    inMemoryDynamoDb: true,
    ports: 'free',
  });
  const clock = new ManualClock(Date.parse('2026-03-02T02:00:00Z'));
  const { endpoints } = stack;
  const inProcess = await startInProcessWorkflows({
    regency,
    endpoints: { dynamodb: endpoints.dynamodb.url, s3: endpoints.s3.url, ses: endpoints.mailbox.url },
    clock,
    tableName: 'usage',
    bucket: 'usage-documents',
    machineName: (code) => `${regency.id}-${code}`,
    functions: countingRegistry(),
    clients: (env) => instrumented(awsClients(env)),
  });
  try {
    const { sfn, machines, container: ports } = inProcess;
    const history = (arn: string): Promise<HistoryEvent[]> => executionHistory(sfn, arn);
    const settle = (arn: string, after: number): Promise<void> => settleExecution(sfn, arn, after, 30_000);

    const rows: { permit: string; scenario: string; usage: Usage; status: string }[] = [];
    for (const [code, stateMachineArn] of machines) {
      const permit = regency.permits.find((p) => p.code === code);
      if (permit === undefined) continue;
      for (const scenario of ['approve-all', 'one-return'] as const) {
        current = emptyUsage();
        const id = `app-${code.toLowerCase()}-${scenario}`;
        const now = new Date(clock.now()).toISOString();
        await ports.applications.create({
          id,
          regencyId: regency.id,
          permitCode: permit.code,
          trackingCode: id.toUpperCase().slice(0, 10),
          status: 'submitted',
          applicantEmail: `${id}@example.test`,
          applicantName: 'Pemohon Uji',
          createdAt: now,
          submittedAt: now,
          visits: 0,
          version: 1,
        });
        const started = await sfn.send(
          new StartExecutionCommand({
            stateMachineArn,
            name: id,
            input: JSON.stringify({ applicationId: id }),
          }),
        );
        const arn = started.executionArn ?? '';
        await settle(arn, 0);
        let returned = scenario === 'approve-all';
        for (let step = 0; step < 50; step++) {
          const app = await ports.applications.get(id);
          if (app === undefined || FINAL_STATUSES.includes(app.status)) break;
          const before = (await history(arn)).length;
          const decidedAt = new Date(clock.now()).toISOString();
          if (app.returned !== undefined) {
            await submitDecision(ports, app.returned.pendingActionId, {
              outcome: 'resubmitted',
              actor: 'applicant',
              decidedAt,
            });
          } else if (app.current !== undefined) {
            const stage = permit.stages.find((s) => s.id === app.current?.stageId);
            const outcomes = Object.keys(stage?.outcomes ?? {}) as Outcome[];
            let outcome: Outcome = outcomes.includes('approve') ? 'approve' : 'inspectionNotNeeded';
            if (!returned && outcomes.includes('returnForCompletion')) {
              outcome = 'returnForCompletion';
              returned = true;
            }
            const actor =
              regency.officials.find((o) => o.roles.includes(app.current?.role ?? ''))?.id ?? 'unknown';
            await submitDecision(ports, app.current.pendingActionId, { outcome, actor, decidedAt });
          } else break;
          clock.set(clock.now() + 3_600_000);
          await settle(arn, before);
        }
        const events = await history(arn);
        current.transitions = events.filter((e) => e.type?.endsWith('StateEntered')).length;
        const status = (await ports.applications.get(id))?.status ?? 'unknown';
        rows.push({ permit: permit.code, scenario, usage: current, status });
      }
    }
    if (values.markdown !== true) {
      process.stdout.write(
        `${JSON.stringify({ regency: regency.id, measuredAt: new Date().toISOString(), rows }, null, 2)}\n`,
      );
      return;
    }
    const memory = Object.fromEntries(
      Object.entries(workflowFunctionAccess).map(([name, settings]) => [name, settings.memorySize ?? 256]),
    );
    const functions = Object.keys(workflowFunctionAccess).length + new Set(routes.map((r) => r.fn)).size;
    const alarms = 2 * regency.permits.length + 2 * functions + 3;
    for (const row of rows.filter((r) => r.scenario === 'approve-all')) {
      const returned = rows.find((r) => r.permit === row.permit && r.scenario === 'one-return');
      process.stdout.write(
        `\n### ${regency.id} ${row.permit}: every stage approved (${row.status})\n\n` +
          `${markdownTable(costLines(row.usage, memory), fixedMonthlyLines(alarms))}\n\n` +
          (returned === undefined
            ? ''
            : `With one return for completion: ${returned.usage.transitions} transitions, ` +
              `${Object.values(returned.usage.invocations).reduce((a, b) => a + b, 0)} workflow invocations, ` +
              `${returned.usage.writeUnits} WRU, ${returned.usage.readUnits} RRU, ${returned.usage.mails} mails.\n`),
      );
    }
  } finally {
    await inProcess.close();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
