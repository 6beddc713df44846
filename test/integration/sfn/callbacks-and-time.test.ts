import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { ManualClock, SystemClock } from '../../../local/sfn/index.ts';
import { attempts, receivedTokens, testFunctions } from '../../fixtures/sfn/functions.ts';
import {
  createMachine,
  describe as describeExecution,
  history,
  startHarness,
  types,
  uniqueName,
  useHarness,
  waitForEvent,
  waitForStatus,
} from '../../fixtures/sfn/harness.ts';

const CALLBACK = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const DAY = 24 * 3600;

/** The product's stage pattern: hand the task token to a function, wait for a person to answer. */
const stage = (extra: object = {}) => ({
  Type: 'Task',
  Resource: CALLBACK,
  Parameters: {
    FunctionName: 'arn:aws:lambda:ap-southeast-3:000000000000:function:notify',
    Payload: { 'key.$': '$$.Execution.Name', 'token.$': '$$.Task.Token', 'stage.$': '$$.State.Name' },
  },
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).name;
  }
  throw new Error('expected the call to fail');
}

describe('task tokens, timeouts and the clock', () => {
  const clock = new ManualClock();
  const harness = useHarness({ functions: testFunctions, clock });

  async function startAndWaitForToken(definition: object, input: object = {}) {
    const { client } = harness;
    const machine = await createMachine(client, definition);
    const name = uniqueName('ex');
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn: machine, name, input: JSON.stringify(input) }),
    );
    const executionArn = started.executionArn as string;
    await waitForEvent(client, executionArn, 'TaskSubmitted');
    const token = receivedTokens.get(name);
    if (!token) throw new Error('the notify function got no token');
    return { executionArn, token, name };
  }

  it('delivers the task token to the function and resumes with the output sent back', async () => {
    const { client } = harness;
    const { executionArn, token } = await startAndWaitForToken(
      { StartAt: 'Verify', States: { Verify: stage({ ResultPath: '$.decision', End: true }) } },
      { permit: 'SIP-1' },
    );

    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));

    const done = await waitForStatus(client, executionArn);
    expect(JSON.parse(done.output ?? '')).toEqual({ permit: 'SIP-1', decision: { approved: true } });
    const events = await history(client, executionArn);
    expect(types(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    const scheduled = events[2]?.taskScheduledEventDetails;
    expect(scheduled).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      region: 'ap-southeast-3',
    });
    expect(JSON.parse(scheduled?.parameters ?? '').Payload.token).toBe(token);
    expect(JSON.parse(events[4]?.taskSubmittedEventDetails?.output ?? '')).toMatchObject({
      Payload: { delivered: true },
      StatusCode: 200,
    });
  });

  it('closes a token once used: later calls get TaskTimedOut, forged or garbled tokens InvalidToken', async () => {
    const { client } = harness;
    const { executionArn, token } = await startAndWaitForToken({
      StartAt: 'S',
      States: { S: stage({ End: true }) },
    });

    expect(
      await failure(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{oops' }))),
    ).toBe('InvalidOutput');
    const [payload, mac] = token.split('.');
    const forged = `${payload}.${(mac ?? '').split('').reverse().join('')}`;
    expect(await failure(client.send(new SendTaskSuccessCommand({ taskToken: forged, output: '{}' })))).toBe(
      'InvalidToken',
    );
    expect(await failure(client.send(new SendTaskHeartbeatCommand({ taskToken: 'not a token' })))).toBe(
      'InvalidToken',
    );

    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: '"done"' }));
    await waitForStatus(client, executionArn);

    expect(await failure(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))).toBe(
      'TaskTimedOut',
    );
    expect(await failure(client.send(new SendTaskFailureCommand({ taskToken: token })))).toBe('TaskTimedOut');
    expect(await failure(client.send(new SendTaskHeartbeatCommand({ taskToken: token })))).toBe(
      'TaskTimedOut',
    );
  });

  it('turns SendTaskFailure into a task error that Catch matches by name', async () => {
    const { client } = harness;
    const { executionArn, token } = await startAndWaitForToken({
      StartAt: 'S',
      States: {
        S: stage({
          Catch: [{ ErrorEquals: ['Permohonan.Ditolak'], ResultPath: '$.rejection', Next: 'Rejected' }],
          End: true,
        }),
        Rejected: { Type: 'Pass', OutputPath: '$.rejection', End: true },
      },
    });

    await client.send(
      new SendTaskFailureCommand({ taskToken: token, error: 'Permohonan.Ditolak', cause: 'STR kedaluwarsa' }),
    );

    const done = await waitForStatus(client, executionArn);
    expect(JSON.parse(done.output ?? '')).toEqual({ Error: 'Permohonan.Ditolak', Cause: 'STR kedaluwarsa' });
    const failed = (await history(client, executionArn)).find((e) => e.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toMatchObject({
      error: 'Permohonan.Ditolak',
      cause: 'STR kedaluwarsa',
    });
  });

  it('times out a 15-working-day stage from TimeoutSecondsPath in the state input, at the exact instant', async () => {
    const { client } = harness;
    // Fifteen working days from a Monday are three calendar weeks.
    const deadlineSeconds = 21 * DAY;
    const { executionArn, token } = await startAndWaitForToken(
      {
        StartAt: 'Review',
        States: {
          Review: stage({
            TimeoutSecondsPath: '$.stage.timeoutSeconds',
            Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'Overdue' }],
            End: true,
          }),
          Overdue: { Type: 'Pass', Result: 'overdue', ResultPath: '$.outcome', End: true },
        },
      },
      { stage: { timeoutSeconds: deadlineSeconds } },
    );
    const scheduled = (await history(client, executionArn)).find((e) => e.type === 'TaskScheduled');
    expect(scheduled?.taskScheduledEventDetails?.timeoutInSeconds).toBe(deadlineSeconds);
    const startedAt = (await history(client, executionArn)).find((e) => e.type === 'TaskStarted')
      ?.timestamp as Date;

    clock.advance(deadlineSeconds * 1000 - 1000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await describeExecution(client, executionArn)).status).toBe('RUNNING');

    clock.advance(1000);
    const done = await waitForStatus(client, executionArn);

    expect(JSON.parse(done.output ?? '').outcome).toBe('overdue');
    const timedOut = (await history(client, executionArn)).find((e) => e.type === 'TaskTimedOut');
    expect(timedOut?.taskTimedOutEventDetails).toMatchObject({
      error: 'States.Timeout',
      resource: 'invoke.waitForTaskToken',
    });
    expect((timedOut?.timestamp?.getTime() ?? 0) - startedAt.getTime()).toBe(deadlineSeconds * 1000);
    expect(await failure(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))).toBe(
      'TaskTimedOut',
    );
  });

  it('keeps a task alive with heartbeats and times it out (States.HeartbeatTimeout) when they stop', async () => {
    const { client } = harness;
    const { executionArn, token } = await startAndWaitForToken(
      {
        StartAt: 'S',
        States: {
          S: stage({
            HeartbeatSecondsPath: '$.heartbeat',
            Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], Next: 'NoPulse' }],
            End: true,
          }),
          NoPulse: { Type: 'Pass', End: true },
        },
      },
      { heartbeat: 60 },
    );

    for (let i = 0; i < 3; i++) {
      clock.advance(50_000);
      await client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    }
    expect((await describeExecution(client, executionArn)).status).toBe('RUNNING');

    clock.advance(60_000);
    const done = await waitForStatus(client, executionArn);

    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '')).toEqual({ Error: 'States.Timeout' });
    const events = await history(client, executionArn);
    expect(
      events.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails?.heartbeatInSeconds,
    ).toBe(60);
    expect(types(events)).toContain('TaskTimedOut');
  });

  it('spaces retries by IntervalSeconds x BackoffRate^n, capped by MaxDelaySeconds', async () => {
    const { client } = harness;
    const machine = await createMachine(client, {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'flaky', Payload: { 'key.$': '$$.Execution.Name', failures: 3 } },
          Retry: [
            {
              ErrorEquals: ['Lambda.ServiceException'],
              IntervalSeconds: 2,
              BackoffRate: 3,
              MaxDelaySeconds: 5,
              MaxAttempts: 3,
            },
          ],
          End: true,
        },
      },
    });
    const name = uniqueName('retry');
    const started = await client.send(new StartExecutionCommand({ stateMachineArn: machine, name }));
    const executionArn = started.executionArn as string;
    for (const [count, delaySeconds] of [
      [1, 2],
      [2, 5],
      [3, 5],
    ] as const) {
      await waitForEvent(client, executionArn, 'TaskFailed', count);
      clock.advance(delaySeconds * 1000);
    }
    const done = await waitForStatus(client, executionArn);

    expect(done.status).toBe('SUCCEEDED');
    expect(attempts.get(name)).toBe(4);
    const events = await history(client, executionArn);
    const failedAt = events
      .filter((e) => e.type === 'TaskFailed')
      .map((e) => (e.timestamp as Date).getTime());
    const scheduledAt = events
      .filter((e) => e.type === 'TaskScheduled')
      .map((e) => (e.timestamp as Date).getTime());
    const delays = failedAt.map((at, i) => ((scheduledAt[i + 1] as number) - at) / 1000);
    expect(delays).toEqual([2, 5, 5]);
  });

  it('retries a stage whose function fails with Lambda.ServiceException, issuing a new token', async () => {
    const { client } = harness;
    const machine = await createMachine(client, {
      StartAt: 'Flaky',
      States: {
        Flaky: {
          Type: 'Task',
          Resource: CALLBACK,
          Parameters: {
            FunctionName: 'flaky',
            Payload: { 'key.$': '$$.Execution.Name', failures: 1, 'token.$': '$$.Task.Token' },
          },
          Retry: [
            {
              ErrorEquals: [
                'Lambda.ServiceException',
                'Lambda.TooManyRequestsException',
                'Lambda.SdkClientException',
              ],
              IntervalSeconds: 1,
              MaxAttempts: 2,
            },
          ],
          End: true,
        },
      },
    });
    const name = uniqueName('flakystage');
    const started = await client.send(new StartExecutionCommand({ stateMachineArn: machine, name }));
    const executionArn = started.executionArn as string;
    await waitForEvent(client, executionArn, 'TaskFailed');
    clock.advance(1000);
    const events = await waitForEvent(client, executionArn, 'TaskSubmitted');
    const tokens = events
      .filter((e) => e.type === 'TaskScheduled')
      .map((e) => JSON.parse(e.taskScheduledEventDetails?.parameters ?? '').Payload.token as string);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).not.toBe(tokens[1]);

    expect(
      await failure(client.send(new SendTaskSuccessCommand({ taskToken: tokens[0] as string, output: '1' }))),
    ).toBe('TaskTimedOut');
    await client.send(new SendTaskSuccessCommand({ taskToken: tokens[1] as string, output: '2' }));
    expect(JSON.parse((await waitForStatus(client, executionArn)).output ?? '')).toBe(2);
  });

  it('fires a Wait with TimestampPath when the clock reaches it', async () => {
    const { client } = harness;
    const machine = await createMachine(client, {
      StartAt: 'Until',
      States: { Until: { Type: 'Wait', TimestampPath: '$.deadline', End: true } },
    });
    const deadline = new Date(clock.now() + 10 * DAY * 1000).toISOString();
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify({ deadline }) }),
    );
    const executionArn = started.executionArn as string;
    await waitForEvent(client, executionArn, 'WaitStateEntered');

    clock.advance(10 * DAY * 1000 - 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await describeExecution(client, executionArn)).status).toBe('RUNNING');
    clock.advance(1);

    const done = await waitForStatus(client, executionArn);
    expect(done.status).toBe('SUCCEEDED');
    const exited = (await history(client, executionArn)).find((e) => e.type === 'WaitStateExited');
    expect(exited?.timestamp?.toISOString()).toBe(deadline);
  });
});

