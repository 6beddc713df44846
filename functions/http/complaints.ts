/** POST /complaints: a complaint with a reference, mailed to the office's administrators. */
import { fileComplaint } from '#shared/domain/complaints.ts';
import { endpoint, json } from '#shared/http/endpoint.ts';
import { apiPorts } from '#shared/http/ports.ts';

export const handler = endpoint('POST /complaints', async ({ body }) =>
  json(201, await fileComplaint(apiPorts(), body)),
);
