/**
 * The environment contract: every variable a function reads, the access it implies, and its zod
 * schema. The CDK grant helpers (infra/constructs/grants.ts) set a resource variable together with
 * the permission its access kind names; the local stack (local/env.ts) sets the same names against
 * the emulators; the functions parse it once per cold start (`parseEnv`). No other file reads
 * `process.env` on the functions' side.
 */
import { z } from 'zod';

/** What a function may do. Declared per function in infra/function-access.ts. */
export const ACCESS_KINDS = [
  /** GetItem, BatchGetItem and Query on the table and its GSIs. Never Scan. */
  'table:read',
  /** PutItem, UpdateItem, DeleteItem, BatchWriteItem and ConditionCheckItem (transactions use these). */
  'table:write',
  /** Read document objects and their earlier versions (also what a presigned GET is signed with). */
  'documents:read',
  /** Write document objects (also what a presigned PUT is signed with). */
  'documents:write',
  /** Delete document objects (an upload that failed the server-side checks). */
  'documents:delete',
  /** Start an execution of any of the regency's permit workflows. */
  'workflows:start',
  /** Answer a waiting stage: SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat. */
  'workflows:respond',
  /** Stop an execution of the regency's permit workflows (an applicant withdraws). */
  'workflows:stop',
  /** Send mail from the regency's identity through its configuration set. */
  'mail:send',
  /** Sign with the regency's permit-signing key (kms:Sign, and kms:GetPublicKey for the key id). */
  'signing:sign',
  /** Read the permit-signing key's public half (kms:GetPublicKey): the JWKS and verification. */
  'signing:public-key',
  /** HMAC with the regency's keyed-hash key (kms:GenerateMac): looking people up by NIK. */
  'keyed-hash:generate',
] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

/** A variable of the contract. `access`: the kinds whose grant sets it (none: set for every function). */
interface Variable<S extends z.ZodType> {
  access: readonly AccessKind[];
  schema: S;
  description: string;
}
const variable = <S extends z.ZodType>(v: Variable<S>): Variable<S> => v;

export const ENV = {
  TABLE_NAME: variable({
    access: ['table:read', 'table:write'],
    schema: z.string().min(1).optional(),
    description: 'The regency table.',
  }),
  DOCUMENTS_BUCKET: variable({
    access: ['documents:read', 'documents:write', 'documents:delete'],
    schema: z.string().min(1).optional(),
    description: 'The private documents bucket.',
  }),
  MAIL_CONFIGURATION_SET: variable({
    access: ['mail:send'],
    schema: z.string().min(1).optional(),
    description: 'The SES configuration set mail is sent through (bounces and complaints reach the admins).',
  }),
  SIGNING_KEY_ID: variable({
    access: ['signing:sign', 'signing:public-key'],
    schema: z.string().min(1).optional(),
    description: 'The KMS key (ECC_NIST_P256) that signs permits and their QR codes.',
  }),
  SIGNING_KEY_FILE: variable({
    access: [],
    schema: z.string().min(1).optional(),
    description:
      'Local stack only, instead of SIGNING_KEY_ID: a PKCS#8 PEM key file in the data directory, generated on first use (mode 0600).',
  }),
  KEYED_HASH_KEY_ID: variable({
    access: ['keyed-hash:generate'],
    schema: z.string().min(1).optional(),
    description:
      'The KMS HMAC key (HMAC_256) of the places registers: the NIK is looked up by its HMAC, never stored.',
  }),
  KEYED_HASH_KEY_FILE: variable({
    access: [],
    schema: z.string().min(1).optional(),
    description:
      'Local stack only, instead of KEYED_HASH_KEY_ID: a 32-byte hex key file in the data directory, generated on first use (mode 0600).',
  }),
  SATUPINTU_REGENCY_FILE: variable({
    access: [],
    schema: z.string().min(1).optional(),
    description: 'The validated regency configuration bundled as JSON next to the handler (deployed).',
  }),
  REGENCY_ID: variable({
    access: [],
    schema: z.string().min(1).optional(),
    description: 'The regency id; locally, without SATUPINTU_REGENCY_FILE, names regencies/<id>.yaml.',
  }),
  API_BASE_URL: variable({
    access: [],
    schema: z.url().optional(),
    description: "Public base URL of the API for links; defaults to the regency's mail.publicBaseUrl.",
  }),
  METRICS_NAMESPACE: variable({
    access: [],
    schema: z.string().min(1).default('Satupintu'),
    description: 'CloudWatch namespace of the embedded-format metrics.',
  }),
  SATUPINTU_LOCAL: variable({
    access: [],
    schema: z.enum(['0', '1']).default('0'),
    description: '1 in the local stack (S3 path-style addressing).',
  }),
} as const;

/** One per permit type (`STATE_MACHINE_ARN_<CODE>`, a hyphen in a code becoming an underscore). */
export const STATE_MACHINE_ARN = {
  prefix: 'STATE_MACHINE_ARN_',
  access: ['workflows:start'] as readonly AccessKind[],
  nameFor: (permitCode: string): string => `STATE_MACHINE_ARN_${permitCode.replace(/-/g, '_')}`,
};

/** The variables the grant of `access` sets, for a regency with these permit codes (infra and its tests). */
export function variablesOf(access: AccessKind, permitCodes: readonly string[]): string[] {
  const names = Object.entries(ENV)
    .filter(([, v]) => (v.access as readonly AccessKind[]).includes(access))
    .map(([name]) => name);
  return STATE_MACHINE_ARN.access.includes(access)
    ? [...names, ...permitCodes.map(STATE_MACHINE_ARN.nameFor)]
    : names;
}

const envSchema = z.object(
  Object.fromEntries(Object.entries(ENV).map(([name, v]) => [name, v.schema])) as {
    [K in keyof typeof ENV]: (typeof ENV)[K]['schema'];
  },
);

export type FunctionEnv = z.infer<typeof envSchema> & {
  /** Variable name (`STATE_MACHINE_ARN_<CODE>`) -> state machine ARN. */
  stateMachineArns: Readonly<Record<string, string>>;
};

/** Parses the environment; a misconfiguration fails at cold start with the variable's name. */
export function parseEnv(env: NodeJS.ProcessEnv): FunctionEnv {
  const parsed = envSchema.parse(env);
  const stateMachineArns = Object.fromEntries(
    Object.entries(env)
      .filter(
        ([name, value]) => name.startsWith(STATE_MACHINE_ARN.prefix) && value !== undefined && value !== '',
      )
      .map(([name, value]) => [name, value as string]),
  );
  return { ...parsed, stateMachineArns };
}

/** The ARN of a permit's state machine; its absence means the function may not start workflows. */
export function stateMachineArnOf(env: FunctionEnv, permitCode: string): string {
  const name = STATE_MACHINE_ARN.nameFor(permitCode);
  const arn = env.stateMachineArns[name];
  if (arn === undefined) throw new Error(`${name} is not set: the function cannot start ${permitCode}`);
  return arn;
}

/** A variable a function needs for what it is doing now; its absence means a missing grant. */
export function required<K extends keyof FunctionEnv>(
  env: FunctionEnv,
  name: K,
): NonNullable<FunctionEnv[K]> {
  const value = env[name];
  if (value === undefined || value === '')
    throw new Error(`${String(name)} is not set: the function is not granted the access that sets it`);
  return value as NonNullable<FunctionEnv[K]>;
}
