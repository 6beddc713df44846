/**
 * What each step of a permit workflow does, behind the thin handlers in functions/workflow/. The
 * state machine (statemachines/generate.ts) decides the order; these functions keep the records,
 * the clocks and the notices.
 *
 * Exactly once, by design:
 * - each step writes its state change, the audit records of it and the mail it causes in ONE
 *   transaction (ports.changes), conditional on the application's version: all or nothing;
 * - every step may be retried by Step Functions or after a crash, so each first recognises its own
 *   earlier effect (by the state's entry time or the pending action id) and answers the same,
 *   delivering whatever of its mail is still pending (mail.ts);
 * - a final state is final: a step that finds the application withdrawn, lapsed, rejected or issued
 *   by something else writes nothing and throws ApplicationClosed, which ends the execution.
 */
import { createHash } from 'node:crypto';
import {
  isAutomaticStage,
  type Outcome,
  type Permit,
  type Regency,
  type Stage,
} from '#config/regency-schema.ts';
import {
  type Application,
  type AuditEvent,
  type Decision,
  FINAL_STATUSES,
  type StageVisit,
} from '../domain/application.ts';
import { noticeTexts } from '../domain/notices.ts';
import {
  firstWake,
  pauseOfficeClock,
  planStage,
  resumeOfficeClock,
  startOfficeClock,
  waitSeconds,
} from '../domain/stage-clock.ts';
import { ApplicationClosedError, type Ports } from '../ports.ts';
import { loadApplication, permitOfApplication, stageOf } from './lookups.ts';
import { deliver, mailId, outboxMail } from './mail.ts';
import { retryOnConflict } from './retry.ts';

/** What a wait state needs: the pending action and the seconds until the next wake-up. */
export interface WaitPlan {
  pendingActionId: string;
  waitSeconds: number;
  deemGranted: boolean;
}

