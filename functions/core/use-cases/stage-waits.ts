/**
 * The waits of a permit workflow: a person's task (an official's decision, the applicant's
 * completion) is handed over with a task token (awaitHuman), its timer reminds, records a breach and
 * escalates (stageTimer), and a person's decision is recorded once and delivered (submitDecision).
 * Written, like every step, as one transaction with its audit records and outbox mail.
 */
import type { Official, Stage } from '#config/regency-schema.ts';
import type { Application, AuditEvent, Decision, PendingAction, StageVisit } from '../domain/application.ts';
import { type Notice, noticeTexts } from '../domain/notices.ts';
import type { LinkPurpose } from '../domain/official-links.ts';
import { escalationRole, onStageTimer, waitSeconds } from '../domain/stage-clock.ts';
import type { OutboxMail, Ports } from '../ports.ts';
import { deliver, mailId, outboxMail } from './mail.ts';
import { retryOnConflict } from './retry.ts';
import {
  assertOpen,
  event,
  loadApp,
  officialIdsOf,
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

/** The officials a pending decision is addressed to: its assignees, else the stage role's officials. */
export function addressees(ports: Pick<Ports, 'regency'>, action: PendingAction, stage: Stage): Official[] {
  const ids = action.assignees ?? officialIdsOf(ports.regency, stage.role);
  return ids
    .map((id) => ports.regency.officials.find((o) => o.id === id))
    .filter((o): o is Official => o !== undefined);
}

/** How long a link mailed at `at` for a stage due at `deadline` lives: past both, by the policy's grace. */
export function linkExpiry(ports: Pick<Ports, 'regency' | 'calendar'>, deadline: Date, at: Date): string {
  const from = deadline > at ? deadline : at;
  return ports.calendar.stageDeadline(from, ports.regency.deadlinePolicy.linkGrace).toISOString();
}

type Texts = ReturnType<typeof noticeTexts>;

/** The outbox id of the mail that event `idParts` of an application sends to one official. */
const officialMailId = (applicationId: string, idParts: Array<string | number>, officialId: string) =>
  mailId(applicationId, ...idParts, officialId);

/** One mail per official, each with their own link (so one official's link never decides for another). */
export function officialMails(
  ports: Pick<Ports, 'regency' | 'calendar'>,
  input: {
    app: Application;
    action: PendingAction;
    officials: readonly Official[];
    purpose: LinkPurpose;
    idParts: Array<string | number>;
    deadline: Date;
    at: Date;
    notice: Notice;
  },
): OutboxMail[] {
  const expiresAt = linkExpiry(ports, input.deadline, input.at);
  return input.officials.map((official) =>
    outboxMail(
      officialMailId(input.app.id, input.idParts, official.id),
      input.app.id,
      { to: [official.email], ...input.notice },
      { actionId: input.action.id, officialId: official.id, purpose: input.purpose, expiresAt },
    ),
  );
}

const linkSent = (app: Application, at: Date, stageId: string, purpose: LinkPurpose, mails: OutboxMail[]) =>
  event(app, at, 'link-sent', {
    stageId,
    detail: { purpose, officials: mails.flatMap((m) => (m.link === undefined ? [] : [m.link.officialId])) },
  });

/** The first notice of a pending action: to the stage's officials, or to the applicant of a returned file. */
async function notifyPending(ports: Ports, action: PendingAction, at: Date): Promise<void> {
  const app = await loadApp(ports, action.applicationId);
  const permit = permitOfApp(ports, app);
  const stage = stageIn(permit, action.stageId);
  const texts = noticeTexts(ports.regency, ports.calendar);
  let mail: OutboxMail[];
  let audit: AuditEvent[] = [];
  if (action.kind === 'decision') {
    const deadline = app.current?.deadline === undefined ? at : new Date(app.current.deadline);
    mail = officialMails(ports, {
      app,
      action,
      officials: addressees(ports, action, stage),
      purpose: 'pending',
      idParts: ['pending', action.id],
      deadline,
      at,
      notice: texts.stagePending(app, stage, deadline, ports.publicBaseUrl),
    });
    audit = [linkSent(app, at, stage.id, 'pending', mail)];
  } else if (app.returned !== undefined) {
    const labels = app.returned.deficient.map(
      (id) => permit.requirements.find((r) => r.id === id)?.label ?? id,
    );
    mail = [
      outboxMail(mailId(app.id, 'pending', action.id), app.id, {
        to: [app.applicantEmail],
        ...texts.returned(app, new Date(app.returned.deadline), labels),
      }),
    ];
  } else return;
  const ids = mail.map((m) => m.id);
  // A retry after a crash finds its mail recorded (and its audit with it): only delivery is left.
  const recorded = ids.length === 0 || (await ports.outbox.get(ids[0] as string)) !== undefined;
  if (!recorded) await ports.changes.commit({ audit, mail }, at.toISOString());
  await deliver(ports, ids);
}

/**
 * The mail of a stage visit's timer events: reminders, escalations and the reminders they bring. Each
 * event gives its mail ids (what a retried step delivers) without rendering anything, and renders its
 * mail only when the event is recorded.
 */
function timerMails(
  ports: Ports,
  texts: Texts,
  input: { app: Application; stage: Stage; visit: StageVisit; action: PendingAction; at: Date },
) {
  const { app, stage, visit, action, at } = input;
  const deadline = new Date(visit.deadline);
  const officials = addressees(ports, action, stage);
  const base = { app, action, deadline, at };
  const idsOf = (people: readonly Official[], idParts: Array<string | number>) =>
    people.map((official) => officialMailId(app.id, idParts, official.id));
  const reminder = (n: number, kind: 'reminder' | 'escalation-reminder') => {
    const idParts = [kind, visit.visit, n];
    return {
      ids: idsOf(officials, idParts),
      mail: () =>
        officialMails(ports, {
          ...base,
          officials,
          purpose: 'reminder',
          idParts,
          notice: texts.reminder(app, stage, deadline, ports.publicBaseUrl),
        }),
    };
  };
  const escalation = (level: number) => {
    const supervisor =
      stage.role === undefined ? undefined : escalationRole(ports.regency, stage.role, level);
    if (supervisor === undefined) {
      const id = mailId(app.id, 'escalation', visit.visit, level, 'administrators');
      return {
        toRole: 'administrators',
        ids: [id],
        mail: () => [
          outboxMail(id, app.id, {
            to: ports.regency.mail.administrators,
            ...texts.escalationToAdministrators(app, stage, deadline, level),
          }),
        ],
      };
    }
    const supervisors = ports.regency.officials.filter((o) => o.roles.includes(supervisor.id));
    const idParts = ['escalation', visit.visit, level];
    return {
      toRole: supervisor.id,
      ids: idsOf(supervisors, idParts),
      mail: () =>
        officialMails(ports, {
          ...base,
          officials: supervisors,
          purpose: 'escalation',
          idParts,
          notice: texts.escalation(app, stage, deadline, level, ports.publicBaseUrl),
        }),
    };
  };
  return { reminder, escalation };
}

/** A wait timed out: remind, record a breach, escalate, or deem granted; then say how long to wait again. */
export async function stageTimer(
  ports: Ports,
  applicationId: string,
  stageId: string,
  actionId: string,
  at: Date,
): Promise<WaitPlan> {
  const { plan, mailIds } = await retryOnConflict(() =>
    recordStageTimer(ports, applicationId, stageId, actionId, at),
  );
  await deliver(ports, mailIds);
  return plan;
}

async function recordStageTimer(
  ports: Ports,
  applicationId: string,
  stageId: string,
  actionId: string,
  at: Date,
): Promise<{ plan: WaitPlan; mailIds: string[] }> {
  const app = await loadApp(ports, applicationId);
  assertOpen(app);
  const current = app.current;
  if (current === undefined || current.pendingActionId !== actionId)
    throw new WorkflowError('NotWaiting', `application ${applicationId} is not waiting on ${actionId}`);
  const visit = await ports.stages.getVisit(applicationId, current.visit);
  const action = await ports.stages.getAction(actionId);
  if (visit === undefined || action === undefined)
    throw new WorkflowError('NotWaiting', `no visit ${current.visit}`);
  const permit = permitOfApp(ports, app);
  const stage = stageIn(permit, stageId);
  const policy = ports.regency.deadlinePolicy;
  const applicationDeadline = new Date(app.clock?.deadline ?? visit.deadline);
  const decision = onStageTimer(ports.calendar, policy, visit, at, applicationDeadline);
  const texts = noticeTexts(ports.regency, ports.calendar);
  const mails = timerMails(ports, texts, { app, stage, visit, action, at });
  // Every mail this visit's timer recorded so far (a retry delivers what is still pending).
  const earlier: string[] = [];
  for (let n = 1; n <= visit.remindersSent; n++) earlier.push(...mails.reminder(n, 'reminder').ids);
  for (let level = 1; level <= visit.escalationLevel; level++)
    earlier.push(...mails.escalation(level).ids, ...mails.reminder(level, 'escalation-reminder').ids);
  const next: StageVisit = { ...visit };
  const audit: AuditEvent[] = [];
  const mail: OutboxMail[] = [];
  if (decision.remindersDue > 0) {
    next.remindersSent = visit.remindersSent + decision.remindersDue;
    const reminders = mails.reminder(next.remindersSent, 'reminder').mail();
    mail.push(...reminders);
    audit.push(
      event(app, at, 'reminder-sent', { stageId }),
      linkSent(app, at, stageId, 'reminder', reminders),
    );
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
    const escalation = mails.escalation(level);
    const escalationMail = escalation.mail();
    const reminders = mails.reminder(level, 'escalation-reminder').mail();
    mail.push(...escalationMail, ...reminders);
    next.escalationLevel = level;
    audit.push(
      event(app, at, 'escalated', { stageId, detail: { level, toRole: escalation.toRole } }),
      linkSent(app, at, stageId, 'escalation', [...escalationMail, ...reminders]),
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
    mailIds: [...earlier, ...mail.map((m) => m.id)],
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
  options: { audit?: AuditEvent; linkCreatedAt?: string } = {},
): Promise<'accepted' | 'already-decided' | 'closed'> {
  const result = await ports.stages.decide(actionId, decision, options);
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
