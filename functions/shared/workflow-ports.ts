/** The workflow functions' ports, built once per cold start from the environment and the regency. */
import { dynamoClient, s3Client, sesClient, sfnClient } from './clients/aws.ts';
import { SfnTaskCallbacks } from './clients/task-callbacks.ts';
import { functionEnv } from './config/env.ts';
import { currentRegency } from './config/runtime.ts';
import type { IssuancePorts } from './domain/issuance.ts';
import { emitMetric, log } from './log.ts';
import { SesMailer } from './mail/ses-mailer.ts';
import { regencyCalendar } from './regency-calendar.ts';
import { DynamoApplicationStore } from './store/application-store.ts';
import { S3DocumentStore } from './store/s3-documents.ts';

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
