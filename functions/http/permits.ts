/** GET /permits: the regency's permit catalogue. Reads only the bundled configuration. */
import { currentRegency } from '#shared/config/runtime.ts';
import { permitsView } from '#shared/domain/permits-view.ts';
import { endpoint, json } from '#shared/http/endpoint.ts';

export const handler = endpoint('GET /permits', async () =>
  json(200, permitsView(currentRegency()), { 'cache-control': 'public, max-age=300' }),
);
