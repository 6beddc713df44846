/** The workflow functions' ports, built once per cold start from the environment and the regency. */

import { DynamoApplicationStore } from '#adapters/dynamodb/application-store.ts';
import { S3DocumentStore } from '#adapters/s3/s3-documents.ts';
import { SesMailer } from '#adapters/ses/ses-mailer.ts';
import { SfnTaskCallbacks } from '#adapters/sfn/task-callbacks.ts';
import type { IssuancePorts } from '#core/use-cases/issuance.ts';
import { dynamoClient, s3Client, sesClient, sfnClient } from './clients.ts';
import { functionEnv } from './env.ts';
import { emitMetric, log } from './log.ts';
import { currentRegency } from './regency.ts';
import { regencyCalendar } from './regency-calendar.ts';

let ports: IssuancePorts | undefined;

export function workflowPorts(): IssuancePorts {
  if (ports !== undefined) return ports;
  const env = functionEnv();
  const regency = currentRegency();
  ports = {
    regency,
    calendar: regencyCalendar(regency),
    store: new DynamoApplicationStore(dynamoClient(), env.TABLE_NAME),
    mailer: new SesMailer(sesClient(), regency.mail.sender),
    tasks: new SfnTaskCallbacks(sfnClient()),
    documents: new S3DocumentStore(s3Client(), env.DOCUMENTS_BUCKET ?? ''),
    log: (message, fields) => log('info', message, fields),
    metric: (name, properties) => emitMetric(name, regency.id, properties),
  };
  return ports;
}

/** Tests that switch regency or table in one process rebuild the ports. */
export function resetWorkflowPorts(): void {
  ports = undefined;
}
