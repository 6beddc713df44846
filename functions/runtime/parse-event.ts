/** A middy middleware that validates the event with a zod schema before the handler sees it. */
import type { MiddlewareObj } from '@middy/core';
import type { z } from 'zod';

export function parseEvent<S extends z.ZodType>(schema: S): MiddlewareObj<unknown> {
  return {
    before: (request) => {
      request.event = schema.parse(request.event);
    },
  };
}
