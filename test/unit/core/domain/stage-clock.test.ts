import { describe, expect, it } from 'vitest';
import { loadRegency } from '#config/load.ts';
import { createCalendar } from '#core/domain/calendar/calendar.ts';
import {
  escalationRole,
  firstWake,
  officeMinutesUsed,
  onStageTimer,
  overallDeadline,
  pauseOfficeClock,
  planStage,
  resumeOfficeClock,
  startOfficeClock,
  waitSeconds,
} from '#core/domain/stage-clock.ts';

const { regency } = loadRegency('kota-bengkulu');
const cal = createCalendar(regency);
const policy = regency.deadlinePolicy;
/** WIB wall-clock time to an instant. */
const wib = (local: string): Date => new Date(`${local}+07:00`);

describe('planStage', () => {
  it('puts a 3-working-day stage entered Tue 17 Mar 2026 10:00 WIB at the end of Fri 27 Mar', () => {
    const plan = planStage(cal, policy, wib('2026-03-17T10:00:00'), { workingDays: 3 });
    expect(plan.deadline).toEqual(wib('2026-03-27T16:30:00'));
  });

  it('reminds at half the office time and at the end of the working day before the deadline', () => {
    const plan = planStage(cal, policy, wib('2026-03-17T10:00:00'), { workingDays: 3 });
    // 300 office minutes left on Tue 17 Mar plus 25-27 Mar (3 x 450) make 1650; half (825) falls on Thu 26 Mar 08:45.
    expect(plan.reminders).toEqual([wib('2026-03-26T08:45:00'), wib('2026-03-26T16:00:00')]);
    expect(firstWake(plan)).toEqual(plan.reminders[0]);
  });

  it('keeps only reminders that fall inside a short stage', () => {
    const plan = planStage(cal, policy, wib('2026-03-16T10:00:00'), { officeMinutes: 30 });
    expect(plan.deadline).toEqual(wib('2026-03-16T10:30:00'));
    expect(plan.reminders).toEqual([wib('2026-03-16T10:15:00')]);
  });
});

describe('onStageTimer', () => {
  const state = {
    deadline: wib('2026-03-27T16:30:00').toISOString(),
    reminders: [wib('2026-03-26T10:45:00').toISOString(), wib('2026-03-26T16:00:00').toISOString()],
    remindersSent: 0,
    escalationLevel: 0,
  };
  const farAway = wib('2026-12-31T16:00:00');

  it('sends the reminder that fell due and sleeps until the next one', () => {
    const d = onStageTimer(cal, policy, state, wib('2026-03-26T10:45:00'), farAway);
    expect(d).toMatchObject({ remindersDue: 1, breach: false, deemGranted: false });
    expect(d.nextWakeAt).toEqual(wib('2026-03-26T16:00:00'));
  });

  it('records the breach once, escalates one level per wake-up and reminds daily after it', () => {
    const onTime = onStageTimer(
      cal,
      policy,
      { ...state, remindersSent: 2 },
      wib('2026-03-27T16:30:00'),
      farAway,
    );
    expect(onTime).toMatchObject({ breach: false, remindersDue: 0 });
    expect(onTime.nextWakeAt).toEqual(wib('2026-03-27T16:30:01'));
    const first = onStageTimer(cal, policy, { ...state, remindersSent: 2 }, onTime.nextWakeAt, farAway);
    expect(first).toMatchObject({ breach: true, escalateToLevel: 1, deemGranted: false });
    expect(first.nextWakeAt).toEqual(wib('2026-03-30T16:00:00'));
    const later = onStageTimer(
      cal,
      policy,
      { ...state, remindersSent: 2, breachedAt: state.deadline, escalationLevel: 1 },
      first.nextWakeAt,
      farAway,
    );
    expect(later).toMatchObject({ breach: false, escalateToLevel: 2 });
  });

  it('deems the application granted only under that policy and after the overall deadline', () => {
    const late = wib('2026-04-10T10:00:00');
    const grant = { ...policy, onBreach: 'escalate-and-deem-granted' as const };
    expect(onStageTimer(cal, grant, state, late, wib('2026-04-09T16:00:00')).deemGranted).toBe(true);
    expect(onStageTimer(cal, grant, state, late, wib('2026-04-13T16:00:00')).deemGranted).toBe(false);
    expect(onStageTimer(cal, policy, state, late, wib('2026-04-09T16:00:00')).deemGranted).toBe(false);
  });

  it('wakes just past the overall deadline under a deem-granted policy, not a whole cadence later', () => {
    const grant = { ...policy, onBreach: 'escalate-and-deem-granted' as const };
    const breached = { ...state, remindersSent: 2, breachedAt: state.deadline, escalationLevel: 1 };
    const d = onStageTimer(cal, grant, breached, wib('2026-04-13T09:00:00'), wib('2026-04-13T16:00:00'));
    expect(d.deemGranted).toBe(false);
    expect(d.nextWakeAt).toEqual(wib('2026-04-13T16:00:01'));
    expect(onStageTimer(cal, grant, breached, d.nextWakeAt, wib('2026-04-13T16:00:00')).deemGranted).toBe(
      true,
    );
  });
});

