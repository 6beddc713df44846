/**
 * The applicant API's ports, built once per cold start from the environment and the regency. Every
 * adapter only prepares a client: a function uses (and is granted, infra/function-access.ts) only
 * what its routes call.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { dynamoClient, s3Client, sesClient, sfnClient } from '../clients/aws.ts';
import { SfnTaskCallbacks } from '../clients/task-callbacks.ts';
import { functionEnv } from '../config/env.ts';
import { currentRegency } from '../config/runtime.ts';
import type { ApiPorts } from '../domain/api-ports.ts';
import { log } from '../log.ts';
import { SesMailer } from '../mail/ses-mailer.ts';
import { regencyCalendar } from '../regency-calendar.ts';
import { DynamoApiStore } from '../store/api-store.ts';
import { DynamoApplicationStore } from '../store/application-store.ts';
import { S3DocumentFiles } from './adapters/s3-document-files.ts';
import { SfnWorkflowRunner } from './adapters/sfn-workflow-runner.ts';

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
