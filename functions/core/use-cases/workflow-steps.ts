/**
 * What each step of a permit workflow does, behind the thin handlers in functions/workflow/. The
 * state machine (statemachines/generate.ts) decides the order; these functions keep the records,
 * the clocks and the notices. Every step may be retried by Step Functions, so each is idempotent:
 * it recognises its own earlier effect (by the state's entry time or the pending action id) and
 * answers the same.
 */
import { createHash } from 'node:crypto';
import {
  isAutomaticStage,
  type Outcome,
  type Permit,
  type Regency,
  type Stage,
} from '#config/regency-schema.ts';
import type { Application, Decision, PendingAction, StageVisit } from '../domain/application.ts';
import { noticeTexts } from '../domain/notices.ts';
import {
  escalationRole,
  firstWake,
  onStageTimer,
  pauseOfficeClock,
  planStage,
  resumeOfficeClock,
  startOfficeClock,
  waitSeconds,
} from '../domain/stage-clock.ts';
import type { Ports } from '../ports.ts';
import { loadApplication, permitOfApplication, stageOf } from './lookups.ts';

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

const permitOfApp = (ports: Pick<Ports, 'regency'>, app: Application): Permit =>
  permitOfApplication(ports.regency, app, unknownStage);

const stageIn = (permit: Permit, stageId: string): Stage => stageOf(permit, stageId, unknownStage);

const loadApp = (ports: Pick<Ports, 'applications'>, id: string): Promise<Application> =>
  loadApplication(
    ports,
    id,
    () => new WorkflowError('UnknownApplication', `application ${id} does not exist`),
  );

const officialsOf = (regency: Regency, roleId: string | undefined): string[] =>
  roleId === undefined ? [] : regency.officials.filter((o) => o.roles.includes(roleId)).map((o) => o.email);

/** Start of the office clock: the application is complete and the office's time runs. */
export async function startApplication(
  ports: Ports,
  applicationId: string,
  at: Date,
  executionArn: string,
): Promise<void> {
  const app = await loadApp(ports, applicationId);
  if (app.clock !== undefined) return;
  const permit = permitOfApp(ports, app);
  await ports.applications.save({
    ...app,
    status: 'in-progress',
    executionArn,
    clock: startOfficeClock(ports.calendar, at, permit.limit),
    version: app.version + 1,
  });
  await ports.audit.append({ applicationId, at: at.toISOString(), type: 'execution-started' });
}

/** Entering a human stage: its deadline, its reminders, its pending action, and the notice to its officials. */
export async function enterStage(
  ports: Ports,
  applicationId: string,
  stageId: string,
  at: Date,
): Promise<WaitPlan> {
  const app = await loadApp(ports, applicationId);
  const stage = stageIn(permitOfApp(ports, app), stageId);
  if (stage.duration === undefined || isAutomaticStage(stage))
    throw new WorkflowError('UnknownStage', `stage ${stageId} does not wait for a person`);
  const actionId = pendingActionId(applicationId, stageId, at.toISOString(), 'decision');
  const plan = planStage(ports.calendar, ports.regency.deadlinePolicy, at, stage.duration);
  if (app.current?.pendingActionId !== actionId) {
    // The pending action fixes the visit number: a retried step that already created it (and died
    // before saving the application) reuses it instead of recording the stage twice.
    const existing = await ports.stages.getAction(actionId);
    const visit = existing?.visit ?? app.visits + 1;
    const record: StageVisit = {
      applicationId,
      visit,
      stageId,
      ...(stage.role === undefined ? {} : { role: stage.role }),
      enteredAt: at.toISOString(),
      pendingActionId: actionId,
      deadline: plan.deadline.toISOString(),
      reminders: plan.reminders.map((r) => r.toISOString()),
      remindersSent: 0,
      escalationLevel: 0,
      breached: false,
    };
    await ports.stages.putVisit(record);
    if (existing === undefined)
      await ports.stages.createAction({
        id: actionId,
        applicationId,
        kind: 'decision',
        stageId,
        visit,
        status: 'open',
        createdAt: at.toISOString(),
      });
    await ports.applications.save({
      ...app,
      status: 'in-progress',
      visits: Math.max(app.visits, visit),
      current: {
        stageId,
        visit,
        ...(stage.role === undefined ? {} : { role: stage.role }),
        enteredAt: at.toISOString(),
        deadline: plan.deadline.toISOString(),
        pendingActionId: actionId,
      },
      version: app.version + 1,
    });
    await ports.audit.append({
      applicationId,
      at: at.toISOString(),
      type: 'stage-entered',
      stageId,
      detail: { deadline: plan.deadline.toISOString(), role: stage.role },
    });
  }
  return { pendingActionId: actionId, waitSeconds: waitSeconds(at, firstWake(plan)), deemGranted: false };
}

