/**
 * The whole product on one machine, started and stopped from code: used by `npm start`
 * (local/start.ts), the integration-test harness and the start-up benchmark, so all three run the
 * very same stack.
 *
 * Children (all bound to 127.0.0.1, all started in parallel):
 *   dynamodb  DynamoDB Local (Java), through the supervisor wrapper
 *   s3        s3rver
 *   ses       aws-ses-v2-local and its web mailbox
 *   sfn       the local Step Functions service (local/sfn/)
 *   api       the local HTTP API (local/api-server.ts)
 * then the regency's resources: the table, the documents bucket, one state machine per permit.
 */
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listRegencyIds, loadRegency, RegencyConfigError } from '#config/load.ts';
import type { Regency } from '#config/regency-schema.ts';
import {
  childEnv,
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
  type LocalEndpointUrls,
  localResourceNames,
  productEnv,
  stateMachineName,
} from './env.ts';
import {
  assertPortsFree,
  DEFAULT_PORTS,
  pickFreePorts,
  portHint,
  SERVICE_LABELS,
  type ServiceName,
} from './ports.ts';
import {
  type ChildSpec,
  type ExitInfo,
  isAlive,
  LaunchError,
  type OutputSink,
  type RunningChild,
  startChild,
  stopInOrder,
} from './processes.ts';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
/** Kota Bengkulu: the first regency configured, and the one the demo and the README walk through. */
export const DEFAULT_REGENCY = 'kota-bengkulu';
export const DEFAULT_DATA_DIR = join(REPO_ROOT, '.local');

/** Written in every data directory the launcher creates; `--fresh` wipes only directories that have it. */
const DATA_DIR_MARKER = '.satupintu-local';
const LOCK_FILE = 'launcher.pid';
export const ENDPOINTS_FILE = 'endpoints.json';

export interface StackOptions {
  regency?: string;
  /** Absolute path; created if missing. */
  dataDir: string;
  /** Wipe the data directory first. */
  fresh?: boolean;
  /** DynamoDB Local keeps tables in memory (tests): faster, nothing written. */
  inMemoryDynamoDb?: boolean;
  /** Fixed ports (missing ones take the defaults), or `'free'` for ports chosen by the kernel (tests). */
  ports?: Partial<Record<ServiceName, number>> | 'free';
  /** Every line the children print. */
  onOutput?: OutputSink;
  /** Progress lines of the launcher itself. */
  onProgress?: (line: string) => void;
}

export interface StackEndpoints {
  regency: string;
  region: string;
  dataDir: string;
  startedAt: string;
  api: { url: string; openapiUrl: string };
  /** aws-ses-v2-local: the SES API, the web mailbox at `url`, the mail as JSON at `storeUrl`. */
  mailbox: { url: string; storeUrl: string };
  dynamodb: { url: string; dataDir: string | null; tableName: string };
  s3: { url: string; dataDir: string; bucket: string };
  sfn: { url: string; dataDir: string; clockUrl: string; stateMachines: Record<string, string> } | null;
  /** The environment product code runs with (see local/env.ts). */
  env: Record<string, string>;
  /** Process ids: `launcher` and one per child. */
  processes: Record<string, number>;
  /** Things that are not there yet, to show in the banner. */
  notes: string[];
  /** Milliseconds from the call to ready. */
  startupMs: number;
}

export interface RunningStack {
  endpoints: StackEndpoints;
  /** Settles when a child exits while the stack is meant to be running. */
  unexpectedExit: Promise<{ name: string; label: string; info: ExitInfo }>;
  /** Stops every child (SIGTERM, then SIGKILL after a grace period). Safe to call twice. */
  stop(): Promise<void>;
}

