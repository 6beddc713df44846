import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseExecutionArn, parseStateMachineArn } from '../../../local/sfn/api/arn.ts';
import { ApiError } from '../../../local/sfn/api/errors.ts';
import { ManualClock, SystemClock } from '../../../local/sfn/engine/clock.ts';
import { TokenIssuer } from '../../../local/sfn/engine/tokens.ts';
import { errorMatches } from '../../../local/sfn/interpreter/retry-catch.ts';
import {
  decodeBatches,
  encodeBatch,
  encodeRecord,
  type JournalRecord,
} from '../../../local/sfn/journal/format.ts';
import { Journal } from '../../../local/sfn/journal/journal.ts';
import { functionArn, parseFunctionRef, registryFromModules } from '../../../local/sfn/lambda/registry.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sfn-unit-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function replay(dir: string, options = {}): Promise<{ journal: Journal; records: JournalRecord[] }> {
  const records: JournalRecord[] = [];
  const journal = await Journal.open(dir, (r) => records.push(r), options);
  return { journal, records };
}

describe('Journal', () => {
  it('replays every synced record, in order, after reopening', async () => {
    const dir = tempDir();
    const { journal } = await replay(dir);
    for (let i = 0; i < 100; i++) journal.append({ t: 'x', i });
    await journal.sync();
    await journal.close();

    const { journal: reopened, records } = await replay(dir);
    expect(records.map((r) => r.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await reopened.close();
  });

  it('groups concurrent appends into few writes (group commit)', async () => {
    const dir = tempDir();
    const { journal } = await replay(dir);
    const syncs: Promise<void>[] = [];
    for (let i = 0; i < 500; i++) {
      journal.append({ t: 'x', i });
      syncs.push(journal.sync());
    }
    await Promise.all(syncs);
    const decoded = decodeBatches(readFileSync(join(dir, 'journal-0.log')));
    expect(decoded.records).toHaveLength(500);
    expect(decoded.badAt).toBeUndefined();
    await journal.close();
  });

  it('cuts off a torn final line and keeps appending after the last good record', async () => {
    const dir = tempDir();
    const { journal } = await replay(dir);
    journal.append({ t: 'x', i: 1 });
    journal.append({ t: 'x', i: 2 });
    await journal.close();
    const file = join(dir, 'journal-0.log');
    const torn = encodeBatch(encodeRecord({ t: 'x', i: 3 })).subarray(0, 20);
    appendFileSync(file, torn);

    const { journal: reopened, records } = await replay(dir);
    expect(records.map((r) => r.i)).toEqual([1, 2]);
    reopened.append({ t: 'x', i: 4 });
    await reopened.close();
    const { journal: third, records: after } = await replay(dir);
    expect(after.map((r) => r.i)).toEqual([1, 2, 4]);
    await third.close();
  });

  it('refuses to start on damage that is not a torn final write', async () => {
    const dir = tempDir();
    const { journal } = await replay(dir);
    journal.append({ t: 'x', i: 1 });
    await journal.sync();
    journal.append({ t: 'x', i: 2 });
    await journal.close();
    const file = join(dir, 'journal-0.log');
    // A bit flipped in the first of two batches: not something a crash mid-write produces.
    writeFileSync(file, readFileSync(file, 'utf8').replace('"i":1', '"i":9'));
    await expect(replay(dir)).rejects.toThrow(/damaged/);
  });

  it('refuses a data directory written in another store format', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'journal-0.log'), '{"t":"x"}\n');
    await expect(replay(dir)).rejects.toThrow(/earlier, incompatible version/);
    const marked = tempDir();
    writeFileSync(join(marked, 'store-format'), 'something else\n');
    await expect(replay(marked)).rejects.toThrow(/format "something else"/);
  });

  it('reads a store of the previous format (its records are a subset) and marks it current', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'store-format'),
      'local-sfn journal 3 (batched, crc32 per batch, compact events)\n',
    );
    writeFileSync(join(dir, 'journal-0.log'), encodeBatch(encodeRecord({ t: 'x', i: 1 })));
    const { journal, records } = await replay(dir);
    expect(records.map((r) => r.i)).toEqual([1]);
    await journal.close();
    expect(readFileSync(join(dir, 'store-format'), 'utf8')).toMatch(/^local-sfn journal 4 /);
  });

  it('compacts into a snapshot and drops the old generation without losing records', async () => {
    const dir = tempDir();
    const state: JournalRecord[] = [];
    const journal = await Journal.open(dir, (r) => state.push(r), { compactAfterBytes: 2000 });
    journal.snapshotSource = () => state.map((record) => ({ record: { ...record } }));
    for (let i = 0; i < 200; i++) {
      const record = { t: 'x', i, pad: 'p'.repeat(20) };
      state.push(record);
      journal.append(record);
      await journal.sync();
    }
    await journal.compact();
    await journal.close();
    const files = readdirSync(dir);
    expect(files.some((f) => f.startsWith('snapshot-'))).toBe(true);
    expect(files).not.toContain('journal-0.log');

    const { journal: reopened, records } = await replay(dir);
    const seen = [...new Set(records.map((r) => r.i))];
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
    await reopened.close();
  });
});

