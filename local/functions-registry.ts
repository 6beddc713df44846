/**
 * The workflow functions the local Step Functions service can invoke: every `functions/workflow/<name>.ts`
 * is the function `<name>` (state machines reach it through the ARN the launcher substitutes for the
 * generator's `${...}` placeholders). Found on disk when the service starts, so a new workflow function
 * needs no edit here; empty while no workflow function exists.
 */
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type LambdaHandlerLike, registryFromModules } from './sfn/index.ts';

const workflowDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '../functions/workflow');

export function workflowFunctionModules(
  dir = workflowDir,
): Record<string, () => Promise<{ handler: LambdaHandlerLike }>> {
  if (!existsSync(dir)) return {};
  const entries = readdirSync(dir).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
  return Object.fromEntries(
    entries.map((file) => [
      file.slice(0, -'.ts'.length),
      () => import(pathToFileURL(resolve(dir, file)).href) as Promise<{ handler: LambdaHandlerLike }>,
    ]),
  );
}

export default registryFromModules(workflowFunctionModules());
