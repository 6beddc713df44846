/**
 * The clocks of an application, as pure functions over the regency calendar:
 * - a stage's deadline and reminders, and what a timer wake-up means (remind, breach, escalate,
 *   deem granted) and when to wake next;
 * - the office clock of the whole application, which pauses while a returned file is with the
 *   applicant and resumes where it stopped (it never restarts from zero).
 * Instants are ISO strings in records and `Date`s in arguments.
 */
import type { DeadlinePolicy, OverallLimit, Regency, Role, StageDuration } from '#config/regency-schema.ts';
import type { WorkingCalendar } from './calendar/calendar.ts';

export interface StagePlan {
  deadline: Date;
  /** Instants strictly between entering and the deadline, ascending, without duplicates. */
  reminders: Date[];
}

/** The deadline of a stage entered at `enteredAt`, and its reminders under the regency policy. */
export function planStage(
  cal: WorkingCalendar,
  policy: Pick<DeadlinePolicy, 'remindersBeforeDeadline'>,
  enteredAt: Date,
  duration: StageDuration,
): StagePlan {
  const deadline = cal.stageDeadline(enteredAt, duration);
  const span = cal.officeMinutesBetween(enteredAt, deadline);
  const candidates = policy.remindersBeforeDeadline.map((r) =>
    'fractionElapsed' in r
      ? cal.addOfficeMinutes(enteredAt, Math.round(span * r.fractionElapsed))
      : cal.addWorkingDays(deadline, -r.workingDaysBefore),
  );
  const reminders = [...new Set(candidates.map((d) => d.getTime()))]
    .filter((t) => t > enteredAt.getTime() && t < deadline.getTime())
    .sort((a, b) => a - b)
    .map((t) => new Date(t));
  return { deadline, reminders };
}

/** The overall deadline of an application whose office clock started at `startedAt`. */
export function overallDeadline(cal: WorkingCalendar, startedAt: Date, limit: OverallLimit): Date {
  const afterDays = limit.workingDays > 0 ? cal.addWorkingDays(startedAt, limit.workingDays) : startedAt;
  return limit.officeMinutes > 0 ? cal.addOfficeMinutes(afterDays, limit.officeMinutes) : afterDays;
}

export interface StageTimerState {
  deadline: string;
  reminders: string[];
  /** How many of `reminders` have been sent. */
  remindersSent: number;
  breachedAt?: string;
  /** 0 before a breach; n after the nth escalation. */
  escalationLevel: number;
}

export interface TimerDecision {
  /** Pre-deadline reminders now due (usually 0 or 1; more if a wake-up was late). */
  remindersDue: number;
  /** True on the first wake-up at or after the deadline. */
  breach: boolean;
  /** The escalation level to notify now, if any (1 = the stage role's supervisor). */
  escalateToLevel?: number;
  /** The regency deems late applications granted and the overall deadline has passed. */
  deemGranted: boolean;
  nextWakeAt: Date;
}

/** A deadline is the last instant that is still on time: lateness starts one second after it. */
export const LATE_AFTER_MS = 1000;
const lateAt = (deadline: Date): Date => new Date(deadline.getTime() + LATE_AFTER_MS);

/**
 * What a wake-up at `now` means for a stage still waiting for its official. Up to the deadline:
 * send the reminders that fell due, sleep until the next one or until just past the deadline. Past
 * it: the first wake-up records the breach and escalates to the supervisor; each later wake-up (at
 * the policy's cadence) reminds again one level higher. Under a deem-granted policy the stage also
 * wakes just past the application's overall deadline, when the application is deemed granted.
 */
