/** GET /applications/{id}/permit: a 5-minute download link of the issued permit or rejection letter. */

import { endpoint, json } from '#api/endpoint.ts';
import { permitDownload } from '#core/use-cases/after-decision.ts';
import { loadApplication } from '#core/use-cases/lookups.ts';
import { container } from '#runtime/container.ts';

export const handler = endpoint('GET /applications/{id}/permit', async ({ params }) => {
  const ports = container();
  const app = await loadApplication(ports, params.id);
  return json(200, await permitDownload(ports, app));
});
