/**
 * In-memory fakes of every port of functions/core/ports.ts, with the semantics of the adapters in
 * functions/adapters/ (conditional writes, once-only decisions, gap-free sequences), and `fakePorts`,
 * which wires them with a real regency and calendar, a controllable clock and deterministic ids.
 * Each fake is the port plus the state it keeps, for a test to arrange and inspect. Records are copied
 * in and out, as a database would: a use case never holds a reference into a fake.
 */

import { createHmac } from 'node:crypto';
import { hmacMessage } from '#adapters/keyed-hash/hmac-message.ts';
import { KeyPairSigner } from '#adapters/signing/key-pair-signer.ts';
import { loadRegency } from '#config/load.ts';
import type { Regency } from '#config/regency-schema.ts';
import {
  type Application,
  type AuditEvent,
  FINAL_STATUSES,
  type PendingAction,
  type StageVisit,
  type SubmittedDocument,
} from '#core/domain/application.ts';
import { type AuditRecord, type ChainHead, chainEvents, GENESIS_HEAD } from '#core/domain/audit-chain.ts';
import { createCalendar } from '#core/domain/calendar/calendar.ts';
import type { OfficialLink } from '#core/domain/official-links.ts';
import type { DocumentHashRecord, PermitRecord } from '#core/domain/permit/permit-record.ts';
import type { PlaceRegister } from '#core/domain/places.ts';
import { fixedWindow, type RateLimit } from '#core/domain/rate-limit.ts';
import type * as records from '#core/domain/records.ts';
import * as core from '#core/ports.ts';

const copy = <T>(value: T): T => structuredClone(value);
/** Sort-key order (plain code-unit comparison, as DynamoDB compares strings). */
const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A conditional put `attribute_not_exists(pk)`: false when the key is taken. */
function putNew<T>(map: Map<string, T>, key: string, value: T): boolean {
  if (map.has(key)) return false;
  map.set(key, copy(value));
  return true;
}

/** What a concurrent request does just before a write of the code under test. */
export type Interleaving = () => void | Promise<void>;

/** One-shot interleavings, run in order by the writes that call `run`. */
function interleavings() {
  const queue: Interleaving[] = [];
  return { add: (what: Interleaving) => void queue.push(what), run: async () => queue.shift()?.() };
}

export function fakeAudit() {
  /** Every application's chain, records in seq order (as the adapter's `AUDIT#<seq>` keys order them). */
  const chains = new Map<string, AuditRecord[]>();
  const heads = new Map<string, ChainHead>();
  const port: core.AuditTrail = {
    // Chained exactly as the adapter chains them (the pure module), one append at a time.
    append: async (event) => {
      const chained = chainEvents(heads.get(event.applicationId) ?? GENESIS_HEAD, [copy(event)]);
      chains.set(event.applicationId, [...(chains.get(event.applicationId) ?? []), ...chained.records]);
      heads.set(event.applicationId, chained.head);
    },
    list: async (id) => (chains.get(id) ?? []).map(copy),
    head: async (id) => copy(heads.get(id)),
  };
  /** An application's events as appended, without their place in the chain. */
  const events = (id: string): AuditEvent[] =>
    (chains.get(id) ?? []).map(({ seq: _s, prevHash: _p, hash: _h, ...event }) => copy(event));
  /** An application's event types, in the order they were appended. */
  const types = (id: string) => events(id).map((e) => e.type);
  return Object.assign(port, { chains, heads, events, types });
}
export type FakeAudit = ReturnType<typeof fakeAudit>;

