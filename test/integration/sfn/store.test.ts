import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { startStepFunctionsService } from '../../../local/sfn/index.ts';
import { fnArn, testFunctions } from '../../fixtures/sfn/functions.ts';
import {
  createMachine,
  history,
  sdkClient,
  types,
  uniqueName,
  waitForStatus,
} from '../../fixtures/sfn/harness.ts';

describe('local Step Functions store', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every execution and its history through snapshots and a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sfn-store-'));
    dirs.push(dataDir);
    // A tiny threshold: the journal is compacted into snapshots many times during the run.
    const options = {
      port: 0,
      dataDir,
      functions: testFunctions,
      log: () => undefined,
      compactAfterBytes: 20_000,
    };
    let service = await startStepFunctionsService(options);
    let client = sdkClient(service.url);
    const machine = await createMachine(client, {
      StartAt: 'Add',
      States: {
        Add: { Type: 'Task', Resource: fnArn('add'), ResultPath: '$.sum', Next: 'Label' },
        Label: {
          Type: 'Pass',
          Parameters: { 'label.$': "States.Format('{}+{}={}', $.a, $.b, $.sum.sum)" },
          End: true,
        },
      },
    });
    const names: string[] = [];
    for (let i = 0; i < 60; i++) {
      const name = uniqueName(`store${i}`);
      names.push(name);
      await client.send(
        new StartExecutionCommand({ stateMachineArn: machine, name, input: JSON.stringify({ a: i, b: 1 }) }),
      );
    }
    const arn = (name: string) => `${machine.replace(':stateMachine:', ':execution:')}:${name}`;
    for (const name of names) await waitForStatus(client, arn(name));
    const before = await history(client, arn(names[7] as string));
    client.destroy();
    await service.close();
    expect(readdirSync(dataDir).some((file) => /^snapshot-\d+\.jsonl$/.test(file))).toBe(true);

    service = await startStepFunctionsService(options);
    client = sdkClient(service.url);
    try {
      for (const [i, name] of names.entries()) {
        const done = await waitForStatus(client, arn(name));
        expect(JSON.parse(done.output ?? '')).toEqual({ label: `${i}+1=${i + 1}` });
      }
      const after = await history(client, arn(names[7] as string));
      expect(after).toEqual(before);
      expect(types(after)).toEqual([
        'ExecutionStarted',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'PassStateEntered',
        'PassStateExited',
        'ExecutionSucceeded',
      ]);
    } finally {
      client.destroy();
      await service.close();
    }
  });

  it('journals a document passed on from state to state once, and restores it in every event', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sfn-store-'));
    dirs.push(dataDir);
    const options = { port: 0, dataDir, functions: testFunctions, log: () => undefined };
    let service = await startStepFunctionsService(options);
    let client = sdkClient(service.url);
    const marker = `document-${uniqueName('m')}`;
    const machine = await createMachine(client, {
      StartAt: 'Make',
      States: {
        Make: { Type: 'Pass', Result: { marker, items: [1, 2, 3] }, Next: 'Route' },
        Route: { Type: 'Choice', Choices: [{ Variable: '$.items[0]', NumericEquals: 1, Next: 'Keep' }] },
        Keep: { Type: 'Pass', Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    });
    const name = uniqueName('shared');
    await client.send(new StartExecutionCommand({ stateMachineArn: machine, name, input: '{}' }));
    const arn = `${machine.replace(':stateMachine:', ':execution:')}:${name}`;
    await waitForStatus(client, arn);
    const before = await history(client, arn);
    // Make's output is the input and output of Route, Keep and Done and the execution's output.
    const carrying = before.filter((event) => JSON.stringify(event).includes(marker));
    expect(carrying.length).toBeGreaterThanOrEqual(8);
    client.destroy();
    await service.close();

    const journal = readdirSync(dataDir)
      .filter((file) => /^journal-\d+\.log$/.test(file))
      .map((file) => readFileSync(join(dataDir, file), 'utf8'))
      .join('');
    // Three times: in the definition, in the execution's output, and in Make's StateExited event;
    // the eight other events carrying it are references. (Without them: eleven times.)
    expect(journal.split(marker).length - 1).toBe(3);

    service = await startStepFunctionsService(options);
    client = sdkClient(service.url);
    try {
      expect(await history(client, arn)).toEqual(before);
    } finally {
      client.destroy();
      await service.close();
    }
  });
});
