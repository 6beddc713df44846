/**
 * Target of every `lambda:invoke.waitForTaskToken` wait: remembers the task token under the pending
 * action (so links sent earlier keep working when the token changes), notifies the people who must
 * act the first time, and delivers a decision that arrived while the token was being replaced.
 */
import middy from '@middy/core';
import { z } from 'zod';
import { awaitHuman } from '#core/use-cases/stage-waits.ts';
import { container } from '#runtime/container.ts';
import { parseEvent } from '#runtime/parse-event.ts';

const eventSchema = z.object({
  kind: z.enum(['decision', 'resubmission']),
  taskToken: z.string().min(1),
  applicationId: z.string().min(1),
  stageId: z.string().min(1),
  pendingActionId: z.string().min(1),
  at: z.iso.datetime({ offset: true }),
});
type AwaitEvent = z.infer<typeof eventSchema>;

export const handler = middy<AwaitEvent, unknown>()
  .use(parseEvent(eventSchema))
  .handler(async (event) => {
    await awaitHuman(container(), {
      pendingActionId: event.pendingActionId,
      taskToken: event.taskToken,
      at: new Date(event.at),
    });
    return {};
  });