export function fakeApplications(audit: FakeAudit, outbox: core.Outbox) {
  const records = new Map<string, Application>();
  const applicants = new Map<string, records.ApplicantRecord>();
  const access = new Map<string, { tokenHash: string; issuedAt: string }>();
  const trackingCodes = new Map<string, string>();
  const idempotencyRecords = new Map<string, records.IdempotencyRecord>();
  const writes = interleavings();
  /** Stores `app` as is, without a version check: arranging a test, or another writer. */
  const put = (app: Application) => void records.set(app.id, copy(app));
  const port: core.ApplicationRepository = {
    get: async (id) => copy(records.get(id)),
    create: async (app) => putNew(records, app.id, app),
    createDraft: async ({ application: app, applicant, tokenHash, idempotency, audit: event, mail }) => {
      await writes.run();
      // The transaction's conditions, in the adapter's item order.
      if (trackingCodes.has(app.trackingCode)) return 'tracking-code-taken';
      if (records.has(app.id)) throw new Error(`draft ${app.id}: unexpected condition failure at item 1`);
      const held = idempotency && idempotencyRecords.get(idempotency.keyHash);
      if (held !== undefined && held.expiresAt >= Math.floor(Date.parse(app.createdAt) / 1000))
        return 'idempotency-key-taken';
      trackingCodes.set(app.trackingCode, app.id);
      put(app);
      applicants.set(app.id, copy(applicant));
      access.set(app.id, { tokenHash, issuedAt: app.createdAt });
      await audit.append(event);
      if (mail !== undefined) await outbox.add(mail, app.createdAt);
      if (idempotency !== undefined) idempotencyRecords.set(idempotency.keyHash, copy(idempotency));
      return 'created';
    },
    idempotency: async (keyHash, now) => {
      const record = idempotencyRecords.get(keyHash);
      return record === undefined || record.expiresAt < now ? undefined : copy(record);
    },
    accessHash: async (id) => access.get(id)?.tokenHash,
    rotateAccessToken: async ({ applicationId: id, tokenHash, at, audit: event, mail }) => {
      const status = records.get(id)?.status;
      if (status === undefined || FINAL_STATUSES.includes(status)) return false;
      if ((await outbox.get(mail.id)) !== undefined)
        throw new Error(`access token of ${id}: unexpected condition failure`);
      access.set(id, { tokenHash, issuedAt: at });
      await audit.append(event);
      await outbox.add(mail, at);
      return true;
    },
    applicant: async (id) => copy(applicants.get(id)),
    idForTrackingCode: async (code) => trackingCodes.get(code),
  };
  return Object.assign(
    port,
    { records, applicants, access, trackingCodes, idempotencyRecords, put },
    {
      /** Runs `what` at the start of the next write of an application (createDraft or a Change), once. */
      beforeNextWrite: writes.add,
      /** Runs the next interleaving: for the Changes fake, which writes the application. */
      interleave: writes.run,
    },
  );
}

export function fakeStages(audit?: FakeAudit) {
  /** Visits by `<applicationId>#<visit>`. */
  const visits = new Map<string, StageVisit>();
  const actions = new Map<string, PendingAction>();
  const port: core.StageRepository = {
    getVisit: async (id, visit) => copy(visits.get(`${id}#${visit}`)),
    listVisits: async (id) =>
      [...visits.values()]
        .filter((v) => v.applicationId === id)
        .sort((a, b) => a.visit - b.visit)
        .map(copy),
    getAction: async (id) => copy(actions.get(id)),
    setTaskToken: async (id, taskToken, at) => {
      const action = actions.get(id);
      if (action === undefined || action.status === 'closed') return undefined;
      actions.set(id, { ...action, taskToken, tokenUpdatedAt: at });
      return copy(actions.get(id));
    },
    markNotified: async (id, at) => {
      const action = actions.get(id);
      if (action === undefined) throw new Error(`pending action ${id} does not exist`);
      actions.set(id, { ...action, notifiedAt: at });
    },
    decide: async (id, decision, options = {}) => {
      const action = actions.get(id);
      const revoked =
        options.linkCreatedAt !== undefined &&
        action?.linksValidFrom !== undefined &&
        action.linksValidFrom > options.linkCreatedAt;
      if (action?.status !== 'open' || revoked)
        return action?.status === 'decided' ? 'already-decided' : 'closed';
      actions.set(id, { ...action, status: 'decided', decision: copy(decision) });
      if (options.audit !== undefined) await audit?.append(options.audit);
      return 'decided';
    },
    reassign: async (id, assignees, at, event) => {
      const action = actions.get(id);
      if (action?.status !== 'open') return false;
      actions.set(id, { ...action, assignees: [...assignees], linksValidFrom: at });
      await audit?.append(event);
      return true;
    },
  };
  /** Closes an existing action as a Change does: status closed, token removed. */
  const close = (id: string) => {
    const found = actions.get(id);
    if (found === undefined) throw new Error(`pending action ${id} does not exist`);
    const { taskToken: _, ...action } = found;
    actions.set(id, { ...action, status: 'closed' });
  };
  /** Stores an action as is (arranging a test). */
  const addAction = (action: PendingAction) => void actions.set(action.id, copy(action));
  return Object.assign(port, { visits, actions, close, addAction });
}

