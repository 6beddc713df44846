/** GET /applications/{id}/permit: a 5-minute download link of the issued permit or rejection letter. */
import { permitDownload } from '#shared/domain/after-decision.ts';
import { loadApplication } from '#shared/domain/api-ports.ts';
import { endpoint, json } from '#shared/http/endpoint.ts';
import { apiPorts } from '#shared/http/ports.ts';

export const handler = endpoint(
  'GET /applications/{id}/permit',
  async ({ params }) => {
    const ports = apiPorts();
    const app = await loadApplication(ports, params.id);
    return json(200, await permitDownload(ports, app));
  },
  {
    accessHashes: () => {
      const { store } = apiPorts();
      return (id: string) => store.getAccessHash(id);
    },
  },
);
