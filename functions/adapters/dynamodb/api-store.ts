/**
 * What the applicant API keeps beside the application record, in the same single table. The
 * application item itself (`APP#<id>` / `APP`) stays with `application-store.ts`, shared with the
 * workflow; everything here is written only by the API.
 *
 * Items (pk / sk), and the access pattern each serves (no Scan anywhere):
 * - `APP#<id>` / `APPLICANT`: the applicant's form (NIK, birth, address, phone, STR, practice place):
 *   personal data kept apart from the record the workflow passes around. GetItem by application id.
 * - `APP#<id>` / `ACCESS`: SHA-256 of the applicant's access token (the token itself is never
 *   stored). GetItem on every applicant request.
 * - `APP#<id>` / `UPLOAD#<uploadId>`: a presigned upload handed out (pending, accepted or rejected,
 *   with the reason); pending ones carry `expiresAt` (TTL). GetItem by application and upload id.
 * - `APP#<id>` / `DOC#<requirementId>#<acceptedAt>#<uploadId>`: one accepted version of a document;
 *   every version is kept. Query `begins_with(sk, 'DOC#')` lists them by requirement, oldest first.
 * - `APP#<id>` / `SURVEY`: the applicant's satisfaction survey (one per application), with
 *   gsi1 `SURVEY#<regency>#<yyyy-mm>` / `<answeredAt>#<id>`: an office's monthly IKM is one Query.
 * - `TRACK#<code>` / `TRACK`: reserves a tracking code (conditional put) and maps it to the
 *   application id: GetItem for the public tracker.
 * - `IDEMPOTENCY#<sha256(key)>` / `IDEMPOTENCY`: a creation request's Idempotency-Key, the hash of its
 *   body and the draft it created; `expiresAt` (TTL) 24 h. GetItem, written in the creating transaction.
 * - `COMPLAINT#<reference>` / `COMPLAINT`: a complaint, with gsi1 `COMPLAINT#<regency>#<yyyy-mm>` /
 *   `<filedAt>#<reference>` (the office's monthly list) and, when linked to an application, gsi2
 *   `APP#<id>` / `COMPLAINT#<filedAt>` (complaints about one application). References come from the
 *   counter `COUNTER#complaint#<regency>#<year>`.
 * Audit events go to `APP#<id>` / `AUDIT#<at>#<rand>` as in application-store.ts, inside the same
 * transaction as the change they record when there is one.
 */
import { randomBytes } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ApplicantForm } from '#core/domain/applicant.ts';
import type { Application, AuditEvent, SubmittedDocument } from '#core/domain/application.ts';
import type { MediaType, UploadRejection } from '#core/domain/file-type.ts';
import type { SurveyScores } from '#core/domain/survey.ts';

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

export type CreateDraftResult = 'created' | 'tracking-code-taken' | 'idempotency-key-taken';

export interface ApiStore {
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
  getIdempotency(keyHash: string, nowEpochSeconds: number): Promise<IdempotencyRecord | undefined>;
  getAccessHash(applicationId: string): Promise<string | undefined>;
  /** Replaces the token hash, only while the application is still a draft. */
  rotateAccessToken(applicationId: string, tokenHash: string, at: string): Promise<boolean>;
  getApplicant(applicationId: string): Promise<ApplicantRecord | undefined>;
  applicationIdForTrackingCode(code: string): Promise<string | undefined>;
  createUpload(upload: UploadRecord): Promise<void>;
  getUpload(applicationId: string, uploadId: string): Promise<UploadRecord | undefined>;
  /** Marks a pending upload accepted and records the document version, once; false if it was not pending. */
  acceptUpload(upload: UploadRecord, version: SubmittedDocument, audit: AuditEvent): Promise<boolean>;
  /** Marks a pending upload rejected with its reason; false if it was not pending. */
  rejectUpload(upload: UploadRecord, reason: UploadRejection, audit: AuditEvent): Promise<boolean>;
  listDocumentVersions(applicationId: string): Promise<SubmittedDocument[]>;
  /** Records the survey once; false if the application already has one. */
  putSurvey(survey: SurveyRecord, audit: AuditEvent): Promise<boolean>;
  getSurvey(applicationId: string): Promise<SurveyRecord | undefined>;
  putComplaint(complaint: ComplaintRecord, audit?: AuditEvent): Promise<void>;
  appendAudit(event: AuditEvent): Promise<void>;
}

