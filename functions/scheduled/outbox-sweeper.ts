/**
 * Every 10 minutes (EventBridge schedule, infra/stacks/regency-stack.ts): sends mail whose request
 * died after recording it, and tells the administrators once about mail stuck while being sent.
 */
import middy from '@middy/core';
import { sweepOutbox } from '#core/use-cases/outbox-sweeper.ts';
import { container } from '#runtime/container.ts';

export const handler = middy().handler(async () => {
  const ports = container();
  const result = await sweepOutbox(ports, ports.now());
  // Mail ids only (application ids and event names): no personal data.
  ports.log('outbox swept', {
    delivered: result.delivered.length,
    failed: result.failed.length,
    reported: result.reported.length,
  });
  return {
    delivered: result.delivered.length,
    failed: result.failed.length,
    reported: result.reported.length,
  };
});
