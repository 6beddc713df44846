/**
 * What people do to the stack while it is being killed: applicants (over the HTTP API, and PUTs to
 * the presigned URLs), officials (`submitDecision` against the stack's table and Step Functions, as
 * test/integration/api/client.ts does: there are no decision links yet) and the local clock.
 *
 * Every operation runs through `resilient()`: while the stack is down (the gate is closed) it waits,
 * and an operation cut off by a kill (connection refused or reset, a 5xx) is tried again once the
 * stack is back, as a person's browser or a retrying client would. Each operation is written so that
 * trying it again is what a person would do: the same Idempotency-Key for a draft, a new upload URL
 * for an upload whose PUT was cut off, the same confirmation, the same submission.
 */
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoApplications } from '#adapters/dynamodb/applications.ts';
import { DynamoStages } from '#adapters/dynamodb/stages.ts';
import { Table } from '#adapters/dynamodb/table.ts';
import { SfnTaskCallbacks } from '#adapters/sfn/step-functions.ts';
import type { Outcome } from '#config/regency-schema.ts';
import type { Application } from '#core/domain/application.ts';
import { submitDecision } from '#core/use-cases/stage-waits.ts';
import { type LocalClients, localClients } from '../../local/clients.ts';
import type { StackEndpoints } from '../../local/stack.ts';
import { applicationFixture, BENGKULU_ALWAYS_REQUIRED, nikFor } from '../fixtures/application.ts';

/** Open while the stack runs; closed from just before a kill until the restarted stack is ready. */
export class Gate {
  private opened: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;