/**
 * The wait task of a stage (or of the applicant's completion) was entered with a new task token:
 * remember it under the pending action so links keep working, notify the first time, and deliver
 * at once a decision that arrived while the previous token was being replaced.
 */
export async function awaitHuman(
  ports: Ports,
  input: { pendingActionId: string; taskToken: string; at: Date },
): Promise<void> {
  const action = await ports.stages.setTaskToken(
    input.pendingActionId,
    input.taskToken,
    input.at.toISOString(),
  );
  if (action === undefined)
    throw new WorkflowError('NotWaiting', `pending action ${input.pendingActionId} is closed or unknown`);
  if (action.status === 'decided' && action.decision !== undefined) {
    await ports.tasks.sendTaskSuccess(input.taskToken, action.decision);
    return;
  }
  if (action.notifiedAt === undefined) {
    await notifyPending(ports, action, input.at);
    await ports.stages.markNotified(action.id, input.at.toISOString());
  }
}

async function notifyPending(ports: Ports, action: PendingAction, at: Date): Promise<void> {
  const app = await loadApp(ports, action.applicationId);
  const stage = stageIn(permitOfApp(ports, app), action.stageId);
  const texts = noticeTexts(ports.regency, ports.calendar);
  if (action.kind === 'decision') {
    const deadline = app.current?.deadline === undefined ? at : new Date(app.current.deadline);
    await ports.mailer.send({
      to: officialsOf(ports.regency, stage.role),
      ...texts.stagePending(app, stage, deadline),
    });
  } else if (app.returned !== undefined) {
    await ports.mailer.send({
      to: [app.applicantEmail],
      ...texts.returned(app, new Date(app.returned.deadline)),
    });
  }
}

/** A wait timed out: remind, record a breach, escalate, or deem granted; then say how long to wait again. */
export async function stageTimer(
  ports: Ports,
  applicationId: string,
  stageId: string,
  actionId: string,
  at: Date,
): Promise<WaitPlan> {
  const app = await loadApp(ports, applicationId);
  const current = app.current;
  if (current === undefined || current.pendingActionId !== actionId)
    throw new WorkflowError('NotWaiting', `application ${applicationId} is not waiting on ${actionId}`);
  const visit = await ports.stages.getVisit(applicationId, current.visit);
  if (visit === undefined) throw new WorkflowError('NotWaiting', `no visit ${current.visit}`);
  const permit = permitOfApp(ports, app);
  const stage = stageIn(permit, stageId);
  const policy = ports.regency.deadlinePolicy;
  const applicationDeadline = new Date(app.clock?.deadline ?? visit.deadline);
  const decision = onStageTimer(ports.calendar, policy, visit, at, applicationDeadline);
  const texts = noticeTexts(ports.regency, ports.calendar);
  const next: StageVisit = { ...visit };
  if (decision.remindersDue > 0) {
    await ports.mailer.send({
      to: officialsOf(ports.regency, stage.role),
      ...texts.reminder(app, stage, new Date(visit.deadline)),
    });
    next.remindersSent = visit.remindersSent + decision.remindersDue;
    await ports.audit.append({ applicationId, at: at.toISOString(), type: 'reminder-sent', stageId });
  }
  if (decision.breach) {
    next.breached = true;
    next.breachedAt = at.toISOString();
    await ports.audit.append({
      applicationId,
      at: at.toISOString(),
      type: 'stage-breached',
      stageId,
      detail: { role: stage.role, deadline: visit.deadline },
    });
    ports.metric('StageDeadlineBreached', { permit: permit.code, stageId, role: stage.role });
  }
  if (decision.escalateToLevel !== undefined) {
    const supervisor =
      stage.role === undefined
        ? undefined
        : escalationRole(ports.regency, stage.role, decision.escalateToLevel);
    const to =
      supervisor === undefined
        ? ports.regency.mail.administrators
        : officialsOf(ports.regency, supervisor.id);
    await ports.mailer.send({
      to,
      ...texts.escalation(app, stage, new Date(visit.deadline), decision.escalateToLevel),
    });
    await ports.mailer.send({
      to: officialsOf(ports.regency, stage.role),
      ...texts.reminder(app, stage, new Date(visit.deadline)),
    });
    next.escalationLevel = decision.escalateToLevel;
    await ports.audit.append({
      applicationId,
      at: at.toISOString(),
      type: 'escalated',
      stageId,
      detail: { level: decision.escalateToLevel, toRole: supervisor?.id ?? 'administrators' },
    });
  }
  await ports.stages.putVisit(next);
  return {
    pendingActionId: actionId,
    waitSeconds: waitSeconds(at, decision.nextWakeAt),
    deemGranted: decision.deemGranted,
  };
}

