/**
 * Crash resilience (`npm run test:resilience`): N applications go through the local stack, started
 * as `npm start` starts it (file-backed DynamoDB Local, s3rver, the durable mailbox, the local Step
 * Functions service), while the whole stack is killed with SIGKILL at random moments of the work and
 * started again on the same data directory and ports, and the workflow clock jumps across reminders,
 * breaches and the applicant's deadline. Then every application must be consistent, every event
 * recorded once, every mail delivered once, every frozen document the bytes that were checked.
 *
 * Knobs: SATUPINTU_RESILIENCE_APPS (default 10), SATUPINTU_RESILIENCE_SEED (kill timings),
 * SATUPINTU_KEEP_STACK_DATA=1 keeps the data directory and the stack's logs (the path is printed);
 * they are always kept when the test fails.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { pickFreePorts } from '../../local/ports.ts';
import { DEFAULT_REGENCY } from '../../local/stack.ts';
import { checkEverything, type MailboxMail } from './checks.ts';
import { type Applicant, Driver, Gate, type Plan } from './driver.ts';
import { seededRandom } from './seeded-random.ts';
import { StackProcess } from './stack-process.ts';

const APPLICATIONS = Number(process.env.SATUPINTU_RESILIENCE_APPS ?? 10);
const SEED = Number(process.env.SATUPINTU_RESILIENCE_SEED ?? randomBytes(4).readUInt32LE(0));
const HOUR = 3600;
const DAY = 24 * HOUR;

/** Kota Bengkulu's SIKOT: completeness check, technical team (12 working days), two validations, signature. */
const approveAll = ['approve', 'approve', 'approve', 'approve', 'approve'] as const;
const PLANS: Plan[] = [
  { name: 'approve all', decisions: [...approveAll], expect: { status: 'issued' } },
  {
    name: 'returned, completed, approved',
    decisions: ['returnForCompletion', ...approveAll],
    onReturn: 'resubmit',
    expect: { status: 'issued' },
  },
  {
    name: 'refused by the technical team and the head of office',
    decisions: ['approve', 'reject', 'approve', 'approve', 'reject'],
    expect: { status: 'rejected' },
  },
  {
    name: 'returned, never completed',
    decisions: ['returnForCompletion'],
    onReturn: 'ignore',
    expect: { status: 'lapsed' },
  },
  {
    name: 'technical team late (breach, escalation), then approved',
    decisions: [...approveAll],
    holdUntilWave: { 2: 8 },
    expect: { status: 'issued' },
  },
  {
    name: 'never decided: reminders, breach, escalations',
    decisions: [],
    expect: { status: 'in-progress', stageId: 'pemeriksaan-kelengkapan' },
  },
];

const log = (line: string): void => {
  process.stdout.write(`[resilience] ${line}\n`);
};