  close(): void {
    if (this.release !== undefined) return;
    this.opened = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  open(): void {
    this.release?.();
    this.release = undefined;
  }

  wait(): Promise<void> {
    return this.opened;
  }
}

/** An answer worth trying again: the stack is down or restarting. */
class Retryable extends Error {
  override name = 'Retryable';
}

const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET']);

function isRetryable(error: unknown): boolean {
  if (error instanceof Retryable) return true;
  const e = error as {
    name?: string;
    code?: string;
    cause?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (e?.code !== undefined && RETRYABLE_CODES.has(e.code)) return true;
  // fetch: TypeError('fetch failed') with the socket error as its cause.
  if (e?.name === 'TypeError' && e.cause !== undefined) return true;
  if (e?.cause !== undefined && isRetryable(e.cause)) return true;
  // The AWS SDK: network errors after its own retries, timeouts, 5xx.
  if (e?.name === 'TimeoutError' || e?.name === 'RequestTimeout') return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  return /socket hang up|ECONNREFUSED|ECONNRESET|other side closed/.test(String(error));
}

export interface Counters {
  /** Operations in flight (API requests, PUTs, decisions, clock moves). */
  inFlight: number;
  /** Attempts that failed because the stack went away, and were tried again. */
  retried: number;
  /** Drafts created again with the same Idempotency-Key after a cut-off request. */
  draftReplays: number;
  /** Uploads started again with a new URL because the PUT or the confirmation was cut off. */
  uploadsRestarted: number;
  /** Submissions and resubmissions sent again after a cut-off request (answered 202/200 the second time). */
  submissionsRepeated: number;
}

const OPERATION_TIMEOUT_MS = 120_000;

export interface Plan {
  name: string;
  /** The outcome for each visit (index = visit - 1); `undefined`: nobody decides that visit. */
  decisions: Array<Outcome | undefined>;
  /** A visit (1-based) is not decided before the given wave number. */
  holdUntilWave?: Record<number, number>;
  /** What the applicant does with a returned file. */
  onReturn?: 'resubmit' | 'ignore';
  /** What the application must end as. */
  expect: { status: Application['status']; stageId?: string };
}

export interface Applicant {
  index: number;
  plan: Plan;
  email: string;
  idempotencyKey: string;
  id?: string;
  token?: string;
  /** Bytes PUT for each upload id (the applicant's own copy of what they sent). */
  uploads: Map<string, Buffer>;
}

export const REQUIRED = BENGKULU_ALWAYS_REQUIRED;

const pdf = (text: string): Buffer =>
  Buffer.from(`%PDF-1.4\n% ${text}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n`);

export class Driver {
  readonly counters: Counters = {
    inFlight: 0,
    retried: 0,
    draftReplays: 0,
    uploadsRestarted: 0,
    submissionsRepeated: 0,
  };
  /**
   * Decisions whose first attempt was cut off by a kill and whose retry found them recorded already:
   * `submitDecision` then answers 'already-decided' without sending the task token, so the workflow
   * only learns of the decision when its wait is entered again (a retried step, or the stage's next
   * timer). `deliveredInWave`: the wave after which the pending action was found closed.
   */
  readonly cutOff: Array<{
    applicationId: string;
    actionId: string;
    visit: number;
    wave: number;
    deliveredInWave?: number;
  }> = [];
  private clients: LocalClients | undefined;
  private stagesRepo: DynamoStages | undefined;
  private appsRepo: DynamoApplications | undefined;
  private tasks: SfnTaskCallbacks | undefined;

  constructor(
    readonly gate: Gate,
    private readonly endpoints: () => StackEndpoints,
  ) {}

  /** SDK clients are rebuilt after each restart (their pooled sockets died with the stack). */
  reconnect(): void {
    this.clients?.destroy();
    const e = this.endpoints();
    this.clients = localClients({ dynamodb: e.dynamodb.url, s3: e.s3.url, sfn: e.sfn?.url });
    const table = new Table(DynamoDBDocumentClient.from(this.clients.dynamodb), e.dynamodb.tableName);
    this.stagesRepo = new DynamoStages(table);
    this.appsRepo = new DynamoApplications(table);
    this.tasks = new SfnTaskCallbacks(this.clients.sfn as NonNullable<LocalClients['sfn']>);
  }

  destroy(): void {
    this.clients?.destroy();
  }

  get sdk(): LocalClients {
    if (this.clients === undefined) throw new Error('not connected');
    return this.clients;
  }

  private get stages(): DynamoStages {
    if (this.stagesRepo === undefined) throw new Error('not connected');
    return this.stagesRepo;
  }

  /** Runs `op` until it succeeds, waiting out kills and restarts. */
  async resilient<T>(what: string, op: (attempt: number) => Promise<T>): Promise<T> {
    const deadline = Date.now() + OPERATION_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++) {
      await this.gate.wait();
      this.counters.inFlight += 1;
      try {
        return await op(attempt);
      } catch (error) {
        if (!isRetryable(error) || Date.now() > deadline)
          throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
          });
        this.counters.retried += 1;
      } finally {
        this.counters.inFlight -= 1;
      }
      await sleep(100 + randomInt(200));
    }
  }

  private async api(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.endpoints().api.url}${path}`, {
      ...init,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (response.status >= 500) throw new Retryable(`${path} answered ${response.status}: ${text}`);
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  }

  private authorised(applicant: Applicant, init: RequestInit = {}): RequestInit {
    return { ...init, headers: { ...(init.headers ?? {}), authorization: `Bearer ${applicant.token}` } };
  }

  newApplicant(index: number, plan: Plan, runId: string): Applicant {
    return {
      index,
      plan,
      email: `pemohon-${runId}-${index}@example.test`,
      idempotencyKey: `resilience-${runId}-${index}`,
      uploads: new Map(),
    };
  }

  /** Draft, the checklist, submission: each step again until it holds, across kills. */
  async apply(applicant: Applicant): Promise<void> {
    const body = applicationFixture({
      applicant: {
        ...(applicationFixture().applicant as Record<string, unknown>),
        fullName: `Pemohon Uji ${applicant.index}`,
        email: applicant.email,
        nik: nikFor('1990-05-15', 'female', 1000 + applicant.index),
      },
    });
    await this.resilient(`create draft ${applicant.index}`, async (attempt) => {
      const { status, body: created } = await this.api('/applications', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': applicant.idempotencyKey },
        body: JSON.stringify(body),
      });
      if (status !== 201) throw new Error(`create answered ${status}: ${JSON.stringify(created)}`);
      const c = created as { id: string; accessToken: string };
      if (attempt > 0) this.counters.draftReplays += 1;
      applicant.id = c.id;
      applicant.token = c.accessToken;
    });
    for (const requirement of REQUIRED) await this.upload(applicant, requirement);
    await this.resilient(`submit ${applicant.id}`, async (attempt) => {
      if (attempt > 0) this.counters.submissionsRepeated += 1;
      const { status, body: answer } = await this.api(
        `/applications/${applicant.id}/submit`,
        this.authorised(applicant, { method: 'POST' }),
      );
      if (status !== 202) throw new Error(`submit answered ${status}: ${JSON.stringify(answer)}`);
    });
  }

  /** One document: a URL, the PUT, the confirmation; a new URL if the PUT or the upload was lost. */
  async upload(applicant: Applicant, requirement: string, label = 'v1'): Promise<string> {
    for (let round = 0; round < 20; round++) {
      if (round > 0) this.counters.uploadsRestarted += 1;
      const content = pdf(`${applicant.id}/${requirement}/${label}/${round}/${randomInt(1e9)}`);
      const granted = await this.resilient(`upload URL ${applicant.id}/${requirement}`, async () => {
        const { status, body } = await this.api(
          `/applications/${applicant.id}/documents/${requirement}`,
          this.authorised(applicant, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ mediaType: 'application/pdf', sizeBytes: content.length }),
          }),
        );
        if (status !== 201) throw new Error(`upload request answered ${status}: ${JSON.stringify(body)}`);
        return body as {
          uploadId: string;
          url: string;
          headers: Record<string, string>;
          confirmPath: string;
        };
      });
      applicant.uploads.set(granted.uploadId, content);
      try {
        await this.gate.wait();
        const put = await fetch(granted.url, {
          method: 'PUT',
          body: new Uint8Array(content),
          headers: granted.headers,
          signal: AbortSignal.timeout(30_000),
        });
        await put.arrayBuffer();
        if (put.status !== 200) throw new Retryable(`PUT answered ${put.status}`);
      } catch (error) {
        if (!isRetryable(error)) throw error;
        this.counters.retried += 1;
        continue;
      }
      const confirmed = await this.resilient(`confirm ${applicant.id}/${requirement}`, async () => {
        const { status, body } = await this.api(
          granted.confirmPath,
          this.authorised(applicant, { method: 'POST' }),
        );
        if (status === 200) return true;
        // The PUT was answered but its object did not survive the kill: upload again.
        if (status === 409 && (body as { code?: string })?.code === 'upload-missing') return false;
        throw new Error(`confirm answered ${status}: ${JSON.stringify(body)}`);
      });
      if (confirmed) return granted.uploadId;
    }
    throw new Error(`no upload of ${requirement} for ${applicant.id} after 20 rounds`);
  }

  /** The applicant uploads new versions of `replace` and sends the file back. */
  async resubmit(applicant: Applicant, replace: readonly string[]): Promise<void> {
    for (const requirement of replace) await this.upload(applicant, requirement, 'v2');
    await this.resilient(`resubmit ${applicant.id}`, async (attempt) => {
      if (attempt > 0) this.counters.submissionsRepeated += 1;
      const { status, body } = await this.api(
        `/applications/${applicant.id}/resubmit`,
        this.authorised(applicant, { method: 'POST' }),
      );
      if (status !== 200 && status !== 202)
        throw new Error(`resubmit answered ${status}: ${JSON.stringify(body)}`);
    });
  }

  async application(id: string): Promise<Application | undefined> {
    return this.resilient(`read ${id}`, () => {
      if (this.appsRepo === undefined) throw new Error('not connected');
      return this.appsRepo.get(id);
    });
  }

  /**
   * One step of the applicant's and the officials' part for this wave, read from the records: decide
   * the current visit as planned (unless held), or act on a returned file.
   */
  async act(applicant: Applicant, wave: number): Promise<string> {
    const id = applicant.id;
    if (id === undefined) return 'no application';
    const app = await this.application(id);
    if (app === undefined) throw new Error(`application ${id} is missing`);
    if (app.status === 'returned' && app.returned !== undefined) {
      if (applicant.plan.onReturn !== 'resubmit') return 'returned, left to lapse';
      const action = await this.resilient(`action ${app.returned.pendingActionId}`, () =>
        this.stages.getAction(app.returned?.pendingActionId ?? ''),
      );
      if (action?.status !== 'open') return 'resubmission already recorded';
      await this.resubmit(applicant, [...new Set(['ktp', ...app.returned.deficient])]);
      return 'resubmitted';
    }
    const current = app.current;
    if (app.status !== 'in-progress' || current === undefined) return `nothing to do (${app.status})`;
    const outcome = applicant.plan.decisions[current.visit - 1];
    if (outcome === undefined) return `visit ${current.visit} left waiting`;
    const hold = applicant.plan.holdUntilWave?.[current.visit];
    if (hold !== undefined && wave < hold) return `visit ${current.visit} held until wave ${hold}`;
    const recorded = await this.resilient(`action ${current.pendingActionId}`, () =>
      this.stages.getAction(current.pendingActionId),
    );
    if (recorded?.status === 'decided') return `visit ${current.visit}: decided earlier, not acted on yet`;
    const result = await this.resilient(`decide ${id} visit ${current.visit}`, async (attempt) => {
      const result = await submitDecision(
        { stages: this.stages, tasks: this.tasks as SfnTaskCallbacks },
        current.pendingActionId,
        {
          outcome,
          actor: 'resilience-suite',
          decidedAt: new Date().toISOString(),
          // No `deficient` list: the API checks that each deficient document was replaced after the
          // return by comparing its acceptance time (the API's machine clock) with the return's time
          // (the workflow's fast-forwarded clock), so after a clock jump no upload could ever count as
          // a replacement. The applicant replaces the KTP all the same (see act()).
          ...(outcome === 'returnForCompletion' ? { note: 'KTP tidak terbaca' } : {}),
        },
      );
      if (
        attempt > 0 &&
        result === 'already-decided' &&
        !this.cutOff.some((d) => d.actionId === current.pendingActionId)
      )
        this.cutOff.push({
          applicationId: id,
          actionId: current.pendingActionId,
          visit: current.visit,
          wave,
        });
      return result;
    });
    return `visit ${current.visit} ${outcome}: ${result}`;
  }

  /** Moves the workflow clock forward by `seconds`, exactly once even if the request is cut off. */
  async advanceClock(seconds: number): Promise<void> {
    const offset = async (): Promise<number> => {
      const response = await fetch(this.endpoints().sfn?.clockUrl ?? '', {
        signal: AbortSignal.timeout(10_000),
      });
      return ((await response.json()) as { offsetSeconds: number }).offsetSeconds;
    };
    const target = (await this.resilient('read the clock', offset)) + seconds;
    await this.resilient(`advance the clock by ${seconds} s`, async () => {
      const left = target - (await offset());
      if (left <= 0) return;
      const response = await fetch(this.endpoints().sfn?.clockUrl ?? '', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceSeconds: left }),
        signal: AbortSignal.timeout(30_000),
      });
      await response.arrayBuffer();
      if (response.status >= 500) throw new Retryable(`clock answered ${response.status}`);
      if (response.status !== 200) throw new Error(`clock answered ${response.status}`);
    });
  }

  /** Notes which cut-off decisions the workflows have acted on by the end of `wave`. */
  async followCutOffs(wave: number): Promise<void> {
    for (const decision of this.cutOff) {
      if (decision.deliveredInWave !== undefined) continue;
      const action = await this.resilient(`action ${decision.actionId}`, () =>
        this.stages.getAction(decision.actionId),
      );
      if (action?.status !== 'decided') decision.deliveredInWave = wave;
    }
  }

  /** Executions in the middle of a step (running, not waiting for a person); undefined if the stack does not answer. */
  async busyExecutions(): Promise<number | undefined> {
    try {
      const response = await fetch(`${this.endpoints().sfn?.url}/_local/health`, {
        signal: AbortSignal.timeout(300),
      });
      const health = (await response.json()) as {
        executions: Record<string, number>;
        tasksWaitingForCallback: number;
      };
      return (health.executions.RUNNING ?? 0) - health.tasksWaitingForCallback;
    } catch {
      return undefined;
    }
  }

  /**
   * Waits until the workflows are quiet: every running execution waits for a callback, and neither
   * that nor any application record changed between two looks.
   */
  async settle(ids: readonly string[], timeoutMs = 45_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let previous = '';
    while (Date.now() < deadline) {
      const look = await this.resilient('look at the stack', async () => {
        const response = await fetch(`${this.endpoints().sfn?.url}/_local/health`, {
          signal: AbortSignal.timeout(10_000),
        });
        const health = (await response.json()) as {
          executions: Record<string, number>;
          tasksWaitingForCallback: number;
        };
        const versions = await Promise.all(
          ids.map(async (id) => {
            const app = await this.appsRepo?.get(id);
            return `${app?.status}:${app?.version}`;
          }),
        );
        const quiet = (health.executions.RUNNING ?? 0) === health.tasksWaitingForCallback;
        const { executions, tasksWaitingForCallback } = health;
        return { quiet, signature: JSON.stringify([executions, tasksWaitingForCallback, versions]) };
      });
      if (look.quiet && look.signature === previous) return true;
      previous = look.quiet ? look.signature : '';
      await sleep(400);
    }
    return false;
  }
}