const allowedOutcomes = (stage: Stage): Outcome[] =>
  (Object.entries(stage.outcomes) as Array<[Outcome, string | undefined]>)
    .filter(([, t]) => t !== undefined)
    .map(([o]) => o);

/** The stage's decision arrived: close the stage and its pending action, record the time it took. */
export async function completeStage(
  ports: Ports,
  applicationId: string,
  stageId: string,
  actionId: string,
  decision: Decision,
  at: Date,
): Promise<{ outcome: Outcome }> {
  const app = await loadApp(ports, applicationId);
  const stage = stageIn(permitOfApp(ports, app), stageId);
  if (decision.outcome === 'resubmitted' || !allowedOutcomes(stage).includes(decision.outcome))
    throw new WorkflowError(
      'InvalidDecision',
      `outcome ${decision.outcome} is not allowed at stage ${stageId}`,
    );
  const visitNo = app.current?.pendingActionId === actionId ? app.current.visit : undefined;
  if (visitNo !== undefined) {
    const visit = await ports.stages.getVisit(applicationId, visitNo);
    if (visit !== undefined && visit.decidedAt === undefined) {
      await ports.stages.putVisit({
        ...visit,
        decidedAt: at.toISOString(),
        outcome: decision.outcome,
        decidedBy: decision.actor,
        ...(decision.note === undefined ? {} : { note: decision.note }),
        officeMinutesUsed: ports.calendar.officeMinutesBetween(new Date(visit.enteredAt), at),
        breached: visit.breached || at > new Date(visit.deadline),
      });
      await ports.audit.append({
        applicationId,
        at: at.toISOString(),
        type: 'stage-decided',
        stageId,
        actor: decision.actor,
        detail: { outcome: decision.outcome, deficient: decision.deficient ?? [] },
      });
    }
    await ports.stages.closeAction(actionId);
  }
  return { outcome: decision.outcome };
}

/** Return for completion: the office clock pauses and the applicant gets their own deadline. */
export async function returnToApplicant(
  ports: Ports,
  applicationId: string,
  stageId: string,
  decision: Decision,
  at: Date,
): Promise<WaitPlan> {
  const app = await loadApp(ports, applicationId);
  const actionId = pendingActionId(applicationId, stageId, at.toISOString(), 'resubmission');
  const deadline = ports.calendar.stageDeadline(at, ports.regency.deadlinePolicy.applicantCompletionDeadline);
  if (app.returned?.pendingActionId !== actionId) {
    await ports.stages.createAction({
      id: actionId,
      applicationId,
      kind: 'resubmission',
      stageId,
      visit: app.visits,
      status: 'open',
      createdAt: at.toISOString(),
    });
    const { current: _, ...rest } = app;
    await ports.applications.save({
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
    });
    await ports.audit.append({
      applicationId,
      at: at.toISOString(),
      type: 'returned-to-applicant',
      stageId,
      actor: decision.actor,
      detail: { deficient: decision.deficient ?? [], applicantDeadline: deadline.toISOString() },
    });
  }
  return { pendingActionId: actionId, waitSeconds: waitSeconds(at, deadline), deemGranted: false };
}

