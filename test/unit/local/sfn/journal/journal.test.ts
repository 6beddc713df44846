import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeBatches,
  encodeBatch,
  encodeRecord,
  type JournalRecord,
} from '../../../../../local/sfn/journal/format.ts';
import { Journal } from '../../../../../local/sfn/journal/journal.ts';
import { useTempDirs } from '../temp-dirs.ts';

const tempDir = useTempDirs();

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
