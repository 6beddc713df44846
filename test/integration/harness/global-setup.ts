/**
 * vitest globalSetup of the integration (and end-to-end) project: one local stack, the same one
 * `npm start` runs, shared by every test file of the run. It gets a temporary data directory,
 * in-memory DynamoDB and ports chosen by the kernel, so runs never collide with `npm start` or with
 * each other, and it is torn down after the run whether tests passed or failed. If the vitest process
 * itself is killed, the stack's children stop on their own (they watch a pipe from this process).
 *
 * Children's output goes to `<data dir>/logs/<child>.log`; set SATUPINTU_STACK_LOGS=1 to also see it on
 * stderr, and SATUPINTU_KEEP_STACK_DATA=1 to keep the data directory (its path is printed).
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { DEFAULT_REGENCY, ENDPOINTS_FILE, startStack } from '../../../local/stack.ts';
import './provided-context.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'satupintu-it-'));
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir);
  const echo = process.env.SATUPINTU_STACK_LOGS === '1';
  const keep = process.env.SATUPINTU_KEEP_STACK_DATA === '1';
  const cleanUp = (): void => {
    if (keep) process.stderr.write(`local stack data kept in ${dataDir}\n`);
    else rmSync(dataDir, { recursive: true, force: true });
  };

  let stack: Awaited<ReturnType<typeof startStack>>;
  try {
    stack = await startStack({
      regency: process.env.SATUPINTU_TEST_REGENCY ?? DEFAULT_REGENCY,
      dataDir,
      inMemoryDynamoDb: true,
      ports: 'free',
      onOutput: (child, line) => {
        appendFileSync(join(logDir, `${child}.log`), `${line}\n`);
        if (echo) process.stderr.write(`[${child}] ${line}\n`);
      },
    });
  } catch (error) {
    cleanUp();
    throw error;
  }
  project.provide('localStack', stack.endpoints);
  // For processes a test spawns (they cannot `inject`).
  process.env.SATUPINTU_ENDPOINTS_FILE = join(dataDir, ENDPOINTS_FILE);

  return async () => {
    await stack.stop();
    cleanUp();
  };
}