export function onStageTimer(
  cal: WorkingCalendar,
  policy: Pick<DeadlinePolicy, 'onBreach' | 'remindEveryAfterBreach'>,
  state: StageTimerState,
  now: Date,
  applicationDeadline: Date,
): TimerDecision {
  const deadline = new Date(state.deadline);
  if (now <= deadline) {
    const due = state.reminders.filter((r) => new Date(r) <= now).length;
    const next = state.reminders.map((r) => new Date(r)).find((r) => r > now);
    return {
      remindersDue: Math.max(0, due - state.remindersSent),
      breach: false,
      deemGranted: false,
      nextWakeAt: next ?? lateAt(deadline),
    };
  }
  const deems = policy.onBreach === 'escalate-and-deem-granted';
  const cadenceWake = cal.stageDeadline(now, policy.remindEveryAfterBreach);
  const grantWake = lateAt(applicationDeadline);
  return {
    remindersDue: 0,
    breach: state.breachedAt === undefined,
    escalateToLevel: state.escalationLevel + 1,
    deemGranted: deems && now > applicationDeadline,
    nextWakeAt: deems && grantWake > now && grantWake < cadenceWake ? grantWake : cadenceWake,
  };
}

/** The first wake-up of a freshly entered stage. */
export function firstWake(plan: StagePlan): Date {
  return plan.reminders[0] ?? lateAt(plan.deadline);
}

/** Seconds for a Step Functions TimeoutSecondsPath: a positive integer, at least 1. */
export function waitSeconds(now: Date, until: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}

/**
 * The supervisor chain above a role: level 1 is its supervisor, level 2 theirs, and so on. Past the
 * top (the head of office, who has no supervisor) there is no role: undefined, and the escalation goes
 * to the regency's administrators (`mail.administrators`), at that level and every later one.
 */
export function escalationRole(
  regency: Pick<Regency, 'roles'>,
  roleId: string,
  level: number,
): Role | undefined {
  const byId = new Map(regency.roles.map((r) => [r.id, r]));
  let current = byId.get(roleId);
  if (level < 1) return undefined;
  for (let i = 0; i < level; i++) {
    if (current?.supervisor === undefined) return undefined;
    current = byId.get(current.supervisor);
  }
  return current;
}

export interface OfficeClock {
  startedAt: string;
  /** The overall deadline, moved later by each completed pause. */
  deadline: string;
  /** Set while the file is with the applicant. */
  pausedAt?: string;
  pauses: Array<{ from: string; to: string }>;
}

export function startOfficeClock(cal: WorkingCalendar, startedAt: Date, limit: OverallLimit): OfficeClock {
  return {
    startedAt: startedAt.toISOString(),
    deadline: overallDeadline(cal, startedAt, limit).toISOString(),
    pauses: [],
  };
}

export function pauseOfficeClock(clock: OfficeClock, at: Date): OfficeClock {
  if (clock.pausedAt !== undefined) return clock;
  return { ...clock, pausedAt: at.toISOString() };
}

/**
 * Resumes a paused clock: the office time that was left at the pause is left again from `at`.
 * A clock paused after its deadline had passed keeps that (past) deadline.
 */
export function resumeOfficeClock(cal: WorkingCalendar, clock: OfficeClock, at: Date): OfficeClock {
  if (clock.pausedAt === undefined) return clock;
  const pausedAt = new Date(clock.pausedAt);
  const deadline = new Date(clock.deadline);
  const remaining = pausedAt < deadline ? cal.officeMinutesBetween(pausedAt, deadline) : 0;
  const { pausedAt: _, ...rest } = clock;
  return {
    ...rest,
    deadline: remaining > 0 ? cal.addOfficeMinutes(at, remaining).toISOString() : clock.deadline,
    pauses: [...clock.pauses, { from: clock.pausedAt, to: at.toISOString() }],
  };
}

/** Office minutes the office has used on the application up to `at`, pauses excluded. */
export function officeMinutesUsed(cal: WorkingCalendar, clock: OfficeClock, at: Date): number {
  const pauses = clock.pauses.map((p) => ({ from: new Date(p.from), to: new Date(p.to) }));
  if (clock.pausedAt !== undefined) pauses.push({ from: new Date(clock.pausedAt), to: at });
  return cal.officeMinutesBetween(new Date(clock.startedAt), at, pauses);
}
