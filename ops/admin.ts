/**
 * `npm run admin -- <command>`: the operator's commands until the administrators' console exists. Each
 * calls the same use case the console will call, through the same ports, and is audited under the
 * operator's name.
 *
 * Where it acts:
 * - by default, the local stack `npm start` is running (its endpoints.json in the data directory);
 * - with `--stack <name>` (e.g. Satupintu-kota-bengkulu), a deployed regency stack, with the operator's
 *   own AWS credentials (the usual chain: AWS_PROFILE, SSO, ...). The stack's outputs name the table,
 *   bucket and state machines. The operator needs the same permissions the product's functions have on
 *   them (DynamoDB read/write, S3 read, SES send, SendTaskSuccess).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { RequestError } from '#core/domain/request-errors.ts';
import { exportTrail } from '#core/use-cases/audit-trail.ts';
import { reassign } from '#core/use-cases/official-decisions.ts';
import { sweepOutbox } from '#core/use-cases/outbox-sweeper.ts';
import { revokePermit } from '#core/use-cases/verification.ts';
import { buildContainer, type Container } from '#runtime/container.ts';
import { parseEnv, STATE_MACHINE_ARN } from '#runtime/env.ts';

const USAGE = `Usage: npm run admin -- <command> [arguments] [options]

Commands:
  reassign <tracking code> <stage id> <official id>
      Hand a pending stage to an acting official (Plt/Plh): every earlier link of that stage dies at
      once, and the official is mailed their own link. Audited.
  revoke <permit id or number> <reason>
      Revoke an issued permit: the verification page and the QR check say so at once. Audited.
  sweep-outbox
      Send mail left pending by a request that died, and report mail stuck while being sent (what the
      deployed stack's schedule does every 10 minutes; the local stack has no schedule).
  audit <tracking code> [--out <file>]
      Export the application's full audit trail (JSON) and verify its hash chain. Exits 3 when the
      chain is broken (an edited, deleted or inserted record).

Options:
  --stack <name>       act on a deployed stack (e.g. Satupintu-kota-bengkulu) with your AWS credentials
  --regency <id>       the stack's regency (default: from the stack name)
  --data-dir <dir>     the local stack's data directory (default .local; env SATUPINTU_DATA_DIR)
  --as <name>          the operator's name in the audit trail (default: your login name)
  -h, --help           this text`;

export class AdminError extends Error {}

const DEFAULT_DATA_DIR = resolve(import.meta.dirname, '..', '.local');

/** The environment of the running local stack's product processes (npm start writes it). */
export function localEnvironment(dataDir: string): Record<string, string> {
  const file = join(dataDir, 'endpoints.json');
  if (!existsSync(file))
    throw new AdminError(
      `no running local stack: ${file} does not exist. Start it with \`npm start\`, or act on a deployed stack with --stack <name>.`,
    );
  const endpoints = JSON.parse(readFileSync(file, 'utf8')) as { env?: Record<string, string> };
  if (endpoints.env === undefined) throw new AdminError(`${file} has no environment: restart npm start.`);
  return endpoints.env;
}

/** A deployed stack's outputs as the functions' environment (functions/runtime/env.ts names). */
export function stackEnvironment(
  outputs: ReadonlyArray<{ OutputKey?: string; OutputValue?: string }>,
  regencyId: string,
  permitCodes: readonly string[],
): Record<string, string> {
  const value = (key: string): string | undefined => outputs.find((o) => o.OutputKey === key)?.OutputValue;
  const required = (key: string): string => {
    const found = value(key);
    if (found === undefined)
      throw new AdminError(`the stack has no output ${key}: is it a satupintu regency stack?`);
    return found;
  };
  const env: Record<string, string> = {
    TABLE_NAME: required('TableName'),
    DOCUMENTS_BUCKET: required('DocumentsBucketName'),
    REGENCY_ID: regencyId,
    API_BASE_URL: required('ApiUrl').replace(/\/+$/, ''),
  };
  const configurationSet = value('MailConfigurationSet');
  if (configurationSet !== undefined) env.MAIL_CONFIGURATION_SET = configurationSet;
  for (const code of permitCodes) {
    const arn = value(`StateMachineArn${code.replace(/[^A-Za-z0-9]/g, '')}`);
    if (arn !== undefined) env[STATE_MACHINE_ARN.nameFor(code)] = arn;
  }
  return env;
}

