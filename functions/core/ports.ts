/**
 * Every port the core uses, owned by the core: adapters (functions/adapters/) implement them, the
 * composition root (functions/runtime/container.ts) builds them once per cold start, and unit tests
 * pass in-memory fakes (test/unit/fakes.ts). Nothing here knows AWS.
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
import type { WorkingCalendar } from './domain/calendar/calendar.ts';
import type { StoredUpload, UploadRejection } from './domain/file-type.ts';
import type {
  ApplicantRecord,
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

export type CreateDraftResult = 'created' | 'tracking-code-taken' | 'idempotency-key-taken';

/** The application record and what the applicant API keeps beside it. */
export interface ApplicationRepository {
  get(id: string): Promise<Application | undefined>;
  /** Creates the application alone (tests and tools); false if it already exists. */
  create(app: Application): Promise<boolean>;
  /** Writes `next` if the stored version is still `next.version - 1`; throws ConcurrentUpdateError otherwise. */
  save(next: Application): Promise<void>;
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
  }): Promise<CreateDraftResult>;
  /** The record for an Idempotency-Key, unless it has expired. */
  idempotency(keyHash: string, nowEpochSeconds: number): Promise<IdempotencyRecord | undefined>;
  accessHash(applicationId: string): Promise<string | undefined>;
  /** Replaces the token hash, only while the application is still a draft. */
  rotateAccessToken(applicationId: string, tokenHash: string, at: string): Promise<boolean>;
  applicant(applicationId: string): Promise<ApplicantRecord | undefined>;
  idForTrackingCode(code: string): Promise<string | undefined>;
}

export type DecideResult = 'decided' | 'already-decided' | 'closed';

/** Stage visits and the pending actions (what a link points at) of the workflow. */
export interface StageRepository {
  getVisit(applicationId: string, visit: number): Promise<StageVisit | undefined>;
  listVisits(applicationId: string): Promise<StageVisit[]>;
  putVisit(visit: StageVisit): Promise<void>;
  getAction(id: string): Promise<PendingAction | undefined>;
  /** Creates the action; false if it already exists (a retried step). */
  createAction(action: PendingAction): Promise<boolean>;
  /** Records the current task token unless the action is closed; returns the action as stored. */
  setTaskToken(id: string, token: string, at: string): Promise<PendingAction | undefined>;
  markNotified(id: string, at: string): Promise<void>;
  /** Records a decision once: only an open action can be decided. */
  decide(id: string, decision: Decision): Promise<DecideResult>;
  closeAction(id: string): Promise<void>;
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

/** The append-only audit trail of an application. */
export interface AuditTrail {
  append(event: AuditEvent): Promise<void>;
  list(applicationId: string): Promise<AuditEvent[]>;
}

export interface SurveyRepository {
  /** Records the survey once; false if the application already has one. */
  put(survey: SurveyRecord, audit: AuditEvent): Promise<boolean>;
  get(applicationId: string): Promise<SurveyRecord | undefined>;
}

export interface ComplaintRepository {
  put(complaint: ComplaintRecord, audit?: AuditEvent): Promise<void>;
}

/** Gap-free sequences (1, 2, 3...) by name. */
export interface Sequences {
  next(name: string): Promise<number>;
}

/** The documents bucket: presigned transfers, the server-side look at an upload, generated documents. */
export interface DocumentFiles {
  /** A presigned PUT for `key`, signed with its Content-Type. */
  presignUpload(key: string, contentType: string, expiresInSeconds: number): Promise<string>;
  /** A presigned GET that makes the browser save the file as `fileName`. */
  presignDownload(key: string, fileName: string, expiresInSeconds: number): Promise<string>;
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
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** Everything a use case may be given. A use case names the part it needs with `Pick<Ports, ...>`. */
export interface Ports {
  regency: Regency;
  calendar: WorkingCalendar;
  applications: ApplicationRepository;
  stages: StageRepository;
  documents: DocumentRepository;
  audit: AuditTrail;
  surveys: SurveyRepository;
  complaints: ComplaintRepository;
  sequences: Sequences;
  files: DocumentFiles;
  workflows: WorkflowRunner;
  tasks: TaskCallbacks;
  mailer: Mailer;
  now: () => Date;
  /** A new UUID v4 (application and upload ids). */
  newId: () => string;
  randomBytes: (n: number) => Uint8Array;
  /** Operational log: ids and codes only, never personal data. */
  log: (message: string, fields?: Record<string, unknown>) => void;
  /** A count metric for alarms (StageDeadlineBreached, ApplicationNeedsAttention, OverallLimitExceeded). */
  metric: (name: string, properties?: Record<string, unknown>) => void;
}