export function fakeLinks() {
  const links = new Map<string, OfficialLink>();
  const port: core.OfficialLinkRepository = {
    create: async (link) => {
      if (links.has(link.hash)) throw new Error('an official link with this hash exists already');
      links.set(link.hash, copy(link));
    },
    get: async (hash) => copy(links.get(hash)),
    setSigning: async (hash, signing) => {
      const link = links.get(hash);
      if (link === undefined) throw new Error('no such official link');
      links.set(hash, { ...link, signing: copy(signing) });
    },
    countAttempt: async (hash, max) => {
      const link = links.get(hash);
      if (link?.signing === undefined || link.signing.attempts >= max) return false;
      links.set(hash, { ...link, signing: { ...link.signing, attempts: link.signing.attempts + 1 } });
      return true;
    },
  };
  return Object.assign(port, { links });
}

export function fakeDocuments(audit: FakeAudit) {
  /** Uploads by `<applicationId>#<uploadId>`. */
  const uploads = new Map<string, records.UploadRecord>();
  /** Accepted versions by `<applicationId>#` and the adapter's sort key `DOC#<requirement>#<acceptedAt>#<uploadId>`. */
  const versions = new Map<string, SubmittedDocument>();
  const decisions = interleavings();
  /** Decides a pending upload; false when it is not pending (the adapter's condition). */
  const decide = (upload: records.UploadRecord, decided: Partial<records.UploadRecord>): boolean => {
    const key = `${upload.applicationId}#${upload.uploadId}`;
    const stored = uploads.get(key);
    if (stored?.status !== 'pending') return false;
    const { expiresAt: _, ...rest } = stored;
    uploads.set(key, { ...rest, ...decided });
    return true;
  };
  const port: core.DocumentRepository = {
    createUpload: async (upload) => {
      const key = `${upload.applicationId}#${upload.uploadId}`;
      if (uploads.has(key)) throw new Error(`upload ${upload.uploadId} already exists`);
      uploads.set(key, copy(upload));
    },
    getUpload: async (id, uploadId) => copy(uploads.get(`${id}#${uploadId}`)),
    acceptUpload: async (upload, version, event) => {
      await decisions.run();
      if (!decide(upload, { status: 'accepted', decidedAt: version.acceptedAt })) return false;
      const sortKey = `DOC#${version.requirementId}#${version.acceptedAt}#${version.uploadId}`;
      versions.set(`${upload.applicationId}#${sortKey}`, copy(version));
      await audit.append(event);
      return true;
    },
    rejectUpload: async (upload, reason, event) => {
      await decisions.run();
      if (!decide(upload, { status: 'rejected', reason, decidedAt: event.at })) return false;
      await audit.append(event);
      return true;
    },
    listVersions: async (id) =>
      [...versions.keys()]
        .filter((key) => key.startsWith(`${id}#DOC#`))
        .sort(byKey)
        .map((key) => copy(versions.get(key) as SubmittedDocument)),
  };
  /** Runs `what` at the start of the next acceptUpload or rejectUpload, once. */
  return Object.assign(port, { uploads, versions, beforeNextDecision: decisions.add });
}

