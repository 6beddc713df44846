/**
 * Every port the core uses, owned by the core: adapters (functions/adapters/) implement them, the
 * composition root (functions/runtime/container.ts) builds them once per cold start, and unit tests
 * pass in-memory fakes (test/unit/core/fakes.ts). Nothing here knows AWS.
 */
import type { Regency } from '#config/regency-schema.ts';
import type {
  Application,
  AuditEvent,
  Decision,
  PendingAction,
  StageVisit,
  SubmittedDocument,
} from './domain/application.ts';
import type { AuditRecord, ChainHead } from './domain/audit-chain.ts';
import type { WorkingCalendar } from './domain/calendar/calendar.ts';
import type { StoredUpload, UploadRejection } from './domain/file-type.ts';
import type { MailLink, OfficialLink, SigningChallenge } from './domain/official-links.ts';
import type { DocumentHashRecord, PermitRecord } from './domain/permit/permit-record.ts';
import type { PlaceRegister } from './domain/places.ts';
import type { RateLimit } from './domain/rate-limit.ts';
import type {
  ApplicantRecord,
  ComplaintIdempotencyRecord,
  ComplaintRecord,
  IdempotencyRecord,
  SurveyRecord,
  UploadRecord,
} from './domain/records.ts';

/** A state change lost to a concurrent one (the version it was based on is no longer current). */
export class ConcurrentUpdateError extends Error {
  constructor(what: string) {
    super(`concurrent update of ${what}`);
    this.name = 'ConcurrentUpdateError';
  }
}

/** A permit number another permit already holds: never reused, and not a race a retry would win. */
export class PermitNumberTakenError extends Error {
  constructor(number: string) {
    super(`permit number ${number} is already held by another permit (was the number template changed?)`);
    this.name = 'PermitNumberTaken';
  }
}

export type CreateDraftResult = 'created' | 'tracking-code-taken' | 'idempotency-key-taken';

/** The application record and what the applicant API keeps beside it. */
export interface ApplicationRepository {
  get(id: string): Promise<Application | undefined>;
  /** Creates the application alone (tests and tools); false if it already exists. */
  create(app: Application): Promise<boolean>;
  /**
   * Writes a new draft atomically: the application, the applicant's form, the token hash, the tracking
   * code reservation, the audit event and, when given, the idempotency record.
   */
  createDraft(input: {
    application: Application;
    applicant: ApplicantRecord;
    tokenHash: string;
    idempotency?: IdempotencyRecord;
    audit: AuditEvent;
    /** The applicant's note with the tracking code, recorded in the outbox in the same transaction. */
    mail?: OutboxMail;
  }): Promise<CreateDraftResult>;
  /** The record for an Idempotency-Key, unless it has expired. */
  idempotency(keyHash: string, nowEpochSeconds: number): Promise<IdempotencyRecord | undefined>;
  accessHash(applicationId: string): Promise<string | undefined>;
  /**
   * Replaces the token hash, only while the application is not final, together with the audit event
   * and the mail that carries the new token (one transaction); false if the application is final or gone.
   */
  rotateAccessToken(input: {
    applicationId: string;
    tokenHash: string;
    at: string;
    audit: AuditEvent;
    mail: OutboxMail;
  }): Promise<boolean>;
  applicant(applicationId: string): Promise<ApplicantRecord | undefined>;
  idForTrackingCode(code: string): Promise<string | undefined>;
}

export type DecideResult = 'decided' | 'already-decided' | 'closed';

/** Stage visits and the pending actions (what a link points at); they change through `Changes`. */
export interface StageRepository {
  getVisit(applicationId: string, visit: number): Promise<StageVisit | undefined>;
  listVisits(applicationId: string): Promise<StageVisit[]>;
  getAction(id: string): Promise<PendingAction | undefined>;
  /** Records the current task token unless the action is closed; returns the action as stored. */
  setTaskToken(id: string, token: string, at: string): Promise<PendingAction | undefined>;
  markNotified(id: string, at: string): Promise<void>;
  /**
   * Records a decision once, with its audit record in the same transaction: only an open action can
   * be decided, and (when `linkCreatedAt` is given) only by a link minted after the last reassignment.
   */
  decide(
    id: string,
    decision: Decision,
    options?: { audit?: AuditEvent; linkCreatedAt?: string },
  ): Promise<DecideResult>;
  /**
   * Hands an open action to other officials: links minted before `at` die at once. Written with its
   * audit record; false when the action is no longer open.
   */
  reassign(id: string, assignees: string[], at: string, audit: AuditEvent): Promise<boolean>;
}