export class WorkflowError extends Error {
  constructor(
    readonly code: 'UnknownApplication' | 'UnknownStage' | 'InvalidDecision' | 'NotWaiting',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** A pending action id no one can guess from the application id, stable across retries of the step. */
export function pendingActionId(applicationId: string, stageId: string, at: string, kind: string): string {
  return createHash('sha256')
    .update(`${applicationId}|${stageId}|${at}|${kind}`)
    .digest('base64url')
    .slice(0, 24);
}

const unknownStage = (message: string) => new WorkflowError('UnknownStage', message);

export const permitOfApp = (ports: Pick<Ports, 'regency'>, app: Application): Permit =>
  permitOfApplication(ports.regency, app, unknownStage);

export const stageIn = (permit: Permit, stageId: string): Stage => stageOf(permit, stageId, unknownStage);

export const loadApp = (ports: Pick<Ports, 'applications'>, id: string): Promise<Application> =>
  loadApplication(
    ports,
    id,
    () => new WorkflowError('UnknownApplication', `application ${id} does not exist`),
  );

/** The ids of the officials who hold a role. */
export const officialIdsOf = (regency: Regency, roleId: string | undefined): string[] =>
  roleId === undefined ? [] : regency.officials.filter((o) => o.roles.includes(roleId)).map((o) => o.id);

/** A final state this step did not cause ends the execution. */
export function assertOpen(app: Application): void {
  if (FINAL_STATUSES.includes(app.status)) throw new ApplicationClosedError(app.id, app.status);
}

export const event = (
  app: Application,
  at: Date,
  type: AuditEvent['type'],
  fields: Omit<AuditEvent, 'applicationId' | 'at' | 'type'> = {},
): AuditEvent => ({ applicationId: app.id, at: at.toISOString(), type, ...fields });

/** Start of the office clock: the application is complete and the office's time runs. */
export function startApplication(
  ports: Ports,
  applicationId: string,
  at: Date,
  executionArn: string,
): Promise<void> {
  return retryOnConflict(async () => {
    const app = await loadApp(ports, applicationId);
    if (app.clock !== undefined) return;
    assertOpen(app);
    const permit = permitOfApp(ports, app);
    await ports.changes.commit(
      {
        application: {
          ...app,
          status: 'in-progress',
          executionArn,
          clock: startOfficeClock(ports.calendar, at, permit.limit),
          version: app.version + 1,
        },
        audit: [event(app, at, 'execution-started')],
      },
      at.toISOString(),
    );
  });
}

/** Entering a human stage: its visit, its deadline and reminders, its pending action. */
export function enterStage(
  ports: Ports,
  applicationId: string,
  stageId: string,
  at: Date,
): Promise<WaitPlan> {
  return retryOnConflict(async () => {
    const app = await loadApp(ports, applicationId);
    const stage = stageIn(permitOfApp(ports, app), stageId);
    if (stage.duration === undefined || isAutomaticStage(stage))
      throw new WorkflowError('UnknownStage', `stage ${stageId} does not wait for a person`);
    const actionId = pendingActionId(applicationId, stageId, at.toISOString(), 'decision');
    const plan = planStage(ports.calendar, ports.regency.deadlinePolicy, at, stage.duration);
    if (app.current?.pendingActionId !== actionId) {
      assertOpen(app);
      const visit = app.visits + 1;
      const role = stage.role === undefined ? {} : { role: stage.role };
      const record: StageVisit = {
        applicationId,
        visit,
        stageId,
        ...role,
        enteredAt: at.toISOString(),
        pendingActionId: actionId,
        deadline: plan.deadline.toISOString(),
        reminders: plan.reminders.map((r) => r.toISOString()),
        remindersSent: 0,
        escalationLevel: 0,
        breached: false,
      };
      await ports.changes.commit(
        {
          application: {
            ...app,
            status: 'in-progress',
            visits: visit,
            current: {
              stageId,
              visit,
              ...role,
              enteredAt: at.toISOString(),
              deadline: plan.deadline.toISOString(),
              pendingActionId: actionId,
            },
            version: app.version + 1,
          },
          createVisits: [record],
          createActions: [
            {
              id: actionId,
              applicationId,
              kind: 'decision',
              stageId,
              visit,
              status: 'open',
              createdAt: at.toISOString(),
              assignees: officialIdsOf(ports.regency, stage.role),
            },
          ],
          audit: [
            event(app, at, 'stage-entered', {
              stageId,
              detail: { deadline: plan.deadline.toISOString(), role: stage.role },
            }),
          ],
        },
        at.toISOString(),
      );
    }
    return { pendingActionId: actionId, waitSeconds: waitSeconds(at, firstWake(plan)), deemGranted: false };
  });
}

const allowedOutcomes = (stage: Stage): Outcome[] =>
  (Object.entries(stage.outcomes) as Array<[Outcome, string | undefined]>)
    .filter(([, t]) => t !== undefined)
    .map(([o]) => o);

/** Whether two decisions are the same decision (what the product recorded and what the task carried). */
const sameDecision = (a: Decision, b: Decision): boolean =>
  a.outcome === b.outcome &&
  a.actor === b.actor &&
  a.decidedAt === b.decidedAt &&
  (a.note ?? '') === (b.note ?? '') &&
  JSON.stringify(a.deficient ?? []) === JSON.stringify(b.deficient ?? []);

/**
 * The decision that a task carried is acted on only if the product recorded it on the pending action
 * (submitDecision): anyone able to reach Step Functions could otherwise move an application.
 */
async function assertRecorded(ports: Ports, actionId: string, decision: Decision): Promise<Decision> {
  const action = await ports.stages.getAction(actionId);
  if (action?.decision === undefined || !sameDecision(action.decision, decision))
    throw new WorkflowError('InvalidDecision', `the decision on ${actionId} was not recorded by the product`);
  return action.decision;
}

/** The stage's decision arrived: close the stage and its pending action, record the time it took. */
export function completeStage(
  ports: Ports,
  applicationId: string,
  stageId: string,
  actionId: string,
  decision: Decision,
  at: Date,
): Promise<{ outcome: Outcome }> {
  return retryOnConflict(async () => {
    const app = await loadApp(ports, applicationId);
    const stage = stageIn(permitOfApp(ports, app), stageId);
    if (decision.outcome === 'resubmitted' || !allowedOutcomes(stage).includes(decision.outcome))
      throw new WorkflowError(
        'InvalidDecision',
        `outcome ${decision.outcome} is not allowed at stage ${stageId}`,
      );
    // What the product recorded is what the visit keeps (the task's copy may be trimmed on its way).
    const recorded = await assertRecorded(ports, actionId, decision);
    const visitNo = app.current?.pendingActionId === actionId ? app.current.visit : undefined;
    const visit = visitNo === undefined ? undefined : await ports.stages.getVisit(applicationId, visitNo);
    if (visit === undefined || visit.decidedAt !== undefined) return { outcome: decision.outcome };
    assertOpen(app);
    await ports.changes.commit(
      {
        expectVersion: { applicationId, version: app.version },
        updateVisits: [
          {
            ...visit,
            decidedAt: at.toISOString(),
            outcome: decision.outcome,
            decidedBy: decision.actor,
            ...(decision.note === undefined ? {} : { note: decision.note }),
            ...(recorded.reports === undefined ? {} : { reports: recorded.reports }),
            officeMinutesUsed: ports.calendar.officeMinutesBetween(new Date(visit.enteredAt), at),
            breached: visit.breached || at > new Date(visit.deadline),
          },
        ],
        closeActions: [actionId],
        audit: [
          event(app, at, 'stage-decided', {
            stageId,
            actor: decision.actor,
            detail: { outcome: decision.outcome, deficient: decision.deficient ?? [] },
          }),
        ],
      },
      at.toISOString(),
    );
    return { outcome: decision.outcome };
  });
}

/** Return for completion: the office clock pauses and the applicant gets their own deadline. */
export function returnToApplicant(
  ports: Ports,
  applicationId: string,
  stageId: string,
  decision: Decision,
  at: Date,
): Promise<WaitPlan> {
  return retryOnConflict(async () => {
    const app = await loadApp(ports, applicationId);
    const actionId = pendingActionId(applicationId, stageId, at.toISOString(), 'resubmission');
    const deadline = ports.calendar.stageDeadline(
      at,
      ports.regency.deadlinePolicy.applicantCompletionDeadline,
    );
    if (app.returned?.pendingActionId !== actionId) {
      assertOpen(app);
      const { current: _, ...rest } = app;
      await ports.changes.commit(
        {
          application: {
            ...rest,
            status: 'returned',
            ...(app.clock === undefined ? {} : { clock: pauseOfficeClock(app.clock, at) }),
            returned: {
              stageId,
              at: at.toISOString(),
              deadline: deadline.toISOString(),
              pendingActionId: actionId,
              deficient: decision.deficient ?? [],
              ...(decision.note === undefined ? {} : { note: decision.note }),
            },
            version: app.version + 1,
          },
          createActions: [
            {
              id: actionId,
              applicationId,
              kind: 'resubmission',
              stageId,
              visit: app.visits,
              status: 'open',
              createdAt: at.toISOString(),
            },
          ],
          audit: [
            event(app, at, 'returned-to-applicant', {
              stageId,
              actor: decision.actor,
              detail: { deficient: decision.deficient ?? [], applicantDeadline: deadline.toISOString() },
            }),
          ],
        },
        at.toISOString(),
      );
    }
    return { pendingActionId: actionId, waitSeconds: waitSeconds(at, deadline), deemGranted: false };
  });
}

/** The applicant completed the file: the office clock resumes where it stopped. */
export function resumeAfterReturn(
  ports: Ports,
  applicationId: string,
  actionId: string,
  at: Date,
): Promise<void> {
  return retryOnConflict(async () => {
    const app = await loadApp(ports, applicationId);
    assertOpen(app);
    if (app.returned === undefined || app.returned.pendingActionId !== actionId) return;
    // Only a resubmission the product recorded (submitDecision) resumes the office clock.
    const action = await ports.stages.getAction(actionId);
    if (action?.status !== 'decided' || action.decision?.outcome !== 'resubmitted')
      throw new WorkflowError(
        'InvalidDecision',
        `the resubmission on ${actionId} was not recorded by the product`,
      );
    const { returned: _, ...rest } = app;
    await ports.changes.commit(
      {
        application: {
          ...rest,
          status: 'in-progress',
          ...(app.clock === undefined ? {} : { clock: resumeOfficeClock(ports.calendar, app.clock, at) }),
          version: app.version + 1,
        },
        closeActions: [actionId],
        audit: [event(app, at, 'resubmitted', { actor: 'applicant' })],
      },
      at.toISOString(),
    );
  });
}

/** The applicant let their deadline pass: the application lapses, and they are told. */
export async function lapse(ports: Ports, applicationId: string, at: Date): Promise<void> {
  const notice = mailId(applicationId, 'lapsed');
  await retryOnConflict(async () => {
    const app = await loadApp(ports, applicationId);
    if (app.status === 'lapsed') return;
    assertOpen(app);
    await ports.changes.commit(
      {
        application: { ...app, status: 'lapsed', version: app.version + 1 },
        ...(app.returned === undefined ? {} : { closeActions: [app.returned.pendingActionId] }),
        audit: [event(app, at, 'lapsed')],
        mail: [
          outboxMail(notice, applicationId, {
            to: [app.applicantEmail],
            ...noticeTexts(ports.regency, ports.calendar).lapsed(app),
          }),
        ],
      },
      at.toISOString(),
    );
  });
  await deliver(ports, [notice]);
}

/** The overall deadline passed under a deem-granted policy: record it with its legal basis. */
export function deemGranted(ports: Ports, applicationId: string, at: Date): Promise<void> {
  return retryOnConflict(async () => {
    const app = await loadApp(ports, applicationId);
    if (app.deemedGranted !== undefined) return;
    assertOpen(app);
    const legalBasis = ports.regency.deadlinePolicy.legalBasis;
    await ports.changes.commit(
      {
        application: {
          ...app,
          deemedGranted: { at: at.toISOString(), legalBasis },
          version: app.version + 1,
        },
        ...(app.current === undefined ? {} : { closeActions: [app.current.pendingActionId] }),
        audit: [event(app, at, 'deemed-granted', { detail: { legalBasis } })],
      },
      at.toISOString(),
    );
  });
}

/**
 * A step failed beyond retries: flag the application for an administrator and raise the alert. An
 * application already in a final state keeps it (the failure is logged and counted, nothing written).
 */
export async function needsAttention(
  ports: Ports,
  applicationId: string,
  error: unknown,
  at: Date,
): Promise<void> {
  const summary =
    typeof error === 'object' && error !== null && 'Error' in error
      ? String((error as { Error: unknown }).Error)
      : 'unknown';
  ports.metric('ApplicationNeedsAttention', { error: summary });
  const notice = mailId(applicationId, 'attention', at.toISOString());
  const recorded = await retryOnConflict(async () => {
    const app = await ports.applications.get(applicationId);
    if (app === undefined) return false;
    if (FINAL_STATUSES.includes(app.status)) {
      ports.log('step failed after the application was closed', {
        applicationId,
        status: app.status,
        error: summary,
      });
      return false;
    }
    if (app.status === 'needs-attention' && app.attention?.at === at.toISOString()) return true;
    await ports.changes.commit(
      {
        application: {
          ...app,
          status: 'needs-attention',
          attention: { at: at.toISOString(), error: summary },
          version: app.version + 1,
        },
        audit: [event(app, at, 'needs-attention', { detail: { error: summary } })],
        mail: [
          outboxMail(notice, applicationId, {
            to: ports.regency.mail.administrators,
            ...noticeTexts(ports.regency, ports.calendar).attention(app, summary),
          }),
        ],
      },
      at.toISOString(),
    );
    return true;
  });
  if (recorded) await deliver(ports, [notice]);
}
