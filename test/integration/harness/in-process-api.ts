/**
 * The product's HTTP handlers behind the local API gateway, in the test's own process: they use the
 * container the test handed over (useContainer), so a test sees exactly what a request wrote, or
 * shares a manual clock with in-process workflows.
 */
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { httpFunctionEntry, routes } from '#api/routes.ts';
import { createApiServer, type Handler } from '../../../local/api-gateway.ts';
import { LOCAL_REGION } from '../../../local/env.ts';
import { REPO_ROOT } from '../../../local/stack.ts';

export interface InProcessApi {
  baseUrl: string;
  close(): Promise<void>;
}

export async function startInProcessApi(functionNamePrefix = 'it'): Promise<InProcessApi> {
  const modules = new Map<string, Promise<Handler>>();
  const server = createApiServer({
    routes,
    loadHandler: (fn) => {
      let handler = modules.get(fn);
      if (handler === undefined) {
        handler = import(pathToFileURL(`${REPO_ROOT}/${httpFunctionEntry(fn)}`).href).then(
          (m: { handler: Handler }) => m.handler,
        );
        modules.set(fn, handler);
      }
      return handler;
    },
    functionNamePrefix,
    region: LOCAL_REGION,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
