/**
 * Runs the generated state machines of one regency on an in-process local Step Functions service
 * driven by a manual clock, with the real workflow functions against the shared stack's DynamoDB
 * Local, s3rver and SES mailbox. Days of working time pass in milliseconds: the test moves the clock
 * from one timer to the next and waits until the execution is quiet again.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { loadRegency } from '#shared/config/load.ts';
import type { Outcome, Regency } from '#shared/config/regency-schema.ts';
import type {
  Application,
  ApplicationStatus,
  AuditEvent,
  Decision,
  StageVisit,
} from '#shared/domain/application.ts';
import { createCalendar, type WorkingCalendar } from '#shared/domain/calendar.ts';
import { submitDecision } from '#shared/domain/workflow.ts';
import { workflowPorts } from '#shared/workflow-ports.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/env.ts';
import {
  createWorkflows,
  executionHistory,
  pointFunctionsAt,
  settleExecution,
} from '../../../local/in-process.ts';
import { ensureBucket, ensureTable } from '../../../local/resources.ts';
import {
  ManualClock,
  registryFromModules,
  type StepFunctionsService,
  startStepFunctionsService,
} from '../../../local/sfn/index.ts';
import { stackClients, stackEndpoints, uniqueId } from '../harness/index.ts';

/** WIB/WITA wall-clock time to an instant, e.g. at('2026-03-17T10:00', '+07:00'). */
export const at = (local: string, offset = '+07:00'): Date => new Date(`${local}:00${offset}`);

const SETTLE_TIMEOUT_MS = 15_000;

export interface WorkflowDriver {
  regency: Regency;
  calendar: WorkingCalendar;
  clock: ManualClock;
  /** Creates an application and starts its execution (named after it) for `permitCode`. */
  submit(permitCode: string, options?: { applicantEmail?: string }): Promise<string>;
  application(id: string): Promise<Application>;
  /** Waits until the execution waits for a person (or has ended). */
  settle(id: string): Promise<void>;
  /** Decides the pending stage of `id` as `actor` would, then waits for the next wait. */
  decide(id: string, outcome: Outcome, extra?: Partial<Decision>): Promise<void>;
  /** The applicant completes a returned file. */
  resubmit(id: string): Promise<void>;
  /** Moves time to `target`, firing every timer on the way and letting the execution react to each. */
  advanceTo(id: string, target: Date): Promise<void>;
  status(id: string): Promise<ApplicationStatus>;
  visits(id: string): Promise<StageVisit[]>;
  audit(id: string): Promise<AuditEvent[]>;
  executionStatus(id: string): Promise<string>;
  history(id: string): Promise<HistoryEvent[]>;
  close(): Promise<void>;
}