describe('clocks', () => {
  it('fires ManualClock timers in deadline order, at their deadline, when time is moved past them', () => {
    const clock = new ManualClock(1_000);
    const fired: Array<[string, number]> = [];
    clock.setTimer(5_000, () => fired.push(['b', clock.now()]));
    clock.setTimer(3_000, () => {
      fired.push(['a', clock.now()]);
      clock.setTimer(4_000, () => fired.push(['a2', clock.now()]));
    });
    const handle = clock.setTimer(4_500, () => fired.push(['cancelled', clock.now()]));
    handle.cancel();
    clock.advance(10_000);
    expect(fired).toEqual([
      ['a', 3_000],
      ['a2', 4_000],
      ['b', 5_000],
    ]);
    expect(clock.now()).toBe(11_000);
    expect(clock.nextDue()).toBeUndefined();
  });

  it('moves a SystemClock forward, fires due timers at once and persists the offset', async () => {
    const file = join(tempDir(), 'offset.json');
    const clock = new SystemClock({ offsetFile: file });
    const fired = new Promise<number>((resolve) =>
      clock.setTimer(Date.now() + 3_600_000, () => resolve(clock.now())),
    );
    clock.advance(3_600_000);
    expect(await fired).toBeGreaterThanOrEqual(Date.now() + 3_590_000);
    clock.stop();
    expect(new SystemClock({ offsetFile: file }).offsetMs()).toBe(3_600_000);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});

describe('function references', () => {
  it('parses every form Lambda accepts and rejects the rest', () => {
    expect(parseFunctionRef('stage-actions')).toEqual({ name: 'stage-actions' });
    expect(parseFunctionRef('stage-actions:live')).toEqual({ name: 'stage-actions', qualifier: 'live' });
    expect(parseFunctionRef('123456789012:function:issue')).toEqual({
      name: 'issue',
      accountId: '123456789012',
    });
    expect(parseFunctionRef('arn:aws:lambda:ap-southeast-3:123456789012:function:issue:$LATEST')).toEqual({
      name: 'issue',
      qualifier: '$LATEST',
      region: 'ap-southeast-3',
      accountId: '123456789012',
    });
    for (const bad of ['', 'a b', 'arn:aws:s3:::bucket', 'x:y:z', 'arn:aws:lambda:r:1:function']) {
      expect(parseFunctionRef(bad)).toBeUndefined();
    }
    expect(functionArn({ name: 'f', qualifier: '1' }, 'ap-southeast-3', '000000000000')).toBe(
      'arn:aws:lambda:ap-southeast-3:000000000000:function:f:1',
    );
  });

  it('resolves a module handler by name, full, qualified or partial ARN, loading it once', async () => {
    let loads = 0;
    const registry = registryFromModules({
      issue: async () => {
        loads++;
        return { handler: async (event: { n: number }) => event.n + 1 };
      },
    });
    for (const ref of [
      'issue',
      'issue:prod',
      '000000000000:function:issue',
      'arn:aws:lambda:ap-southeast-3:000000000000:function:issue',
      'arn:aws:lambda:ap-southeast-3:000000000000:function:issue:$LATEST',
    ]) {
      const handler = await registry.resolve(ref);
      expect(await handler?.({ n: 1 }, {} as never)).toBe(2);
    }
    expect(loads).toBe(1);
    expect(await registry.resolve('other')).toBeUndefined();
    expect(await registry.resolve('constructor')).toBeUndefined();
  });
});

describe('task tokens', () => {
  it('verifies its own tokens across instances and rejects forged or altered ones', () => {
    const dir = tempDir();
    const token = TokenIssuer.load(dir).issue({ executionSeq: 7, taskSeq: 3 });
    const again = TokenIssuer.load(dir);
    expect(again.verify(token)).toEqual({ executionSeq: 7, taskSeq: 3 });
    expect(again.verify(`${token}\n`)).toBeUndefined();
    expect(again.verify(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(TokenIssuer.load(tempDir()).verify(token)).toBeUndefined();
  });
});

describe('error matching', () => {
  it('applies the wildcards as AWS documents them', () => {
    expect(errorMatches(['States.ALL'], 'Custom', false)).toBe(true);
    expect(errorMatches(['States.ALL'], 'States.Runtime', false)).toBe(false);
    expect(errorMatches(['States.Runtime'], 'States.Runtime', false)).toBe(false);
    expect(errorMatches(['States.ALL'], 'States.DataLimitExceeded', false)).toBe(false);
    expect(errorMatches(['States.DataLimitExceeded'], 'States.DataLimitExceeded', false)).toBe(true);
    expect(errorMatches(['States.TaskFailed'], 'Lambda.ServiceException', false)).toBe(true);
    expect(errorMatches(['States.TaskFailed'], 'States.Timeout', false)).toBe(false);
    expect(errorMatches(['States.HeartbeatTimeout'], 'States.Timeout', true)).toBe(true);
    expect(errorMatches(['States.HeartbeatTimeout'], 'States.Timeout', false)).toBe(false);
    expect(errorMatches(['States.Timeout'], 'States.Timeout', true)).toBe(true);
  });
});

describe('ARNs', () => {
  const invalid = (action: () => unknown) => {
    try {
      action();
    } catch (error) {
      return (error as ApiError).code;
    }
    return 'accepted';
  };

  it('parses state machine and execution ARNs and names the reason for bad ones', () => {
    expect(parseStateMachineArn('arn:aws:states:ap-southeast-3:000000000000:stateMachine:sip')).toMatchObject(
      {
        name: 'sip',
      },
    );
    expect(parseExecutionArn('arn:aws:states:ap-southeast-3:000000000000:execution:sip:app-1')).toMatchObject(
      {
        stateMachineName: 'sip',
        name: 'app-1',
      },
    );
    expect(invalid(() => parseStateMachineArn('sip'))).toBe('InvalidArn');
    expect(
      invalid(() => parseStateMachineArn('arn:aws:states:ap-southeast-3:000000000000:execution:a:b')),
    ).toBe('InvalidArn');
    expect(invalid(() => parseExecutionArn('arn:aws:states:ap-southeast-3:0:execution:a:b'))).toBe(
      'InvalidArn',
    );
    expect(
      invalid(() => parseStateMachineArn('arn:aws:states:ap-southeast-3:000000000000:stateMachine:sip:1')),
    ).toBe('StateMachineDoesNotExist');
    expect(new ApiError('X', 'y').status).toBe(400);
  });
});
