/**
 * `npm run demo`: walks one application per permit of the regency `npm start` is running, through the
 * real system, from the applicant's form through every official's decision by the links in the mailbox
 * to the downloaded permit, plus a return and a rejection (local/demo/run.ts).
 * See local/README.md, "Demo".
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DemoError } from './demo/client.ts';
import { runDemo } from './demo/run.ts';
import type { StackEndpoints } from './stack.ts';

const ENDPOINTS_FILE = 'endpoints.json';
const DEFAULT_DATA_DIR = resolve(import.meta.dirname, '..', '.local');

const USAGE = `Usage: npm run demo -- [options]

Needs a running local stack: start it first in another terminal with \`npm start\`.

  --data-dir <dir>     the data directory npm start was given (default .local; env SATUPINTU_DATA_DIR)
  --endpoints <file>   an endpoints.json to use instead (env SATUPINTU_ENDPOINTS_FILE)
  -h, --help           this text`;

/** Which endpoints file: flag, then environment, then npm start's default data directory. */
export function endpointsFile(
  values: { 'data-dir'?: string; endpoints?: string },
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (values.endpoints !== undefined) return resolve(values.endpoints);
  if (values['data-dir'] !== undefined) return join(resolve(values['data-dir']), ENDPOINTS_FILE);
  if (env.SATUPINTU_ENDPOINTS_FILE) return resolve(env.SATUPINTU_ENDPOINTS_FILE);
  if (env.SATUPINTU_DATA_DIR) return join(resolve(env.SATUPINTU_DATA_DIR), ENDPOINTS_FILE);
  return join(DEFAULT_DATA_DIR, ENDPOINTS_FILE);
}

/** The running stack's endpoints; a clear message when `npm start` is not running. */
export function readEndpoints(file: string): StackEndpoints {
  if (!existsSync(file))
    throw new DemoError(
      `no running local stack: ${file} does not exist (npm start writes it while it runs and removes it when it stops). Start the stack in another terminal with \`npm start\`, wait for its banner, then run \`npm run demo\` again.`,
    );
  let endpoints: StackEndpoints;
  try {
    endpoints = JSON.parse(readFileSync(file, 'utf8')) as StackEndpoints;
  } catch (error) {
    throw new DemoError(`${file} is not valid JSON (${(error as Error).message}): restart npm start.`);
  }
  if (typeof endpoints?.api?.url !== 'string' || typeof endpoints.mailbox?.storeUrl !== 'string')
    throw new DemoError(
      `${file} does not describe a local stack (no api.url or mailbox.storeUrl): restart npm start.`,
    );
  return endpoints;
}

async function main(): Promise<number> {
  let values: { 'data-dir'?: string; endpoints?: string; help?: boolean };
  try {
    values = parseArgs({
      options: {
        'data-dir': { type: 'string' },
        endpoints: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }).values;
  } catch (error) {
    process.stderr.write(`npm run demo: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    await runDemo(readEndpoints(endpointsFile(values)));
    return 0;
  } catch (error) {
    if (error instanceof DemoError) {
      process.stderr.write(`\nnpm run demo: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

// Run only as a script, so tests can import the helpers above.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  process.exitCode = await main();
}
