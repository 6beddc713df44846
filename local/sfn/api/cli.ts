/**
 * Runs the local Step Functions service as a process:
 *
 *   node --import tsx local/sfn/main.ts --port <n> --data-dir <dir>
 *        [--functions <module whose default export is a FunctionRegistry>]
 *        [--exit-with-stdin] [--region <r>] [--account-id <12 digits>] [--log-level debug|info|warn|error]
 *
 * Protocol with the launcher (local/emulators/lifeline.ts): exactly one line
 * `{"ready":true,"url":"http://127.0.0.1:<port>"}` on stdout once listening; logs are JSON lines
 * on stderr (handlers' console output included, so stdout stays that one line); exit code 98 when
 * the port is taken; a clean exit on SIGTERM/SIGINT, and on end of stdin with --exit-with-stdin.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { EXIT_PORT_IN_USE } from '../../emulators/lifeline.ts';
import type { FunctionRegistry } from '../lambda/registry.ts';
import { type StepFunctionsService, startStepFunctionsService, stderrLogger } from './service.ts';

const STOP_GRACE_MS = 2000;
// Heap that V8 keeps committed but unused after a burst (thousands of executions started, a
// journal replayed): above this much, a full collection gives it back to the system.
const HEAP_SLACK_TO_COMPACT = 16 * 1024 * 1024;

// V8 grows the young generation to 32 MB under a burst of requests and keeps it: with the heap
// of 10,000 waiting executions at ~45 MB, that slack alone was a quarter of the process. Keeping
// it at its initial size costs a few more minor collections; memory matters more here.
v8.setFlagsFromString('--semi-space-growth-factor=1');
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

function compactIfWasteful(): void {
  const { heapTotal, heapUsed } = process.memoryUsage();
  if (heapTotal - heapUsed > HEAP_SLACK_TO_COMPACT) collect();
}

const writeStdout = process.stdout.write.bind(process.stdout);
// Everything but the ready line goes to stderr, whoever writes it (handlers log with console.log).
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

function fail(message: string, code = 1): never {
  process.stderr.write(`${JSON.stringify({ level: 'error', service: 'local-sfn', message })}\n`);
  process.exit(code);
}

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    functions: { type: 'string' },
    'exit-with-stdin': { type: 'boolean', default: false },
    region: { type: 'string' },
    'account-id': { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
  },
  strict: true,
});

const port = Number(values.port);
if (values.port === undefined || !Number.isInteger(port) || port < 0 || port > 65_535) {
  fail('--port <0-65535> is required');
}
const dataDir = values['data-dir'];
if (!dataDir) fail('--data-dir <directory> is required');
const level = values['log-level'];
if (level !== 'debug' && level !== 'info' && level !== 'warn' && level !== 'error') {
  fail('--log-level must be debug, info, warn or error');
}
const log = stderrLogger(level);

async function loadFunctions(path: string | undefined): Promise<FunctionRegistry> {
  if (!path) {
    log(
      'warn',
      'no --functions module given: every Lambda invocation will fail with Lambda.ResourceNotFoundException',
    );
    return { resolve: async () => undefined };
  }
  const module = (await import(pathToFileURL(resolve(path)).href)) as { default?: unknown };
  const registry = module.default as Partial<FunctionRegistry> | undefined;
  if (!registry || typeof registry.resolve !== 'function') {
    fail(`${path} must export a FunctionRegistry (an object with resolve()) as its default export`);
  }
  return registry as FunctionRegistry;
}

let service: StepFunctionsService | undefined;
let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), STOP_GRACE_MS).unref();
  (service?.close() ?? Promise.resolve()).then(
    () => process.exit(0),
    (error: unknown) => fail(`error while stopping: ${String(error)}`),
  );
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, stop);
if (values['exit-with-stdin']) {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

try {
  const functions = await loadFunctions(values.functions);
  service = await startStepFunctionsService({
    port,
    dataDir: resolve(dataDir),
    functions,
    region: values.region,
    accountId: values['account-id'],
    log,
    onIdle: compactIfWasteful,
  });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') fail(`port ${port} on 127.0.0.1 is already in use`, EXIT_PORT_IN_USE);
  fail(`cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}
if (stopping) await service.close();
// Replaying a large data directory leaves garbage behind: collect it before settling down.
compactIfWasteful();
writeStdout(`${JSON.stringify({ ready: true, url: service.url })}\n`);
