/**
 * Runs the generated state machines of one regency on an in-process local Step Functions service
 * driven by a manual clock, with the real workflow functions against the shared stack's DynamoDB
 * Local, s3rver and SES mailbox. Days of working time pass in milliseconds: the test moves the clock
 * from one timer to the next and waits until the execution is quiet again.
 */
import { DescribeExecutionCommand, type HistoryEvent, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, beforeEach } from 'vitest';
import { loadRegency } from '#config/load.ts';
import type { Outcome, Regency } from '#config/regency-schema.ts';
import type { ApplicantForm } from '#core/domain/applicant.ts';
import type {
  Application,
  ApplicationStatus,
  AuditEvent,
  Decision,
  StageVisit,
} from '#core/domain/application.ts';
import { createCalendar, type WorkingCalendar } from '#core/domain/calendar/calendar.ts';
import { submitDecision } from '#core/use-cases/stage-waits.ts';
import type { Container } from '#runtime/container.ts';
import { executionHistory, settleExecution, startInProcessWorkflows } from '../../../local/in-process.ts';
import { type FunctionRegistry, ManualClock } from '../../../local/sfn/index.ts';
import { applicantFixture } from '../../fixtures/application.ts';
import { stackEndpoints, uniqueId } from '../harness/index.ts';

/** WIB/WITA wall-clock time to an instant, e.g. at('2026-03-17T10:00', '+07:00'). */
export const at = (local: string, offset = '+07:00'): Date => new Date(`${local}:00${offset}`);

const SETTLE_TIMEOUT_MS = 15_000;

export interface WorkflowDriver {
  regency: Regency;
  /** The ports the in-process workflow functions use (same table, bucket, regency). */
  ports: Container;
  /** The in-process Step Functions service's endpoint. */
  sfnUrl: string;
  /** Waits until the execution of `id` is quiet after `afterEvents` history events. */
  settleAfter(id: string, afterEvents: number): Promise<void>;
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

export interface WorkflowDriverOptions {
  regencyId: string;
  start: Date;
  /** Overrides the regency's breach policy (deem-granted scenarios for every SOP). */
  onBreach?: Regency['deadlinePolicy']['onBreach'];
  /** A table and bucket to share with other drivers (created when missing); by default fresh ones. */
  tableName?: string;
  bucket?: string;
  /** The functions the service invokes; by default the real functions/workflow/<name>.ts. */
  functions?: FunctionRegistry;
}

export async function workflowDriver(options: WorkflowDriverOptions): Promise<WorkflowDriver> {
  const endpoints = stackEndpoints();
  const loaded = loadRegency(options.regencyId).regency;
  const regency: Regency =
    options.onBreach === undefined
      ? loaded
      : { ...loaded, deadlinePolicy: { ...loaded.deadlinePolicy, onBreach: options.onBreach } };
  const clock = new ManualClock(options.start.getTime());
  const stack = await startInProcessWorkflows({
    regency,
    endpoints: {
      dynamodb: endpoints.dynamodb.url,
      s3: endpoints.s3.url,
      ses: endpoints.mailbox.url,
    },
    clock,
    tableName: options.tableName ?? uniqueId('wf'),
    bucket: options.bucket ?? uniqueId('wf-docs'),
    machineName: (code) => `${regency.id}-${code}-${uniqueId('sm')}`,
    ...(options.functions === undefined ? {} : { functions: options.functions }),
  });
  const { sfn, machines, container: ports } = stack;
  const executions = new Map<string, string>();

  const application = async (id: string): Promise<Application> => {
    const app = await ports.applications.get(id);
    if (app === undefined) throw new Error(`no application ${id}`);
    return app;
  };
  const history = (id: string): Promise<HistoryEvent[]> => executionHistory(sfn, executions.get(id) ?? '');
  const executionStatus = async (id: string): Promise<string> =>
    (await sfn.send(new DescribeExecutionCommand({ executionArn: executions.get(id) }))).status ?? 'UNKNOWN';

  const settleAfter = (id: string, afterEvents: number): Promise<void> =>
    settleExecution(
      sfn,
      executions.get(id) ?? '',
      afterEvents,
      SETTLE_TIMEOUT_MS,
      () => clock.nextDue() !== undefined,
    );

  const decideAction = async (actionId: string, decision: Decision, id: string): Promise<void> => {
    const before = (await history(id)).length;
    const result = await submitDecision(ports, actionId, decision);
    if (result !== 'accepted') throw new Error(`decision not accepted: ${result}`);
    await settleAfter(id, before);
  };

  return {
    regency,
    ports,
    sfnUrl: stack.sfnService.url,
    settleAfter,
    calendar: createCalendar(regency),
    clock,
    async submit(permitCode, submitOptions = {}) {
      const id = uniqueId('app');
      const now = new Date(clock.now()).toISOString();
      const permit = regency.permits.find((p) => p.code === permitCode);
      // The application with its applicant's form, as a submission leaves them (the permit prints the form).
      const created = await ports.applications.createDraft({
        application: {
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
        },
        applicant: {
          applicationId: id,
          applicant: applicantFixture({
            fullName: 'Pemohon Uji',
            profession: permit?.profession ?? 'occupational-therapist',
          }) as ApplicantForm,
          createdAt: now,
        },
        tokenHash: 'not-used-by-workflow-tests',
        audit: { applicationId: id, at: now, type: 'created' },
      });
      if (created !== 'created') throw new Error(`application ${id}: ${created}`);
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
    visits: (id) => ports.stages.listVisits(id),
    audit: (id) => ports.audit.list(id),
    executionStatus,
    history,
    async close() {
      await stack.close();
    },
  };
}

/**
 * A driver of its own for every test of the calling describe block: its own clock, starting at
 * `options.start`, and its own Step Functions service, so no test's dates depend on the tests before it
 * (nor do their executions' timers fire in it). The table and bucket are shared by the block (each test
 * uses its own application ids), which keeps a test's setup to a service start. Read it inside a test.
 */
export function workflowDriverPerTest(options: WorkflowDriverOptions): () => WorkflowDriver {
  let current: WorkflowDriver | undefined;
  const tableName = options.tableName ?? uniqueId('wf');
  const bucket = options.bucket ?? uniqueId('wf-docs');
  beforeEach(async () => {
    current = await workflowDriver({ ...options, tableName, bucket });
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (current === undefined) throw new Error('the workflow driver exists only inside a test');
    return current;
  };
}