export function fakeSurveys(audit: FakeAudit) {
  const surveys = new Map<string, records.SurveyRecord>();
  const port: core.SurveyRepository = {
    put: async (survey, event) => {
      if (surveys.has(survey.applicationId)) return false;
      surveys.set(survey.applicationId, copy(survey));
      await audit.append(event);
      return true;
    },
    get: async (id) => copy(surveys.get(id)),
  };
  return Object.assign(port, { surveys });
}

export function fakeSequences() {
  const counters = new Map<string, number>();
  const port: core.Sequences = {
    current: async (name) => counters.get(name) ?? 0,
  };
  /** Takes number `current + 1`, as the adapter's conditional update does: false if it was taken. */
  const take = ({ sequence, current }: core.SequenceNumber): boolean => {
    if ((counters.get(sequence) ?? 0) !== current) return false;
    counters.set(sequence, current + 1);
    return true;
  };
  return Object.assign(port, { counters, take });
}

export function fakeComplaints(audit: FakeAudit, sequences: ReturnType<typeof fakeSequences>) {
  const complaints = new Map<string, records.ComplaintRecord>();
  const idempotencyRecords = new Map<string, records.ComplaintIdempotencyRecord>();
  const writes = interleavings();
  const port: core.ComplaintRepository = {
    put: async (complaint, number, event, idempotency) => {
      await writes.run();
      // The transaction's conditions, in the adapter's item order.
      if (
        complaints.has(complaint.reference) ||
        (sequences.counters.get(number.sequence) ?? 0) !== number.current
      )
        throw new core.ConcurrentUpdateError(`complaint reference ${complaint.reference}`);
      const held = idempotency && idempotencyRecords.get(idempotency.keyHash);
      if (held !== undefined && held.expiresAt >= Math.floor(Date.parse(complaint.filedAt) / 1000))
        return 'idempotency-key-taken';
      sequences.take(number);
      complaints.set(complaint.reference, copy(complaint));
      if (event !== undefined) await audit.append(event);
      if (idempotency !== undefined) idempotencyRecords.set(idempotency.keyHash, copy(idempotency));
      return 'filed';
    },
    get: async (reference) => copy(complaints.get(reference)),
    idempotency: async (keyHash, now) => {
      const record = idempotencyRecords.get(keyHash);
      return record === undefined || record.expiresAt < now ? undefined : copy(record);
    },
  };
  /** Runs `what` at the start of the next `put`, once. */
  return Object.assign(port, { complaints, idempotencyRecords, beforeNextPut: writes.add });
}

/** Fixed-window counters by `<name>#<subjectHash>#<windowStart>`, all or none as the adapter takes them. */
export function fakeRateLimiter() {
  const counters = new Map<string, number>();
  const keyOf = (l: RateLimit, now: number) => `${l.name}#${l.subjectHash}#${fixedWindow(l, now).start}`;
  const port: core.RateLimiter = {
    take: async (limits, now) => {
      const full = limits.find((l) => (counters.get(keyOf(l, now)) ?? 0) >= l.limit);
      if (full !== undefined)
        return { allowed: false, refusedBy: full, retryAfterSeconds: fixedWindow(full, now).end - now };
      for (const l of limits) counters.set(keyOf(l, now), (counters.get(keyOf(l, now)) ?? 0) + 1);
      return { allowed: true };
    },
  };
  return Object.assign(port, { counters });
}