export async function workflowDriver(options: {
  regencyId: string;
  start: Date;
  /** Overrides the regency's breach policy (deem-granted scenarios for every SOP). */
  onBreach?: Regency['deadlinePolicy']['onBreach'];
}): Promise<WorkflowDriver> {
  const endpoints = stackEndpoints();
  const loaded = loadRegency(options.regencyId).regency;
  const regency: Regency =
    options.onBreach === undefined
      ? loaded
      : { ...loaded, deadlinePolicy: { ...loaded.deadlinePolicy, onBreach: options.onBreach } };
  const dir = mkdtempSync(join(tmpdir(), 'satupintu-wf-'));
  const regencyFile = join(dir, 'regency.json');
  writeFileSync(regencyFile, JSON.stringify(regency));
  const tableName = uniqueId('wf');
  const bucket = uniqueId('wf-docs');
  const clients = stackClients(endpoints);
  await ensureTable(clients.dynamodb, tableName);
  await ensureBucket(clients.s3, bucket);

  const clock = new ManualClock(options.start.getTime());
  const modules = {
    'stage-actions': () => import('../../../functions/workflow/stage-actions.ts'),
    'await-human': () => import('../../../functions/workflow/await-human.ts'),
    issue: () => import('../../../functions/workflow/issue.ts'),
  };
  const sfnService: StepFunctionsService = await startStepFunctionsService({
    port: 0,
    dataDir: join(dir, 'sfn'),
    functions: registryFromModules(modules),
    clock,
    log: () => {},
  });

  // The workflow functions run in this process: point them at this regency, table and service.
  pointFunctionsAt({
    dynamodb: endpoints.dynamodb.url,
    s3: endpoints.s3.url,
    ses: endpoints.mailbox.url,
    sfn: sfnService.url,
    regencyFile,
    tableName,
    bucket,
  });
  const ports = workflowPorts();

  const sfn = new SFNClient({
    region: LOCAL_REGION,
    endpoint: sfnService.url,
    credentials: LOCAL_CREDENTIALS,
  });
  const machines = await createWorkflows(sfn, regency, (code) => `${regency.id}-${code}-${uniqueId('sm')}`);
  const executions = new Map<string, string>();

  const application = async (id: string): Promise<Application> => {
    const app = await ports.store.getApplication(id);
    if (app === undefined) throw new Error(`no application ${id}`);
    return app;
  };
  const history = (id: string): Promise<HistoryEvent[]> => executionHistory(sfn, executions.get(id) ?? '');
  const executionStatus = async (id: string): Promise<string> =>
    (await sfn.send(new DescribeExecutionCommand({ executionArn: executions.get(id) }))).status ?? 'UNKNOWN';

  const settleAfter = (id: string, afterEvents: number): Promise<void> =>
    settleExecution(sfn, executions.get(id) ?? '', afterEvents, SETTLE_TIMEOUT_MS);

  const decideAction = async (actionId: string, decision: Decision, id: string): Promise<void> => {
    const before = (await history(id)).length;
    const result = await submitDecision(ports, actionId, decision);
    if (result !== 'accepted') throw new Error(`decision not accepted: ${result}`);
    await settleAfter(id, before);
  };

  return {
    regency,
    calendar: createCalendar(regency),
    clock,
    async submit(permitCode, submitOptions = {}) {
      const id = uniqueId('app');
      const now = new Date(clock.now()).toISOString();
      await ports.store.createApplication({
        id,
        regencyId: regency.id,
        permitCode,
        trackingCode: id.slice(4, 14).toUpperCase(),
        status: 'submitted',
        applicantEmail: submitOptions.applicantEmail ?? `${id}@example.test`,
        applicantName: 'Pemohon Uji',
        createdAt: now,
        submittedAt: now,
        visits: 0,
        version: 1,
      });
      const started = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: machines.get(permitCode),
          name: id,
          input: JSON.stringify({ applicationId: id }),
        }),
      );
      executions.set(id, started.executionArn ?? '');
      await settleAfter(id, 0);
      return id;
    },
    application,
    settle: (id) => settleAfter(id, 0),
    async decide(id, outcome, extra = {}) {
      const app = await application(id);
      if (app.current === undefined) throw new Error(`application ${id} is not waiting for an official`);
      const actor = regency.officials.find((o) => o.roles.includes(app.current?.role ?? ''))?.id ?? 'unknown';
      await decideAction(
        app.current.pendingActionId,
        { outcome, actor, decidedAt: new Date(clock.now()).toISOString(), ...extra },
        id,
      );
    },
    async resubmit(id) {
      const app = await application(id);
      if (app.returned === undefined) throw new Error(`application ${id} is not returned`);
      await decideAction(
        app.returned.pendingActionId,
        { outcome: 'resubmitted', actor: 'applicant', decidedAt: new Date(clock.now()).toISOString() },
        id,
      );
    },
    async advanceTo(id, target) {
      for (;;) {
        const due = clock.nextDue();
        if (due === undefined || due > target.getTime()) break;
        const before = (await history(id)).length;
        clock.set(due);
        await settleAfter(id, before);
      }
      if (clock.now() < target.getTime()) clock.set(target.getTime());
    },
    status: async (id) => (await application(id)).status,
    visits: (id) => ports.store.listVisits(id),
    audit: (id) => ports.store.listAudit(id),
    executionStatus,
    history,
    async close() {
      await sfnService.close();
      sfn.destroy();
      clients.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
