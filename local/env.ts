/**
 * The one place that decides how product code (HTTP handlers, workflow functions, tests, the demo) is
 * pointed at the local emulators. Product code reads only standard AWS SDK settings and its own
 * configuration variables, so the same code runs unchanged against AWS.
 */
import { join } from 'node:path';
import { type ENV, STATE_MACHINE_ARN } from '#runtime/env.ts';

/** Jakarta, the region a deployment in Indonesia uses; DynamoDB Local runs with `-sharedDb`, so it is only a label there. */
export const LOCAL_REGION = 'ap-southeast-3';

/**
 * Dummy credentials. s3rver checks signatures against its fixed key pair S3RVER/S3RVER; DynamoDB
 * Local (with `-sharedDb`) and aws-ses-v2-local accept any signed request, so one pair serves all.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** The 12-digit account id used in local ARNs (state machines, functions). */
export const LOCAL_ACCOUNT_ID = '000000000000';

export interface LocalEndpointUrls {
  dynamodb: string;
  s3: string;
  ses: string;
  /** Absent when the local Step Functions service is not available (yet). */
  sfn?: string;
  api: string;
}

/**
 * State machine name of a permit's workflow: the same as infra/constructs/workflows.ts
 * `stateMachineName`, so ARNs have the deployed shape.
 */
export function stateMachineName(regencyId: string, permitCode: string): string {
  return `Satupintu-${regencyId}-${permitCode}`;
}

/** The ARN the local Step Functions service gives a state machine. */
export function localStateMachineArn(name: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${name}`;
}

/** Names of the regency's resources in the local stack. */
export function localResourceNames(regencyId: string): { tableName: string; documentsBucket: string } {
  return { tableName: `satupintu-${regencyId}`, documentsBucket: `satupintu-${regencyId}-documents` };
}

/**
 * Environment given to every process that runs product code.
 *
 * - `AWS_ENDPOINT_URL_<SERVICE>`: honoured by AWS SDK v3 (checked with client 3.1169: the suffix is
 *   the client's `serviceId` upper-cased: DYNAMODB, S3, SESV2, SFN), so product code needs no local
 *   branch to find the emulators.
 * - S3 clients must still set `forcePathStyle: true` when `SATUPINTU_LOCAL=1` (no SDK variable
 *   exists for it and `<bucket>.127.0.0.1` does not resolve).
 * - `API_BASE_URL`: the public URL of the HTTP API, for links in e-mail.
 * - `STATE_MACHINE_ARN_<CODE>`: one per permit type, as deployed functions get them. Local ARNs are
 *   known before the state machines exist, so processes can start in parallel with their creation.
 */
export function productEnv(
  urls: LocalEndpointUrls,
  regencyId: string,
  permitCodes: readonly string[] = [],
  /** The stack's data directory: where the permit-signing and keyed-hash key files live. */
  dataDir?: string,
): Record<string, string> {
  const { tableName, documentsBucket } = localResourceNames(regencyId);
  // The functions' own variables, named by their env contract (functions/runtime/env.ts).
  const contract: { [K in keyof typeof ENV]?: string } = {
    TABLE_NAME: tableName,
    DOCUMENTS_BUCKET: documentsBucket,
    REGENCY_ID: regencyId,
    API_BASE_URL: urls.api,
    SATUPINTU_LOCAL: '1',
    // KMS is not emulated: permits are signed, and NIKs hashed, with key files in the data directory.
    ...(dataDir === undefined
      ? {}
      : {
          SIGNING_KEY_FILE: join(dataDir, 'signing-key.pem'),
          KEYED_HASH_KEY_FILE: join(dataDir, 'keyed-hash.key'),
        }),
  };
  const stateMachines =
    urls.sfn === undefined
      ? {}
      : Object.fromEntries(
          permitCodes.map((code) => [
            STATE_MACHINE_ARN.nameFor(code),
            localStateMachineArn(stateMachineName(regencyId, code)),
          ]),
        );
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: urls.dynamodb,
    AWS_ENDPOINT_URL_S3: urls.s3,
    AWS_ENDPOINT_URL_SESV2: urls.ses,
    ...(urls.sfn === undefined ? {} : { AWS_ENDPOINT_URL_SFN: urls.sfn }),
    // The SDK's Node 20 deprecation notice would print once per child; the launcher's banner says it once.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...contract,
    ...stateMachines,
  };
}

/**
 * Variables that must not leak from the developer's shell into product processes: a real profile or
 * session token would otherwise be preferred by the SDK's credential chain, and a stray global
 * endpoint would redirect services we do not emulate.
 */
export const SCRUBBED_ENV_VARS = [
  'AWS_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_ENDPOINT_URL',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
] as const;

/** `base` without the scrubbed variables, plus `extra`. */
export function childEnv(base: NodeJS.ProcessEnv, extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && !(SCRUBBED_ENV_VARS as readonly string[]).includes(key)) env[key] = value;
  }
  return { ...env, ...extra };
}
