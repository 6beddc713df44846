/**
 * The waits of a permit workflow: a person's task (an official's decision, the applicant's
 * completion) is handed over with a task token (awaitHuman), its timer reminds, records a breach and
 * escalates (stageTimer), and a person's decision is recorded once and delivered (submitDecision).
 * Written, like every step, as one transaction with its audit records and outbox mail.
 */
import type { AuditEvent, Decision, PendingAction, StageVisit } from '../domain/application.ts';
import { noticeTexts } from '../domain/notices.ts';
import { escalationRole, onStageTimer, waitSeconds } from '../domain/stage-clock.ts';
import type { Ports } from '../ports.ts';
import { deliver, mailId, outboxMail } from './mail.ts';
import { retryOnConflict } from './retry.ts';
import {
  assertOpen,
  event,
  loadApp,
  officialsOf,
  permitOfApp,
  stageIn,
  type WaitPlan,
  WorkflowError,
} from './workflow-steps.ts';

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
  if (action === undefined) {
    const known = await ports.stages.getAction(input.pendingActionId);
    const app = known === undefined ? undefined : await ports.applications.get(known.applicationId);
    if (app !== undefined) assertOpen(app);
    throw new WorkflowError('NotWaiting', `pending action ${input.pendingActionId} is closed or unknown`);
  }
  if (action.status === 'decided' && action.decision !== undefined) {
    await ports.tasks.sendTaskSuccess(input.taskToken, action.decision);
    return;
  }
  if (action.notifiedAt === undefined) {
    await notifyPending(ports, action, input.at);
    await ports.stages.markNotified(action.id, input.at.toISOString());
  }
}

/** The first notice of a pending action: to the stage's officials, or to the applicant of a returned file. */
async function notifyPending(ports: Ports, action: PendingAction, at: Date): Promise<void> {
  const app = await loadApp(ports, action.applicationId);
  const stage = stageIn(permitOfApp(ports, app), action.stageId);
  const texts = noticeTexts(ports.regency, ports.calendar);
  const id = mailId(app.id, 'pending', action.id);
  if (action.kind === 'decision') {
    const deadline = app.current?.deadline === undefined ? at : new Date(app.current.deadline);
    await ports.outbox.add(
      outboxMail(id, app.id, {
        to: officialsOf(ports.regency, stage.role),
        ...texts.stagePending(app, stage, deadline),
      }),
      at.toISOString(),
    );
  } else if (app.returned !== undefined) {
    await ports.outbox.add(
      outboxMail(id, app.id, {
        to: [app.applicantEmail],
        ...texts.returned(app, new Date(app.returned.deadline)),
      }),
      at.toISOString(),
    );
  }
  await deliver(ports, [id]);
}

/** Every mail a stage visit's timer may have recorded so far, by the counts on the visit. */
function timerMailIds(visit: StageVisit): string[] {
  const ids: string[] = [];
  for (let n = 1; n <= visit.remindersSent; n++)
    ids.push(mailId(visit.applicationId, 'reminder', visit.visit, n));
  for (let level = 1; level <= visit.escalationLevel; level++)
    ids.push(
      mailId(visit.applicationId, 'escalation', visit.visit, level),
      mailId(visit.applicationId, 'escalation-reminder', visit.visit, level),
    );
  return ids;
}

/** A wait timed out: remind, record a breach, escalate, or deem granted; then say how long to wait again. */
export async function stageTimer(
  ports: Ports,
  applicationId: string,
  stageId: string,
  actionId: string,
  at: Date,
): Promise<WaitPlan> {
  const { plan, visit } = await retryOnConflict(() =>
    recordStageTimer(ports, applicationId, stageId, actionId, at),
  );
  await deliver(ports, timerMailIds(visit));
  return plan;
}

async function recordStageTimer(
  ports: Ports,
  applicationId: string,
  stageId: string,
  actionId: string,
  at: Date,
): Promise<{ plan: WaitPlan; visit: StageVisit }> {
  const app = await loadApp(ports, applicationId);
  assertOpen(app);
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
  const officials = officialsOf(ports.regency, stage.role);
  const stageDeadline = new Date(visit.deadline);
  const next: StageVisit = { ...visit };
  const audit: AuditEvent[] = [];
  const mail = [];
  if (decision.remindersDue > 0) {
    next.remindersSent = visit.remindersSent + decision.remindersDue;
    mail.push(
      outboxMail(mailId(applicationId, 'reminder', visit.visit, next.remindersSent), applicationId, {
        to: officials,
        ...texts.reminder(app, stage, stageDeadline),
      }),
    );
    audit.push(event(app, at, 'reminder-sent', { stageId }));
  }
  if (decision.breach) {
    next.breached = true;
    next.breachedAt = at.toISOString();
    audit.push(
      event(app, at, 'stage-breached', { stageId, detail: { role: stage.role, deadline: visit.deadline } }),
    );
  }
  if (decision.escalateToLevel !== undefined) {
    const level = decision.escalateToLevel;
    const supervisor =
      stage.role === undefined ? undefined : escalationRole(ports.regency, stage.role, level);
    mail.push(
      outboxMail(mailId(applicationId, 'escalation', visit.visit, level), applicationId, {
        to:
          supervisor === undefined
            ? ports.regency.mail.administrators
            : officialsOf(ports.regency, supervisor.id),
        ...texts.escalation(app, stage, stageDeadline, level),
      }),
      outboxMail(mailId(applicationId, 'escalation-reminder', visit.visit, level), applicationId, {
        to: officials,
        ...texts.reminder(app, stage, stageDeadline),
      }),
    );
    next.escalationLevel = level;
    audit.push(
      event(app, at, 'escalated', { stageId, detail: { level, toRole: supervisor?.id ?? 'administrators' } }),
    );
  }
  if (audit.length > 0)
    await ports.changes.commit(
      {
        expectVersion: { applicationId, version: app.version },
        updateVisits: [next],
        audit,
        mail,
      },
      at.toISOString(),
    );
  // Counted once: a retry finds the breach recorded and records (and counts) nothing.
  if (decision.breach)
    ports.metric('StageDeadlineBreached', { permit: permit.code, stageId, role: stage.role });
  return {
    plan: {
      pendingActionId: actionId,
      waitSeconds: waitSeconds(at, decision.nextWakeAt),
      deemGranted: decision.deemGranted,
    },
    visit: next,
  };
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
  const action = await ports.stages.getAction(actionId);
  // Delivered again after 'already-decided': the first delivery may have died between recording and
  // sending (a crash, a timeout). What is delivered is the decision recorded first, never this one;
  // a token the workflow already used answers false.
  const recorded = result === 'decided' ? decision : action?.decision;
  if (action?.status === 'decided' && action.taskToken !== undefined && recorded !== undefined)
    await ports.tasks.sendTaskSuccess(action.taskToken, recorded);
  return result === 'decided' ? 'accepted' : 'already-decided';
}
