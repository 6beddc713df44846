/** POST /complaints: a complaint with a reference, mailed to the office's administrators. */

import { endpoint, json } from '#api/endpoint.ts';
import { fileComplaint } from '#core/use-cases/complaints.ts';
import { container } from '#runtime/container.ts';

export const handler = endpoint('POST /complaints', async ({ body }) =>
  json(201, await fileComplaint(container(), body)),
);
