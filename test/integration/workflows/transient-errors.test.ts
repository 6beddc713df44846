/**
 * The generated ASL retries transient Lambda errors (Lambda.ServiceException, TooManyRequests...) with
 * back-off, and only those: run on the local Step Functions service with the real workflow functions,
 * behind a wrapper that makes their first invocations fail the way the Lambda service fails.
 */
import { describe, expect, it } from 'vitest';
import { workflowFunctionModules } from '../../../local/functions-registry.ts';
import { type LambdaHandlerLike, registryFromModules } from '../../../local/sfn/index.ts';
import { at, workflowDriver } from './driver.ts';

/** The real workflow functions; `failures[name]` lists the errors its next invocations throw first. */
function flakyFunctions(failures: Record<string, string[]>) {
  const invocations = new Map<string, number>();
  const modules = workflowFunctionModules();
  const wrapped = Object.fromEntries(
    Object.entries(modules).map(([name, load]) => [
      name,
      async () => {
        const { handler } = await load();
        const flaky: LambdaHandlerLike = async (event: unknown, context: unknown) => {
          const count = (invocations.get(name) ?? 0) + 1;
          invocations.set(name, count);
          const error = failures[name]?.[count - 1];
          if (error !== undefined)
            throw Object.assign(new Error(`${name}: simulated ${error}`), { name: error });
          return (handler as (e: unknown, c: unknown) => Promise<unknown>)(event, context);
        };
        return { handler: flaky };
      },
    ]),
  );
  return { registry: registryFromModules(wrapped), invocations };
}

const START = at('2026-03-17T10:00');

describe('generated workflows under transient Lambda errors', () => {
  it('retries each transient error with back-off and carries on, entering the stage once', async () => {
    const { registry } = flakyFunctions({
      'stage-actions': [
        'Lambda.ServiceException',
        'Lambda.TooManyRequestsException',
        'Lambda.SdkClientException',
      ],
      'await-human': ['Lambda.AWSLambdaException'],
    });
    const wf = await workflowDriver({ regencyId: 'kota-bengkulu', start: START, functions: registry });
    try {
      const id = await wf.submit('SIKOT');
      // Back-off waits run on the manual clock: 2 + 4 + 8 s for the first task, 2 s for the wait.
      await wf.advanceTo(id, new Date(START.getTime() + 60_000));

      const app = await wf.application(id);
      expect(app.status).toBe('in-progress');
      expect(app.current?.stageId).toBe('pemeriksaan-kelengkapan');
      expect(await wf.executionStatus(id)).toBe('RUNNING');
      const events = await wf.history(id);
      const failed = events
        .filter((e) => e.type === 'LambdaFunctionFailed' || e.type === 'TaskFailed')
        .map((e) => e.lambdaFunctionFailedEventDetails?.error ?? e.taskFailedEventDetails?.error);
      expect(failed).toEqual([
        'Lambda.ServiceException',
        'Lambda.TooManyRequestsException',
        'Lambda.SdkClientException',
        'Lambda.AWSLambdaException',
      ]);
      expect(events.some((e) => e.stateEnteredEventDetails?.name === 'NeedsAttention')).toBe(false);
      expect(await wf.visits(id)).toHaveLength(1);
      expect((await wf.audit(id)).filter((e) => e.type === 'stage-entered')).toHaveLength(1);
    } finally {
      await wf.close();
    }
  });

  it('gives up after six retries and flags the application for an administrator', async () => {
    const { registry, invocations } = flakyFunctions({
      'stage-actions': Array.from({ length: 7 }, () => 'Lambda.ServiceException'),
    });
    const wf = await workflowDriver({ regencyId: 'kota-bengkulu', start: START, functions: registry });
    try {
      const id = await wf.submit('SIKOT');
      // 2 + 4 + 8 + 16 + 32 + 64 s of back-off.
      await wf.advanceTo(id, new Date(START.getTime() + 10 * 60_000));

      const events = await wf.history(id);
      expect(events.some((e) => e.stateEnteredEventDetails?.name === 'NeedsAttention')).toBe(true);
      // Seven failed attempts at entering the stage, then the needs-attention step itself.
      expect(invocations.get('stage-actions')).toBe(8);
      expect((await wf.application(id)).status).toBe('needs-attention');
    } finally {
      await wf.close();
    }
  });

  it('does not retry an error of the function itself', async () => {
    const { registry, invocations } = flakyFunctions({ 'stage-actions': ['TypeError'] });
    const wf = await workflowDriver({ regencyId: 'kota-bengkulu', start: START, functions: registry });
    try {
      const id = await wf.submit('SIKOT');
      await wf.advanceTo(id, new Date(START.getTime() + 60_000));

      const events = await wf.history(id);
      expect(events.some((e) => e.stateEnteredEventDetails?.name === 'NeedsAttention')).toBe(true);
      // The failed attempt and the needs-attention step: no retry in between.
      expect(invocations.get('stage-actions')).toBe(2);
    } finally {
      await wf.close();
    }
  });
});