const appPk = (id: string): string => `APP#${id}`;
const key = (pk: string, sk: string) => ({ pk, sk });
const keys = {
  app: (id: string) => key(appPk(id), 'APP'),
  applicant: (id: string) => key(appPk(id), 'APPLICANT'),
  access: (id: string) => key(appPk(id), 'ACCESS'),
  upload: (id: string, uploadId: string) => key(appPk(id), `UPLOAD#${uploadId}`),
  document: (v: SubmittedDocument & { applicationId: string }) =>
    key(appPk(v.applicationId), `DOC#${v.requirementId}#${v.acceptedAt}#${v.uploadId}`),
  survey: (id: string) => key(appPk(id), 'SURVEY'),
  track: (code: string) => key(`TRACK#${code}`, 'TRACK'),
  idempotency: (keyHash: string) => key(`IDEMPOTENCY#${keyHash}`, 'IDEMPOTENCY'),
  complaint: (reference: string) => key(`COMPLAINT#${reference}`, 'COMPLAINT'),
};

/** The same item shape as `DynamoApplicationStore.appendAudit`, so `listAudit` reads both. */
export const auditItem = (event: AuditEvent): Record<string, unknown> => ({
  pk: appPk(event.applicationId),
  sk: `AUDIT#${event.at}#${randomBytes(4).toString('hex')}`,
  ...event,
});

function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (item === undefined) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, ...rest } = item;
  return rest as T;
}

/** Index of the first item a cancelled transaction failed on because of its condition. */
function failedConditionAt(e: unknown): number | undefined {
  if (
    !(e instanceof TransactionCanceledException) &&
    (e as { name?: string }).name !== 'TransactionCanceledException'
  )
    return undefined;
  const reasons = (e as TransactionCanceledException).CancellationReasons ?? [];
  const index = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
  return index === -1 ? undefined : index;
}

export class DynamoApiStore implements ApiStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async createDraft(input: Parameters<ApiStore['createDraft']>[0]): Promise<CreateDraftResult> {
    const { application: app } = input;
    const items = [
      {
        Put: {
          TableName: this.table,
          Item: { ...keys.track(app.trackingCode), applicationId: app.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: this.table,
          // The same gsi1 as application-store.ts writes, so either store's writes keep it.
          Item: { ...keys.app(app.id), gsi1pk: `TRACK#${app.trackingCode}`, gsi1sk: 'APP', ...app },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Put: { TableName: this.table, Item: { ...keys.applicant(app.id), ...input.applicant } } },
      {
        Put: {
          TableName: this.table,
          Item: { ...keys.access(app.id), tokenHash: input.tokenHash, issuedAt: app.createdAt },
        },
      },
      { Put: { TableName: this.table, Item: auditItem(input.audit) } },
      ...(input.idempotency === undefined
        ? []
        : [
            {
              Put: {
                TableName: this.table,
                Item: { ...keys.idempotency(input.idempotency.keyHash), ...input.idempotency },
                // An expired record (TTL deletion lags, and never happens in DynamoDB Local) may be reused.
                ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
                ExpressionAttributeValues: { ':now': Math.floor(Date.parse(app.createdAt) / 1000) },
              },
            },
          ]),
    ];
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return 'created';
    } catch (e) {
      const failed = failedConditionAt(e);
      if (failed === 0) return 'tracking-code-taken';
      if (failed === 5) return 'idempotency-key-taken';
      throw e;
    }
  }

  async getIdempotency(keyHash: string, nowEpochSeconds: number): Promise<IdempotencyRecord | undefined> {
    const record = await this.get<IdempotencyRecord>(keys.idempotency(keyHash));
    return record === undefined || record.expiresAt < nowEpochSeconds ? undefined : record;
  }

  async getAccessHash(applicationId: string): Promise<string | undefined> {
    return (await this.get<{ tokenHash: string }>(keys.access(applicationId)))?.tokenHash;
  }

