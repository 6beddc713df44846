/** Uploads handed out and the accepted document versions (items in keys.ts). */
import type { AuditEvent, SubmittedDocument } from '#core/domain/application.ts';
import type { UploadRejection } from '#core/domain/file-type.ts';
import type { UploadRecord } from '#core/domain/records.ts';
import type { DocumentRepository } from '#core/ports.ts';
import { transactWithAudit } from './audit.ts';
import { collections, keys } from './keys.ts';
import type { Table } from './table.ts';

const STATUS = { '#status': 'status' };

export class DynamoDocuments implements DocumentRepository {
  constructor(private readonly table: Table) {}

  async createUpload(upload: UploadRecord): Promise<void> {
    const written = await this.table.put(
      { ...keys.upload(upload.applicationId, upload.uploadId), ...upload },
      { expression: 'attribute_not_exists(pk)' },
    );
    if (!written) throw new Error(`upload ${upload.uploadId} already exists`);
  }

  getUpload(applicationId: string, uploadId: string): Promise<UploadRecord | undefined> {
    return this.table.get<UploadRecord>(keys.upload(applicationId, uploadId));
  }

  async acceptUpload(upload: UploadRecord, version: SubmittedDocument, audit: AuditEvent): Promise<boolean> {
    const id = upload.applicationId;
    const result = await transactWithAudit(
      this.table,
      [
        {
          Update: {
            Key: keys.upload(id, upload.uploadId),
            UpdateExpression: 'SET #status = :accepted, decidedAt = :at REMOVE expiresAt',
            ConditionExpression: '#status = :pending',
            ExpressionAttributeNames: STATUS,
            ExpressionAttributeValues: {
              ':accepted': 'accepted',
              ':pending': 'pending',
              ':at': version.acceptedAt,
            },
          },
        },
        {
          Put: {
            Item: {
              ...keys.document(id, version.requirementId, version.acceptedAt, version.uploadId),
              applicationId: id,
              ...version,
            },
          },
        },
      ],
      [audit],
    );
    return result.written;
  }

  async rejectUpload(upload: UploadRecord, reason: UploadRejection, audit: AuditEvent): Promise<boolean> {
    const result = await transactWithAudit(
      this.table,
      [
        {
          Update: {
            Key: keys.upload(upload.applicationId, upload.uploadId),
            UpdateExpression: 'SET #status = :rejected, reason = :reason, decidedAt = :at REMOVE expiresAt',
            ConditionExpression: '#status = :pending',
            ExpressionAttributeNames: STATUS,
            ExpressionAttributeValues: {
              ':rejected': 'rejected',
              ':pending': 'pending',
              ':reason': reason,
              ':at': audit.at,
            },
          },
        },
      ],
      [audit],
    );
    return result.written;
  }

  async listVersions(applicationId: string): Promise<SubmittedDocument[]> {
    const items = await this.table.queryAll<SubmittedDocument & { applicationId: string }>(
      collections.documents(applicationId),
    );
    return items.map(({ applicationId: _a, ...version }) => version);
  }
}
