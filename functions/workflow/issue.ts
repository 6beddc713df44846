/** The automatic stages: numbering the permit and issuing the permit or the rejection letter. */
import middy from '@middy/core';
import { z } from 'zod';
import { issueDocument, numberPermit } from '#core/use-cases/issuance.ts';
import { container } from '#runtime/container.ts';
import { parseEvent } from '#runtime/parse-event.ts';

const base = {
  applicationId: z.string().min(1),
  stageId: z.string().min(1),
  at: z.iso.datetime({ offset: true }),
};
const eventSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('number'), ...base }),
  z.object({ action: z.literal('issue'), ...base, document: z.enum(['permit', 'rejection-letter']) }),
]);
type IssueEvent = z.infer<typeof eventSchema>;

export const handler = middy<IssueEvent, unknown>()
  .use(parseEvent(eventSchema))
  .handler(async (event) => {
    const ports = container();
    const at = new Date(event.at);
    if (event.action === 'number')
      return { permitNumber: await numberPermit(ports, event.applicationId, at) };
    return issueDocument(ports, event.applicationId, event.document, at);
  });