  async rotateAccessToken(applicationId: string, tokenHash: string, at: string): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.table,
                Key: keys.app(applicationId),
                ConditionExpression: '#status = :draft',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':draft': 'draft' },
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: { ...keys.access(applicationId), tokenHash, issuedAt: at },
              },
            },
          ],
        }),
      );
      return true;
    } catch (e) {
      if (failedConditionAt(e) !== undefined) return false;
      throw e;
    }
  }

  getApplicant(applicationId: string): Promise<ApplicantRecord | undefined> {
    return this.get<ApplicantRecord>(keys.applicant(applicationId));
  }

  async applicationIdForTrackingCode(code: string): Promise<string | undefined> {
    return (await this.get<{ applicationId: string }>(keys.track(code)))?.applicationId;
  }

  async createUpload(upload: UploadRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...keys.upload(upload.applicationId, upload.uploadId), ...upload },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  getUpload(applicationId: string, uploadId: string): Promise<UploadRecord | undefined> {
    return this.get<UploadRecord>(keys.upload(applicationId, uploadId));
  }

  async acceptUpload(upload: UploadRecord, version: SubmittedDocument, audit: AuditEvent): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: keys.upload(upload.applicationId, upload.uploadId),
                UpdateExpression: 'SET #status = :accepted, decidedAt = :at REMOVE expiresAt',
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':accepted': 'accepted',
                  ':pending': 'pending',
                  ':at': version.acceptedAt,
                },
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: {
                  ...keys.document({ ...version, applicationId: upload.applicationId }),
                  applicationId: upload.applicationId,
                  ...version,
                },
              },
            },
            { Put: { TableName: this.table, Item: auditItem(audit) } },
          ],
        }),
      );
      return true;
    } catch (e) {
      if (failedConditionAt(e) !== undefined) return false;
      throw e;
    }
  }

  async rejectUpload(upload: UploadRecord, reason: UploadRejection, audit: AuditEvent): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: keys.upload(upload.applicationId, upload.uploadId),
                UpdateExpression:
                  'SET #status = :rejected, reason = :reason, decidedAt = :at REMOVE expiresAt',
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':rejected': 'rejected',
                  ':pending': 'pending',
                  ':reason': reason,
                  ':at': audit.at,
                },
              },
            },
            { Put: { TableName: this.table, Item: auditItem(audit) } },
          ],
        }),
      );
      return true;
    } catch (e) {
      if (failedConditionAt(e) !== undefined) return false;
      throw e;
    }
  }

  async listDocumentVersions(applicationId: string): Promise<SubmittedDocument[]> {
    const versions: SubmittedDocument[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': appPk(applicationId), ':prefix': 'DOC#' },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) {
        const { applicationId: _a, ...version } = strip<SubmittedDocument & { applicationId: string }>(
          item,
        ) ?? {
          applicationId: '',
        };
        versions.push(version as SubmittedDocument);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return versions;
  }

  async putSurvey(survey: SurveyRecord, audit: AuditEvent): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: {
                  ...keys.survey(survey.applicationId),
                  gsi1pk: `SURVEY#${survey.regencyId}#${survey.month}`,
                  gsi1sk: `${survey.answeredAt}#${survey.applicationId}`,
                  ...survey,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName: this.table, Item: auditItem(audit) } },
          ],
        }),
      );
      return true;
    } catch (e) {
      if (failedConditionAt(e) === 0) return false;
      throw e;
    }
  }

  getSurvey(applicationId: string): Promise<SurveyRecord | undefined> {
    return this.get<SurveyRecord>(keys.survey(applicationId));
  }

  async putComplaint(complaint: ComplaintRecord, audit?: AuditEvent): Promise<void> {
    const item = {
      ...keys.complaint(complaint.reference),
      gsi1pk: `COMPLAINT#${complaint.regencyId}#${complaint.month}`,
      gsi1sk: `${complaint.filedAt}#${complaint.reference}`,
      ...(complaint.applicationId === undefined
        ? {}
        : { gsi2pk: appPk(complaint.applicationId), gsi2sk: `COMPLAINT#${complaint.filedAt}` }),
      ...complaint,
    };
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
          ...(audit === undefined ? [] : [{ Put: { TableName: this.table, Item: auditItem(audit) } }]),
        ],
      }),
    );
  }

  async appendAudit(event: AuditEvent): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: auditItem(event) }));
  }

  private async get<T>(k: { pk: string; sk: string }): Promise<T | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: k, ConsistentRead: true }),
    );
    return strip<T>(Item);
  }
}
