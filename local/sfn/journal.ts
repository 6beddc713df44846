import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * The service's store: an append-only journal of JSON records with group commit, plus
 * snapshots that let old journals be dropped.
 *
 * Files in the data directory, for a generation N:
 *   snapshot-N.jsonl  the whole state at the moment journal-N was started (written to a
 *                     temporary name, fsynced, then renamed: if it exists it is complete)
 *   journal-N.log     every change since then, one record per line: `<crc32 hex> <json>\n`
 *
 * Recovery loads the newest complete snapshot K, then replays journal-K, journal-K+1, ... in
 * order. A torn last line (crash in the middle of a write) fails its checksum or has no newline:
 * it is cut off. A bad line followed by good ones is corruption and stops the service.
 *
 * Group commit: `append()` only queues a line. One flush at a time writes everything queued so
 * far with a single write and a single fdatasync; `sync()` resolves once every record appended
 * before the call is on disk. Concurrent executions therefore share fsyncs.
 */

export type JournalRecord = Record<string, unknown>;

export interface JournalOptions {
  /** Start a new snapshot once the current journal grows past this many bytes. */
  compactAfterBytes?: number;
  onError?: (error: unknown) => void;
}

interface Waiter {
  target: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

type Pending = { line: string } | { switchTo: number };

const DEFAULT_COMPACT_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

export function encodeLine(record: JournalRecord): string {
  const json = JSON.stringify(record);
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

/** Decodes the complete, valid lines of a file; reports where the valid part ends. */
export function decodeLines(buffer: Buffer): {
  records: JournalRecord[];
  validBytes: number;
  badAt?: number;
} {
  const records: JournalRecord[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const end = buffer.indexOf(10, offset);
    if (end < 0) return { records, validBytes: offset, badAt: offset };
    const line = buffer.subarray(offset, end);
    const space = line.indexOf(32);
    const json = space === 8 ? line.subarray(9) : undefined;
    let record: JournalRecord | undefined;
    if (json && crc32(json).toString(16).padStart(8, '0') === line.subarray(0, 8).toString('latin1')) {
      try {
        record = JSON.parse(json.toString('utf8')) as JournalRecord;
      } catch {
        record = undefined;
      }
    }
    if (!record) return { records, validBytes: offset, badAt: offset };
    records.push(record);
    offset = end + 1;
  }
  return { records, validBytes: offset };
}

export class Journal {
  private pending: Pending[] = [];
  private appended = 0;
  private durable = 0;
  private waiters: Waiter[] = [];
  private flushing = false;
  private flushScheduled = false;
  private failed: unknown;
  private handle: FileHandle | undefined;
  private generation: number;
  private bytesInJournal: number;
  private compacting = false;
  private closed = false;
  private readonly compactAfterBytes: number;
  private readonly onError: (error: unknown) => void;
  /** Supplies the records of a snapshot of the current state (set by the owner of the state). */
  snapshotSource: (() => JournalRecord[]) | undefined;

  private constructor(
    private readonly dir: string,
    generation: number,
    bytes: number,
    options: JournalOptions,
  ) {
    this.generation = generation;
    this.bytesInJournal = bytes;
    this.compactAfterBytes = options.compactAfterBytes ?? DEFAULT_COMPACT_BYTES;
    this.onError = options.onError ?? ((error) => console.error(error));
  }

  /**
   * Opens the journal of `dir`, replaying its content through `apply` (snapshot records first,
   * then journal records, in order) before any new record can be appended.
   */
  static async open(
    dir: string,
    apply: (record: JournalRecord) => void,
    options: JournalOptions = {},
  ): Promise<Journal> {
    mkdirSync(dir, { recursive: true });
    const files = readdirSync(dir);
    const gens = (prefix: string, suffix: string) =>
      files
        .filter((f) => f.startsWith(prefix) && f.endsWith(suffix))
        .map((f) => Number(f.slice(prefix.length, f.length - suffix.length)))
        .filter((n) => Number.isInteger(n) && n >= 0)
        .sort((a, b) => a - b);
    const snapshots = gens('snapshot-', '.jsonl');
    const journals = gens('journal-', '.log');
    const base = snapshots.at(-1) ?? 0;
    if (snapshots.length > 0) {
      const file = join(dir, `snapshot-${base}.jsonl`);
      const decoded = decodeLines(readFileSync(file));
      if (decoded.badAt !== undefined) {
        throw new Error(
          `${file} is damaged at byte ${decoded.badAt}; it was renamed into place complete, so the disk lost data`,
        );
      }
      for (const record of decoded.records) apply(record);
    }
    const toReplay = journals.filter((n) => n >= base);
    let current = base;
    let currentBytes = 0;
    for (const [i, gen] of toReplay.entries()) {
      const file = join(dir, `journal-${gen}.log`);
      const buffer = readFileSync(file);
      const decoded = decodeLines(buffer);
      if (decoded.badAt !== undefined) {
        const isLastFile = i === toReplay.length - 1;
        const rest = buffer.subarray(decoded.badAt);
        const restHasCompleteLine = rest.indexOf(10) >= 0 && rest.indexOf(10) < rest.length - 1;
        if (!isLastFile || restHasCompleteLine) {
          throw new Error(`${file} is damaged at byte ${decoded.badAt} (not a torn final write)`);
        }
        // A write cut short by a crash: drop its partial bytes before appending after it.
        truncateSync(file, decoded.validBytes);
      }
      for (const record of decoded.records) apply(record);
      current = gen;
      currentBytes = decoded.validBytes;
    }
    const journal = new Journal(dir, current, currentBytes, options);
    journal.handle = await open(join(dir, `journal-${current}.log`), 'a');
    await syncDirectory(dir);
    return journal;
  }

  /** Queues a record; it is written by the next group commit. */
  append(record: JournalRecord): void {
    if (this.closed) throw new Error('journal closed');
    const line = encodeLine(record);
    this.pending.push({ line });
    this.appended++;
    this.scheduleFlush();
  }

  /** Resolves when every record appended so far is durable on disk. */
  sync(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.durable >= this.appended) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ target: this.appended, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Number of bytes in the current journal file (drives compaction). */
  get journalBytes(): number {
    return this.bytesInJournal;
  }

  /**
   * Starts a new generation: the current state (from `snapshotSource`) becomes snapshot-N+1,
   * later records go to journal-N+1, and the older files are deleted once the snapshot is durable.
   */
  async compact(): Promise<void> {
    if (this.compacting || this.closed || !this.snapshotSource) return;
    this.compacting = true;
    try {
      // Captured synchronously with the switch, so the snapshot and journal N+1 line up exactly.
      const records = this.snapshotSource();
      const next = this.generation + 1;
      this.generation = next;
      this.pending.push({ switchTo: next });
      this.scheduleFlush();
      const temp = join(this.dir, `snapshot-${next}.jsonl.tmp`);
      const handle = await open(temp, 'w');
      try {
        let chunk = '';
        for (const record of records) {
          chunk += encodeLine(record);
          if (chunk.length >= CHUNK_BYTES) {
            await handle.write(chunk);
            chunk = '';
          }
        }
        if (chunk) await handle.write(chunk);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, join(this.dir, `snapshot-${next}.jsonl`));
      await syncDirectory(this.dir);
      for (const file of readdirSync(this.dir)) {
        const match = /^(snapshot|journal)-(\d+)\.(jsonl|log)$/.exec(file);
        if (match && Number(match[2]) < next) await unlink(join(this.dir, file)).catch(() => undefined);
      }
    } finally {
      this.compacting = false;
    }
  }

  /** Flushes what is queued and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.sync().catch(() => undefined);
    while (this.flushing || this.compacting) await new Promise((r) => setTimeout(r, 5));
    this.closed = true;
    await this.handle?.close();
    this.handle = undefined;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing || this.failed) return;
    this.flushScheduled = true;
    // setImmediate lets every append of the current turn of the event loop join the batch.
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.failed) return;
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        let target = this.durable;
        let text = '';
        for (const item of batch) {
          if ('line' in item) {
            text += item.line;
            target++;
            if (text.length >= CHUNK_BYTES) {
              await this.write(text);
              text = '';
            }
          } else {
            if (text) await this.write(text);
            text = '';
            await this.handle?.sync();
            await this.handle?.close();
            this.handle = await open(join(this.dir, `journal-${item.switchTo}.log`), 'a');
            this.bytesInJournal = 0;
            await syncDirectory(this.dir);
          }
        }
        if (text) await this.write(text);
        await this.handle?.datasync();
        this.durable = target;
        this.releaseWaiters();
      }
    } catch (error) {
      this.failed = error;
      for (const waiter of this.waiters) waiter.reject(error);
      this.waiters = [];
      this.onError(error);
    } finally {
      this.flushing = false;
    }
    if (this.pending.length > 0) this.scheduleFlush();
    if (!this.failed && this.bytesInJournal > this.compactAfterBytes && !this.compacting) {
      this.compact().catch((error: unknown) => this.onError(error));
    }
  }

  private async write(text: string): Promise<void> {
    if (!this.handle) throw new Error('journal not open');
    const buffer = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < buffer.length) {
      const { bytesWritten } = await this.handle.write(buffer, offset, buffer.length - offset);
      offset += bytesWritten;
    }
    this.bytesInJournal += buffer.length;
  }

  private releaseWaiters(): void {
    if (this.waiters.length === 0) return;
    const remaining: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.target <= this.durable) waiter.resolve();
      else remaining.push(waiter);
    }
    this.waiters = remaining;
  }
}

/** fsync of the directory makes a created or renamed file's name durable. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the file contents are still synced.
  }
}

/** Total size of the store's files, for the README figures and the benchmark. */
export function storeBytes(dir: string): number {
  let total = 0;
  for (const file of readdirSync(dir)) total += statSync(join(dir, file)).size;
  return total;
}
