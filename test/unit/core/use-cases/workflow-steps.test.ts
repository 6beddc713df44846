import { describe, expect, it } from 'vitest';
import type { Application, Decision } from '#core/domain/application.ts';
import { awaitHuman, stageTimer, submitDecision } from '#core/use-cases/stage-waits.ts';
import {
  completeStage,
  deemGranted,
  enterStage,
  lapse,
  needsAttention,
  resumeAfterReturn,
  returnToApplicant,
  startApplication,
  type WorkflowError,
} from '#core/use-cases/workflow-steps.ts';
import { anApplication } from '../builders.ts';
import { type FakePorts, fakePorts, regency, wib } from '../fakes.ts';

const CHECK = 'pemeriksaan-kelengkapan';
const PETUGAS = ['rina@dpmptsp.bengkulukota.example', 'dedi@dpmptsp.bengkulukota.example'];
const ADMIN = 'admin@dpmptsp.bengkulukota.example';
/** Mon 2 Feb 2026 09:00 WIB: the completeness check (1 working day) is due Tue 3 Feb 16:00. */
const t0 = wib('2026-02-02T09:00:00');
const decision = (outcome: Decision['outcome'], more: Partial<Decision> = {}): Decision => ({
  outcome,
  actor: 'rina-petugas',
  decidedAt: t0.toISOString(),
  ...more,
});

/** A submitted application whose workflow has started at t0. */
async function arrange(ports: FakePorts = fakePorts(), overrides: Partial<Application> = {}) {
  const app = anApplication({ status: 'submitted', submittedAt: t0.toISOString(), version: 2, ...overrides });
  ports.applications.put(app);
  await startApplication(ports, app.id, t0, 'arn:execution');
  return { ports, id: app.id };
}

/** ...that has entered the completeness check at t0. */
async function arrangeWaiting(stageId = CHECK) {
  const { ports, id } = await arrange();
  const plan = await enterStage(ports, id, stageId, t0);
  return { ports, id, actionId: plan.pendingActionId };
}

const returnFile = (ports: FakePorts, id: string, at: Date) =>
  returnToApplicant(ports, id, CHECK, decision('returnForCompletion', { deficient: ['ktp'] }), at);
/** The wait task of `actionId` starts with `taskToken`. */
const wait = (ports: FakePorts, actionId: string, taskToken: string, at = t0) =>
  awaitHuman(ports, { pendingActionId: actionId, taskToken, at });
const app = async (ports: FakePorts, id: string) => (await ports.applications.get(id)) as Application;
const workflowError = (code: WorkflowError['code']) => expect.objectContaining({ name: code });

describe('startApplication', () => {
  it("starts the office clock with the permit's overall limit", async () => {
    const { ports, id } = await arrange();

    expect(await app(ports, id)).toMatchObject({
      status: 'in-progress',
      executionArn: 'arn:execution',
      clock: { startedAt: t0.toISOString(), deadline: wib('2026-02-25T16:00:00').toISOString(), pauses: [] },
    });
  });

  it('keeps the first clock when the step is retried', async () => {
    const { ports, id } = await arrange();

    await startApplication(ports, id, wib('2026-02-02T09:05:00'), 'arn:execution');

    expect((await app(ports, id)).clock?.startedAt).toBe(t0.toISOString());
    expect(ports.audit.types(id)).toEqual(['execution-started']);
  });
});