describe('the office clock', () => {
  it('pauses while the file is with the applicant and resumes with the office time that was left', () => {
    const started = startOfficeClock(cal, wib('2026-04-06T09:00:00'), { workingDays: 15, officeMinutes: 0 });
    expect(started.deadline).toBe(wib('2026-04-27T16:00:00').toISOString());
    // Returned on Wed 8 Apr at 09:00, completed on Mon 20 Apr at 09:00: the office had used 2 days.
    const paused = pauseOfficeClock(started, wib('2026-04-08T09:00:00'));
    const resumed = resumeOfficeClock(cal, paused, wib('2026-04-20T09:00:00'));
    expect(resumed.pausedAt).toBeUndefined();
    expect(resumed.pauses).toHaveLength(1);
    const usedBefore = officeMinutesUsed(cal, started, wib('2026-04-08T09:00:00'));
    const usedAfter = officeMinutesUsed(cal, resumed, wib('2026-04-20T09:00:00'));
    expect(usedAfter).toBeCloseTo(usedBefore, 6);
    // The deadline moved by exactly the paused office time: what was left is left again.
    const leftAtPause = cal.officeMinutesBetween(wib('2026-04-08T09:00:00'), new Date(started.deadline));
    const leftAtResume = cal.officeMinutesBetween(wib('2026-04-20T09:00:00'), new Date(resumed.deadline));
    expect(leftAtResume).toBeCloseTo(leftAtPause, 6);
    expect(new Date(resumed.deadline) > new Date(started.deadline)).toBe(true);
  });

  it('mixes units in the overall limit as Pasuruan does (8 days 90 minutes)', () => {
    const d = overallDeadline(cal, wib('2026-04-06T09:00:00'), { workingDays: 8, officeMinutes: 90 });
    expect(d).toEqual(wib('2026-04-17T09:00:00'));
  });
});

describe('escalationRole', () => {
  it('walks the supervisor chain up to the head of office', () => {
    expect(escalationRole(regency, 'petugas', 1)?.id).toBe('kepala-seksi');
    expect(escalationRole(regency, 'petugas', 2)?.id).toBe('kepala-bidang');
    expect(escalationRole(regency, 'petugas', 3)?.id).toBe('kepala-dinas');
  });

  it('names no role past the head of office (the administrators are told), at every later level', () => {
    expect(escalationRole(regency, 'petugas', 4)).toBeUndefined();
    expect(escalationRole(regency, 'petugas', 9)).toBeUndefined();
    expect(escalationRole(regency, 'kepala-dinas', 1)).toBeUndefined();
  });
});

describe('waitSeconds', () => {
  it('is a positive whole number of seconds', () => {
    const now = new Date('2026-01-05T00:00:00Z');
    expect(waitSeconds(now, new Date('2026-01-05T00:00:01.200Z'))).toBe(2);
    expect(waitSeconds(now, new Date('2026-01-04T00:00:00Z'))).toBe(1);
  });
});
