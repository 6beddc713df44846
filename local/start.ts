/**
 * `npm start`: the whole product on this machine. See local/README.md.
 *
 * Stopping: Ctrl-C, SIGTERM or SIGHUP stop every child and exit. If this process is killed outright
 * (SIGKILL), the children notice their stdin pipe closing and stop by themselves. If the npm process
 * that started this one dies, this process notices within a second and stops too.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { routes } from '#api/routes.ts';
import { renderBanner } from './banner.ts';
import { DEFAULT_PORTS, PORT_OVERRIDES, parsePort, SERVICES, type ServiceName } from './ports.ts';
import { describeExit, isAlive, LaunchError } from './processes.ts';
import { DEFAULT_DATA_DIR, DEFAULT_REGENCY, type RunningStack, startStack } from './stack.ts';

const USAGE = `Usage: npm start -- [options]

  --regency <id>         regency to run (default ${DEFAULT_REGENCY}; env SATUPINTU_REGENCY)
  --fresh                wipe the data directory first
  --data-dir <dir>       where data is kept (default .local; env SATUPINTU_DATA_DIR)
${SERVICES.map((s) => `  --${`${PORT_OVERRIDES[s].flag} <n>`.padEnd(21)}default ${DEFAULT_PORTS[s]}; env ${PORT_OVERRIDES[s].envVar}`).join('\n')}
  --quiet                do not echo the children's output
  -h, --help             this text`;

function fail(message: string, code = 1): never {
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(code);
}

function readOptions() {
  let parsed: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs({
      options: {
        regency: { type: 'string' },
        fresh: { type: 'boolean' },
        'data-dir': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(SERVICES.map((s) => [PORT_OVERRIDES[s].flag, { type: 'string' as const }])),
      },
      allowPositionals: false,
    });
  try {
    parsed = parse();
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const ports: Partial<Record<ServiceName, number>> = {};
  for (const service of SERVICES) {
    const { flag, envVar } = PORT_OVERRIDES[service];
    const fromFlag = values[flag];
    const fromEnv = process.env[envVar];
    if (typeof fromFlag === 'string') ports[service] = parsePort(fromFlag, `--${flag}`);
    else if (fromEnv !== undefined && fromEnv !== '') ports[service] = parsePort(fromEnv, envVar);
  }
  const dataDir = (values['data-dir'] as string | undefined) ?? process.env.SATUPINTU_DATA_DIR;
  return {
    regency: (values.regency as string | undefined) ?? process.env.SATUPINTU_REGENCY ?? DEFAULT_REGENCY,
    fresh: values.fresh === true,
    dataDir: dataDir === undefined ? DEFAULT_DATA_DIR : resolve(dataDir),
    quiet: values.quiet === true,
    ports,
  };
}

/** Parent pid of a process, from /proc (Linux); undefined elsewhere or when it is gone. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: parse after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * The processes between this one and the `npm` that ran `npm start` (sh, the tsx CLI, npm itself).
 * Killing npm with SIGKILL would otherwise leave this launcher running under a shell that no longer
 * waits for it; the same holds for the tsx CLI when run without npm.
 */
function launchChain(): number[] {
  const chain: number[] = [];
  let pid = process.ppid;
  const npmCli = process.env.npm_execpath;
  for (let depth = 0; depth < 4 && pid > 1; depth++) {
    chain.push(pid);
    const cmd = commandLine(pid);
    if (npmCli === undefined || cmd.includes(npmCli) || /(^|\/)npm(\s|$)/.test(cmd)) break;
    const parent = parentOf(pid);
    if (parent === undefined) break;
    pid = parent;
  }
  return chain;
}

async function main(): Promise<void> {
  const options = readOptions();
  // The banner says it once instead (see banner.ts); children get the same setting from local/env.ts.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const quiet = options.quiet;
  let stack: RunningStack | undefined;
  let stopping = false;

  const stop = async (reason: string, code: number): Promise<void> => {
    if (stopping) {
      // A second Ctrl-C: leave now; the children stop on their own when our pipes close.
      process.exit(code);
    }
    stopping = true;
    process.stderr.write(`\nnpm start: ${reason}: stopping the local stack...\n`);
    await stack?.stop();
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      // During start-up there is no stack object yet: exiting closes the children's pipes, which stops them.
      if (stack === undefined) process.exit(130);
      void stop(`received ${signal}`, 0);
    });
  }
  const chain = launchChain();
  const initialParent = process.ppid;
  setInterval(() => {
    if (process.ppid !== initialParent || chain.some((pid) => !isAlive(pid))) {
      if (stack === undefined) process.exit(1);
      void stop('the process that started npm start is gone', 1);
    }
  }, 1000).unref();

  process.stdout.write(`Starting the local stack for ${options.regency}...\n`);
  stack = await startStack({
    regency: options.regency,
    dataDir: options.dataDir,
    fresh: options.fresh,
    ports: options.ports,
    onOutput: quiet ? undefined : (child, line) => process.stdout.write(`[${child}] ${line}\n`),
    onProgress: quiet ? undefined : (line) => process.stdout.write(`  ${line}\n`),
  });
  process.stdout.write(
    `${renderBanner(stack.endpoints, routes, { cwd: process.cwd(), nodeVersion: process.version })}\n`,
  );
  const exit = await stack.unexpectedExit;
  await stop(`${exit.label} exited unexpectedly (${describeExit(exit.info)})`, 1);
}

main().catch((error: unknown) => {
  if (error instanceof LaunchError) fail(error.message);
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
});
