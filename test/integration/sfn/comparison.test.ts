import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/sfn/index.ts';
import { type CorpusEntry, comparisonCorpus } from '../../fixtures/sfn/comparison-corpus.ts';
import { attempts, handlers, testFunctions } from '../../fixtures/sfn/functions.ts';
import { createMachine, runToEnd, startExecution, useHarness } from '../../fixtures/sfn/harness.ts';
import { type LocalOutcome, runOnLocalStepFunctions } from '../../fixtures/sfn/local-stepfunctions.ts';

type Outcome = LocalOutcome | { status: 'REFUSED'; message: string };

/**
 * Second opinion: the corpus runs on the local service (through the SDK) and on
 * aws-local-stepfunctions, and both must give the same outcome. Recorded differences are held to
 * AWS's documented behaviour.
 */
describe('local Step Functions against aws-local-stepfunctions', () => {
  const clock = new ManualClock();
  const harness = useHarness({ functions: testFunctions, clock });

  async function runOnService(definition: object, input: unknown): Promise<Outcome> {
    const { client } = harness;
    let machine: string;
    try {
      machine = await createMachine(client, definition);
    } catch (error) {
      if ((error as Error).name !== 'InvalidDefinition') throw error;
      return { status: 'REFUSED', message: (error as Error).message };
    }
    const executionArn = await startExecution(client, machine, input);
    const described = await runToEnd(client, clock, executionArn);
    if (described.status === 'SUCCEEDED')
      return { status: 'SUCCEEDED', output: JSON.parse(described.output ?? 'null') };
    return { status: 'FAILED', error: described.error ?? '', cause: described.cause };
  }

  /** The reference's validator may refuse a definition at construction, as the service may at creation. */
  async function runOnReference(definition: object, input: unknown): Promise<Outcome> {
    try {
      return await runOnLocalStepFunctions(definition, input, handlers);
    } catch (error) {
      if (!/validat|invalid/i.test(String(error))) throw error;
      return { status: 'REFUSED', message: String(error) };
    }
  }

  const project = (outcome: Outcome, fields: string[] | undefined): Outcome => {
    if (outcome.status !== 'SUCCEEDED' || !fields) return outcome;
    const output = outcome.output as Record<string, unknown>;
    return { status: 'SUCCEEDED', output: Object.fromEntries(fields.map((f) => [f, output[f]])) };
  };

  const cases = comparisonCorpus.flatMap((entry) =>
    entry.inputs.map(
      (input, i) => [`${entry.name} (input ${i + 1})`, entry, input] as [string, CorpusEntry, unknown],
    ),
  );

  it.each(cases)('%s', async (_name, entry, input) => {
    attempts.clear();
    const service = project(await runOnService(entry.definition, input), entry.compareFields);
    attempts.clear();
    const reference = project(await runOnReference(entry.definition, input), entry.compareFields);

    const { difference } = entry;
    if (difference) {
      // AWS's documented behaviour decides; the other interpreter is expected to differ.
      if (difference.refused !== undefined) {
        expect(service).toEqual({ status: 'REFUSED', message: expect.stringContaining(difference.refused) });
        expect(reference.status).not.toBe('REFUSED');
      } else if (difference.failure) {
        expect(service).toEqual({
          status: 'FAILED',
          error: difference.failure.error,
          cause: expect.stringContaining(difference.failure.cause),
        });
        expect(reference).not.toEqual(service);
      } else {
        expect(service).toEqual({ status: 'SUCCEEDED', output: difference.expected });
        expect(reference).not.toEqual(service);
      }
    } else if (service.status === 'REFUSED') {
      // Both refuse: their messages are their own.
      expect(reference.status).toBe('REFUSED');
    } else {
      expect(service).toEqual(reference);
    }
  });
});
