/** POST /complaints: a complaint with a reference, mailed to the office's administrators. */

import { endpoint, json } from '#api/endpoint.ts';
import { fileComplaint } from '#core/use-cases/complaints.ts';
import { container } from '#runtime/container.ts';

export const handler = endpoint('POST /complaints', async ({ body, headers, event }) => {
  const { replayed, ...filed } = await fileComplaint(container(), body, {
    ...(headers['idempotency-key'] === undefined ? {} : { idempotencyKey: headers['idempotency-key'] }),
    ...(event.requestContext?.http?.sourceIp === undefined
      ? {}
      : { sourceIp: event.requestContext.http.sourceIp }),
  });
  return json(201, filed, replayed ? { 'idempotent-replayed': 'true' } : {});
});