/** Officials' links, stored by the hash of their token (the token itself is never stored). */
export interface OfficialLinkRepository {
  create(link: OfficialLink): Promise<void>;
  get(hash: string): Promise<OfficialLink | undefined>;
  /** Replaces the link's pending signing challenge. */
  setSigning(hash: string, signing: SigningChallenge): Promise<void>;
  /** Counts one attempt at the code; false when no attempt is left (or no challenge is pending). */
  countAttempt(hash: string, maxAttempts: number): Promise<boolean>;
}

/** Uploads handed out and the accepted versions of each document. */
export interface DocumentRepository {
  createUpload(upload: UploadRecord): Promise<void>;
  getUpload(applicationId: string, uploadId: string): Promise<UploadRecord | undefined>;
  /** Marks a pending upload accepted and records the document version, once; false if it was not pending. */
  acceptUpload(upload: UploadRecord, version: SubmittedDocument, audit: AuditEvent): Promise<boolean>;
  /** Marks a pending upload rejected with its reason; false if it was not pending. */
  rejectUpload(upload: UploadRecord, reason: UploadRejection, audit: AuditEvent): Promise<boolean>;
  listVersions(applicationId: string): Promise<SubmittedDocument[]>;
}

/**
 * The append-only audit trail of an application, a hash chain (core/domain/audit-chain.ts): every
 * writer of audit events (this port and the repositories that record a change with its events) chains
 * them onto the application's head in the transaction that moves the head.
 */
export interface AuditTrail {
  append(event: AuditEvent): Promise<void>;
  /** The application's records, in chain order (seq 1, 2, 3...). */
  list(applicationId: string): Promise<AuditRecord[]>;
  /** The head of the application's chain; undefined before its first record. */
  head(applicationId: string): Promise<ChainHead | undefined>;
}

export interface SurveyRepository {
  /** Records the survey once; false if the application already has one. */
  put(survey: SurveyRecord, audit: AuditEvent): Promise<boolean>;
  get(applicationId: string): Promise<SurveyRecord | undefined>;
}

/** Number `current + 1` of a gap-free sequence, taken in the same transaction as what it numbers. */
export interface SequenceNumber {
  sequence: string;
  current: number;
}

export interface ComplaintRepository {
  /**
   * Stores the complaint, takes its reference number and, when given, records its Idempotency-Key, all
   * together: ConcurrentUpdateError if the number was taken, 'idempotency-key-taken' if a concurrent
   * request with the same key filed first (then nothing is written).
   */
  put(
    complaint: ComplaintRecord,
    number: SequenceNumber,
    audit?: AuditEvent,
    idempotency?: ComplaintIdempotencyRecord,
  ): Promise<'filed' | 'idempotency-key-taken'>;
  get(reference: string): Promise<ComplaintRecord | undefined>;
  /** The record for a complaint's Idempotency-Key, unless it has expired. */
  idempotency(keyHash: string, nowEpochSeconds: number): Promise<ComplaintIdempotencyRecord | undefined>;
}

export type RateLimitResult =
  | { allowed: true }
  | { allowed: false; refusedBy: RateLimit; retryAfterSeconds: number };

/** Fixed-window counters (core/domain/rate-limit.ts), shared by every instance of every function. */
export interface RateLimiter {
  /**
   * Counts one request against every limit, or none: when a window is full the request is refused and
   * the counts it took from the other limits are given back.
   */
  take(limits: readonly RateLimit[], nowEpochSeconds: number): Promise<RateLimitResult>;
}

/** Gap-free sequences (1, 2, 3...) by name: a number is only ever taken with what it numbers. */
export interface Sequences {
  /** The last number taken (0 before the first). */
  current(name: string): Promise<number>;
}