/** Checks the id against `regencies/` and loads it, so a typo fails before anything starts. */
export function resolveRegency(id: string): { regency: Regency; warnings: string[] } {
  const ids = listRegencyIds();
  if (!ids.includes(id)) {
    throw new LaunchError(
      `Unknown regency '${id}'. Configured regencies (regencies/*.yaml): ${ids.join(', ')}.`,
    );
  }
  try {
    const loaded = loadRegency(id);
    return { regency: loaded.regency, warnings: loaded.warnings };
  } catch (error) {
    if (error instanceof RegencyConfigError) throw new LaunchError(error.message);
    throw error;
  }
}

export function findJava(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    ...(env.JAVA_HOME ? [join(env.JAVA_HOME, 'bin', 'java')] : []),
    ...(env.PATH ?? '')
      .split(delimiter)
      .filter((dir) => dir !== '')
      .map((dir) => join(dir, 'java')),
  ];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

export const JAVA_MISSING_MESSAGE =
  'DynamoDB Local needs Java 11 or newer, and no `java` was found (JAVA_HOME or PATH). ' +
  'Install a JRE, e.g. on Debian or Ubuntu: sudo apt-get install openjdk-17-jre-headless';

function dynamoDbEmulatorDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

function prepareDataDir(dataDir: string, fresh: boolean): void {
  if (fresh && existsSync(dataDir)) {
    const empty = readdirSync(dataDir).length === 0;
    if (!empty && !existsSync(join(dataDir, DATA_DIR_MARKER))) {
      throw new LaunchError(
        `Refusing to wipe ${dataDir}: it was not created by npm start (no ${DATA_DIR_MARKER} file in it).`,
      );
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Applicants' test data, mail and the token secret: only the developer may read them.
  chmodSync(dataDir, 0o700);
  if (!existsSync(join(dataDir, DATA_DIR_MARKER))) {
    writeFileSync(
      join(dataDir, DATA_DIR_MARKER),
      'Data of the satupintu local stack (npm start). Delete it, or run npm start -- --fresh, to start empty.\n',
    );
  }
  for (const sub of ['dynamodb', 's3', 'sfn']) mkdirSync(join(dataDir, sub), { recursive: true });
}

/** One launcher per data directory: two DynamoDB Locals on one SQLite file would corrupt it. */
function takeLock(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new LaunchError(
        `Another local stack (process ${pid}) is using ${dataDir}. Stop it first, or use --data-dir.`,
      );
    }
  }
  writeFileSync(file, `${process.pid}\n`);
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
    } catch {
      // Already gone.
    }
  };
}

async function resolvePorts(
  requested: StackOptions['ports'],
  services: ServiceName[],
): Promise<Record<ServiceName, number>> {
  if (requested === 'free') return pickFreePorts();
  const ports = { ...DEFAULT_PORTS, ...requested };
  await assertPortsFree(ports, services);
  return ports;
}

/** Runs one set-up step; a failure names the step and the service's error (its log lines precede it). */
async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new LaunchError(`Failed ${what}: ${detail}`);
  }
}

