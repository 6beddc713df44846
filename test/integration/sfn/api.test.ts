import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { fnArn, receivedTokens, testFunctions } from '../../fixtures/sfn/functions.ts';
import {
  createMachine,
  describe as describeExecution,
  history,
  ROLE_ARN,
  types,
  uniqueName,
  useHarness,
  waitFor,
  waitForEvent,
  waitForStatus,
} from '../../fixtures/sfn/harness.ts';

const passMachine = { StartAt: 'P', States: { P: { Type: 'Pass', Result: { ok: 1 }, End: true } } };
const waitMachine = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } };

/** The error an SDK call fails with: its name (the AWS error code) and message. */
async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('local Step Functions API', () => {
  const harness = useHarness({ functions: testFunctions });

  describe('state machines', () => {
    it('describes a created state machine with the fields the SDK expects', async () => {
      const { client } = harness;
      const name = uniqueName('describe');
      const arn = await createMachine(client, passMachine, name);
      expect(arn).toBe(`arn:aws:states:ap-southeast-3:000000000000:stateMachine:${name}`);

      const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));

      expect(described).toMatchObject({
        stateMachineArn: arn,
        name,
        status: 'ACTIVE',
        type: 'STANDARD',
        roleArn: ROLE_ARN,
        loggingConfiguration: { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: { enabled: false },
      });
      expect(JSON.parse(described.definition ?? '')).toEqual(passMachine);
      expect(described.creationDate).toBeInstanceOf(Date);
    });

    it('returns the same state machine for an identical create and refuses a different one', async () => {
      const { client } = harness;
      const name = uniqueName('idem');
      const input = { name, definition: JSON.stringify(passMachine), roleArn: ROLE_ARN };
      const first = await client.send(new CreateStateMachineCommand(input));
      const second = await client.send(new CreateStateMachineCommand(input));
      expect(second.stateMachineArn).toBe(first.stateMachineArn);
      expect(second.creationDate?.getTime()).toBe(first.creationDate?.getTime());

      const conflict = await failure(
        client.send(new CreateStateMachineCommand({ ...input, definition: JSON.stringify(waitMachine) })),
      );
      expect(conflict.name).toBe('StateMachineAlreadyExists');
    });

    it('rejects invalid definitions with InvalidDefinition and the reason', async () => {
      const { client } = harness;
      const create = (definition: string) =>
        failure(
          client.send(
            new CreateStateMachineCommand({ name: uniqueName('bad'), definition, roleArn: ROLE_ARN }),
          ),
        );

      const missingTarget = await create(
        JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } }),
      );
      expect(missingTarget.name).toBe('InvalidDefinition');
      expect(missingTarget.message).toContain('Nowhere');

      const notJson = await create('{"StartAt":');
      expect(notJson.name).toBe('InvalidDefinition');
      expect(notJson.message).toContain('INVALID_JSON_DESCRIPTION');

      const unsupported = await create(
        JSON.stringify({
          StartAt: 'A',
          States: { A: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true } },
        }),
      );
      expect(unsupported.name).toBe('InvalidDefinition');
      expect(unsupported.message).toContain('sqs:sendMessage');

      const badName = await failure(
        client.send(
          new CreateStateMachineCommand({
            name: 'has space',
            definition: JSON.stringify(passMachine),
            roleArn: ROLE_ARN,
          }),
        ),
      );
      expect(badName.name).toBe('InvalidName');
    });

    it('updates the definition for new executions while running ones keep the old one', async () => {
      const { client } = harness;
      const before = {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
            Parameters: {
              FunctionName: 'notify',
              Payload: { 'key.$': '$$.Execution.Name', 'token.$': '$$.Task.Token' },
            },
            Next: 'P',
          },
          P: { Type: 'Pass', Result: 'old', End: true },
        },
      };
      const arn = await createMachine(client, before);
      const runningName = uniqueName('running');
      const running = await client.send(
        new StartExecutionCommand({ stateMachineArn: arn, name: runningName }),
      );
      await waitForEvent(client, running.executionArn as string, 'TaskSubmitted');

      const updated = await client.send(
        new UpdateStateMachineCommand({ stateMachineArn: arn, definition: JSON.stringify(passMachine) }),
      );
      expect(updated.revisionId).toMatch(/^[0-9a-f-]{36}$/);
      const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
      expect(JSON.parse(described.definition ?? '')).toEqual(passMachine);
      expect(described.revisionId).toBe(updated.revisionId);

      const fresh = await client.send(new StartExecutionCommand({ stateMachineArn: arn }));
      expect(JSON.parse((await waitForStatus(client, fresh.executionArn as string)).output ?? '')).toEqual({
        ok: 1,
      });

      await client.send(
        new SendTaskSuccessCommand({ taskToken: receivedTokens.get(runningName) ?? '', output: '{}' }),
      );
      const old = await waitForStatus(client, running.executionArn as string);
      expect(JSON.parse(old.output ?? '')).toBe('old');
      const forExecution = await client.send(
        new DescribeStateMachineForExecutionCommand({ executionArn: running.executionArn }),
      );
      expect(JSON.parse(forExecution.definition ?? '')).toEqual(before);
    });

    it('refuses an update that changes nothing with MissingRequiredParameter', async () => {
      const { client } = harness;
      const arn = await createMachine(client, passMachine);
      const result = await failure(client.send(new UpdateStateMachineCommand({ stateMachineArn: arn })));
      expect(result.name).toBe('MissingRequiredParameter');
    });

    it('lists state machines by name, page by page', async () => {
      const { client } = harness;
      const prefix = uniqueName('list');
      for (const suffix of ['c', 'a', 'b']) await createMachine(client, passMachine, `${prefix}-${suffix}`);
      const names: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(new ListStateMachinesCommand({ maxResults: 2, nextToken }));
        expect((page.stateMachines ?? []).length).toBeLessThanOrEqual(2);
        names.push(...(page.stateMachines ?? []).map((m) => m.name as string));
        nextToken = page.nextToken;
      } while (nextToken);
      expect(names.filter((n) => n.startsWith(prefix))).toEqual([
        `${prefix}-a`,
        `${prefix}-b`,
        `${prefix}-c`,
      ]);
      expect(names).toEqual([...names].sort());
    });

    it('deletes a state machine, aborting its running executions', async () => {
      const { client } = harness;
      const arn = await createMachine(client, waitMachine);
      const started = await client.send(new StartExecutionCommand({ stateMachineArn: arn }));
      await waitForEvent(client, started.executionArn as string, 'WaitStateEntered');

      await client.send(new DeleteStateMachineCommand({ stateMachineArn: arn }));

      const gone = await failure(client.send(new DescribeStateMachineCommand({ stateMachineArn: arn })));
      expect(gone.name).toBe('StateMachineDoesNotExist');
      expect((await describeExecution(client, started.executionArn as string)).status).toBe('ABORTED');
      // Deleting what does not exist succeeds, as on AWS.
      await client.send(new DeleteStateMachineCommand({ stateMachineArn: arn }));
    });
  });

  describe('executions', () => {
    it('starts an execution with a generated name and describes it', async () => {
      const { client } = harness;
      const arn = await createMachine(client, passMachine);
      const started = await client.send(
        new StartExecutionCommand({ stateMachineArn: arn, input: '{"a":1}' }),
      );
      expect(started.executionArn).toMatch(
        /^arn:aws:states:ap-southeast-3:000000000000:execution:sm-[0-9a-f]{8}:[0-9a-f-]{36}$/,
      );
      expect(started.startDate).toBeInstanceOf(Date);

      const done = await waitForStatus(client, started.executionArn as string);

      expect(done).toMatchObject({
        executionArn: started.executionArn,
        stateMachineArn: arn,
        status: 'SUCCEEDED',
        input: '{"a":1}',
        inputDetails: { included: true },
        outputDetails: { included: true },
        redriveCount: 0,
      });
      expect(JSON.parse(done.output ?? '')).toEqual({ ok: 1 });
      expect(done.stopDate?.getTime()).toBeGreaterThanOrEqual(done.startDate?.getTime() ?? 0);
    });

    it('answers a repeated start with the same name and input with the same execution while it runs', async () => {
      const { client } = harness;
      const arn = await createMachine(client, waitMachine);
      const name = uniqueName('same');
      const first = await client.send(
        new StartExecutionCommand({ stateMachineArn: arn, name, input: '{"x":1}' }),
      );
      const again = await client.send(
        new StartExecutionCommand({ stateMachineArn: arn, name, input: '{"x":1}' }),
      );
      expect(again.executionArn).toBe(first.executionArn);
      expect(again.startDate?.getTime()).toBe(first.startDate?.getTime());

      const otherInput = await failure(
        client.send(new StartExecutionCommand({ stateMachineArn: arn, name, input: '{"x":2}' })),
      );
      expect(otherInput.name).toBe('ExecutionAlreadyExists');

      await client.send(new StopExecutionCommand({ executionArn: first.executionArn }));
      const afterClose = await failure(
        client.send(new StartExecutionCommand({ stateMachineArn: arn, name, input: '{"x":1}' })),
      );
      expect(afterClose.name).toBe('ExecutionAlreadyExists');
    });

    it('rejects bad starts with the AWS error codes', async () => {
      const { client } = harness;
      const arn = await createMachine(client, passMachine);
      const start = (input: ConstructorParameters<typeof StartExecutionCommand>[0]) =>
        failure(client.send(new StartExecutionCommand(input)));

      expect((await start({ stateMachineArn: arn, input: '{not json' })).name).toBe('InvalidExecutionInput');
      expect((await start({ stateMachineArn: arn, name: 'bad/name' })).name).toBe('InvalidName');
      expect((await start({ stateMachineArn: `${arn}-missing` })).name).toBe('StateMachineDoesNotExist');
      const invalid = await start({ stateMachineArn: 'not-an-arn' });
      expect(invalid.name).toBe('InvalidArn');
      expect(invalid.message).toBe("Invalid Arn: 'Invalid ARN prefix: not-an-arn'");
      expect(
        (await start({ stateMachineArn: 'arn:aws:states:ap-southeast-3:000000000000:execution:a:b' })).name,
      ).toBe('InvalidArn');
    });

    it('answers unknown executions with ExecutionDoesNotExist and malformed ARNs with InvalidArn', async () => {
      const { client } = harness;
      const missing = 'arn:aws:states:ap-southeast-3:000000000000:execution:nothing:here';
      expect((await failure(describeExecution(client, missing))).name).toBe('ExecutionDoesNotExist');
      expect(
        (await failure(client.send(new GetExecutionHistoryCommand({ executionArn: missing })))).name,
      ).toBe('ExecutionDoesNotExist');
      expect((await failure(describeExecution(client, 'arn:aws:states:nowhere'))).name).toBe('InvalidArn');
    });

    it('lists executions newest first, filtered by status, page by page', async () => {
      const { client } = harness;
      const arn = await createMachine(client, waitMachine);
      const names: string[] = [];
      for (let i = 0; i < 3; i++) {
        const name = uniqueName(`list${i}`);
        names.push(name);
        await client.send(new StartExecutionCommand({ stateMachineArn: arn, name }));
      }
      const stopped = await client.send(new ListExecutionsCommand({ stateMachineArn: arn }));
      await client.send(new StopExecutionCommand({ executionArn: stopped.executions?.at(-1)?.executionArn }));

      const running: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new ListExecutionsCommand({
            stateMachineArn: arn,
            statusFilter: 'RUNNING',
            maxResults: 1,
            nextToken,
          }),
        );
        running.push(...(page.executions ?? []).map((e) => e.name as string));
        nextToken = page.nextToken;
      } while (nextToken);
      expect(running).toEqual([names[2], names[1]]);

      const aborted = await client.send(
        new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'ABORTED' }),
      );
      expect(aborted.executions?.map((e) => e.name)).toEqual([names[0]]);
      expect(aborted.executions?.[0]?.stopDate).toBeInstanceOf(Date);

      const badToken = await failure(
        client.send(new ListExecutionsCommand({ stateMachineArn: arn, nextToken: 'not-a-token' })),
      );
      expect(badToken.name).toBe('InvalidToken');
    });

    it('pages the history forwards and in reverse, with or without execution data', async () => {
      const { client } = harness;
      const arn = await createMachine(client, {
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', Next: 'B' },
          B: { Type: 'Pass', Next: 'C' },
          C: { Type: 'Pass', End: true },
        },
      });
      const started = await client.send(
        new StartExecutionCommand({ stateMachineArn: arn, input: '{"secret":1}' }),
      );
      await waitForStatus(client, started.executionArn as string);
      const all = await history(client, started.executionArn as string);
      expect(all).toHaveLength(8);

      const pages: number[][] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new GetExecutionHistoryCommand({
            executionArn: started.executionArn,
            maxResults: 3,
            reverseOrder: true,
            nextToken,
          }),
        );
        pages.push((page.events ?? []).map((e) => e.id as number));
        nextToken = page.nextToken;
      } while (nextToken);
      expect(pages).toEqual([
        [8, 7, 6],
        [5, 4, 3],
        [2, 1],
      ]);

      const lean = await client.send(
        new GetExecutionHistoryCommand({ executionArn: started.executionArn, includeExecutionData: false }),
      );
      expect(lean.events?.[0]?.executionStartedEventDetails?.input).toBeUndefined();
      expect(lean.events?.[0]?.executionStartedEventDetails?.roleArn).toBe(ROLE_ARN);
      expect(lean.events?.[1]?.stateEnteredEventDetails?.name).toBe('A');
      expect(all[0]?.executionStartedEventDetails?.input).toBe('{"secret":1}');
    });

    it('stops an execution: ABORTED, ExecutionAborted with error and cause, its task token closed', async () => {
      const { client } = harness;
      const arn = await createMachine(client, {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
            Parameters: {
              FunctionName: fnArn('notify'),
              Payload: { 'key.$': '$$.Execution.Name', 'token.$': '$$.Task.Token' },
            },
            End: true,
          },
        },
      });
      const name = uniqueName('stop');
      const started = await client.send(new StartExecutionCommand({ stateMachineArn: arn, name }));
      await waitForEvent(client, started.executionArn as string, 'TaskSubmitted');

      const stopped = await client.send(
        new StopExecutionCommand({
          executionArn: started.executionArn,
          error: 'Permohonan.Dibatalkan',
          cause: 'oleh pemohon',
        }),
      );

      expect(stopped.stopDate).toBeInstanceOf(Date);
      const described = await describeExecution(client, started.executionArn as string);
      expect(described).toMatchObject({
        status: 'ABORTED',
        error: 'Permohonan.Dibatalkan',
        cause: 'oleh pemohon',
      });
      const events = await history(client, started.executionArn as string);
      expect(events.at(-1)).toMatchObject({
        type: 'ExecutionAborted',
        previousEventId: 0,
        executionAbortedEventDetails: { error: 'Permohonan.Dibatalkan', cause: 'oleh pemohon' },
      });
      const late = await failure(
        client.send(new SendTaskSuccessCommand({ taskToken: receivedTokens.get(name) ?? '', output: '{}' })),
      );
      expect(late.name).toBe('TaskTimedOut');
      // Stopping it again changes nothing.
      await client.send(new StopExecutionCommand({ executionArn: started.executionArn }));
      expect((await describeExecution(client, started.executionArn as string)).status).toBe('ABORTED');
      expect(types(await history(client, started.executionArn as string))).toEqual(types(events));
    });
  });

  describe('malformed requests', () => {
    async function post(
      body: string,
      target?: string,
    ): Promise<{ status: number; json: Record<string, unknown> }> {
      const headers: Record<string, string> = { 'Content-Type': 'application/x-amz-json-1.0' };
      if (target) headers['X-Amz-Target'] = target;
      const response = await fetch(harness.service.url, { method: 'POST', headers, body });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    }
    const code = (json: Record<string, unknown>) => String(json.__type).split('#').at(-1);

    it('answers a body that is not JSON with SerializationException', async () => {
      const result = await post('{"stateMachineArn":', 'AWSStepFunctions.DescribeStateMachine');
      expect(result.status).toBe(400);
      expect(code(result.json)).toBe('SerializationException');
    });

    it('answers an unknown or missing operation with UnknownOperationException', async () => {
      expect(code((await post('{}', 'AWSStepFunctions.LaunchRocket')).json)).toBe(
        'UnknownOperationException',
      );
      expect(code((await post('{}')).json)).toBe('UnknownOperationException');
    });

    it('answers missing, mistyped and out-of-range fields with ValidationException', async () => {
      const missing = await post('{}', 'AWSStepFunctions.DescribeExecution');
      expect(code(missing.json)).toBe('ValidationException');
      expect(missing.json.message).toBe(
        "1 validation error detected: Value null at 'executionArn' failed to satisfy constraint: Member must not be null",
      );
      const mistyped = await post('{"executionArn": 42}', 'AWSStepFunctions.DescribeExecution');
      expect(code(mistyped.json)).toBe('ValidationException');
      const tooMany = await post('{"maxResults": 1001}', 'AWSStepFunctions.ListStateMachines');
      expect(tooMany.json.message).toBe(
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
      );
      const badEnum = await post(
        JSON.stringify({
          stateMachineArn: 'arn:aws:states:ap-southeast-3:000000000000:stateMachine:x',
          statusFilter: 'done',
        }),
        'AWSStepFunctions.ListExecutions',
      );
      expect(String(badEnum.json.message)).toContain('Member must satisfy enum value set');
      const array = await post('[]', 'AWSStepFunctions.ListStateMachines');
      expect(code(array.json)).toBe('SerializationException');
    });

    it('answers a body over the size limit with 413 and other paths with 404', async () => {
      const huge = await post(
        JSON.stringify({ definition: 'x'.repeat(3 * 1024 * 1024) }),
        'AWSStepFunctions.CreateStateMachine',
      );
      expect(huge.status).toBe(413);
      const notFound = await fetch(`${harness.service.url}/somewhere`);
      expect(notFound.status).toBe(404);
      await notFound.body?.cancel();
    });

    it('keeps serving after malformed requests', async () => {
      await post('garbage', 'AWSStepFunctions.StartExecution');
      await post('{}', 'AWSStepFunctions.');
      const { client } = harness;
      const arn = await createMachine(client, passMachine);
      const started = await client.send(new StartExecutionCommand({ stateMachineArn: arn }));
      const done = await waitFor(async () => {
        const d = await describeExecution(client, started.executionArn as string);
        return d.status === 'SUCCEEDED' ? d : undefined;
      }, 'execution after malformed requests');
      expect(done.status).toBe('SUCCEEDED');
    });
  });
});