export function fakeFiles() {
  const objects = new Map<string, { body: Uint8Array; contentType: string | undefined }>();
  /** Every presigned download handed out, with the type it is served as. */
  const downloads: Array<{ key: string; seconds: number; contentType?: string }> = [];
  const port: core.DocumentFiles = {
    presignUpload: async (key, contentType, seconds, sizeBytes) =>
      `https://documents.test/${key}?method=PUT&content-type=${encodeURIComponent(contentType)}&content-length=${sizeBytes}&expires=${seconds}`,
    presignDownload: async (key, fileName, seconds, contentType) => {
      downloads.push({ key, seconds, ...(contentType === undefined ? {} : { contentType }) });
      return `https://documents.test/${key}?method=GET&filename=${encodeURIComponent(fileName)}&expires=${seconds}`;
    },
    inspect: async (key, headBytes) => {
      const object = objects.get(key);
      const { body, contentType } = object ?? {};
      return body && { sizeBytes: body.length, contentType, head: body.slice(0, headBytes) };
    },
    copy: async (fromKey, toKey) => {
      const object = objects.get(fromKey);
      if (object === undefined) throw Object.assign(new Error(`no object ${fromKey}`), { name: 'NoSuchKey' });
      objects.set(toKey, { body: object.body.slice(), contentType: object.contentType });
    },
    delete: async (key) => void objects.delete(key),
    // Also what the applicant's browser does with a presigned PUT.
    put: async (key, body, contentType) => void objects.set(key, { body: body.slice(), contentType }),
  };
  return Object.assign(port, { objects, downloads });
}

/** Executions named by application id, one state machine per permit; `stop` ends one, as StopExecution does. */
export function fakeWorkflows() {
  const starts: Array<{ permitCode: string; applicationId: string }> = [];
  const stops: Array<{ permitCode: string; applicationId: string; cause: string }> = [];
  const executions = new Map<string, 'running' | 'ended'>();
  const before = interleavings();
  const port: core.WorkflowRunner = {
    start: async (permitCode, applicationId) => {
      await before.run();
      starts.push({ permitCode, applicationId });
      const key = `${permitCode}#${applicationId}`;
      if (executions.get(key) === 'ended') return 'already-ended';
      executions.set(key, 'running');
      return { executionArn: `arn:aws:states:ap-southeast-3:0:execution:${permitCode}:${applicationId}` };
    },
    stop: async (permitCode, applicationId, cause) => {
      stops.push({ permitCode, applicationId, cause });
      const key = `${permitCode}#${applicationId}`;
      if (executions.has(key)) executions.set(key, 'ended');
    },
  };
  return Object.assign(port, {
    starts,
    stops,
    executions,
    /** The execution closed (finished, failed, stopped elsewhere): starting it again answers 'already-ended'. */
    end: (permitCode: string, applicationId: string) =>
      void executions.set(`${permitCode}#${applicationId}`, 'ended'),
    /** Runs `what` at the start of the next `start`, once. */
    beforeNextStart: before.add,
  });
}

/** A task token takes one result: after a success, or once `close`d (timed out), it answers false. */
export function fakeTasks() {
  const calls: Array<{ taskToken: string; output: unknown; delivered: boolean }> = [];
  const closed = new Set<string>();
  const port: core.TaskCallbacks = {
    sendTaskSuccess: async (taskToken, output) => {
      const delivered = !closed.has(taskToken);
      closed.add(taskToken);
      calls.push({ taskToken, output: copy(output), delivered });
      return delivered;
    },
  };
  /** What reached the workflow. */
  const delivered = () =>
    calls.filter((c) => c.delivered).map(({ taskToken, output }) => ({ taskToken, output }));
  return Object.assign(port, { calls, delivered, close: (taskToken: string) => void closed.add(taskToken) });
}

/** Like the SES adapter: recipients de-duplicated, nothing sent to nobody. */
export function fakeMailer() {
  const sent: core.MailMessage[] = [];
  const port: core.Mailer = {
    send: async (message) => {
      const to = [...new Set(message.to)];
      if (to.length > 0) sent.push({ ...message, to });
    },
  };
  /** The messages that went to `address`. */
  return Object.assign(port, { sent, to: (address: string) => sent.filter((m) => m.to.includes(address)) });
}

