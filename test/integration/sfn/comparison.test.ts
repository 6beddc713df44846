import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/sfn/index.ts';
import { type CorpusEntry, comparisonCorpus } from '../../fixtures/sfn/comparison-corpus.ts';
import { attempts, handlers, testFunctions } from '../../fixtures/sfn/functions.ts';
import {
  createMachine,
  describe as describeExecution,
  type Harness,
  startExecution,
  startHarness,
} from '../../fixtures/sfn/harness.ts';
import { type LocalOutcome, runOnLocalStepFunctions } from '../../fixtures/sfn/local-stepfunctions.ts';

/**
 * Second opinion: the corpus runs on the local service (through the SDK) and on
 * aws-local-stepfunctions, and both must give the same outcome. Recorded differences are held to
 * AWS's documented behaviour.
 */
describe('local Step Functions against aws-local-stepfunctions', () => {
  const clock = new ManualClock();
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ functions: testFunctions, clock });
  });
  afterAll(async () => {
    await harness?.close();
  });

  async function runOnService(definition: object, input: unknown): Promise<LocalOutcome> {
    const { client } = harness;
    const machine = await createMachine(client, definition);
    const executionArn = await startExecution(client, machine, input);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const described = await describeExecution(client, executionArn);
      if (described.status === 'SUCCEEDED')
        return { status: 'SUCCEEDED', output: JSON.parse(described.output ?? 'null') };
      if (described.status !== 'RUNNING') {
        return { status: 'FAILED', error: described.error ?? '', cause: described.cause };
      }
      // Nothing else moves time here: jump to the next deadline (Wait, retry back-off).
      const due = clock.nextDue();
      if (due !== undefined) clock.set(Math.max(due, clock.now()));
      if (Date.now() > deadline) throw new Error(`still RUNNING: ${executionArn}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
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