describe('enterStage', () => {
  it('waits until the first reminder, the end of the working day before the deadline', async () => {
    const { ports, id } = await arrange();

    const plan = await enterStage(ports, id, CHECK, t0);

    expect(plan).toEqual({ pendingActionId: expect.any(String), waitSeconds: 7 * 3600, deemGranted: false });
  });

  it("records the visit with its deadline and reminders, and the stage as the application's current one", async () => {
    const { ports, id } = await arrange();

    const { pendingActionId } = await enterStage(ports, id, CHECK, t0);

    const deadline = wib('2026-02-03T16:00:00').toISOString();
    expect(await ports.stages.getVisit(id, 1)).toMatchObject({
      ...{ stageId: CHECK, role: 'petugas', deadline, pendingActionId, remindersSent: 0, breached: false },
      reminders: [wib('2026-02-02T16:00:00').toISOString(), wib('2026-02-03T08:15:00').toISOString()],
    });
    expect((await app(ports, id)).current).toMatchObject({
      stageId: CHECK,
      visit: 1,
      deadline,
      pendingActionId,
    });
  });

  it('records the stage once when the step is retried', async () => {
    const { ports, id } = await arrange();
    const first = await enterStage(ports, id, CHECK, t0);

    const again = await enterStage(ports, id, CHECK, t0);

    expect(again).toEqual(first);
    expect(ports.audit.types(id).filter((t) => t === 'stage-entered')).toHaveLength(1);
  });

  it('records the stage once when a first attempt died before writing', async () => {
    const { ports, id } = await arrange();
    ports.applications.beforeNextWrite(() => {
      throw new Error('Lambda timed out');
    });
    await expect(enterStage(ports, id, CHECK, t0)).rejects.toThrow('Lambda timed out');

    await enterStage(ports, id, CHECK, t0);

    expect((await ports.stages.listVisits(id)).map((v) => v.visit)).toEqual([1]);
    expect(ports.stages.actions.size).toBe(1);
    expect((await app(ports, id)).visits).toBe(1);
  });

  it('counts each entry into a stage as a new visit', async () => {
    const { ports, id } = await arrangeWaiting();

    const { pendingActionId } = await enterStage(ports, id, CHECK, wib('2026-02-04T09:00:00'));

    expect((await app(ports, id)).current).toMatchObject({ visit: 2, pendingActionId });
  });

  it('ends the execution, writing nothing, once the application has been withdrawn', async () => {
    const { ports, id } = await arrange();
    ports.applications.put({ ...(await app(ports, id)), status: 'withdrawn', version: 4 });

    await expect(enterStage(ports, id, CHECK, t0)).rejects.toMatchObject({ name: 'ApplicationClosed' });
    expect(await ports.stages.listVisits(id)).toEqual([]);
  });

  it('refuses a stage that does not wait for a person', async () => {
    const { ports, id } = await arrange();

    await expect(enterStage(ports, id, 'penomoran', t0)).rejects.toEqual(workflowError('UnknownStage'));
  });
});

describe('awaitHuman', () => {
  it("notifies the stage's officials once, with the deadline", async () => {
    const { ports, actionId } = await arrangeWaiting();

    await wait(ports, actionId, 'token-1');
    await wait(ports, actionId, 'token-2', wib('2026-02-02T16:00:00'));

    expect(ports.mailer.sent).toEqual(
      PETUGAS.map((to) =>
        expect.objectContaining({
          to: [to],
          text: expect.stringContaining('Selasa, 3 Februari 2026 16.00 WIB'),
          html: expect.stringContaining('Selasa, 3 Februari 2026 16.00 WIB'),
        }),
      ),
    );
  });

  it('gives each official their own link, stored only as its hash', async () => {
    const { ports, actionId } = await arrangeWaiting();

    await wait(ports, actionId, 'token-1');

    const tokens = ports.mailer.sent.map((m) => /\/o\/([A-Za-z0-9_-]{43})/.exec(m.text)?.[1]);
    expect(tokens).toEqual([expect.any(String), expect.any(String)]);
    expect(tokens[0]).not.toBe(tokens[1]);
    const stored = [...ports.links.links.values()];
    expect(stored.map((l) => [l.officialId, l.actionId, l.purpose])).toEqual([
      ['rina-petugas', actionId, 'pending'],
      ['dedi-petugas', actionId, 'pending'],
    ]);
    expect(JSON.stringify(stored)).not.toContain(tokens[0]);
    expect(JSON.stringify([...ports.outbox.mails.values()])).not.toContain(tokens[0]);
  });

  it('delivers at once a decision that arrived while the token was being replaced', async () => {
    const { ports, actionId } = await arrangeWaiting();
    await submitDecision(ports, actionId, decision('approve'));

    await wait(ports, actionId, 'token-2');

    expect(ports.tasks.delivered()).toEqual([{ taskToken: 'token-2', output: decision('approve') }]);
  });

  it('refuses a pending action that has been closed', async () => {
    const { ports, actionId } = await arrangeWaiting();
    ports.stages.close(actionId);

    await expect(wait(ports, actionId, 't')).rejects.toEqual(workflowError('NotWaiting'));
  });

  it('tells the applicant what to complete and by when when the file is returned', async () => {
    const { ports, id } = await arrangeWaiting();
    const plan = await returnFile(ports, id, t0);

    await wait(ports, plan.pendingActionId, 'token-r');

    expect(ports.mailer.to('siti@example.test')).toEqual([
      expect.objectContaining({
        text: expect.stringMatching(/dikembalikan untuk dilengkapi[\s\S]*- Scan asli KTP/),
      }),
    ]);
  });
});