const node = (script: string, args: string[]): { command: string; args: string[] } => ({
  command: process.execPath,
  // The tsx loader in-process (not the tsx CLI, which would add a second Node process per child).
  args: ['--import', 'tsx', join(REPO_ROOT, script), ...args],
});

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const t0 = performance.now();
  const progress = options.onProgress ?? (() => {});
  const sink: OutputSink = options.onOutput ?? (() => {});
  const regencyId = options.regency ?? DEFAULT_REGENCY;
  const { regency } = resolveRegency(regencyId);
  const java = findJava();
  if (java === undefined) throw new LaunchError(JAVA_MISSING_MESSAGE);
  const notes: string[] = [];

  const dataDir = resolve(options.dataDir);
  prepareDataDir(dataDir, options.fresh === true);
  const releaseLock = takeLock(dataDir);
  rmSync(join(dataDir, ENDPOINTS_FILE), { force: true });

  const services: ServiceName[] = ['api', 'ses', 'dynamodb', 's3', 'sfn'];
  let ports: Record<ServiceName, number>;
  try {
    ports = await resolvePorts(options.ports, services);
  } catch (error) {
    releaseLock();
    throw error;
  }
  const url = (service: ServiceName): string => `http://127.0.0.1:${ports[service]}`;
  const urls: LocalEndpointUrls = {
    dynamodb: url('dynamodb'),
    s3: url('s3'),
    ses: url('ses'),
    api: url('api'),
    sfn: url('sfn'),
  };
  const env = productEnv(
    urls,
    regencyId,
    regency.permits.map((p) => p.code),
    dataDir,
  );
  const { tableName, documentsBucket } = localResourceNames(regencyId);
  const dirs = {
    dynamodb: options.inMemoryDynamoDb ? null : join(dataDir, 'dynamodb'),
    s3: join(dataDir, 's3'),
    sfn: join(dataDir, 'sfn'),
    /** The mailbox's mail file (`mail.jsonl`), so mail survives restarts and crashes like the rest. */
    ses: join(dataDir, 'ses'),
  };
  // Emulators get the parent's environment minus AWS settings that could point them elsewhere.
  const baseEnv = childEnv(process.env, {});
  const productProcessEnv = childEnv(process.env, env);

  /** A Node child that takes `--port` and says when it is ready on one line of its output. */
  const nodeChild = (
    name: Exclude<ServiceName, 'dynamodb'>,
    script: string,
    args: string[],
    childEnvironment: Record<string, string>,
  ): ChildSpec => ({
    name,
    label: SERVICE_LABELS[name],
    ...node(script, ['--port', String(ports[name]), ...args]),
    env: childEnvironment,
    cwd: REPO_ROOT,
    readiness: { kind: 'line' },
    port: ports[name],
    portHint: portHint(name),
  });
  const emulator = dynamoDbEmulatorDir();
  const specs: ChildSpec[] = [
    {
      name: 'dynamodb',
      label: SERVICE_LABELS.dynamodb,
      command: process.execPath,
      args: [
        join(REPO_ROOT, 'local', 'emulators', 'supervise.mjs'),
        java,
        // Start-up matters more than peak speed for a local emulator (measured here: 2 s -> 1.5 s).
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseSerialGC',
        `-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`,
        '-Dorg.eclipse.jetty.util.log.announce=false',
        '-Dorg.eclipse.jetty.LEVEL=WARN',
        '-cp',
        join(emulator, 'DynamoDBLocal.jar'),
        // DynamoDB Local's own main binds every interface and has no option against it; this Jetty XML
        // builds the same server (same handler classes, -sharedDb) on 127.0.0.1 only.
        'org.eclipse.jetty.xml.XmlConfiguration',
        `port=${ports.dynamodb}`,
        `inMemory=${dirs.dynamodb === null}`,
        ...(dirs.dynamodb === null ? [] : [`dbPath=${dirs.dynamodb}`]),
        join(REPO_ROOT, 'local', 'emulators', 'dynamodb-local.xml'),
      ],
      // No telemetry: it is only sent when DDB_LOCAL_TELEMETRY is set to something other than 0.
      env: { ...baseEnv, DDB_LOCAL_TELEMETRY: '0' },
      cwd: REPO_ROOT,
      readiness: {
        kind: 'http',
        url: url('dynamodb'),
        // An unsigned request gets DynamoDB's own error: proof that it is DynamoDB Local answering.
        accept: (status, body) => status === 400 && body.includes('MissingAuthenticationToken'),
      },
      port: ports.dynamodb,
      portHint: portHint('dynamodb'),
      portInUsePattern: /Address already in use|Failed to bind/,
    },
    nodeChild('s3', 'local/emulators/s3-server.ts', ['--directory', dirs.s3], baseEnv),
    nodeChild('ses', 'local/emulators/ses-server.ts', ['--data-dir', dirs.ses], baseEnv),
    nodeChild(
      'api',
      'local/api-server.ts',
      ['--function-prefix', `satupintu-${regencyId}`],
      productProcessEnv,
    ),
    nodeChild(
      'sfn',
      'local/sfn/main.ts',
      [
        '--data-dir',
        dirs.sfn,
        '--functions',
        join(REPO_ROOT, 'local', 'functions-registry.ts'),
        '--exit-with-stdin',
        '--region',
        LOCAL_REGION,
        '--account-id',
        LOCAL_ACCOUNT_ID,
      ],
      productProcessEnv,
    ),
  ];

  // Loading the SDK takes a few hundred milliseconds: do it while the children start.
  const modules = Promise.all([import('./resources.ts'), import('./clients.ts')]);
  modules.catch(() => {});
  progress(`starting ${specs.map((s) => s.label).join(', ')}`);
  const started = await Promise.allSettled(
    specs.map(async (spec) => {
      const child = await startChild(spec, sink);
      progress(`${spec.label} ready after ${Math.round(performance.now() - t0)} ms`);
      return child;
    }),
  );
  const children = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => {
    // The product's processes first, the emulators they write to after (processes.ts STOP_FIRST).
    stopping ??= stopInOrder(children).then(() => {
      releaseLock();
      rmSync(join(dataDir, ENDPOINTS_FILE), { force: true });
    });
    return stopping;
  };
  const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await stopAll();
    throw failure.reason;
  }
  const byName = new Map<string, RunningChild>(children.map((c) => [c.name, c]));

  let endpoints: StackEndpoints;
  try {
    const [resources, clients] = await modules;
    const sdk = clients.localClients({ dynamodb: urls.dynamodb, s3: urls.s3, sfn: urls.sfn });
    const [table, bucket, machines] = await Promise.all([
      step(`creating the table ${tableName} in DynamoDB Local`, () =>
        resources.ensureTable(sdk.dynamodb, tableName),
      ),
      step(`creating the bucket ${documentsBucket} in s3rver`, () =>
        resources.ensureBucket(sdk.s3, documentsBucket),
      ),
      step('creating the state machines in the local Step Functions service', async () =>
        sdk.sfn === undefined
          ? undefined
          : resources.createStateMachines({
              client: sdk.sfn,
              regency,
              name: (code) => stateMachineName(regencyId, code),
            }),
      ),
    ]).finally(() => sdk.destroy());
    progress(`table ${tableName}: ${table}; bucket ${documentsBucket}: ${bucket}`);
    if (machines === undefined)
      notes.push('Workflows: not created: the local Step Functions service is not running');
    else progress(`state machines: ${[...machines.values()].join(', ') || 'none'}`);

    const sfnChild = byName.get('sfn');
    endpoints = {
      regency: regencyId,
      region: env.AWS_REGION as string,
      dataDir,
      startedAt: new Date().toISOString(),
      api: { url: urls.api, openapiUrl: `${urls.api}/openapi.json` },
      mailbox: { url: urls.ses, storeUrl: `${urls.ses}/store` },
      dynamodb: { url: urls.dynamodb, dataDir: dirs.dynamodb, tableName },
      s3: { url: urls.s3, dataDir: dirs.s3, bucket: documentsBucket },
      sfn:
        sfnChild === undefined
          ? null
          : {
              url: sfnChild.url,
              dataDir: dirs.sfn,
              clockUrl: `${sfnChild.url}/_local/clock`,
              stateMachines: Object.fromEntries(machines ?? []),
            },
      env,
      processes: { launcher: process.pid, ...Object.fromEntries(children.map((c) => [c.name, c.pid])) },
      notes,
      startupMs: Math.round(performance.now() - t0),
    };
    writeFileSync(join(dataDir, ENDPOINTS_FILE), `${JSON.stringify(endpoints, null, 2)}\n`);
  } catch (error) {
    await stopAll();
    throw error;
  }

  const unexpectedExit = new Promise<{ name: string; label: string; info: ExitInfo }>((resolveExit) => {
    for (const child of children) {
      void child.exited.then((info) => {
        if (stopping === undefined) resolveExit({ name: child.name, label: child.label, info });
      });
    }
  });

  return {
    endpoints,
    unexpectedExit,
    stop: stopAll,
  };
}
