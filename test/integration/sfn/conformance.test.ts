import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/sfn/index.ts';
import { type ConformanceCase, conformanceCases } from '../../fixtures/sfn/conformance-cases.ts';
import { testFunctions } from '../../fixtures/sfn/functions.ts';
import {
  createMachine,
  history,
  runToEnd,
  startExecution,
  types,
  useHarness,
} from '../../fixtures/sfn/harness.ts';

/**
 * Runs every conformance case through the SDK. Time is a manual clock: when an execution has
 * nothing left to do but wait, the clock jumps to the next deadline (Wait, retry back-off, task
 * or execution timeout), so hour-long waits take milliseconds.
 */
describe('local Step Functions conformance', () => {
  const clock = new ManualClock();
  const harness = useHarness({ functions: testFunctions, clock });

  it.each(conformanceCases.map((c) => [c.name, c] as [string, ConformanceCase]))(
    '%s',
    async (_name, testCase) => {
      const { client } = harness;
      const machine = await createMachine(client, testCase.definition);
      const executionArn = await startExecution(client, machine, testCase.input ?? {});

      const described = await runToEnd(client, clock, executionArn, 2);
      const events = await history(client, executionArn);

      expect(described.status).toBe(testCase.expected.status);
      if (testCase.expected.output !== undefined) {
        expect(JSON.parse(described.output ?? 'null')).toEqual(testCase.expected.output);
      }
      if (testCase.expected.error === null) expect(described.error).toBeUndefined();
      else if (testCase.expected.error !== undefined) expect(described.error).toBe(testCase.expected.error);
      if (testCase.expected.cause !== undefined) expect(described.cause).toContain(testCase.expected.cause);
      if (testCase.expected.eventsInAnyOrder) {
        expect(types(events).slice().sort()).toEqual(testCase.expected.events.slice().sort());
        expect(events[0]?.type).toBe(testCase.expected.events[0]);
        expect(events.at(-1)?.type).toBe(testCase.expected.events.at(-1));
      } else {
        expect(types(events)).toEqual(testCase.expected.events);
      }
      for (const [id, previous] of Object.entries(testCase.expected.previousEventIds ?? {})) {
        expect(events[Number(id) - 1]?.previousEventId, `previousEventId of event ${id}`).toBe(previous);
      }
      // Every history is a chain: ids count from 1 and each event points back to an earlier one.
      events.forEach((event, i) => {
        expect(event.id).toBe(i + 1);
        expect(event.previousEventId).toBeLessThan(event.id as number);
      });
    },
  );
});