const officialsWithRole = (ports: FakePorts, role: string) =>
  ports.regency.officials.filter((o) => o.roles.includes(role)).map((o) => o.email);

describe('stageTimer', () => {
  const timer = (ports: FakePorts, id: string, actionId: string, at: Date, stageId = CHECK) =>
    stageTimer(ports, id, stageId, actionId, at);

  it("reminds the stage's officials when a reminder falls due, and counts it", async () => {
    const { ports, id, actionId } = await arrangeWaiting();

    const plan = await timer(ports, id, actionId, wib('2026-02-02T16:00:00'));

    expect(ports.mailer.sent.map((m) => [m.to, m.subject])).toEqual(
      PETUGAS.map((to) => [
        [to],
        '[BNG-7K3M-Q9TX] Pengingat: Pemeriksaan kelengkapan dokumen dan data pemohon',
      ]),
    );
    expect((await ports.stages.getVisit(id, 1))?.remindersSent).toBe(1);
    expect(plan.waitSeconds).toBe((15 * 60 + 30 + 45) * 60); // to Tue 08:15
  });

  it('sends, when the step is retried, a reminder the mail service refused', async () => {
    const { ports, id, actionId } = await arrangeWaiting();
    const send = ports.mailer.send;
    ports.mailer.send = async () => {
      ports.mailer.send = send;
      throw new Error('SES throttled');
    };
    await expect(timer(ports, id, actionId, wib('2026-02-02T16:00:00'))).rejects.toThrow('SES throttled');

    await timer(ports, id, actionId, wib('2026-02-02T16:00:00'));

    expect(ports.mailer.sent.map((m) => m.subject)).toEqual(
      PETUGAS.map(() => expect.stringContaining('Pengingat')),
    );
  });

  it('records a breach at the first wake-up past the deadline, once', async () => {
    const { ports, id, actionId } = await arrangeWaiting();

    await timer(ports, id, actionId, wib('2026-02-04T09:00:00'));
    await timer(ports, id, actionId, wib('2026-02-05T16:00:01'));

    expect(await ports.stages.getVisit(id, 1)).toMatchObject({
      breached: true,
      breachedAt: '2026-02-04T02:00:00.000Z',
    });
    expect(ports.audit.types(id).filter((t) => t === 'stage-breached')).toHaveLength(1);
    expect(ports.metrics.map((m) => m.name)).toEqual(['StageDeadlineBreached']);
  });

  it("escalates a breach to the role's supervisor and reminds the officials again", async () => {
    const { ports, id, actionId } = await arrangeWaiting();

    await timer(ports, id, actionId, wib('2026-02-04T09:00:00'));

    expect(ports.mailer.sent.map((m) => m.to)).toEqual([
      ['andi@dpmptsp.bengkulukota.example'],
      ...PETUGAS.map((to) => [to]),
    ]);
    expect(ports.mailer.sent[0]?.subject).toContain('Eskalasi tingkat 1');
  });

  it('escalates one level higher at each later wake-up, a working day apart', async () => {
    const { ports, id, actionId } = await arrangeWaiting();
    const first = await timer(ports, id, actionId, wib('2026-02-04T09:00:00'));

    await timer(ports, id, actionId, wib('2026-02-05T16:00:01'));

    expect(first.waitSeconds).toBe(31 * 3600); // to Thu 5 Feb 16:00
    expect(ports.mailer.to('maya@dpmptsp.bengkulukota.example')).toHaveLength(1);
    expect((await ports.stages.getVisit(id, 1))?.escalationLevel).toBe(2);
  });

  it('escalates to the administrators above the head of office', async () => {
    const { ports, id, actionId } = await arrangeWaiting('penetapan-kepala-dinas');

    await timer(ports, id, actionId, wib('2026-02-04T09:00:00'), 'penetapan-kepala-dinas');

    expect(ports.mailer.to(ADMIN)).toEqual([
      expect.objectContaining({ subject: expect.stringContaining('Eskalasi') }),
    ]);
  });

  it("climbs past the head of office to the regency's administrators, and stays with them", async () => {
    const { ports, id, actionId } = await arrangeWaiting();
    // Breach (level 1), then one wake-up a working day apart per level: Kepala Seksi, Kepala Bidang,
    // Kepala Dinas, then nobody above: the administrators, and again at level 5.
    let at = wib('2026-02-04T09:00:00');
    for (let level = 1; level <= 5; level++) {
      const plan = await timer(ports, id, actionId, at);
      at = new Date(at.getTime() + plan.waitSeconds * 1000);
    }

    const escalations = ports.mailer.sent.filter((m) => m.subject.includes('Eskalasi'));
    // Officials get one mail each (their own link); the administrators one mail together.
    expect(escalations.map((m) => [m.subject.match(/tingkat (\d)/)?.[1], m.to])).toEqual([
      ['1', ['andi@dpmptsp.bengkulukota.example']],
      ['2', ['maya@dpmptsp.bengkulukota.example']],
      ...officialsWithRole(ports, 'kepala-dinas').map((to) => ['3', [to]]),
      ['4', [ADMIN]],
      ['5', [ADMIN]],
    ]);
    const escalated = (await ports.audit.list(id)).filter((e) => e.type === 'escalated');
    expect(escalated.map((e) => e.detail?.toRole)).toEqual([
      'kepala-seksi',
      'kepala-bidang',
      'kepala-dinas',
      'administrators',
      'administrators',
    ]);
  });

  it('deems the application granted past its overall deadline under a deem-granted policy', async () => {
    const ports = fakePorts({ regency: regency('kabupaten-pasuruan') });
    const { id } = await arrange(ports, { regencyId: 'kabupaten-pasuruan', permitCode: 'SIPOT' });
    const { pendingActionId } = await enterStage(ports, id, 'cek-kelengkapan', t0);

    const plan = await timer(ports, id, pendingActionId, wib('2026-03-02T09:00:00'), 'cek-kelengkapan');

    expect(plan.deemGranted).toBe(true);
  });

  it('never deems an application granted under an escalate-only policy', async () => {
    const { ports, id, actionId } = await arrangeWaiting();

    const plan = await timer(ports, id, actionId, wib('2026-03-02T09:00:00'));

    expect(plan.deemGranted).toBe(false);
  });

  it('refuses a wake-up for an action the application no longer waits on', async () => {
    const { ports, id } = await arrangeWaiting();

    await expect(timer(ports, id, 'another-action', t0)).rejects.toEqual(workflowError('NotWaiting'));
  });
});

