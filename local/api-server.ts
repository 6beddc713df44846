/**
 * Child process: the local HTTP API, serving exactly the routes of `functions/api/routes.ts` with the
 * handlers in `functions/http/<fn>.ts`.
 * Usage: node --import tsx local/api-server.ts --port <n> [--function-prefix <name>]
 *
 * It runs in its own process rather than inside the launcher, like Lambda runs functions apart from
 * API Gateway: handlers read their configuration from `process.env` and build SDK clients at module
 * scope (once per cold start), which needs the product environment of local/env.ts in this process
 * and only here; a handler that crashes the process or blocks the event loop does not take the
 * emulators and the launcher down with it; and module state persists across requests as in a warm
 * Lambda.
 */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { httpFunctionEntry, routes } from '#api/routes.ts';
import { createApiServer, type Handler } from './api-gateway.ts';
import { announceReady, flag, listenOnLoopback, requiredFlag, stopWithParent } from './emulators/lifeline.ts';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const port = Number(requiredFlag('port'));
const functionNamePrefix = flag('function-prefix') ?? `satupintu-${process.env.REGENCY_ID ?? 'local'}`;

const modules = new Map<string, Promise<Handler>>();

/**
 * Imports a function's entry file on its first request (a cold start) and keeps it (warm). Node keeps a
 * module that failed to load failed, so a fix needs a restart of the stack.
 */
function loadHandler(fn: string): Promise<Handler> {
  let handler = modules.get(fn);
  if (!handler) {
    const url = pathToFileURL(resolve(repoRoot, httpFunctionEntry(fn))).href;
    handler = import(url).then((module: { handler?: unknown }) => {
      if (typeof module.handler !== 'function')
        throw new Error(`${httpFunctionEntry(fn)} does not export a handler`);
      return module.handler as Handler;
    });
    modules.set(fn, handler);
  }
  return handler;
}

const server = createApiServer({
  routes,
  loadHandler,
  functionNamePrefix,
  region: process.env.AWS_REGION ?? 'ap-southeast-3',
  log: (line) => process.stdout.write(`${line}\n`),
});
stopWithParent(
  () =>
    new Promise((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
);
announceReady(await listenOnLoopback(server, port, 'API server'));
