/**
 * The audit trail's hash chain on DynamoDB Local: appended through the real repositories, by many
 * writers at once, then verified; then tampered with directly in the table, and the tampering found.
 */
import { DeleteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoApplications } from '#adapters/dynamodb/applications.ts';
import { DynamoAuditTrail } from '#adapters/dynamodb/audit.ts';
import { DynamoChanges } from '#adapters/dynamodb/changes.ts';
import { DynamoDocuments } from '#adapters/dynamodb/documents.ts';
import { keys } from '#adapters/dynamodb/keys.ts';
import { DynamoSurveys } from '#adapters/dynamodb/office-records.ts';
import { Table } from '#adapters/dynamodb/table.ts';
import type { Application, AuditEvent, SubmittedDocument } from '#core/domain/application.ts';
import type { SurveyRecord, UploadRecord } from '#core/domain/records.ts';
import { SURVEY_ELEMENTS } from '#core/domain/survey.ts';
import { ConcurrentUpdateError } from '#core/ports.ts';
import { exportTrail } from '#core/use-cases/audit-trail.ts';
import { storedApplicationFixture } from '../../fixtures/application.ts';
import { stackClients, stackEndpoints, uniqueId } from '../harness/index.ts';

const clients = stackClients();
afterAll(() => clients.destroy());
const db = DynamoDBDocumentClient.from(clients.dynamodb);
const tableName = stackEndpoints().dynamodb.tableName;
const table = new Table(db, tableName);
const applications = new DynamoApplications(table);
const audit = new DynamoAuditTrail(table);
const changes = new DynamoChanges(table);
const documents = new DynamoDocuments(table);
const surveys = new DynamoSurveys(table);
const AT = '2026-03-17T03:00:00.000Z';

async function newApplication(): Promise<Application> {
  const id = uniqueId('app');
  const app = storedApplicationFixture(id, AT);
  expect(await applications.create(app)).toBe(true);
  return app;
}

const event = (app: Application, type: AuditEvent['type'], detail?: Record<string, unknown>): AuditEvent => ({
  applicationId: app.id,
  at: AT,
  type,
  ...(detail === undefined ? {} : { detail }),
});

function upload(app: Application): UploadRecord {
  return {
    applicationId: app.id,
    uploadId: uniqueId('upload'),
    requirementId: 'ktp',
    objectKey: `drafts/${app.id}/ktp.pdf`,
    declaredType: 'application/pdf',
    declaredSizeBytes: 1000,
    status: 'pending',
    createdAt: AT,
    urlExpiresAt: AT,
  };
}

/** An application whose trail was written by every kind of writer: 2 + `concurrent` records. */
async function writtenTrail(concurrent: number) {
  const app = await newApplication();
  await changes.commit(
    { application: { ...app, status: 'in-progress', version: 2 }, audit: [event(app, 'execution-started')] },
    AT,
  );
  const rejected = upload(app);
  await documents.createUpload(rejected);
  expect(await documents.rejectUpload(rejected, 'empty', event(app, 'document-rejected'))).toBe(true);
  await Promise.all(
    Array.from({ length: concurrent }, (_, i) => {
      const e = event(app, 'document-downloaded', { n: i });
      if (i % 3 === 0) return audit.append(e);
      if (i % 3 === 1) return changes.commit({ audit: [e] }, AT);
      return changes.commit({ expectVersion: { applicationId: app.id, version: 2 }, audit: [e] }, AT);
    }),
  );
  return app;
}

const auditKey = (app: Application, seq: number) => keys.audit(app.id, seq);