describe('completeStage', () => {
  const decidedAt = wib('2026-02-03T09:00:00');

  /** The officials' decision, recorded on the pending action as submitDecision does. */
  async function arrangeDecided(decided = decision('approve')) {
    const arranged = await arrangeWaiting();
    await submitDecision(arranged.ports, arranged.actionId, decided);
    return arranged;
  }

  it('records the decision and the office time it took on the visit, and closes the action', async () => {
    const approve = decision('approve', { note: 'lengkap' });
    const { ports, id, actionId } = await arrangeDecided(approve);

    const result = await completeStage(ports, id, CHECK, actionId, approve, decidedAt);

    expect(result).toEqual({ outcome: 'approve' });
    expect(await ports.stages.getVisit(id, 1)).toMatchObject({
      ...{
        decidedAt: decidedAt.toISOString(),
        outcome: 'approve',
        decidedBy: 'rina-petugas',
        note: 'lengkap',
      },
      ...{ officeMinutesUsed: 360 + 90, breached: false }, // Mon 09:00-16:00 less lunch, Tue 07:30-09:00
    });
    expect((await ports.stages.getAction(actionId))?.status).toBe('closed');
  });

  it('marks the visit breached when the decision came after the deadline', async () => {
    const { ports, id, actionId } = await arrangeDecided();

    await completeStage(ports, id, CHECK, actionId, decision('approve'), wib('2026-02-04T08:00:00'));

    expect((await ports.stages.getVisit(id, 1))?.breached).toBe(true);
  });

  it('records the decision once when the step is retried', async () => {
    const { ports, id, actionId } = await arrangeDecided();
    await completeStage(ports, id, CHECK, actionId, decision('approve'), decidedAt);

    await completeStage(ports, id, CHECK, actionId, decision('approve'), wib('2026-02-03T09:05:00'));

    expect((await ports.stages.getVisit(id, 1))?.decidedAt).toBe(decidedAt.toISOString());
    expect(ports.audit.types(id).filter((t) => t === 'stage-decided')).toHaveLength(1);
  });

  it('refuses an outcome the stage does not allow', async () => {
    const { ports, id, actionId } = await arrangeDecided(decision('reject'));

    await expect(completeStage(ports, id, CHECK, actionId, decision('reject'), decidedAt)).rejects.toEqual(
      workflowError('InvalidDecision'),
    );
  });

  it('refuses a decision that the product did not record on the pending action', async () => {
    const { ports, id, actionId } = await arrangeDecided(decision('approve'));
    const forged = decision('returnForCompletion', { actor: 'someone' });

    await expect(completeStage(ports, id, CHECK, actionId, forged, decidedAt)).rejects.toEqual(
      workflowError('InvalidDecision'),
    );
  });
});