/** The applicant completed the file: the office clock resumes where it stopped. */
export async function resumeAfterReturn(
  ports: Ports,
  applicationId: string,
  actionId: string,
  at: Date,
): Promise<void> {
  const app = await loadApp(ports, applicationId);
  if (app.returned === undefined || app.returned.pendingActionId !== actionId) return;
  const { returned: _, ...rest } = app;
  await ports.applications.save({
    ...rest,
    status: 'in-progress',
    ...(app.clock === undefined ? {} : { clock: resumeOfficeClock(ports.calendar, app.clock, at) }),
    version: app.version + 1,
  });
  await ports.stages.closeAction(actionId);
  await ports.audit.append({
    applicationId,
    at: at.toISOString(),
    type: 'resubmitted',
    actor: 'applicant',
  });
}

/** The applicant let their deadline pass: the application lapses, and they are told. */
export async function lapse(ports: Ports, applicationId: string, at: Date): Promise<void> {
  const app = await loadApp(ports, applicationId);
  if (app.status === 'lapsed') return;
  if (app.returned !== undefined) await ports.stages.closeAction(app.returned.pendingActionId);
  await ports.applications.save({ ...app, status: 'lapsed', version: app.version + 1 });
  await ports.audit.append({ applicationId, at: at.toISOString(), type: 'lapsed' });
  await ports.mailer.send({
    to: [app.applicantEmail],
    ...noticeTexts(ports.regency, ports.calendar).lapsed(app),
  });
}

/** The overall deadline passed under a deem-granted policy: record it with its legal basis. */
export async function deemGranted(ports: Ports, applicationId: string, at: Date): Promise<void> {
  const app = await loadApp(ports, applicationId);
  if (app.deemedGranted !== undefined) return;
  if (app.current !== undefined) await ports.stages.closeAction(app.current.pendingActionId);
  const legalBasis = ports.regency.deadlinePolicy.legalBasis;
  await ports.applications.save({
    ...app,
    deemedGranted: { at: at.toISOString(), legalBasis },
    version: app.version + 1,
  });
  await ports.audit.append({
    applicationId,
    at: at.toISOString(),
    type: 'deemed-granted',
    detail: { legalBasis },
  });
}

/** A step failed beyond retries: flag the application for an administrator and raise the alert. */
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
  const app = await ports.applications.get(applicationId);
  if (app === undefined) return;
  await ports.applications.save({
    ...app,
    status: 'needs-attention',
    attention: { at: at.toISOString(), error: summary },
    version: app.version + 1,
  });
  await ports.audit.append({
    applicationId,
    at: at.toISOString(),
    type: 'needs-attention',
    detail: { error: summary },
  });
  await ports.mailer.send({
    to: ports.regency.mail.administrators,
    ...noticeTexts(ports.regency, ports.calendar).attention(app, summary),
  });
}

/**
 * A person's decision on a pending action (an official's click, the applicant's resubmission, or a
 * test's scripted decision). Recorded once; then delivered to the workflow through the current task
 * token. If the token was just replaced (a reminder re-entered the wait), the new wait delivers it.
 */
export async function submitDecision(
  ports: Pick<Ports, 'stages' | 'tasks'>,
  actionId: string,
  decision: Decision,
): Promise<'accepted' | 'already-decided' | 'closed'> {
  const result = await ports.stages.decide(actionId, decision);
  if (result === 'closed') return 'closed';
  if (result === 'already-decided') return 'already-decided';
  const action = await ports.stages.getAction(actionId);
  if (action?.taskToken !== undefined) await ports.tasks.sendTaskSuccess(action.taskToken, decision);
  return 'accepted';
}
