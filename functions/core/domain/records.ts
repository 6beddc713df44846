/**
 * Records the applicant API keeps beside the application (see adapters/dynamodb/keys.ts for where
 * each is stored). Plain data: the repositories in core/ports.ts read and write them.
 */
import type { ApplicantForm } from './applicant.ts';
import type { MediaType, UploadRejection } from './file-type.ts';
import type { SurveyScores } from './survey.ts';

export interface ApplicantRecord {
  applicationId: string;
  applicant: ApplicantForm;
  createdAt: string;
}

export interface IdempotencyRecord {
  keyHash: string;
  requestHash: string;
  applicationId: string;
  createdAt: string;
  /** Epoch seconds (the table's TTL attribute). */
  expiresAt: number;
}

/** A complaint's Idempotency-Key: the hash of its body and the reference it was filed under. */
export interface ComplaintIdempotencyRecord {
  keyHash: string;
  requestHash: string;
  reference: string;
  createdAt: string;
  /** Epoch seconds (the table's TTL attribute). */
  expiresAt: number;
}

export interface UploadRecord {
  applicationId: string;
  uploadId: string;
  requirementId: string;
  objectKey: string;
  declaredType: MediaType;
  declaredSizeBytes: number;
  status: 'pending' | 'accepted' | 'rejected';
  reason?: UploadRejection;
  createdAt: string;
  /** When the presigned URL stops working. */
  urlExpiresAt: string;
  decidedAt?: string;
  /** Epoch seconds: a pending upload nobody confirmed is forgotten after a day. */
  expiresAt?: number;
}

export interface SurveyRecord {
  applicationId: string;
  regencyId: string;
  permitCode: string;
  scores: SurveyScores;
  comment?: string;
  answeredAt: string;
  /** YYYY-MM in the office's zone, for the monthly index. */
  month: string;
}

export interface ComplaintRecord {
  reference: string;
  regencyId: string;
  filedAt: string;
  month: string;
  subject: string;
  message: string;
  contact?: { name?: string; email?: string; mobileNumber?: string };
  applicationId?: string;
  trackingCode?: string;
}