export function fakeOutbox() {
  const mails = new Map<string, core.OutboxRecord>();
  const record = (mail: core.OutboxMail, at: string): core.OutboxRecord => ({
    ...copy(mail),
    status: 'pending',
    createdAt: at,
  });
  const port: core.Outbox = {
    get: async (id) => copy(mails.get(id)),
    add: async (mail, at) => putNew(mails, mail.id, record(mail, at)),
    claim: async (id, claimedAt) => {
      const mail = mails.get(id);
      if (mail?.status !== 'pending') return false;
      mails.set(id, { ...mail, status: 'sending', claimedAt });
      return true;
    },
    release: async (id) => {
      const mail = mails.get(id);
      if (mail?.status !== 'sending') return;
      const { claimedAt: _, ...rest } = mail;
      mails.set(id, { ...rest, status: 'pending' });
    },
    markSent: async (id, sentAt, eraseBody = false) => {
      // The adapter's condition (it exists) fails silently.
      const mail = mails.get(id);
      if (mail === undefined) return;
      const { text: _t, html: _h, ...kept } = mail;
      mails.set(
        id,
        eraseBody
          ? ({ ...kept, status: 'sent', sentAt } as core.OutboxRecord)
          : { ...mail, status: 'sent', sentAt },
      );
    },
    // The adapter's sparse index: pending by createdAt, sending (not yet reported) by claimedAt.
    listPending: async (before, limit) =>
      [...mails.values()]
        .filter((m) => m.status === 'pending' && m.createdAt < before)
        .sort((a, b) => byKey(a.createdAt, b.createdAt))
        .slice(0, limit)
        .map(copy),
    listStuckSending: async (before, limit) =>
      [...mails.values()]
        .filter(
          (m) =>
            m.status === 'sending' &&
            m.stuckReportedAt === undefined &&
            m.claimedAt !== undefined &&
            m.claimedAt < before,
        )
        .sort((a, b) => byKey(a.claimedAt ?? '', b.claimedAt ?? ''))
        .slice(0, limit)
        .map(copy),
    reportStuck: async (id, at, report) => {
      const mail = mails.get(id);
      if (mail?.status !== 'sending' || mail.stuckReportedAt !== undefined) return false;
      if (mails.has(report.id)) throw new Error(`stuck report for ${id}: unexpected condition failure`);
      mails.set(id, { ...mail, stuckReportedAt: at });
      mails.set(report.id, record(report, at));
      return true;
    },
  };
  return Object.assign(port, { mails, record });
}

const placesKey = (profession: string, holderKey: string) => `${profession}#${holderKey}`;

/** HMAC-SHA-256 under a fixed test key: what the file adapter does, without the file. */
export function fakeKeyedHash(): core.KeyedHash {
  const key = Buffer.alloc(32, 7);
  return {
    hash: async (purpose, value) =>
      createHmac('sha256', key).update(hmacMessage(purpose, value)).digest('hex'),
  };
}

/** The permit register: records by id, numbers reserved, document hashes registered, places registers. */
export function fakePermits() {
  const permits = new Map<string, PermitRecord>();
  const numbers = new Map<string, string>();
  const hashes = new Map<string, DocumentHashRecord>();
  const registers = new Map<string, PlaceRegister>();
  const port: core.PermitRepository = {
    get: async (id) => copy(permits.get(id)),
    byNumber: async (number) => {
      const id = numbers.get(number);
      return id === undefined ? undefined : copy(permits.get(id));
    },
    byDocumentHash: async (sha256) => copy(hashes.get(sha256)),
    places: async (profession, holderKey) => copy(registers.get(placesKey(profession, holderKey))),
  };
  return Object.assign(port, { permits, numbers, hashes, registers });
}

/** A real ES256 key pair in memory: what the local adapter does, without the file. */
export function fakeSigner() {
  return KeyPairSigner.generate();
}

