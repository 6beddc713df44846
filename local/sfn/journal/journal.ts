import { mkdirSync, readdirSync, statSync, truncateSync, writeSync } from 'node:fs';
import { type FileHandle, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory, writeDurablyFrom } from './durable-file.ts';
import { checkFormat, encodeBatch, encodeRecord, type JournalRecord, replayFile } from './format.ts';

/**
 * The service's store: an append-only journal of JSON records with group commit, plus
 * snapshots that let old journals be dropped.
 *
 * Files in the data directory, for a generation N:
 *   snapshot-N.jsonl  the whole state at the moment journal-N was started (written to a
 *                     temporary name, fsynced, then renamed: if it exists it is complete)
 *   journal-N.log     every change since then
 *
 * Both are sequences of batches: a header line `#<crc32 hex> <body bytes>\n`, then the body,
 * one JSON record per line. Recovery loads the newest complete snapshot K, then replays
 * journal-K, journal-K+1, ... in order. The last batch of the last journal may be torn (the
 * process died while writing it): it is cut off. A bad batch followed by more data is
 * corruption and stops the service rather than guessing.
 *
 * Group commit: `append()` only queues a record. One flush at a time writes everything queued
 * so far as one batch (one write, one fdatasync); `sync()` resolves once every record appended
 * before the call is on disk. Concurrent executions therefore share fsyncs, and the checksum is
 * computed once per batch over the bytes actually written.
 */

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

const MAX_SYNCS_IN_FLIGHT = 2;
const DEFAULT_COMPACT_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

export class Journal {
  private pending: Pending[] = [];
  private appended = 0;
  private durable = 0;
  private waiters: Waiter[] = [];
  private flushing = false;
  /** Records handed to write(), in order. */
  private written = 0;
  private syncsInFlight = 0;
  private wake: (() => void) | undefined;
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
  snapshotSource: (() => Array<{ record: JournalRecord; rawEvents?: readonly string[] }>) | undefined;

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
    checkFormat(dir, files);
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
      const decoded = replayFile(file, apply);
      if (decoded.badAt !== undefined) {
        throw new Error(
          `${file} is damaged at byte ${decoded.badAt}; it was renamed into place complete, so the disk lost data`,
        );
      }
    }
    const toReplay = journals.filter((n) => n >= base);
    let current = base;
    let currentBytes = 0;
    for (const [i, gen] of toReplay.entries()) {
      const file = join(dir, `journal-${gen}.log`);
      const decoded = replayFile(file, apply);
      if (decoded.badAt !== undefined) {
        const isLastFile = i === toReplay.length - 1;
        if (!isLastFile || !decoded.badIsTail) {
          throw new Error(`${file} is damaged at byte ${decoded.badAt} (not a torn final write)`);
        }
        // A write cut short by a crash: drop its partial bytes before appending after it.
        truncateSync(file, decoded.validBytes);
      }
      current = gen;
      currentBytes = decoded.validBytes;
    }
    const journal = new Journal(dir, current, currentBytes, options);
    journal.handle = await open(join(dir, `journal-${current}.log`), 'a');
    await syncDirectory(dir);
    return journal;
  }

  /** Queues a record; it is written by the next group commit. */
  append(record: JournalRecord, rawEvents?: readonly string[]): void {
    this.appendLine(encodeRecord(record, rawEvents));
  }

  /** Queues a record already encoded as one line of JSON ending in a newline. */
  appendLine(line: string): void {
    if (this.closed) throw new Error('journal closed');
    this.pending.push({ line });
    this.appended++;
    this.scheduleFlush();
  }

  /**
   * Writes what is queued now rather than at the end of this turn of the event loop, for a
   * caller that has appended everything of its turn (the interpreter, after each turn).
   */
  flushNow(): void {
    if (this.pending.length > 0 && !this.flushing && !this.failed && !this.closed) void this.flush();
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
      await writeDurablyFrom(join(this.dir, `snapshot-${next}.jsonl`), async (handle) => {
        let chunk = '';
        for (const { record, rawEvents } of records) {
          chunk += encodeRecord(record, rawEvents);
          if (chunk.length >= CHUNK_BYTES) {
            await handle.write(encodeBatch(chunk));
            chunk = '';
          }
        }
        if (chunk) await handle.write(encodeBatch(chunk));
      });
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
    if (this.flushing) {
      // The flush loop may be waiting for a sync to finish; new records can go out meanwhile.
      this.wakeUp();
      return;
    }
    if (this.flushScheduled || this.failed) return;
    this.flushScheduled = true;
    // setImmediate lets every append of the current turn of the event loop join the batch.
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  /**
   * Writes queued batches in order. A batch's fdatasync may still be running while the next batch
   * is written (at most two syncs in flight): an fdatasync makes durable everything written
   * before it, so a later sync completing first also covers the earlier batch.
   */
  private async flush(): Promise<void> {
    if (this.flushing || this.failed) return;
    this.flushing = true;
    try {
      while (this.pending.length > 0 || this.syncsInFlight > 0) {
        if (this.pending.length === 0 || this.syncsInFlight >= MAX_SYNCS_IN_FLIGHT) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          continue;
        }
        const batch = this.pending;
        this.pending = [];
        let text = '';
        for (const item of batch) {
          if ('line' in item) {
            text += item.line;
            this.written++;
            if (text.length >= CHUNK_BYTES) {
              this.write(text);
              text = '';
            }
          } else {
            if (text) this.write(text);
            text = '';
            await this.drainSyncs();
            await this.handle?.sync();
            await this.handle?.close();
            this.handle = await open(join(this.dir, `journal-${item.switchTo}.log`), 'a');
            this.bytesInJournal = 0;
            await syncDirectory(this.dir);
          }
        }
        if (text) this.write(text);
        const target = this.written;
        const handle = this.handle;
        if (!handle) throw new Error('journal not open');
        this.syncsInFlight++;
        handle.datasync().then(
          () => {
            this.syncsInFlight--;
            if (target > this.durable) this.durable = target;
            this.releaseWaiters();
            this.wakeUp();
          },
          (error: unknown) => {
            this.syncsInFlight--;
            this.fail(error);
            this.wakeUp();
          },
        );
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.flushing = false;
    }
    if (this.pending.length > 0) this.scheduleFlush();
    if (!this.failed && this.bytesInJournal > this.compactAfterBytes && !this.compacting) {
      this.compact().catch((error: unknown) => this.onError(error));
    }
  }

  private async drainSyncs(): Promise<void> {
    while (this.syncsInFlight > 0) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = error;
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters = [];
    this.pending = [];
    this.onError(error);
  }
  /**
   * Writes a batch. Synchronously: copying a batch into the page cache takes tens of
   * microseconds, less than a round trip through the thread pool, and the interpreter waits for
   * it anyway (a task starts only once its record is durable). Measured on ext4 here, a write
   * while an fdatasync of the same file is in flight is not held up by it (at most about 0.1 ms).
   */
  private write(text: string): void {
    if (!this.handle) throw new Error('journal not open');
    const buffer = encodeBatch(text);
    const total = buffer.length;
    let offset = 0;
    while (offset < total) offset += writeSync(this.handle.fd, buffer, offset, total - offset);
    this.bytesInJournal += total;
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

/** Total size of the store's files, for the README figures and the benchmark. */
export function storeBytes(dir: string): number {
  let total = 0;
  for (const file of readdirSync(dir)) total += statSync(join(dir, file)).size;
  return total;
}