describe('returnToApplicant and resumeAfterReturn', () => {
  const returnedAt = wib('2026-02-03T09:00:00');
  const resumedAt = wib('2026-02-10T09:00:00');

  async function arrangeReturned() {
    const { ports, id } = await arrangeWaiting();
    const plan = await returnFile(ports, id, returnedAt);
    return { ports, id, actionId: plan.pendingActionId };
  }

  /** ...and completed by the applicant (resubmit records the resubmission on the action). */
  async function arrangeResubmitted() {
    const arranged = await arrangeReturned();
    const resubmitted = decision('resubmitted', { actor: 'applicant', decidedAt: resumedAt.toISOString() });
    await submitDecision(arranged.ports, arranged.actionId, resubmitted);
    return arranged;
  }

  it('pauses the office clock and gives the applicant ten working days', async () => {
    const { ports, id, actionId } = await arrangeReturned();

    const returned = await app(ports, id);
    expect(returned).toMatchObject({
      status: 'returned',
      clock: { pausedAt: returnedAt.toISOString() },
      returned: {
        deficient: ['ktp'],
        deadline: wib('2026-02-19T16:00:00').toISOString(),
        pendingActionId: actionId,
      },
    });
    expect(returned.current).toBeUndefined();
  });

  it('opens the resubmission action once when the step is retried', async () => {
    const { ports, id, actionId } = await arrangeReturned();

    const again = await returnFile(ports, id, returnedAt);

    expect(again.pendingActionId).toBe(actionId);
    expect(ports.audit.types(id).filter((t) => t === 'returned-to-applicant')).toHaveLength(1);
  });

  it('resumes the office clock with the office time that was left at the pause', async () => {
    const { ports, id, actionId } = await arrangeResubmitted();

    await resumeAfterReturn(ports, id, actionId, resumedAt);

    const { clock, status } = await app(ports, id);
    const left = ports.calendar.officeMinutesBetween(returnedAt, wib('2026-02-25T16:00:00'));
    expect(status).toBe('in-progress');
    expect(clock?.pauses).toEqual([{ from: returnedAt.toISOString(), to: resumedAt.toISOString() }]);
    expect(ports.calendar.officeMinutesBetween(resumedAt, new Date(clock?.deadline ?? 0))).toBe(left);
  });

  it('closes the resubmission action and changes nothing more when retried', async () => {
    const { ports, id, actionId } = await arrangeResubmitted();
    await resumeAfterReturn(ports, id, actionId, resumedAt);
    const resumed = await app(ports, id);

    await resumeAfterReturn(ports, id, actionId, wib('2026-02-10T09:05:00'));

    expect(await app(ports, id)).toEqual(resumed);
    expect((await ports.stages.getAction(actionId))?.status).toBe('closed');
  });

  it('lets the application lapse, closing the resubmission and telling the applicant, once', async () => {
    const { ports, id, actionId } = await arrangeReturned();

    await lapse(ports, id, wib('2026-02-19T16:00:01'));
    await lapse(ports, id, wib('2026-02-19T16:00:02'));

    expect((await app(ports, id)).status).toBe('lapsed');
    expect((await ports.stages.getAction(actionId))?.status).toBe('closed');
    expect(ports.mailer.to('siti@example.test').map((m) => m.subject)).toEqual([
      '[BNG-7K3M-Q9TX] Permohonan gugur',
    ]);
  });
});