async function containerFor(values: {
  stack?: string;
  regency?: string;
  'data-dir'?: string;
}): Promise<Container> {
  if (values.stack === undefined) {
    const env = localEnvironment(
      resolve(values['data-dir'] ?? process.env.SATUPINTU_DATA_DIR ?? DEFAULT_DATA_DIR),
    );
    // The SDK finds the emulators through AWS_ENDPOINT_URL_<SERVICE> and the local credentials.
    Object.assign(process.env, env);
    return buildContainer(parseEnv(env));
  }
  const regencyId = values.regency ?? values.stack.replace(/^Satupintu-/, '');
  const cloudFormation = new CloudFormationClient({});
  const described = await cloudFormation.send(new DescribeStacksCommand({ StackName: values.stack }));
  const outputs = described.Stacks?.[0]?.Outputs ?? [];
  const local = buildContainer(parseEnv({ REGENCY_ID: regencyId }));
  const codes = local.regency.permits.map((p) => p.code);
  return buildContainer(parseEnv(stackEnvironment(outputs, regencyId, codes)));
}

const REASSIGN_MESSAGES = {
  'unknown-application': 'no application has this tracking code',
  'unknown-official': 'no official with this id in the regency configuration',
  'not-pending': 'the application is not waiting at this stage',
} as const;

export async function runAdmin(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      stack: { type: 'string' },
      regency: { type: 'string' },
      'data-dir': { type: 'string' },
      as: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  if (values.help === true || command === undefined) {
    print(USAGE);
    return command === undefined && values.help !== true ? 2 : 0;
  }
  const operator = `operator:${values.as ?? userInfo().username}`;
  if (command === 'reassign') {
    const [trackingCode, stageId, officialId] = args;
    if (trackingCode === undefined || stageId === undefined || officialId === undefined)
      throw new AdminError('reassign needs <tracking code> <stage id> <official id>');
    const ports = await containerFor(values);
    const result = await reassign(ports, {
      trackingCode,
      stageId,
      officialId,
      actor: operator,
      at: ports.now(),
      from: { userAgent: 'satupintu-admin' },
    });
    if (result.kind !== 'reassigned') {
      const where =
        result.kind === 'not-pending' && result.currentStage !== undefined
          ? ` (it waits at ${result.currentStage})`
          : '';
      throw new AdminError(`${REASSIGN_MESSAGES[result.kind]}${where}`);
    }
    print(
      `reassigned ${trackingCode} ${stageId} to ${officialId}: earlier links revoked, ${result.mailIds.length} mail sent`,
    );
    return 0;
  }
  if (command === 'revoke') {
    const [ref, ...words] = args;
    const reason = words.join(' ').trim();
    if (ref === undefined || reason === '')
      throw new AdminError('revoke needs <permit id or number> <reason>');
    const ports = await containerFor(values);
    try {
      const result = await revokePermit(ports, { ref, reason, actor: operator, at: ports.now() });
      print(
        result.revoked === 'now'
          ? `revoked ${result.permit.permit.number}: ${reason}`
          : `${result.permit.permit.number} was revoked before (${result.permit.revoked?.reason ?? ''}); nothing changed`,
      );
      return 0;
    } catch (error) {
      if (error instanceof RequestError) throw new AdminError(error.detail);
      throw error;
    }
  }
  if (command === 'sweep-outbox') {
    const ports = await containerFor(values);
    const result = await sweepOutbox(ports, ports.now());
    print(
      `outbox swept: ${result.delivered.length} delivered, ${result.failed.length} refused by the mail service, ${result.reported.length} stuck reported`,
    );
    return result.failed.length === 0 ? 0 : 1;
  }
  if (command === 'audit') {
    const [trackingCode] = args;
    if (trackingCode === undefined) throw new AdminError('audit needs <tracking code>');
    const ports = await containerFor(values);
    const id = await ports.applications.idForTrackingCode(trackingCode);
    if (id === undefined) throw new AdminError('no application has this tracking code');
    const trail = await exportTrail(ports, id);
    const json = `${JSON.stringify(trail, null, 2)}\n`;
    if (values.out !== undefined) writeFileSync(values.out, json);
    else print(json.trimEnd());
    const verdict = trail.verification.valid
      ? `chain verified: ${trail.verification.records} records, unbroken`
      : `CHAIN BROKEN: ${JSON.stringify(trail.verification.problem)}`;
    process.stderr.write(`${verdict}\n`);
    return trail.verification.valid ? 0 : 3;
  }
  throw new AdminError(`unknown command '${command}'\n\n${USAGE}`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  try {
    process.exitCode = await runAdmin(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    process.stderr.write(`npm run admin: ${error.message}\n`);
    process.exitCode = 1;
  }
}
