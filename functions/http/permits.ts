/** GET /permits: the regency's permit catalogue. Reads only the bundled configuration. */

import { endpoint, json } from '#api/endpoint.ts';
import { permitsView } from '#core/domain/permits-view.ts';
import { container } from '#runtime/container.ts';

export const handler = endpoint('GET /permits', async () =>
  json(200, permitsView(container().regency), { 'cache-control': 'public, max-age=300' }),
);