describe('crash resilience of the local stack', () => {
  it('keeps every application consistent, every event and mail once, every document intact', async () => {
    const t0 = performance.now();
    const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
    const between = seededRandom(SEED);
    const root = mkdtempSync(join(tmpdir(), 'satupintu-resilience-'));
    const stack = new StackProcess({
      dataDir: join(root, 'stack'),
      logDir: join(root, 'logs'),
      ports: await pickFreePorts(),
      regency: DEFAULT_REGENCY,
    });
    const gate = new Gate();
    const driver = new Driver(gate, () => stack.endpoints);
    const runId = randomBytes(3).toString('hex');
    const kills: string[] = [];
    let passed = false;
    log(`seed ${SEED}, ${APPLICATIONS} applications, data in ${root}`);

    try {
      await stack.start();
      driver.reconnect();
      log(`stack ready in ${stack.startupMs[0]} ms (${elapsed()})`);
      const applicants: Applicant[] = Array.from({ length: APPLICATIONS }, (_, i) =>
        driver.newApplicant(i, PLANS[i % PLANS.length] as Plan, runId),
      );
      const ids = () => applicants.flatMap((a) => (a.id === undefined ? [] : [a.id]));

      const crash = async (label: string, afterMs: number): Promise<void> => {
        const busy = await driver.busyExecutions();
        gate.close();
        const inFlight = driver.counters.inFlight;
        const killed = await stack.kill9();
        await stack.start();
        driver.reconnect();
        gate.open();
        kills.push(
          `kill ${kills.length + 1}: ${label}, ${afterMs} ms in, ${inFlight} client operations in flight, ` +
            `${busy ?? '?'} executions mid-step; ` +
            `gone and ports free after ${killed.freeAfterMs} ms, ready again after ${stack.startupMs.at(-1)} ms`,
        );
        log(kills.at(-1) ?? '');
      };

      /** Runs `work`, killing the stack `killAfterMs[i]` ms after the wave starts (or after the previous restart). */
      const wave = async (
        n: number,
        label: string,
        work: () => Promise<unknown>,
        killAfterMs: number[],
      ): Promise<void> => {
        const started = performance.now();
        let failure: unknown;
        const done = work().catch((error: unknown) => {
          failure = error;
        });
        for (const delay of killAfterMs) {
          await sleep(delay);
          await crash(label, Math.round(performance.now() - started));
        }
        await done;
        if (failure !== undefined) throw failure;
        const quiet = await driver.settle(ids());
        await driver.followCutOffs(n);
        log(`${label}: done${quiet ? '' : ' (not quiet after 45 s)'} (${elapsed()})`);
      };
      const actAll = (n: number) => () => Promise.all(applicants.map((a) => driver.act(a, n)));
      const jumpThenAct = (n: number, seconds: number) => async () => {
        await driver.advanceClock(seconds);
        await actAll(n)();
      };

      // Kill delays: the first after the wave starts, each next one after the previous restart (so
      // some kills land while the restarted stack recovers its executions).
      await wave(
        1,
        'wave 1: drafts, uploads, submissions',
        () => Promise.all(applicants.map((a) => driver.apply(a))),
        [between(1000, 3000), between(1000, 6000)],
      );
      await wave(2, 'wave 2: first decisions and returns', actAll(2), [between(50, 1200)]);
      await wave(3, 'wave 3: resubmissions and decisions', actAll(3), [
        between(50, 1200),
        between(200, 1500),
      ]);
      await wave(4, 'wave 4: clock +4 h, decisions', jumpThenAct(4, 4 * HOUR), [between(0, 500)]);
      await wave(5, 'wave 5: clock +1 day, decisions', jumpThenAct(5, DAY), [between(0, 500)]);
      await wave(6, 'wave 6: clock +3 days, decisions', jumpThenAct(6, 3 * DAY), [between(0, 500)]);
      await wave(7, 'wave 7: clock +5 days, decisions', jumpThenAct(7, 5 * DAY), [between(0, 500)]);
      await wave(8, 'wave 8: clock +15 days, decisions', jumpThenAct(8, 15 * DAY), [between(0, 500)]);

      // No more kills: let every plan finish. A decision whose delivery was cut off by a kill is only
      // picked up when its stage wakes up again, so time moves on a day at a time while any wait.
      for (let round = 9; round < 30; round++) {
        const results = await Promise.all(applicants.map((a) => driver.act(a, round)));
        await driver.settle(ids());
        await driver.followCutOffs(round);
        const apps = await Promise.all(ids().map((id) => driver.application(id)));
        const open = applicants.filter((a, i) => {
          const app = apps[i];
          return (
            app?.status !== a.plan.expect.status ||
            (a.plan.expect.stageId !== undefined && app.current?.stageId !== a.plan.expect.stageId)
          );
        });
        if (open.length === 0 && results.every((r) => !r.includes('accepted'))) break;
        log(`round ${round}: ${open.length} applications not at their planned end (${elapsed()})`);
        if (results.every((r) => !r.includes('accepted'))) {
          await driver.advanceClock(DAY);
          await driver.settle(ids());
          await driver.followCutOffs(round);
        }
      }

      const mailbox = await driver.resilient('read the mailbox', async () => {
        const response = await fetch(stack.endpoints.mailbox.storeUrl);
        return ((await response.json()) as { emails: MailboxMail[] }).emails;
      });
      const report = await checkEverything({
        clients: driver.sdk,
        endpoints: stack.endpoints,
        applicants,
        mailbox,
      });
      const wall = elapsed();
      log('--------------------------------------------------------------------------');
      for (const line of kills) log(line);
      log(`applications:                ${report.applications} ${JSON.stringify(report.statuses)}`);
      log(`kills (kill -9, restart):    ${stack.kills.length}`);
      log(`events (audit records):      ${report.events} ${JSON.stringify(report.eventsByType)}`);
      log(
        `mails sent:                  ${report.mailsSent} (outbox ${report.outbox}, mailbox ${report.mailboxMessages})`,
      );
      log(
        `mails stuck 'sending':       ${report.mailsStuckSending} (${report.mailsStuckSendingDelivered} of them reached the mailbox before the kill)`,
      );
      log(`mails still 'pending':       ${report.mailsPending}`);
      log(`documents compared:          ${report.documentsChecked}`);
      log(`reminders combined by a jump: ${report.combinedReminders} visits`);
      const cutOff = driver.cutOff;
      const sameWave = cutOff.filter((d) => d.deliveredInWave === d.wave).length;
      const later = cutOff.filter((d) => d.deliveredInWave !== undefined && d.deliveredInWave > d.wave);
      log(
        `decisions cut off by a kill: ${cutOff.length} (recorded, token not sent): acted on within their wave ${sameWave}, ` +
          `only after a later clock jump woke the stage ${later.length}` +
          (later.length === 0
            ? ''
            : ` (${later.map((d) => `${d.applicationId} visit ${d.visit}: wave ${d.wave} -> ${d.deliveredInWave}`).join('; ')})`) +
          `, never ${cutOff.filter((d) => d.deliveredInWave === undefined).length}`,
      );
      log(
        `operations retried:          ${driver.counters.retried}, draft replays: ${driver.counters.draftReplays}, uploads restarted: ${driver.counters.uploadsRestarted}, (re)submissions repeated: ${driver.counters.submissionsRepeated}`,
      );
      log(`duplicates found = ${report.duplicates}`);
      log(`lost = ${report.lost}`);
      log(`inconsistent = ${report.inconsistent}`);
      log(`wall time ${wall} (seed ${SEED})`);
      for (const f of report.findings) log(`FINDING ${f.kind}: ${f.applicationId ?? '(mailbox)'}: ${f.what}`);
      expect(report.findings).toEqual([]);
      expect(stack.kills.length).toBeGreaterThanOrEqual(5);
      passed = true;
    } finally {
      gate.open();
      driver.destroy();
      // After a failure the stack is killed, not stopped: a clean stop lets the Step Functions service
      // finish steps in flight while DynamoDB Local is already stopping, which changes what is to be
      // looked at. The data directory (with every child's log under logs/) is kept.
      if (passed) await stack.stop();
      else if (stack.running) await stack.kill9();
      if (passed && process.env.SATUPINTU_KEEP_STACK_DATA !== '1')
        rmSync(root, { recursive: true, force: true });
      else log(`data and logs kept in ${root}`);
    }
  });
});
