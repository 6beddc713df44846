/**
 * The composition root: every port of core/ports.ts wired to its adapter, built once per cold start
 * from the parsed environment. Adapters are created on first use, so a function builds only what its
 * routes call, and is granted (infra/function-access.ts) only that.
 *
 * Handlers call `container()`. In-process runs and tests build their own with `buildContainer(env,
 * overrides)` and hand it over with `useContainer`: there is one cache, not one per module.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoApplications } from '#adapters/dynamodb/applications.ts';
import { DynamoAuditTrail } from '#adapters/dynamodb/audit.ts';
import { DynamoChanges, DynamoOutbox } from '#adapters/dynamodb/changes.ts';
import { DynamoDocuments } from '#adapters/dynamodb/documents.ts';
import { DynamoOfficialLinks } from '#adapters/dynamodb/links.ts';
import { DynamoComplaints, DynamoSequences, DynamoSurveys } from '#adapters/dynamodb/office-records.ts';
import { DynamoPermits } from '#adapters/dynamodb/permits.ts';
import { DynamoRateLimiter } from '#adapters/dynamodb/rate-limits.ts';
import { DynamoStages } from '#adapters/dynamodb/stages.ts';
import { Table } from '#adapters/dynamodb/table.ts';
import { FileKeyKeyedHash } from '#adapters/keyed-hash/file-key-keyed-hash.ts';
import { KmsKeyedHash } from '#adapters/keyed-hash/kms-keyed-hash.ts';
import { S3DocumentBucket } from '#adapters/s3/document-bucket.ts';
import { SesMailer } from '#adapters/ses/ses-mailer.ts';
import { SfnTaskCallbacks, SfnWorkflowRunner } from '#adapters/sfn/step-functions.ts';
import { fileKeySigner } from '#adapters/signing/file-key-signer.ts';
import { KmsSigner } from '#adapters/signing/kms-signer.ts';
import { createCalendar } from '#core/domain/calendar/calendar.ts';
import type { Ports } from '#core/ports.ts';
import { type AwsClients, awsClients } from './clients.ts';
import { type FunctionEnv, parseEnv, required, stateMachineArnOf } from './env.ts';
import { emitMetric, log } from './log.ts';
import { regencyFromEnv } from './regency.ts';

/** What a running function has: the ports, and the environment they were built from. */
export type Container = Ports & { env: FunctionEnv; clients: AwsClients };

/** Defines `name` on `target` as a getter that builds the value on first read, then keeps it. */
function lazy<T extends object, K extends keyof T>(target: T, name: K, build: () => T[K]): void {
  Object.defineProperty(target, name, {
    enumerable: true,
    configurable: true,
    get: () => {
      const value = build();
      Object.defineProperty(target, name, { value, enumerable: true, writable: true });
      return value;
    },
  });
}

export function buildContainer(
  env: FunctionEnv,
  overrides: Partial<Ports> = {},
  clients: AwsClients = awsClients(env),
): Container {
  const c = {
    env,
    clients,
    now: () => new Date(),
    newId: () => randomUUID(),
    randomBytes: (n: number) => randomBytes(n),
    log: (message: string, fields?: Record<string, unknown>) => log('info', message, fields),
  } as unknown as Container;
  let table: Table | undefined;
  const theTable = () => {
    table ??= new Table(clients.dynamo(), required(env, 'TABLE_NAME'));
    return table;
  };
  lazy(c, 'regency', () => regencyFromEnv(env));
  lazy(c, 'calendar', () =>
    createCalendar(c.regency, {
      onProvisionalYear: (year, reason) => log('warn', 'provisional holiday calendar', { year, reason }),
    }),
  );
  lazy(
    c,
    'metric',
    () => (name, properties) => emitMetric(env.METRICS_NAMESPACE, name, c.regency.id, properties),
  );
  lazy(c, 'applications', () => new DynamoApplications(theTable()));
  lazy(c, 'stages', () => new DynamoStages(theTable()));
  lazy(c, 'links', () => new DynamoOfficialLinks(theTable()));
  lazy(c, 'publicBaseUrl', () => (env.API_BASE_URL ?? c.regency.mail.publicBaseUrl).replace(/\/+$/, ''));
  lazy(c, 'documents', () => new DynamoDocuments(theTable()));
  lazy(c, 'audit', () => new DynamoAuditTrail(theTable()));
  lazy(c, 'surveys', () => new DynamoSurveys(theTable()));
  lazy(c, 'complaints', () => new DynamoComplaints(theTable()));
  lazy(c, 'rateLimits', () => new DynamoRateLimiter(theTable()));
  lazy(c, 'sequences', () => new DynamoSequences(theTable()));
  lazy(c, 'changes', () => new DynamoChanges(theTable()));
  lazy(c, 'outbox', () => new DynamoOutbox(theTable()));
  lazy(c, 'files', () => new S3DocumentBucket(clients.s3(), required(env, 'DOCUMENTS_BUCKET')));
  lazy(c, 'workflows', () => new SfnWorkflowRunner(clients.sfn(), (code) => stateMachineArnOf(env, code)));
  lazy(c, 'tasks', () => new SfnTaskCallbacks(clients.sfn()));
  lazy(c, 'mailer', () => new SesMailer(clients.ses(), c.regency.mail.sender, env.MAIL_CONFIGURATION_SET));
  lazy(c, 'permits', () => new DynamoPermits(theTable(), c.regency.id));
  lazy(c, 'publicApiBaseUrl', () => env.API_BASE_URL ?? c.regency.mail.publicBaseUrl);
  lazy(c, 'signer', () => {
    // KMS in the cloud; the local stack's key file otherwise (local/env.ts sets SIGNING_KEY_FILE).
    if (env.SIGNING_KEY_ID !== undefined) return new KmsSigner(new KMSClient({}), env.SIGNING_KEY_ID);
    if (env.SIGNING_KEY_FILE !== undefined) return fileKeySigner(env.SIGNING_KEY_FILE);
    return new KmsSigner(new KMSClient({}), required(env, 'SIGNING_KEY_ID'));
  });
  lazy(c, 'keyedHash', () => {
    // A KMS HMAC key in the cloud; the local stack's key file otherwise (local/env.ts sets KEYED_HASH_KEY_FILE).
    if (env.KEYED_HASH_KEY_ID !== undefined)
      return new KmsKeyedHash(new KMSClient({}), env.KEYED_HASH_KEY_ID);
    if (env.KEYED_HASH_KEY_FILE !== undefined) return new FileKeyKeyedHash(env.KEYED_HASH_KEY_FILE);
    return new KmsKeyedHash(new KMSClient({}), required(env, 'KEYED_HASH_KEY_ID'));
  });
  for (const [name, value] of Object.entries(overrides))
    Object.defineProperty(c, name, { value, enumerable: true, writable: true, configurable: true });
  return c;
}

let current: Container | undefined;

/** The running function's container, built at its first use from `process.env`. */
export function container(): Container {
  current ??= buildContainer(parseEnv(process.env));
  return current;
}

/** In-process runs (local API server, workflow tests): the handlers of this process use `c`. */
export function useContainer(c: Container): void {
  current = c;
}