describe('deemGranted', () => {
  it('records the legal basis and closes the stage, once', async () => {
    const { ports, id, actionId } = await arrangeWaiting();

    await deemGranted(ports, id, wib('2026-02-26T08:00:00'));
    await deemGranted(ports, id, wib('2026-02-26T08:05:00'));

    expect((await app(ports, id)).deemedGranted).toEqual({
      at: wib('2026-02-26T08:00:00').toISOString(),
      legalBasis: ports.regency.deadlinePolicy.legalBasis,
    });
    expect((await ports.stages.getAction(actionId))?.status).toBe('closed');
  });
});

describe('needsAttention', () => {
  it('flags the application, tells the administrators and raises the alarm', async () => {
    const { ports, id } = await arrangeWaiting();

    await needsAttention(ports, id, { Error: 'States.Timeout', Cause: '...' }, t0);

    expect((await app(ports, id)).attention).toEqual({ at: t0.toISOString(), error: 'States.Timeout' });
    expect(ports.mailer.to(ADMIN)).toEqual([
      expect.objectContaining({ text: expect.stringContaining('States.Timeout') }),
    ]);
    expect(ports.metrics).toEqual([
      { name: 'ApplicationNeedsAttention', properties: { error: 'States.Timeout' } },
    ]);
  });
});

describe('submitDecision', () => {
  it('records the decision and delivers it through the current task token', async () => {
    const { ports, actionId } = await arrangeWaiting();
    await wait(ports, actionId, 'token-1');

    const result = await submitDecision(ports, actionId, decision('approve'));

    expect(result).toBe('accepted');
    expect(ports.tasks.delivered()).toEqual([{ taskToken: 'token-1', output: decision('approve') }]);
  });

  it('keeps the first decision and delivers only it', async () => {
    const { ports, actionId } = await arrangeWaiting();
    await wait(ports, actionId, 'token-1');
    await submitDecision(ports, actionId, decision('approve'));

    const result = await submitDecision(ports, actionId, decision('returnForCompletion'));

    expect(result).toBe('already-decided');
    expect((await ports.stages.getAction(actionId))?.decision?.outcome).toBe('approve');
    expect(ports.tasks.delivered()).toEqual([{ taskToken: 'token-1', output: decision('approve') }]);
    expect(ports.tasks.calls.every((c) => (c.output as { outcome: string }).outcome === 'approve')).toBe(
      true,
    );
  });

  it('delivers the recorded decision when a retry finds it recorded but never delivered (a crash in between)', async () => {
    const { ports, actionId } = await arrangeWaiting();
    await wait(ports, actionId, 'token-1');
    // The first attempt recorded the decision, then died before SendTaskSuccess.
    await ports.stages.decide(actionId, decision('approve'));

    const result = await submitDecision(ports, actionId, { ...decision('approve'), decidedAt: 'later' });

    expect(result).toBe('already-decided');
    expect(ports.tasks.delivered()).toEqual([{ taskToken: 'token-1', output: decision('approve') }]);
  });

  it('answers closed for an action that no longer waits', async () => {
    const { ports, actionId } = await arrangeWaiting();
    ports.stages.close(actionId);

    expect(await submitDecision(ports, actionId, decision('approve'))).toBe('closed');
  });
});