/** The documents bucket: presigned transfers, the server-side look at an upload, generated documents. */
export interface DocumentFiles {
  /**
   * A presigned PUT for `key`, signed with its Content-Type and its Content-Length: storage refuses a
   * body of any other size, so the declared size bounds the upload when it happens.
   */
  presignUpload(
    key: string,
    contentType: string,
    expiresInSeconds: number,
    sizeBytes: number,
  ): Promise<string>;
  /**
   * A presigned GET that makes the browser save the file as `fileName` (Content-Disposition:
   * attachment), served as `contentType` (the type the server-side check found) when given.
   */
  presignDownload(
    key: string,
    fileName: string,
    expiresInSeconds: number,
    contentType?: string,
  ): Promise<string>;
  /** Size, stored Content-Type and the first `headBytes` bytes; undefined when nothing was uploaded. */
  inspect(key: string, headBytes: number): Promise<StoredUpload | undefined>;
  /** Server-side copy within the documents bucket (freezing a submitted version). */
  copy(fromKey: string, toKey: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Stores a generated document (private, encrypted). */
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
}

/** The permit workflows (Step Functions). */
export interface WorkflowRunner {
  /**
   * Starts the permit's state machine with execution name = application id. Starting again with the
   * same name and input while it runs returns the same execution: this is what makes submission safe
   * to retry. Returns the execution ARN, or 'already-ended' when an execution of that name has closed.
   */
  start(permitCode: string, applicationId: string): Promise<{ executionArn: string } | 'already-ended'>;
  /**
   * Stops the application's execution (its ARN follows from the permit's state machine and the
   * application id). One that has ended or never started is not an error.
   */
  stop(permitCode: string, applicationId: string, cause: string): Promise<void>;
}

/** Sends a task result to a waiting workflow; false when the token is closed. */
export interface TaskCallbacks {
  sendTaskSuccess(taskToken: string, output: unknown): Promise<boolean>;
}

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  /** The same content as HTML (every mail the product renders has both parts). */
  html?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** A mail recorded before it is sent, under an id derived from the event it tells of. */
export interface OutboxMail extends MailMessage {
  /** Deterministic: the same event always gives the same id, so a retried step finds its mail. */
  id: string;
  applicationId?: string;
  /** An official's personal link: minted (and stored hashed) when the mail is sent, never before. */
  link?: MailLink;
  /**
   * The body carries a secret (a reissued access token): it is erased from the outbox once sent, so
   * the table keeps only that it was sent, to whom and when.
   */
  secret?: boolean;
}

export type OutboxStatus = 'pending' | 'sending' | 'sent';

export interface OutboxRecord extends OutboxMail {
  status: OutboxStatus;
  createdAt: string;
  claimedAt?: string;
  sentAt?: string;
  /** When the administrators were told that this mail is stuck 'sending' (once). */
  stuckReportedAt?: string;
}

/**
 * One atomic change: a state change, the audit records that tell of it and the mail it causes, all
 * written or none. `application` is saved only if the stored version is still `version - 1`; a record
 * to create must not exist, one to update or close must. Any failed condition means someone else
 * changed the application first: ConcurrentUpdateError, and nothing is written.
 */
export interface Change {
  application?: Application;
  /** Written only if the application is still at this version (when `application` is not written). */
  expectVersion?: { applicationId: string; version: number };
  createVisits?: StageVisit[];
  updateVisits?: StageVisit[];
  createActions?: PendingAction[];
  closeActions?: string[];
  audit?: AuditEvent[];
  mail?: OutboxMail[];
  /** Takes the next number of a gap-free sequence: written only if its value is still `current`. */
  takeNumber?: SequenceNumber;
  /** A new permit record, and its number reserved: neither may exist yet. */
  createPermit?: PermitRecord;
  /** Saved only if the stored permit's version is still `version - 1`. */
  updatePermit?: PermitRecord;
  /** Registers an issued document's SHA-256 (the byte-identity check); it must not be registered yet. */
  registerDocument?: DocumentHashRecord;
  /** The permit a renewal replaces, marked superseded: saved only if its version is still `version - 1`. */
  supersedePermit?: PermitRecord;
  /** A person's places register (core/domain/places.ts): saved only if its version is still `version - 1`. */
  places?: PlaceRegister;
}

export interface Changes {
  commit(change: Change, at: string): Promise<void>;
}

/** Thrown by a workflow step that finds the application in a final state it did not cause. */
export class ApplicationClosedError extends Error {
  constructor(applicationId: string, status: string) {
    super(`application ${applicationId} is ${status}: the workflow ends here`);
    this.name = 'ApplicationClosed';
  }
}

/** The outbox: every mail is recorded first, then claimed, sent and marked sent. */
export interface Outbox {
  get(id: string): Promise<OutboxRecord | undefined>;
  /** Records mail outside a state change; false if mail with this id was recorded before. */
  add(mail: OutboxMail, at: string): Promise<boolean>;
  /** pending -> sending, once: false if it was claimed or sent before (so it is never sent twice). */
  claim(id: string, at: string): Promise<boolean>;
  /** sending -> pending: the mail service refused it, so it was not sent and may be tried again. */
  release(id: string): Promise<void>;
  /** Marks the mail sent; `eraseBody` removes its text and HTML (a mail that carried a secret). */
  markSent(id: string, at: string, eraseBody?: boolean): Promise<void>;
  /** Mails still 'pending' that were recorded before `before` (ISO), oldest first, at most `limit`. */
  listPending(before: string, limit: number): Promise<OutboxRecord[]>;
  /** Mails 'sending' claimed before `before` and not yet reported stuck, oldest claim first, at most `limit`. */
  listStuckSending(before: string, limit: number): Promise<OutboxRecord[]>;
  /**
   * Marks a mail still 'sending' as reported stuck and records `report` (to the administrators) in the
   * same transaction; false if it was reported before or is no longer 'sending'.
   */
  reportStuck(id: string, at: string, report: OutboxMail): Promise<boolean>;
}

/** The register of permits (verification, revocation): reads; writes go through `Changes`. */
export interface PermitRepository {
  get(id: string): Promise<PermitRecord | undefined>;
  byNumber(number: string): Promise<PermitRecord | undefined>;
  /** The document issued with this SHA-256 (lower-case hex), if any. */
  byDocumentHash(sha256: string): Promise<DocumentHashRecord | undefined>;
  /** A person's places register for a profession, by the keyed hash of their NIK. */
  places(profession: string, holderKey: string): Promise<PlaceRegister | undefined>;
}

/**
 * A keyed hash (HMAC-SHA-256, lower-case hex) under a secret key of the regency: a KMS HMAC key in the
 * cloud (adapters/keyed-hash/kms-keyed-hash.ts, the key never leaves KMS), a key file in the local data
 * directory locally. What looks a person up by NIK stores this, never the NIK: without the key, the
 * 16 digits (a region, a birth date and a serial) cannot be found again by trying them all.
 */
export interface KeyedHash {
  /** `purpose` separates the uses of the one key (e.g. 'nik'), so a hash of one use means nothing in another. */
  hash(purpose: string, value: string): Promise<string>;
}

/** An office's public signing key as a JWK (RFC 7517), with its RFC 7638 thumbprint as `kid`. */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

/** A signature made by a `Signer`: ECDSA P-256 (ES256), r||s (64 bytes, as JOSE writes it). */
export interface DigestSignature {
  keyId: string;
  signature: Uint8Array;
}

/**
 * Signs with the office's asymmetric key (ECDSA P-256): a KMS key in the cloud
 * (adapters/signing/kms-signer.ts), a key file in the local data directory locally
 * (adapters/signing/file-key-signer.ts). Only the issuing function may sign.
 *
 * A certified electronic signature (TTE) from BSrE (BSSN) would be a second step beside this one, not
 * a replacement: its API signs the PDF itself (PAdES) for a signer identified by NIK, with a
 * passphrase per signature, a visible or invisible mark and the QR link. It plugs in after
 * `renderPermit` in use-cases/issuance.ts, through a port of its own (`signPdf(pdf, { nik, passphrase,
 * mark, qrLink }) -> signed pdf`); the office's ES256 seal stays what the QR and the verification
 * page check, over the bytes BSrE returns.
 */
export interface Signer {
  /**
   * ES256: ECDSA P-256 over SHA-256(message). The KMS adapter hashes here and sends KMS only the
   * digest (`MessageType: DIGEST`), so a document never leaves the function and has no size limit.
   */
  sign(message: Uint8Array): Promise<DigestSignature>;
  /** The public key(s) as JWKs (`kid`, `alg: ES256`, `use: sig`): what /.well-known/jwks.json publishes. */
  publicKeys(): Promise<PublicJwk[]>;
}

/** Everything a use case may be given. A use case names the part it needs with `Pick<Ports, ...>`. */
export interface Ports {
  regency: Regency;
  calendar: WorkingCalendar;
  applications: ApplicationRepository;
  stages: StageRepository;
  links: OfficialLinkRepository;
  /** Base URL of the public API: links in mail point here (the local API's URL in the local stack). */
  publicBaseUrl: string;
  documents: DocumentRepository;
  audit: AuditTrail;
  surveys: SurveyRepository;
  complaints: ComplaintRepository;
  rateLimits: RateLimiter;
  sequences: Sequences;
  changes: Changes;
  outbox: Outbox;
  files: DocumentFiles;
  workflows: WorkflowRunner;
  tasks: TaskCallbacks;
  mailer: Mailer;
  permits: PermitRepository;
  signer: Signer;
  keyedHash: KeyedHash;
  /** Public base URL of the API (verification links on permits); default: the regency's mail.publicBaseUrl. */
  publicApiBaseUrl?: string;
  now: () => Date;
  /** A new UUID v4 (application and upload ids). */
  newId: () => string;
  randomBytes: (n: number) => Uint8Array;
  /** Operational log: ids and codes only, never personal data. */
  log: (message: string, fields?: Record<string, unknown>) => void;
  /** A count metric for alarms (StageDeadlineBreached, ApplicationNeedsAttention, OverallLimitExceeded). */
  metric: (name: string, properties?: Record<string, unknown>) => void;
}
