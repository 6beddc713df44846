/** GET /openapi.json: the API's OpenAPI 3.1 document, generated once per cold start. */

import { endpoint, json } from '#api/endpoint.ts';
import { openApiDocument } from '#api/openapi.ts';
import { container } from '#runtime/container.ts';

let document: Record<string, unknown> | undefined;

export const handler = endpoint('GET /openapi.json', async () => {
  const { regency, env } = container();
  document ??= openApiDocument(regency, env.API_BASE_URL ?? regency.mail.publicBaseUrl);
  return json(200, document, { 'cache-control': 'public, max-age=300' });
});