describe('local fast-forward over HTTP', () => {
  it('moves a real-time service forward so a one-hour Wait completes, and keeps the offset across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sfn-clock-'));
    try {
      let harness = await startHarness({ functions: testFunctions, dataDir });
      const { client } = harness;
      const machine = await createMachine(client, {
        StartAt: 'W',
        States: { W: { Type: 'Wait', Seconds: 3600, End: true } },
      });
      const started = await client.send(new StartExecutionCommand({ stateMachineArn: machine }));
      await waitForEvent(client, started.executionArn as string, 'WaitStateEntered');

      const before = (await (await fetch(`${harness.service.url}/_local/clock`)).json()) as {
        offsetSeconds: number;
      };
      expect(before.offsetSeconds).toBe(0);
      const moved = await fetch(`${harness.service.url}/_local/clock`, {
        method: 'POST',
        body: JSON.stringify({ advanceSeconds: 3600 }),
      });
      expect(moved.status).toBe(200);
      expect(((await moved.json()) as { offsetSeconds: number }).offsetSeconds).toBe(3600);
      const done = await waitForStatus(client, started.executionArn as string);
      expect(done.status).toBe('SUCCEEDED');

      const refused = await fetch(`${harness.service.url}/_local/clock`, {
        method: 'POST',
        body: JSON.stringify({ advanceSeconds: -5 }),
      });
      expect(refused.status).toBe(400);
      await refused.body?.cancel();
      // A jump past any representable time is the caller's mistake (400), not a crash (500).
      const huge = await fetch(`${harness.service.url}/_local/clock`, {
        method: 'POST',
        body: JSON.stringify({ advanceSeconds: 1e308 }),
      });
      expect(huge.status).toBe(400);
      await huge.body?.cancel();
      // A web page on another site may not move the clock (a simple POST needs no preflight).
      const crossSite = await fetch(`${harness.service.url}/_local/clock`, {
        method: 'POST',
        headers: { origin: 'http://evil.example' },
        body: JSON.stringify({ advanceSeconds: 60 }),
      });
      expect(crossSite.status).toBe(403);
      await crossSite.body?.cancel();

      await harness.close();
      expect(JSON.parse(readFileSync(join(dataDir, 'clock-offset.json'), 'utf8'))).toEqual({
        offsetMs: 3_600_000,
      });
      harness = await startHarness({ functions: testFunctions, dataDir });
      expect(harness.service.clock).toBeInstanceOf(SystemClock);
      const after = (await (await fetch(`${harness.service.url}/_local/clock`)).json()) as {
        offsetSeconds: number;
      };
      expect(after.offsetSeconds).toBe(3600);
      await harness.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
