/**
 * The ports the applicant API's domain functions receive. Adapters: DynamoDB stores
 * (functions/shared/store/), S3 and Step Functions (functions/shared/http/adapters/), SES
 * (functions/shared/mail/). The handlers build them once per cold start (functions/runtime/api-container.ts);
 * unit tests pass fakes.
 */

import type { ApiStore } from '#adapters/dynamodb/api-store.ts';
import type { ApplicationStore } from '#adapters/dynamodb/application-store.ts';
import type { Permit, Regency } from '#config/regency-schema.ts';
import type { Application } from './domain/application.ts';
import type { WorkingCalendar } from './domain/calendar/calendar.ts';
import type { StoredUpload } from './domain/file-type.ts';
import { notFound } from './domain/request-errors.ts';
import type { Mailer } from './mailer-port.ts';
import type { TaskCallbacks } from './use-cases/workflow-steps.ts';

/** The documents bucket as the API uses it: presigned transfers, and the server-side look at an upload. */
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

export interface ApiPorts {
  regency: Regency;
  calendar: WorkingCalendar;
  applications: ApplicationStore;
  store: ApiStore;
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
}

export function permitOf(regency: Regency, code: string): Permit | undefined {
  return regency.permits.find((p) => p.code === code);
}

/** The application's permit; a configuration that lost a permit type is our fault, not the caller's. */
export function permitOfApplication(regency: Regency, app: Application): Permit {
  const permit = permitOf(regency, app.permitCode);
  if (permit === undefined) throw new Error(`permit ${app.permitCode} is not configured`);
  return permit;
}

/** Loads an application the caller is already authorised for. */
export async function loadApplication(
  ports: Pick<ApiPorts, 'applications'>,
  id: string,
): Promise<Application> {
  const app = await ports.applications.getApplication(id);
  // The token matched, so the record exists unless it was deleted in between.
  if (app === undefined) throw notFound('application-not-found', 'Permohonan tidak ditemukan.');
  return app;
}
