/**
 * The behaviour every permit workflow must have (issue: happy path, return and resubmission with the
 * office clock paused, rejection, breach with reminders and escalation then a late decision,
 * deem-granted under that policy, lapse), written once and run for each seed SOP by the test files
 * beside this one. Each scenario uses its own application; the regency's working-day calendar is
 * the oracle for every deadline.
 */

import { beforeEach, describe, expect, it, vi } from 'vitest';
import { isAutomaticStage, type Outcome, type Permit, type Stage } from '#config/regency-schema.ts';
import { mailbox } from '../harness/index.ts';
import { type WorkflowDriver, workflowDriverPerTest } from './driver.ts';

const stageOf = (permit: Permit, id: string | undefined): Stage => {
  const stage = permit.stages.find((s) => s.id === id);
  if (stage === undefined) throw new Error(`no stage ${id}`);
  return stage;
};

/** The outcome a cooperative official picks: approve, or order the inspection when that is the choice. */
export const forward = (stage: Stage, inspection: boolean): Outcome =>
  stage.kind === 'decide-inspection' ? (inspection ? 'inspectionNeeded' : 'inspectionNotNeeded') : 'approve';

/** Decides `forward` at every stage until the execution ends or `until` says stop; returns the stages seen. */
async function walk(
  wf: WorkflowDriver,
  permit: Permit,
  id: string,
  options: { inspection?: boolean; until?: (stage: Stage) => boolean } = {},
): Promise<string[]> {
  const seen: string[] = [];
  for (let step = 0; step < 40; step++) {
    const app = await wf.application(id);
    if (app.current === undefined || (await wf.executionStatus(id)) !== 'RUNNING') return seen;
    const stage = stageOf(permit, app.current.stageId);
    if (options.until?.(stage)) return seen;
    seen.push(stage.id);
    await wf.decide(id, forward(stage, options.inspection ?? true));
  }
  throw new Error('the workflow did not end within 40 decisions');
}

