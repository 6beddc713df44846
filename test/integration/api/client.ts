/**
 * A small applicant client for the integration tests: every call goes through the stack's HTTP API
 * (the local API server running the real handlers) and, for uploads, straight to s3rver with the
 * presigned URL, as a browser would. Office decisions, which have no HTTP API yet, are made the way
 * the workflow tests make them: `submitDecision` on the pending action, against the same table and
 * Step Functions service.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { DynamoApplications } from '#adapters/dynamodb/applications.ts';
import { DynamoAuditTrail } from '#adapters/dynamodb/audit.ts';
import { DynamoDocuments } from '#adapters/dynamodb/documents.ts';
import { DynamoStages } from '#adapters/dynamodb/stages.ts';
import { Table } from '#adapters/dynamodb/table.ts';
import { SfnTaskCallbacks } from '#adapters/sfn/step-functions.ts';
import type { Outcome } from '#config/regency-schema.ts';
import type { Application, AuditEvent } from '#core/domain/application.ts';
import { submitDecision } from '#core/use-cases/stage-waits.ts';
import type { LocalClients } from '../../../local/clients.ts';
import { applicationFixture, BENGKULU_ALWAYS_REQUIRED } from '../../fixtures/application.ts';

export { BENGKULU_ALWAYS_REQUIRED };

import { api, stackClients, stackEndpoints, uniqueEmail } from '../harness/index.ts';

export const PDF = (text = 'dokumen uji') =>
  Buffer.from(`%PDF-1.4\n% ${text}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n`);
/** A Windows executable's header ("MZ"): what a malicious "PDF" really is. */
export const EXECUTABLE = Buffer.concat([
  Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0, 0, 0]),
  Buffer.alloc(120),
]);

export const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export interface Draft {
  id: string;
  token: string;
  trackingCode: string;
  email: string;
}

/** A new draft for a unique applicant (own e-mail, own NIK serial). */
export async function createDraft(
  overrides: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Draft> {
  const email = uniqueEmail('pemohon');
  const body = applicationFixture(overrides);
  (body.applicant as Record<string, unknown>).email = email;
  const response = await api('/applications', json(body, headers));
  const created = (await response.json()) as { id: string; accessToken: string; trackingCode: string };
  expect(response.status, JSON.stringify(created)).toBe(201);
  return { id: created.id, token: created.accessToken, trackingCode: created.trackingCode, email };
}

export async function getApplication(draft: Draft): Promise<Record<string, unknown> & { status: string }> {
  const response = await api(`/applications/${draft.id}`, { headers: bearer(draft.token) });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown> & { status: string };
}

export interface Upload {
  uploadId: string;
  url: string;
  headers: Record<string, string>;
  confirmPath: string;
}

export async function requestUpload(
  draft: Draft,
  requirementId: string,
  mediaType = 'application/pdf',
  sizeBytes = 1000,
): Promise<Upload> {
  const response = await api(
    `/applications/${draft.id}/documents/${requirementId}`,
    json({ mediaType, sizeBytes }, bearer(draft.token)),
  );
  const body = (await response.json()) as Upload;
  expect(response.status, JSON.stringify(body)).toBe(201);
  return body;
}

export async function put(upload: Upload, content: Buffer, headers = upload.headers): Promise<void> {
  const response = await fetch(upload.url, { method: 'PUT', body: new Uint8Array(content), headers });
  expect(response.status).toBe(200);
}

export function confirm(draft: Draft, upload: Upload): Promise<Response> {
  return api(upload.confirmPath, { method: 'POST', headers: bearer(draft.token) });
}

/** Uploads and confirms one document; fails the test if it is not accepted. */
export async function uploadDocument(
  draft: Draft,
  requirementId: string,
  content = PDF(requirementId),
): Promise<string> {
  const upload = await requestUpload(draft, requirementId, 'application/pdf', content.length);
  await put(upload, content);
  const response = await confirm(draft, upload);
  expect(response.status, await response.clone().text()).toBe(200);
  return upload.uploadId;
}

export async function uploadChecklist(
  draft: Draft,
  requirements: readonly string[] = BENGKULU_ALWAYS_REQUIRED,
): Promise<void> {
  for (const id of requirements) await uploadDocument(draft, id);
}

export function submit(draft: Draft): Promise<Response> {
  return api(`/applications/${draft.id}/submit`, { method: 'POST', headers: bearer(draft.token) });
}

/** Direct access to the stack's records, for what the API deliberately does not show. */
export class StackRecords {
  readonly clients: LocalClients = stackClients();
  readonly doc = DynamoDBDocumentClient.from(this.clients.dynamodb);
  private readonly table = new Table(this.doc, stackEndpoints().dynamodb.tableName);
  readonly applications = new DynamoApplications(this.table);
  readonly stages = new DynamoStages(this.table);
  readonly documents = new DynamoDocuments(this.table);
  private readonly trail = new DynamoAuditTrail(this.table);
  private readonly tasks = new SfnTaskCallbacks(this.clients.sfn ?? (undefined as never));

  audit(id: string): Promise<AuditEvent[]> {
    return this.trail.list(id);
  }

  async application(id: string): Promise<Application> {
    const app = await this.applications.get(id);
    if (app === undefined) throw new Error(`no application ${id}`);
    return app;
  }

  /** Polls the record until `done` holds (the workflow runs in another process: there is no event to await). */
  async until(
    id: string,
    done: (app: Application) => boolean,
    what: string,
    timeoutMs = 15_000,
  ): Promise<Application> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const app = await this.application(id);
      if (done(app)) return app;
      if (Date.now() > deadline) throw new Error(`application ${id} never ${what} (status ${app.status})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits for the first office stage, as the workflow enters it after submission. */
  waitingAt(id: string, stageId: string): Promise<Application> {
    return this.until(id, (a) => a.current?.stageId === stageId, `reached ${stageId}`);
  }

  /** An official decides the current stage, as the decision pages will. */
  async decide(
    id: string,
    outcome: Outcome,
    extra: { deficient?: string[]; note?: string } = {},
  ): Promise<void> {
    const app = await this.until(id, (a) => a.current !== undefined, 'waited for an official');
    const actionId = app.current?.pendingActionId ?? '';
    const result = await submitDecision({ stages: this.stages, tasks: this.tasks }, actionId, {
      outcome,
      actor: 'rina-petugas',
      decidedAt: new Date().toISOString(),
      ...extra,
    });
    expect(result).toBe('accepted');
    await this.until(id, (a) => a.current?.pendingActionId !== actionId, 'moved on from the decided stage');
  }

  destroy(): void {
    this.clients.destroy();
  }
}
