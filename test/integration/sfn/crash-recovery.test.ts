import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ListExecutionsCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildService, REPO_ROOT, spawnService } from '../../fixtures/sfn/child-service.ts';
import {
  createMachine,
  describe as describeExecution,
  history,
  sdkClient,
  uniqueName,
  waitFor,
  waitForEvent,
  waitForStatus,
} from '../../fixtures/sfn/harness.ts';

const FUNCTIONS = join(REPO_ROOT, 'test/fixtures/sfn/crash-functions.ts');
const RETRY_LAMBDA_ERRORS = [
  {
    ErrorEquals: ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'Lambda.SdkClientException'],
    IntervalSeconds: 600,
    MaxAttempts: 3,
  },
];
const payload = { 'key.$': '$$.Execution.Name' };

/**
 * The service runs as a child process and is killed with SIGKILL while executions wait on a
 * callback, sit in a Wait state, back off between retries, or have a Lambda invocation in
 * flight. A new process on the same data directory must finish all of them correctly, without
 * running any task a second time unless AWS would have retried it too.
 */
describe('local Step Functions crash recovery', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function workspace() {
    const root = mkdtempSync(join(tmpdir(), 'sfn-crash-'));
    const dataDir = join(root, 'data');
    const fixtureDir = join(root, 'fixture');
    mkdirSync(fixtureDir);
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    return { dataDir, fixtureDir };
  }

  async function start(
    dataDir: string,
    fixtureDir: string,
  ): Promise<{ service: ChildService; client: SFNClient }> {
    const service = await spawnService({ dataDir, functions: FUNCTIONS, env: { SFN_CRASH_DIR: fixtureDir } });
    const client = sdkClient(service.url);
    cleanups.push(async () => {
      client.destroy();
      if (service.child.exitCode === null && service.child.signalCode === null) await service.stop();
    });
    return { service, client };
  }

  const invocations = (fixtureDir: string): string[] => {
    const file = join(fixtureDir, 'invocations.log');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  };
  const count = (fixtureDir: string, line: string) =>
    invocations(fixtureDir).filter((l) => l === line).length;

  async function advanceClock(url: string, seconds: number): Promise<void> {
    const response = await fetch(`${url}/_local/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceSeconds: seconds }),
    });
    expect(response.status).toBe(200);
    await response.body?.cancel();
  }

  it('finishes executions killed while waiting on a callback, in a Wait, between retries and mid-invocation', async () => {
    const { dataDir, fixtureDir } = workspace();
    let { service, client } = await start(dataDir, fixtureDir);

    const callbackMachine = await createMachine(client, {
      StartAt: 'Stage',
      States: {
        Stage: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: 'notify', Payload: { ...payload, 'token.$': '$$.Task.Token' } },
          Retry: RETRY_LAMBDA_ERRORS,
          ResultPath: '$.decision',
          Next: 'After',
        },
        After: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'record', Payload: payload },
          ResultSelector: { 'r.$': '$.Payload.recorded' },
          ResultPath: '$.after',
          End: true,
        },
      },
    });
    const waitMachine = await createMachine(client, {
      StartAt: 'Hold',
      States: {
        Hold: { Type: 'Wait', Seconds: 3600, Next: 'Record' },
        Record: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:ap-southeast-3:000000000000:function:record',
          Parameters: payload,
          End: true,
        },
      },
    });
    const retryMachine = await createMachine(client, {
      StartAt: 'Try',
      States: {
        Try: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'flaky', Payload: payload },
          Retry: RETRY_LAMBDA_ERRORS,
          ResultSelector: { 'attempt.$': '$.Payload.attempt' },
          End: true,
        },
      },
    });
    const inFlightMachine = await createMachine(client, {
      StartAt: 'Slow',
      States: {
        Slow: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'slow', Payload: payload },
          Retry: [{ ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 5, MaxAttempts: 1 }],
          ResultSelector: { 'attempt.$': '$.Payload.attempt' },
          End: true,
        },
      },
    });

    const startMany = async (machine: string, prefix: string, n: number) => {
      const names: string[] = [];
      for (let i = 0; i < n; i++) {
        const name = uniqueName(prefix);
        await client.send(
          new StartExecutionCommand({ stateMachineArn: machine, name, input: '{"permit":"SIP"}' }),
        );
        names.push(name);
      }
      return names;
    };
    const arnOf = (machine: string, name: string) =>
      `${machine.replace(':stateMachine:', ':execution:')}:${name}`;
    const callbacks = await startMany(callbackMachine, 'cb', 3);
    const waits = await startMany(waitMachine, 'wait', 3);
    const retries = await startMany(retryMachine, 'retry', 3);
    const inFlight = await startMany(inFlightMachine, 'slow', 2);

    for (const name of callbacks) await waitForEvent(client, arnOf(callbackMachine, name), 'TaskSubmitted');
    for (const name of waits) await waitForEvent(client, arnOf(waitMachine, name), 'WaitStateEntered');
    for (const name of retries) await waitForEvent(client, arnOf(retryMachine, name), 'TaskFailed');
    await waitFor(
      async () => (inFlight.every((n) => count(fixtureDir, `slow ${n}`) === 1) ? true : undefined),
      'slow invocations',
    );

    await service.kill9();
    client.destroy();
    ({ service, client } = await start(dataDir, fixtureDir));

    // Pending task tokens stay valid across the crash.
    for (const name of callbacks) {
      const token = readFileSync(join(fixtureDir, `token-${name}`), 'utf8').trim();
      await client.send(
        new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: name }) }),
      );
    }
    // The Wait (one hour) and the retry back-off (ten minutes) fire once their instant comes.
    expect((await describeExecution(client, arnOf(waitMachine, waits[0] as string))).status).toBe('RUNNING');
    await advanceClock(service.url, 3600);

    for (const name of callbacks) {
      const done = await waitForStatus(client, arnOf(callbackMachine, name));
      expect(JSON.parse(done.output ?? '')).toEqual({
        permit: 'SIP',
        decision: { approved: name },
        after: { r: name },
      });
      expect(count(fixtureDir, `notify ${name}`)).toBe(1);
      expect(count(fixtureDir, `record ${name}`)).toBe(1);
    }
    for (const name of waits) {
      const done = await waitForStatus(client, arnOf(waitMachine, name));
      expect(JSON.parse(done.output ?? '')).toEqual({ recorded: name });
      expect(count(fixtureDir, `record ${name}`)).toBe(1);
    }
    for (const name of retries) {
      const done = await waitForStatus(client, arnOf(retryMachine, name));
      expect(JSON.parse(done.output ?? '')).toEqual({ attempt: 2 });
      expect(count(fixtureDir, `flaky ${name}`)).toBe(2);
    }
    // An invocation cut off by the crash is reported as Lambda reports a lost response,
    // Lambda.ServiceException, and retried only because the Retry asks for it.
    for (const name of inFlight) {
      const done = await waitForStatus(client, arnOf(inFlightMachine, name));
      expect(JSON.parse(done.output ?? '')).toEqual({ attempt: 2 });
      expect(count(fixtureDir, `slow ${name}`)).toBe(2);
      const failed = (await history(client, arnOf(inFlightMachine, name))).find(
        (e) => e.type === 'TaskFailed',
      );
      expect(failed?.taskFailedEventDetails?.error).toBe('Lambda.ServiceException');
    }
  });

  it('never runs a task twice without a Retry when killed at an arbitrary moment under load', async () => {
    const { dataDir, fixtureDir } = workspace();
    let { service, client } = await start(dataDir, fixtureDir);
    const machine = await createMachine(client, {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Result: 1, ResultPath: '$.a', Next: 'Record' },
        Record: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:ap-southeast-3:000000000000:function:record',
          Parameters: payload,
          ResultPath: '$.r',
          Next: 'B',
        },
        B: { Type: 'Wait', Seconds: 1, Next: 'C' },
        C: { Type: 'Pass', End: true },
      },
    });
    const names = Array.from({ length: 40 }, () => uniqueName('load'));
    const started = await Promise.all(
      names.map((name) =>
        client.send(new StartExecutionCommand({ stateMachineArn: machine, name })).then(() => name),
      ),
    );
    await waitFor(async () => (invocations(fixtureDir).length >= 10 ? true : undefined), 'some invocations');
    const runningAtKill = await client.send(
      new ListExecutionsCommand({ stateMachineArn: machine, statusFilter: 'RUNNING' }),
    );
    await service.kill9();
    // The crash has to interrupt executions for the test to prove anything.
    expect(runningAtKill.executions?.length).toBeGreaterThan(0);
    client.destroy();
    ({ service, client } = await start(dataDir, fixtureDir));
    await advanceClock(service.url, 5);

    for (const name of started) {
      const done = await waitForStatus(client, `${machine.replace(':stateMachine:', ':execution:')}:${name}`);
      const runs = count(fixtureDir, `record ${name}`);
      if (done.status === 'SUCCEEDED') {
        expect(runs).toBe(1);
      } else {
        // Killed between "task started" (durable) and its result: reported as Lambda.ServiceException.
        expect(done.error).toBe('Lambda.ServiceException');
        expect(runs).toBeLessThanOrEqual(1);
      }
    }
  });
});
