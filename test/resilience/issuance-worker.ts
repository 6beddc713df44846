/**
 * The child process of the issuance kill test (issuance-kill.test.ts). It runs with the local stack's
 * product environment (local/env.ts `productEnv`) and builds its ports as a workflow function does
 * (`buildContainer(parseEnv(process.env))`): DynamoDB Local, s3rver, the file-key signer, the SES
 * emulator. The test kills it with SIGKILL at random moments and starts it again.
 *
 *   prepare --ids a,b,c
 *     creates each application as the workflow leaves it when the Kepala Dinas has approved and the
 *     numbering state is next: in progress, its office clock running, the signing stage as its current
 *     (automatic stages never become `current`), the applicant's form beside it.
 *   issue --ids a,b,c --seed S --concurrency C
 *     for each application not finished, `concurrency` at a time, calls the two use cases in sequence
 *     as the workflow's two states do: `numberPermit`, a pause of a few milliseconds (the gap between
 *     two states), `issueDocument(..., 'permit', ...)`. Finished means issued with the notice no longer
 *     pending; an issued application whose notice is still pending gets the issue step again, as a
 *     retried state would, and that step delivers it.
 *
 * Progress goes to stdout as `@issuance <event> <id>` lines: `ready`, `number`, `numbered`, `issue`,
 * `issued`, `done`. On Linux a write to a pipe is synchronous, so a line printed before a step is in
 * the pipe before the step starts, and the test reads it even after the kill. Product log lines are
 * printed too, without the prefix.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { applicantSchema } from '#core/domain/applicant.ts';
import type { Application } from '#core/domain/application.ts';
import { startOfficeClock } from '#core/domain/stage-clock.ts';
import { issueDocument, numberPermit } from '#core/use-cases/issuance.ts';
import { mailId } from '#core/use-cases/mail.ts';
import { buildContainer, type Container } from '#runtime/container.ts';
import { parseEnv } from '#runtime/env.ts';
import { applicantFixture, storedApplicationFixture } from '../fixtures/application.ts';
import { seededRandom } from './seeded-random.ts';

const PROGRESS_PREFIX = '@issuance';

/** Submitted Mon 2 Mar 2026 09:00 WIB; signed Tue 17 Mar 2026 09:00 WIB. */
const SUBMITTED_AT = '2026-03-02T02:00:00.000Z';
const SIGNED_AT = '2026-03-17T02:00:00.000Z';
/**
 * The instants the workflow's numbering and issue states are entered. A restarted worker passes the
 * same ones, as Step Functions gives a retried state the same input.
 */
const NUMBERED_AT = new Date('2026-03-17T03:00:00.000Z');
const ISSUED_AT = new Date('2026-03-17T03:00:01.000Z');
/** The pause between the two states, in milliseconds. */
const PAUSE_MS = { min: 5, max: 60 };

const progress = (event: string, id = ''): void => {
  process.stdout.write(`${PROGRESS_PREFIX} ${event}${id === '' ? '' : ` ${id}`}\n`);
};

async function prepare(ports: Container, ids: readonly string[]): Promise<void> {
  const permit = ports.regency.permits.find((p) => p.code === 'SIKOT');
  const numbering = permit?.stages.find((s) => s.kind === 'number');
  const signing = permit?.stages.find((s) => s.outcomes.approve === numbering?.id);
  if (permit === undefined || signing === undefined)
    throw new Error(`${ports.regency.id} has no SIKOT with a numbering stage after a signing stage`);
  const visits = permit.stages.findIndex((s) => s.id === signing.id) + 1;
  for (const id of ids) {
    const email = `${id}@example.test`;
    const application: Application = storedApplicationFixture(id, SUBMITTED_AT, {
      permitCode: permit.code,
      status: 'in-progress',
      applicantEmail: email,
      clock: startOfficeClock(ports.calendar, new Date(SUBMITTED_AT), permit.limit),
      visits,
      current: {
        stageId: signing.id,
        visit: visits,
        ...(signing.role === undefined ? {} : { role: signing.role }),
        enteredAt: SIGNED_AT,
        deadline: ports.calendar.stageDeadline(new Date(SIGNED_AT), { workingDays: 1 }).toISOString(),
        pendingActionId: `signed-${id}`,
      },
    });
    const result = await ports.applications.createDraft({
      application,
      applicant: {
        applicationId: id,
        applicant: applicantSchema.parse(applicantFixture({ email })),
        createdAt: SUBMITTED_AT,
      },
      tokenHash: createHash('sha256').update(id).digest('hex'),
      audit: { applicationId: id, at: SUBMITTED_AT, type: 'created' },
    });
    if (result !== 'created') throw new Error(`application ${id}: ${result}`);
  }
}

/** Whether anything of the two steps is left: not issued yet, or issued with its notice still pending. */
async function unfinished(ports: Container, id: string): Promise<'number-and-issue' | 'issue' | undefined> {
  const app = await ports.applications.get(id);
  if (app === undefined) throw new Error(`application ${id} does not exist`);
  if (app.status !== 'issued') return 'number-and-issue';
  const notice = await ports.outbox.get(mailId(id, 'issued', 'permit'));
  return notice?.status === 'pending' ? 'issue' : undefined;
}

async function issueAll(
  ports: Container,
  ids: readonly string[],
  seed: number,
  concurrency: number,
): Promise<void> {
  const pause = seededRandom(seed);
  const queue = [...ids];
  const lane = async (): Promise<void> => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const left = await unfinished(ports, id);
      if (left === undefined) continue;
      if (left === 'number-and-issue') {
        progress('number', id);
        await numberPermit(ports, id, NUMBERED_AT);
        progress('numbered', id);
        await sleep(pause(PAUSE_MS.min, PAUSE_MS.max));
      }
      progress('issue', id);
      await issueDocument(ports, id, 'permit', ISSUED_AT);
      progress('issued', id);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      ids: { type: 'string' },
      seed: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '4' },
    },
  });
  const mode = positionals[0];
  const ids = (values.ids ?? '').split(',').filter((id) => id !== '');
  if ((mode !== 'prepare' && mode !== 'issue') || ids.length === 0)
    throw new Error('usage: issuance-worker.ts prepare|issue --ids a,b,c [--seed S] [--concurrency C]');
  const ports = buildContainer(parseEnv(process.env));
  // Everything a first step would build, built before `ready`: the test's kill delays count from
  // there, so they land in the work and not in the start-up (nor in the key file's creation).
  await ports.signer.publicKeys();
  await ports.applications.get(ids[0] as string);
  progress('ready');
  if (mode === 'prepare') await prepare(ports, ids);
  else await issueAll(ports, ids, Number(values.seed), Number(values.concurrency));
  progress('done');
  for (const client of [ports.clients.dynamo(), ports.clients.s3(), ports.clients.ses()]) client.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
