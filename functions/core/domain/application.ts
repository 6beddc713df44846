/**
 * The records of an application as the workflow and the API see them. Storage-neutral: the store
 * adapter maps them to DynamoDB items.
 */
import type { Outcome } from '#config/regency-schema.ts';
import type { OfficeClock, StageTimerState } from './stage-clock.ts';

export type ApplicationStatus =
  | 'draft'
  | 'submitted'
  | 'in-progress'
  | 'returned'
  | 'issued'
  | 'rejected'
  | 'lapsed'
  | 'withdrawn'
  | 'needs-attention';

/** Statuses from which nothing moves on. */
export const FINAL_STATUSES: readonly ApplicationStatus[] = ['issued', 'rejected', 'lapsed', 'withdrawn'];

export interface CurrentStage {
  stageId: string;
  visit: number;
  role?: string;
  enteredAt: string;
  deadline: string;
  pendingActionId: string;
}

export interface IssuedDocument {
  document: 'permit' | 'rejection-letter';
  number?: string;
  issuedAt: string;
  /** Object key of the generated file in the documents bucket. */
  objectKey?: string;
  /** SHA-256 of the file, lower-case hex. */
  sha256?: string;
}

export interface Application {
  id: string;
  regencyId: string;
  permitCode: string;
  trackingCode: string;
  status: ApplicationStatus;
  /** Applicant's e-mail for notices (personal data: never logged). */
  applicantEmail: string;
  applicantName: string;
  createdAt: string;
  submittedAt?: string;
  executionArn?: string;
  clock?: OfficeClock;
  current?: CurrentStage;
  /** The number of stage visits so far; a stage visited again after a return is a new visit. */
  visits: number;
  permitNumber?: string;
  /** The permit record (`PERMIT#<id>`) created with the number. */
  permitId?: string;
  issued?: IssuedDocument;
  deemedGranted?: { at: string; legalBasis: string };
  /** Set while the file is with the applicant. */
  returned?: {
    stageId: string;
    at: string;
    deadline: string;
    pendingActionId: string;
    deficient: string[];
    note?: string;
  };
  attention?: { at: string; error: string };
  /** The applicant's answers to the permit's questions: they decide the conditional requirements. */
  answers?: Record<string, boolean>;
  /** A renewal: the applicant's permit it replaces (superseded when this one is issued). */
  renews?: { permitId: string; number: string };
  /**
   * The document versions the office examines, frozen at submission and again at each resubmission
   * (requirement id -> accepted upload). Later uploads never change what an official is deciding on.
   */
  documents?: Record<string, SubmittedDocument>;
  withdrawnAt?: string;
  /** Measured when the application ends: office time used (pauses excluded) against the SOP's total limit. */
  sla?: { officeMinutesUsed: number; deadline: string; met: boolean };
  version: number;
}

/** One accepted version of a requirement's document (an upload that passed the server-side checks). */
export interface SubmittedDocument {
  requirementId: string;
  uploadId: string;
  objectKey: string;
  mediaType: 'application/pdf' | 'image/jpeg' | 'image/png';
  sizeBytes: number;
  acceptedAt: string;
}

export interface StageVisit extends StageTimerState {
  applicationId: string;
  visit: number;
  stageId: string;
  role?: string;
  enteredAt: string;
  pendingActionId: string;
  decidedAt?: string;
  outcome?: Outcome;
  decidedBy?: string;
  note?: string;
  officeMinutesUsed?: number;
  breached: boolean;
  /** Reports uploaded with the decision (an inspection's BAP). */
  reports?: StageReport[];
}

export type PendingActionKind = 'decision' | 'resubmission';

/**
 * What a person (an official, or the applicant after a return) must do. Its id is what links carry;
 * the Step Functions task token behind it changes each time the wait is re-entered (after a
 * reminder or an escalation), so earlier links stay valid.
 */
export interface PendingAction {
  id: string;
  applicationId: string;
  kind: PendingActionKind;
  stageId: string;
  visit: number;
  status: 'open' | 'decided' | 'closed';
  taskToken?: string;
  tokenUpdatedAt?: string;
  notifiedAt?: string;
  decision?: Decision;
  createdAt: string;
  /**
   * The officials (ids) addressed for a decision: the stage role's officials, or the acting official
   * an administrator reassigned it to. Their links, and supervisors' escalation links, may decide.
   */
  assignees?: string[];
  /** Links minted before this instant are revoked (set by a reassignment). */
  linksValidFrom?: string;
}

/** A decision as it comes back through SendTaskSuccess. */
export interface Decision {
  outcome: Outcome | 'resubmitted';
  /** The acting official's id (or 'applicant' for a resubmission). */
  actor: string;
  note?: string;
  /** For returns: the requirement ids found deficient. */
  deficient?: string[];
  decidedAt: string;
  /** The acting official's name, for "already decided by <name> at <time>". */
  actorName?: string;
  /** Reports the official uploaded with the decision (a BAP of an inspection). */
  reports?: StageReport[];
}

/** A document an official uploads with a decision (an inspection's BAP), checked like applicant uploads. */
export interface StageReport {
  outputId: string;
  objectKey: string;
  mediaType: 'application/pdf' | 'image/jpeg' | 'image/png';
  sizeBytes: number;
  sha256: string;
}

/** Where a request came from, for the audit trail (never shown to the applicant). */
export interface Visitor {
  ip?: string;
  userAgent?: string;
}

export type AuditEventType =
  | 'created'
  | 'document-accepted'
  | 'document-rejected'
  | 'submitted'
  | 'withdrawn'
  | 'survey-answered'
  | 'document-downloaded'
  | 'complaint-filed'
  | 'access-token-reissued'
  | 'execution-started'
  | 'stage-entered'
  | 'reminder-sent'
  | 'stage-breached'
  | 'escalated'
  | 'stage-decided'
  | 'returned-to-applicant'
  | 'resubmitted'
  | 'lapsed'
  | 'deemed-granted'
  | 'numbered'
  | 'issued'
  | 'permit-revoked'
  | 'permit-superseded'
  | 'needs-attention'
  | 'decision-recorded'
  | 'document-viewed'
  | 'report-uploaded'
  | 'link-sent'
  | 'signing-code-sent'
  | 'reassigned';

export interface AuditEvent {
  applicationId: string;
  at: string;
  type: AuditEventType;
  stageId?: string;
  /** An official's id, 'applicant', 'system' or an operator's name. */
  actor?: string;
  /** The role the actor acted in. */
  role?: string;
  /** Where the request came from (officials' and operators' actions). */
  from?: Visitor;
  detail?: Record<string, unknown>;
}