/** All or nothing over the stores of the other fakes, like the adapter's transaction. */
export function fakeChanges(stores: {
  applications: ReturnType<typeof fakeApplications>;
  stages: ReturnType<typeof fakeStages>;
  audit: FakeAudit;
  outbox: ReturnType<typeof fakeOutbox>;
  sequences: ReturnType<typeof fakeSequences>;
  permits: ReturnType<typeof fakePermits>;
}) {
  const { applications, stages, audit, outbox, sequences, permits } = stores;
  const visitKey = (v: StageVisit) => `${v.applicationId}#${v.visit}`;
  const port: core.Changes = {
    commit: async (change, at) => {
      const { application: app, createVisits = [], updateVisits = [], createActions = [] } = change;
      const { closeActions = [], mail = [], expectVersion: expected, takeNumber } = change;
      const { createPermit, updatePermit, registerDocument, supersedePermit, places } = change;
      if (app !== undefined || expected !== undefined) await applications.interleave();
      const checks = [
        app !== undefined && applications.records.get(app.id)?.version !== app.version - 1,
        expected !== undefined &&
          applications.records.get(expected.applicationId)?.version !== expected.version,
        ...createVisits.map((v) => stages.visits.has(visitKey(v))),
        ...updateVisits.map((v) => !stages.visits.has(visitKey(v))),
        ...createActions.map((a) => stages.actions.has(a.id)),
        ...closeActions.map((id) => !stages.actions.has(id)),
        ...mail.map((m) => outbox.mails.has(m.id)),
        takeNumber !== undefined && (sequences.counters.get(takeNumber.sequence) ?? 0) !== takeNumber.current,
        createPermit !== undefined && permits.permits.has(createPermit.id),
        createPermit !== undefined && permits.numbers.has(createPermit.number),
        updatePermit !== undefined &&
          permits.permits.get(updatePermit.id)?.version !== updatePermit.version - 1,
        registerDocument !== undefined && permits.hashes.has(registerDocument.sha256),
        supersedePermit !== undefined &&
          permits.permits.get(supersedePermit.id)?.version !== supersedePermit.version - 1,
        places !== undefined &&
          (permits.registers.get(placesKey(places.profession, places.holderKey))?.version ?? 0) !==
            places.version - 1,
      ];
      const failed = checks.indexOf(true);
      // The adapter names the first item whose condition failed: the number's reservation is the fifth
      // check from the end.
      if (failed !== -1 && failed === checks.length - 5 && createPermit !== undefined)
        throw new core.PermitNumberTakenError(createPermit.number);
      if (failed !== -1) throw new core.ConcurrentUpdateError(`item ${failed} of the change`);
      if (app !== undefined) applications.put(app);
      for (const v of [...createVisits, ...updateVisits]) stages.visits.set(visitKey(v), copy(v));
      for (const a of createActions) stages.actions.set(a.id, copy(a));
      for (const id of closeActions) stages.close(id);
      for (const m of mail) outbox.mails.set(m.id, outbox.record(m, at));
      if (takeNumber !== undefined) sequences.counters.set(takeNumber.sequence, takeNumber.current + 1);
      if (createPermit !== undefined) {
        permits.permits.set(createPermit.id, copy(createPermit));
        permits.numbers.set(createPermit.number, createPermit.id);
      }
      if (updatePermit !== undefined) permits.permits.set(updatePermit.id, copy(updatePermit));
      if (registerDocument !== undefined) permits.hashes.set(registerDocument.sha256, copy(registerDocument));
      if (supersedePermit !== undefined) permits.permits.set(supersedePermit.id, copy(supersedePermit));
      if (places !== undefined)
        permits.registers.set(placesKey(places.profession, places.holderKey), copy(places));
      // Last: every other write above is done before this yields, as one transaction would be.
      for (const event of change.audit ?? []) await audit.append(event);
    },
  };
  return port;
}

export function fakeClock(start: Date) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    set: (at: Date) => {
      current = at.getTime();
    },
    advanceMinutes: (minutes: number) => {
      current += minutes * 60_000;
    },
  };
}

