/**
 * The applicant API's ports, built once per cold start from the environment and the regency. Every
 * adapter only prepares a client: a function uses (and is granted, infra/function-access.ts) only
 * what its routes call.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoApiStore } from '#adapters/dynamodb/api-store.ts';
import { DynamoApplicationStore } from '#adapters/dynamodb/application-store.ts';
import { S3DocumentFiles } from '#adapters/s3/document-bucket.ts';
import { SesMailer } from '#adapters/ses/ses-mailer.ts';
import { SfnWorkflowRunner } from '#adapters/sfn/step-functions.ts';
import { SfnTaskCallbacks } from '#adapters/sfn/task-callbacks.ts';
import type { ApiPorts } from '#core/ports.ts';
import { dynamoClient, s3Client, sesClient, sfnClient } from './clients.ts';
import { functionEnv } from './env.ts';
import { log } from './log.ts';
import { currentRegency } from './regency.ts';
import { regencyCalendar } from './regency-calendar.ts';

let ports: ApiPorts | undefined;

export function apiPorts(): ApiPorts {
  if (ports !== undefined) return ports;
  const env = functionEnv();
  const regency = currentRegency();
  ports = {
    regency,
    calendar: regencyCalendar(regency),
    applications: new DynamoApplicationStore(dynamoClient(), env.TABLE_NAME),
    store: new DynamoApiStore(dynamoClient(), env.TABLE_NAME),
    files: new S3DocumentFiles(s3Client(), env.DOCUMENTS_BUCKET ?? ''),
    workflows: new SfnWorkflowRunner(sfnClient()),
    tasks: new SfnTaskCallbacks(sfnClient()),
    mailer: new SesMailer(sesClient(), regency.mail.sender),
    now: () => new Date(),
    newId: () => randomUUID(),
    randomBytes: (n) => randomBytes(n),
    log: (message, fields) => log('info', message, fields),
  };
  return ports;
}

/** Tests that switch regency or table in one process rebuild the ports. */
export function resetApiPorts(): void {
  ports = undefined;
}
