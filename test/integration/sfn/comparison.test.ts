import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/sfn/index.ts';
import { type CorpusEntry, comparisonCorpus } from '../../fixtures/sfn/comparison-corpus.ts';
import { attempts, handlers, testFunctions } from '../../fixtures/sfn/functions.ts';
import { createMachine, runToEnd, startExecution, useHarness } from '../../fixtures/sfn/harness.ts';
import { type LocalOutcome, runOnLocalStepFunctions } from '../../fixtures/sfn/local-stepfunctions.ts';

/**
 * Second opinion: the corpus runs on the local service (through the SDK) and on
 * aws-local-stepfunctions, and both must give the same outcome. Recorded differences are held to
 * AWS's documented behaviour.
 */
describe('local Step Functions against aws-local-stepfunctions', () => {
  const clock = new ManualClock();
  const harness = useHarness({ functions: testFunctions, clock });

  async function runOnService(definition: object, input: unknown): Promise<LocalOutcome> {
    const { client } = harness;
    const machine = await createMachine(client, definition);
    const executionArn = await startExecution(client, machine, input);
    const described = await runToEnd(client, clock, executionArn);
    if (described.status === 'SUCCEEDED')
      return { status: 'SUCCEEDED', output: JSON.parse(described.output ?? 'null') };
    return { status: 'FAILED', error: described.error ?? '', cause: described.cause };
  }

  const project = (outcome: LocalOutcome, fields: string[] | undefined): LocalOutcome => {
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
    const reference = project(
      await runOnLocalStepFunctions(entry.definition, input, handlers),
      entry.compareFields,
    );

    if (entry.difference) {
      // AWS's documented behaviour decides; the other interpreter is expected to differ.
      expect(service).toEqual({ status: 'SUCCEEDED', output: entry.difference.expected });
      expect(reference).not.toEqual(service);
    } else {
      expect(service).toEqual(reference);
    }
  });
});