export interface FakePorts extends core.Ports {
  applications: ReturnType<typeof fakeApplications>;
  stages: ReturnType<typeof fakeStages>;
  links: ReturnType<typeof fakeLinks>;
  documents: ReturnType<typeof fakeDocuments>;
  audit: FakeAudit;
  surveys: ReturnType<typeof fakeSurveys>;
  complaints: ReturnType<typeof fakeComplaints>;
  rateLimits: ReturnType<typeof fakeRateLimiter>;
  sequences: ReturnType<typeof fakeSequences>;
  changes: core.Changes;
  outbox: ReturnType<typeof fakeOutbox>;
  files: ReturnType<typeof fakeFiles>;
  workflows: ReturnType<typeof fakeWorkflows>;
  tasks: ReturnType<typeof fakeTasks>;
  mailer: ReturnType<typeof fakeMailer>;
  permits: ReturnType<typeof fakePermits>;
  signer: KeyPairSigner;
  clock: ReturnType<typeof fakeClock>;
  logs: Array<{ message: string; fields?: Record<string, unknown> }>;
  metrics: Array<{ name: string; properties?: Record<string, unknown> }>;
}

const loaded = new Map<string, Regency>();

/** A configured regency from regencies/, loaded and validated once per test file. */
export function regency(id: string): Regency {
  const found = loaded.get(id) ?? loadRegency(id).regency;
  loaded.set(id, found);
  return found;
}

/** WIB wall-clock time (Kota Bengkulu, Pasuruan, Pekanbaru) to an instant. */
export const wib = (local: string): Date => new Date(`${local}+07:00`);

/**
 * Every fake, Kota Bengkulu's configuration and its calendar (or those of `overrides.regency`), and the
 * clock at Monday 2 February 2026, 09:00 WIB, an ordinary working morning.
 */
export function fakePorts(overrides: Partial<FakePorts> = {}): FakePorts {
  const audit = overrides.audit ?? fakeAudit();
  const theRegency = overrides.regency ?? regency('kota-bengkulu');
  const clock = overrides.clock ?? fakeClock(wib('2026-02-02T09:00:00'));
  let ids = 0;
  let bytes = 0;
  const logs: FakePorts['logs'] = [];
  const metrics: FakePorts['metrics'] = [];
  const stages = overrides.stages ?? fakeStages(audit);
  const outbox = overrides.outbox ?? fakeOutbox();
  const applications = overrides.applications ?? fakeApplications(audit, outbox);
  const sequences = overrides.sequences ?? fakeSequences();
  const permits = overrides.permits ?? fakePermits();
  return {
    regency: theRegency,
    calendar: createCalendar(theRegency, { onProvisionalYear: () => {} }),
    applications,
    stages,
    links: fakeLinks(),
    publicBaseUrl: 'https://izin.example.go.id',
    documents: fakeDocuments(audit),
    audit,
    surveys: fakeSurveys(audit),
    complaints: fakeComplaints(audit, sequences),
    rateLimits: fakeRateLimiter(),
    sequences,
    changes: fakeChanges({ applications, stages, audit, outbox, sequences, permits }),
    permits,
    signer: fakeSigner(),
    keyedHash: fakeKeyedHash(),
    outbox,
    files: fakeFiles(),
    workflows: fakeWorkflows(),
    tasks: fakeTasks(),
    mailer: fakeMailer(),
    clock,
    now: clock.now,
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    // Deterministic; the first 256 bytes as always (fixtures rely on them), then no short period.
    // Tests that draw many tracking codes pass real randomness instead (four drafts repeat a code).
    randomBytes: (n) =>
      Uint8Array.from({ length: n }, () => {
        const k = bytes++;
        return ((k * 151 + 7) ^ ((k >> 8) * 97)) & 0xff;
      }),
    logs,
    metrics,
    log: (message, fields) => void logs.push({ message, ...(fields && { fields }) }),
    metric: (name, properties) => void metrics.push({ name, ...(properties && { properties }) }),
    ...overrides,
  };
}
