/**
 * The synchronous steps of every permit workflow (see statemachines/generate.ts): start, enter a
 * stage, timer wake-ups, record a decision, return to the applicant, resume, lapse, deem granted,
 * needs attention. Invoked with `arn:aws:states:::lambda:invoke`; `at` is the state's entry time.
 */
import middy from '@middy/core';
import { z } from 'zod';
import { OUTCOMES } from '#config/regency-schema.ts';
import { stageTimer } from '#core/use-cases/stage-waits.ts';
import {
  completeStage,
  deemGranted,
  enterStage,
  lapse,
  needsAttention,
  resumeAfterReturn,
  returnToApplicant,
  startApplication,
} from '#core/use-cases/workflow-steps.ts';
import { container } from '#runtime/container.ts';
import { parseEvent } from '#runtime/parse-event.ts';

const base = { applicationId: z.string().min(1), at: z.iso.datetime({ offset: true }) };
const decisionSchema = z.object({
  outcome: z.enum([...OUTCOMES, 'resubmitted']),
  actor: z.string().min(1),
  note: z.string().optional(),
  deficient: z.array(z.string()).optional(),
  decidedAt: z.string(),
});

const eventSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('start'), ...base, permitCode: z.string(), executionId: z.string() }),
  z.object({ action: z.literal('enter-stage'), ...base, stageId: z.string() }),
  z.object({ action: z.literal('stage-timer'), ...base, stageId: z.string(), pendingActionId: z.string() }),
  z.object({
    action: z.literal('complete-stage'),
    ...base,
    stageId: z.string(),
    pendingActionId: z.string(),
    decision: decisionSchema,
  }),
  z.object({
    action: z.literal('return-to-applicant'),
    ...base,
    stageId: z.string(),
    decision: decisionSchema,
  }),
  z.object({
    action: z.literal('resume-after-return'),
    ...base,
    stageId: z.string(),
    pendingActionId: z.string(),
  }),
  z.object({ action: z.literal('lapse'), ...base }),
  z.object({ action: z.literal('deem-granted'), ...base }),
  z.object({ action: z.literal('needs-attention'), ...base, error: z.unknown() }),
]);
type StageActionEvent = z.infer<typeof eventSchema>;

async function run(event: StageActionEvent): Promise<unknown> {
  const ports = container();
  const at = new Date(event.at);
  switch (event.action) {
    case 'start':
      await startApplication(ports, event.applicationId, at, event.executionId);
      return {};
    case 'enter-stage':
      return enterStage(ports, event.applicationId, event.stageId, at);
    case 'stage-timer':
      return stageTimer(ports, event.applicationId, event.stageId, event.pendingActionId, at);
    case 'complete-stage':
      return completeStage(
        ports,
        event.applicationId,
        event.stageId,
        event.pendingActionId,
        event.decision,
        at,
      );
    case 'return-to-applicant':
      return returnToApplicant(ports, event.applicationId, event.stageId, event.decision, at);
    case 'resume-after-return':
      await resumeAfterReturn(ports, event.applicationId, event.pendingActionId, at);
      return {};
    case 'lapse':
      await lapse(ports, event.applicationId, at);
      return {};
    case 'deem-granted':
      await deemGranted(ports, event.applicationId, at);
      return {};
    case 'needs-attention':
      await needsAttention(ports, event.applicationId, event.error, at);
      return {};
  }
}

export const handler = middy<StageActionEvent, unknown>()
  .use(parseEvent(eventSchema))
  .handler((event) => run(event));