export function permitScenarios(options: { regencyId: string; permitCode: string; start: Date }): void {
  describe(`${options.regencyId} ${options.permitCode} workflow`, () => {
    // Every scenario gets its own clock at `options.start` (and its own Step Functions service).
    const driver = workflowDriverPerTest({ regencyId: options.regencyId, start: options.start });
    let wf: WorkflowDriver;
    let permit: Permit;
    beforeEach(() => {
      wf = driver();
      const found = wf.regency.permits.find((p) => p.code === options.permitCode);
      if (found === undefined) throw new Error(`no permit ${options.permitCode}`);
      permit = found;
    });

    it('issues the permit on the happy path, every stage with its deadline on the regency calendar', async () => {
      const id = await wf.submit(permit.code);
      const seen = await walk(wf, permit, id);
      expect(await wf.executionStatus(id)).toBe('SUCCEEDED');
      const app = await wf.application(id);
      expect(app.status).toBe('issued');
      expect(app.issued?.document).toBe('permit');
      expect(app.permitNumber).toBeDefined();
      const visits = await wf.visits(id);
      expect(visits.map((v) => v.stageId)).toEqual(seen);
      for (const visit of visits) {
        const stage = stageOf(permit, visit.stageId);
        if (stage.duration === undefined) throw new Error('a human stage has a duration');
        expect(visit.deadline, visit.stageId).toBe(
          wf.calendar.stageDeadline(new Date(visit.enteredAt), stage.duration).toISOString(),
        );
        expect(visit.outcome).toBeDefined();
        expect(visit.breached).toBe(false);
      }
      const humanStages = permit.stages.filter((s) => !isAutomaticStage(s)).map((s) => s.id);
      expect(seen.every((s) => humanStages.includes(s))).toBe(true);
    });

    it('returns the file, pauses the office clock, and resumes where the SOP says once completed', async () => {
      const id = await wf.submit(permit.code);
      const returning = permit.stages.find((s) => s.outcomes.returnForCompletion !== undefined);
      if (returning === undefined) throw new Error('every SOP returns incomplete files');
      await walk(wf, permit, id, { until: (s) => s.id === returning.id });
      // The office uses some of its time on the stage before it returns the file.
      const entered = await wf.application(id);
      await wf.advanceTo(id, wf.calendar.addOfficeMinutes(new Date(wf.clock.now()), 90));
      expect((await wf.application(id)).current?.pendingActionId).toBe(entered.current?.pendingActionId);
      const requirement = permit.requirements[0]?.id ?? '';
      await wf.decide(id, 'returnForCompletion', {
        deficient: [requirement],
        note: 'Scan KTP tidak terbaca',
      });

      const returned = await wf.application(id);
      expect(returned.status).toBe('returned');
      expect(returned.current).toBeUndefined();
      expect(returned.returned?.deficient).toEqual([requirement]);
      expect(returned.clock?.pausedAt).toBeDefined();
      const applicantDeadline = wf.calendar.stageDeadline(
        new Date(returned.returned?.at ?? ''),
        wf.regency.deadlinePolicy.applicantCompletionDeadline,
      );
      expect(returned.returned?.deadline).toBe(applicantDeadline.toISOString());
      const notice = await mailbox().waitFor((m) => m.destination.to.includes(returned.applicantEmail));
      expect(notice.subject).toContain('dikembalikan untuk dilengkapi');

      // Three working days with the applicant must not count against the office.
      const pausedAt = new Date(returned.clock?.pausedAt ?? '');
      const leftAtPause = wf.calendar.officeMinutesBetween(
        pausedAt,
        new Date(returned.clock?.deadline ?? ''),
      );
      await wf.advanceTo(id, wf.calendar.addWorkingDays(pausedAt, 3));
      await wf.resubmit(id);
      const resumed = await wf.application(id);
      expect(resumed.status).toBe('in-progress');
      expect(resumed.clock?.pausedAt).toBeUndefined();
      expect(resumed.clock?.pauses).toHaveLength(1);
      const leftAtResume = wf.calendar.officeMinutesBetween(
        new Date(wf.clock.now()),
        new Date(resumed.clock?.deadline ?? ''),
      );
      expect(leftAtResume).toBeCloseTo(leftAtPause, 3);
      // Exactly the time that was left: the limit minus the office time used before the return.
      const startedAt = new Date(resumed.clock?.startedAt ?? '');
      const budget = wf.calendar.officeMinutesBetween(startedAt, new Date(returned.clock?.deadline ?? ''));
      const used = wf.calendar.officeMinutesBetween(startedAt, pausedAt);
      expect(used).toBeGreaterThanOrEqual(90);
      expect(leftAtResume).toBeCloseTo(budget - used, 3);
      expect(resumed.current?.stageId).toBe(returning.outcomes.returnForCompletion);

      await walk(wf, permit, id);
      expect(await wf.status(id)).toBe('issued');
    });

    it('rejects with a rejection letter when the signing official refuses', async () => {
      const id = await wf.submit(permit.code);
      const sign = permit.stages.find((s) => s.kind === 'sign');
      await walk(wf, permit, id, { until: (s) => s.id === sign?.id });
      await wf.decide(id, 'reject', { note: 'Tempat praktik tidak memenuhi syarat' });
      expect(await wf.executionStatus(id)).toBe('SUCCEEDED');
      const app = await wf.application(id);
      expect(app.status).toBe('rejected');
      expect(app.issued?.document).toBe('rejection-letter');
      expect(app.permitNumber).toBeUndefined();
    });

    it('reminds before the deadline, records the breach, escalates up the chain, then takes a late decision', async () => {
      const id = await wf.submit(permit.code);
      const app = await wf.application(id);
      const current = app.current;
      if (current === undefined) throw new Error('waiting at the first stage');
      const stage = stageOf(permit, current.stageId);
      const deadline = new Date(current.deadline);
      const firstToken = (await wf.visits(id))[0]?.pendingActionId;

      // Past the deadline and one post-breach reminder period further. The functions run in this
      // process: the breach's embedded metric is one of its log lines.
      const cadence = wf.regency.deadlinePolicy.remindEveryAfterBreach;
      const afterBreach = wf.calendar.stageDeadline(new Date(deadline.getTime() + 1000), cadence);
      const lines: string[] = [];
      const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
        lines.push(String(line));
      });
      try {
        await wf.advanceTo(id, new Date(afterBreach.getTime() + 1000));
      } finally {
        spy.mockRestore();
      }
      const breaches = lines
        .filter((line) => line.includes('"StageDeadlineBreached"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((m) => m.stageId === stage.id && m.permit === permit.code);
      expect(breaches).toHaveLength(1);
      expect(breaches[0]).toMatchObject({
        Regency: wf.regency.id,
        StageDeadlineBreached: 1,
        role: stage.role,
      });

      const [visit] = await wf.visits(id);
      expect(visit?.breached).toBe(true);
      expect(visit?.breachedAt).toBe(new Date(deadline.getTime() + 1000).toISOString());
      expect(visit?.escalationLevel).toBe(2);
      expect(visit?.pendingActionId).toBe(firstToken);
      const audit = await wf.audit(id);
      expect(audit.filter((e) => e.type === 'stage-breached')).toEqual([
        expect.objectContaining({ stageId: stage.id, detail: expect.objectContaining({ role: stage.role }) }),
      ]);
      expect(audit.filter((e) => e.type === 'escalated').map((e) => e.detail?.level)).toEqual([1, 2]);
      // In the execution history each wake-up is a callback wait that timed out and was re-entered.
      const events = await wf.history(id);
      const timedOut = events.filter((e) => e.type === 'TaskTimedOut').length;
      expect(timedOut).toBeGreaterThanOrEqual(2);
      expect(
        events.filter(
          (e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === `${stage.id}.wait`,
        ),
      ).toHaveLength(timedOut + 1);
      const escalation = await mailbox().waitFor(
        (m) => m.subject.includes(app.trackingCode) && m.subject.includes('Eskalasi tingkat 1'),
      );
      const supervisorRole = wf.regency.roles.find((r) => r.id === stage.role)?.supervisor;
      const supervisors = wf.regency.officials
        .filter((o) => o.roles.includes(supervisorRole ?? ''))
        .map((o) => o.email);
      expect(escalation.destination.to).toEqual(supervisors);
      if (wf.regency.deadlinePolicy.remindersBeforeDeadline.length > 0 && (visit?.reminders.length ?? 0) > 0)
        await mailbox().waitFor(
          (m) => m.subject.includes(app.trackingCode) && m.subject.includes('Pengingat'),
        );

      // The same pending action (the links sent earlier) still decides the stage.
      await wf.decide(id, forward(stage, true));
      const [decided] = await wf.visits(id);
      expect(decided?.decidedAt).toBe(new Date(wf.clock.now()).toISOString());
      expect(decided?.breached).toBe(true);
      await walk(wf, permit, id);
      expect(await wf.status(id)).toBe('issued');
    });

    it('flags the application for an administrator, never leaving it in progress, when a step fails', async () => {
      const id = await wf.submit(permit.code);
      const app = await wf.application(id);
      const stage = stageOf(permit, app.current?.stageId);
      // An outcome this stage does not allow makes complete-stage fail: a bug, not a transient error.
      const invalid: Outcome = stage.outcomes.inspectionNeeded === undefined ? 'inspectionNeeded' : 'reject';
      await wf.decide(id, invalid);
      expect(await wf.executionStatus(id)).toBe('FAILED');
      const flagged = await wf.application(id);
      expect(flagged.status).toBe('needs-attention');
      expect(flagged.attention?.error).toBe('InvalidDecision');
      const alert = await mailbox().waitFor(
        (m) => m.subject.includes(app.trackingCode) && m.subject.includes('Perlu penanganan administrator'),
      );
      expect(alert.destination.to).toEqual(wf.regency.mail.administrators);
      const events = await wf.history(id);
      expect(
        events.some(
          (e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'NeedsAttention',
        ),
      ).toBe(true);
    });

    it('lapses when the applicant never completes a returned file', async () => {
      const id = await wf.submit(permit.code);
      await wf.decide(id, 'returnForCompletion', { deficient: [permit.requirements[0]?.id ?? ''] });
      const returned = await wf.application(id);
      await wf.advanceTo(id, new Date(new Date(returned.returned?.deadline ?? '').getTime() + 1000));
      expect(await wf.status(id)).toBe('lapsed');
      expect(await wf.executionStatus(id)).toBe('SUCCEEDED');
      const lapsed = await mailbox().waitFor(
        (m) => m.destination.to.includes(returned.applicantEmail) && m.subject.includes('gugur'),
      );
      expect(lapsed.subject).toContain(returned.trackingCode);
    });

    // Last on purpose: the scenarios above move their clocks by days; this one's clock must not have moved.
    it('runs every scenario on a clock of its own, at the start, whatever the scenarios before it did', () => {
      expect(new Date(wf.clock.now())).toEqual(options.start);
      expect(wf.clock.nextDue()).toBeUndefined();
    });
  });

  describe(`${options.regencyId} ${options.permitCode} under a deem-granted policy`, () => {
    const driver = workflowDriverPerTest({ ...options, onBreach: 'escalate-and-deem-granted' });
    let wf: WorkflowDriver;
    beforeEach(() => {
      wf = driver();
    });

    it('issues the permit as deemed granted once the overall limit has passed, citing the law', async () => {
      const id = await wf.submit(options.permitCode);
      const app = await wf.application(id);
      const overall = new Date(app.clock?.deadline ?? '');
      const waiting = app.current?.pendingActionId ?? '';
      await wf.advanceTo(id, overall);
      expect((await wf.application(id)).deemedGranted).toBeUndefined();
      await wf.advanceTo(id, new Date(overall.getTime() + 1000));
      expect(await wf.executionStatus(id)).toBe('SUCCEEDED');
      // The stage that was waiting closed: its links can no longer decide anything.
      expect((await wf.ports.stages.getAction(waiting))?.status).not.toBe('open');
      const done = await wf.application(id);
      expect(done.status).toBe('issued');
      expect(done.deemedGranted?.legalBasis).toBe(wf.regency.deadlinePolicy.legalBasis);
      expect(done.permitNumber).toBeDefined();
      expect(done.sla?.met).toBe(false);
      const audit = await wf.audit(id);
      expect(audit.some((e) => e.type === 'deemed-granted')).toBe(true);
    });
  });
}