describe('the audit trail on DynamoDB', () => {
  it('chains 15 concurrent appends to one application with every other writer: seq 1..17, no gap, verified', async () => {
    const app = await writtenTrail(15);

    const exported = await exportTrail({ audit }, app.id);

    expect(exported.records.map((r) => r.seq)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    expect(exported.records.filter((r) => r.type === 'document-downloaded')).toHaveLength(15);
    expect(new Set(exported.records.map((r) => r.detail?.n)).size).toBe(16);
    expect(exported.head.seq).toBe(17);
    expect(exported.verification).toEqual({ valid: true, records: 17 });
  });

  it('chains the survey, accepted uploads and several events of one change in order', async () => {
    const app = await newApplication();
    const accepted = upload(app);
    await documents.createUpload(accepted);
    const version: SubmittedDocument = {
      requirementId: 'ktp',
      uploadId: accepted.uploadId,
      objectKey: accepted.objectKey,
      mediaType: 'application/pdf',
      sizeBytes: 1000,
      acceptedAt: AT,
    };
    expect(await documents.acceptUpload(accepted, version, event(app, 'document-accepted'))).toBe(true);
    await changes.commit({ audit: [event(app, 'stage-entered'), event(app, 'reminder-sent')] }, AT);
    const survey = {
      applicationId: app.id,
      regencyId: 'kota-bengkulu',
      permitCode: 'SIKOT',
      scores: Object.fromEntries(SURVEY_ELEMENTS.map((e) => [e.id, 4])) as SurveyRecord['scores'],
      answeredAt: AT,
      month: '2026-03',
    };
    expect(await surveys.put(survey, event(app, 'survey-answered'))).toBe(true);
    expect(await surveys.put(survey, event(app, 'survey-answered'))).toBe(false);

    const exported = await exportTrail({ audit }, app.id);

    expect(exported.records.map((r) => [r.seq, r.type])).toEqual([
      [1, 'document-accepted'],
      [2, 'stage-entered'],
      [3, 'reminder-sent'],
      [4, 'survey-answered'],
    ]);
    expect(exported.verification.valid).toBe(true);
  });

  it('still refuses a change whose application version moved, to all but one of concurrent writers', async () => {
    const app = await newApplication();

    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        changes.commit(
          {
            application: { ...app, status: 'in-progress', version: 2 },
            audit: [event(app, 'execution-started', { writer: i })],
          },
          AT,
        ),
      ),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const reasons = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(reasons.every((r) => r instanceof ConcurrentUpdateError && /application/.test(r.message))).toBe(
      true,
    );
    const exported = await exportTrail({ audit }, app.id);
    expect(exported.records.map((r) => r.type)).toEqual(['execution-started']);
    expect(exported.verification.valid).toBe(true);
  });

  it('finds a record edited in the table', async () => {
    const app = await writtenTrail(3);
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: auditKey(app, 3),
        UpdateExpression: 'SET actor = :someone',
        ExpressionAttributeValues: { ':someone': 'someone-else' },
      }),
    );

    const exported = await exportTrail({ audit }, app.id);

    expect(exported.verification).toEqual({ valid: false, problem: { kind: 'edited', seq: 3 } });
  });

  it('finds a record deleted from the middle of the trail', async () => {
    const app = await writtenTrail(3);
    await db.send(new DeleteCommand({ TableName: tableName, Key: auditKey(app, 2) }));

    const exported = await exportTrail({ audit }, app.id);

    expect(exported.verification).toEqual({ valid: false, problem: { kind: 'gap', seq: 3, expectedSeq: 2 } });
  });

  it('finds the last record deleted, by the head', async () => {
    const app = await writtenTrail(3);
    await db.send(new DeleteCommand({ TableName: tableName, Key: auditKey(app, 5) }));

    const exported = await exportTrail({ audit }, app.id);

    expect(exported.verification).toEqual({
      valid: false,
      problem: { kind: 'missing-tail', seq: 4, headSeq: 5 },
    });
  });

  it('never overwrites a record: with the head deleted, an append fails instead of rewriting record 1', async () => {
    const app = await writtenTrail(0);
    await db.send(new DeleteCommand({ TableName: tableName, Key: keys.auditHead(app.id) }));

    await expect(audit.append(event(app, 'document-downloaded'))).rejects.toBeInstanceOf(
      ConcurrentUpdateError,
    );

    const records = await audit.list(app.id);
    expect(records.map((r) => r.type)).toEqual(['execution-started', 'document-rejected']);
  });
});
