import {
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
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

const MAX_SYNCS_IN_FLIGHT = 2;
const DEFAULT_COMPACT_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

/**
 * One journal record as a line. `rawEvents` are history events that are already JSON text: they
 * are spliced in as the record's `e` array instead of being encoded again as strings (which
 * would escape every quote of every event a second time).
 */
export function encodeRecord(record: JournalRecord, rawEvents?: readonly string[]): string {
  const json = JSON.stringify(record);
  if (!rawEvents || rawEvents.length === 0) return `${json}\n`;
  return `${json.slice(0, -1)},"e":[${rawEvents.join(',')}]}\n`;
}

/** A batch as written: header with the checksum and length of the body, then the body. */
export function encodeBatch(body: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  const header = Buffer.from(`#${crc32(bytes).toString(16).padStart(8, '0')} ${bytes.length}\n`, 'latin1');
  return Buffer.concat([header, bytes]);
}

export interface Decoded {
  records: JournalRecord[];
  /** Bytes up to the end of the last good batch. */
  validBytes: number;
  /** Where the first bad batch starts, if any. */
  badAt?: number;
  /** Whether the bad batch is the last thing in the file (a torn final write). */
  badIsTail?: boolean;
}

interface Scan {
  /** Bytes of complete, good batches from the start of the buffer. */
  consumed: number;
  badAt?: number;
  badIsTail?: boolean;
}

/**
 * Decodes the complete batches at the start of `buffer`, handing each record to `onRecord`.
 * When `atEnd` is false the buffer is a window on a longer file: a batch running past its end
 * is not an error, it is read with the next window.
 */
function scanBatches(buffer: Buffer, atEnd: boolean, onRecord: (record: JournalRecord) => void): Scan {
  let offset = 0;
  while (offset < buffer.length) {
    const bad = (badIsTail: boolean): Scan => ({ consumed: offset, badAt: offset, badIsTail });
    const headerEnd = buffer.indexOf(10, offset);
    if (headerEnd < 0) return atEnd ? bad(true) : { consumed: offset };
    const header = /^#([0-9a-f]{8}) (\d+)$/.exec(buffer.subarray(offset, headerEnd).toString('latin1'));
    if (!header) return bad(false);
    const bodyStart = headerEnd + 1;
    const bodyEnd = bodyStart + Number(header[2]);
    if (bodyEnd > buffer.length) return atEnd ? bad(true) : { consumed: offset };
    const body = buffer.subarray(bodyStart, bodyEnd);
    const last = atEnd && bodyEnd === buffer.length;
    if (crc32(body).toString(16).padStart(8, '0') !== header[1]) return bad(last);
    const batch: JournalRecord[] = [];
    try {
      for (const line of body.toString('utf8').split('\n')) {
        if (line !== '') batch.push(JSON.parse(line) as JournalRecord);
      }
    } catch {
      return bad(last);
    }
    for (const record of batch) onRecord(record);
    offset = bodyEnd;
  }
  return { consumed: offset };
}

export function decodeBatches(buffer: Buffer): Decoded {
  const records: JournalRecord[] = [];
  const scan = scanBatches(buffer, true, (record) => records.push(record));
  const decoded: Decoded = { records, validBytes: scan.consumed };
  if (scan.badAt !== undefined) {
    decoded.badAt = scan.badAt;
    decoded.badIsTail = scan.badIsTail;
  }
  return decoded;
}

const READ_CHUNK = 4 * 1024 * 1024;

/**
 * Replays a file window by window, so recovery never holds a whole journal (or all its parsed
 * records) in memory at once: a restart then needs little more memory than the state itself.
 */
function replayFile(file: string, apply: (record: JournalRecord) => void): Omit<Decoded, 'records'> {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    // One buffer, reused: unread bytes move to its start, the next read fills the rest.
    let buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(size, 1)));
    let filled = 0;
    let position = 0;
    let base = 0;
    for (;;) {
      const atEnd = position >= size;
      const scan = scanBatches(buffer.subarray(0, filled), atEnd, apply);
      if (scan.badAt !== undefined) {
        return { validBytes: base + scan.consumed, badAt: base + scan.badAt, badIsTail: scan.badIsTail };
      }
      if (atEnd) return { validBytes: base + scan.consumed };
      base += scan.consumed;
      buffer.copyWithin(0, scan.consumed, filled);
      filled -= scan.consumed;
      if (filled === buffer.length) {
        // A batch larger than the buffer: grow it to fit.
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, filled);
        buffer = larger;
      }
      const read = readSync(fd, buffer, filled, buffer.length - filled, position);
      position += read;
      filled += read;
    }
  } finally {
    closeSync(fd);
  }
}
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
      const temp = join(this.dir, `snapshot-${next}.jsonl.tmp`);
      const handle = await open(temp, 'w');
      try {
        let chunk = '';
        for (const { record, rawEvents } of records) {
          chunk += encodeRecord(record, rawEvents);
          if (chunk.length >= CHUNK_BYTES) {
            await handle.write(encodeBatch(chunk));
            chunk = '';
          }
        }
        if (chunk) await handle.write(encodeBatch(chunk));
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

const FORMAT_FILE = 'store-format';
const FORMAT = 'local-sfn journal 4 (batched, crc32 per batch, compact events, shared documents)';
/** Earlier formats this version still reads (their records are a subset of the current ones). */
const READABLE_FORMATS = ['local-sfn journal 3 (batched, crc32 per batch, compact events)'];

/**
 * The data directory names the format of its files, so a directory written by an incompatible
 * version of this service is refused with a clear message instead of being misread.
 */
function checkFormat(dir: string, files: string[]): void {
  const file = join(dir, FORMAT_FILE);
  const hasData = files.some((f) => /^(journal-\d+\.log|snapshot-\d+\.jsonl)$/.test(f));
  if (files.includes(FORMAT_FILE)) {
    const found = readFileSync(file, 'utf8').trim();
    if (found === FORMAT) return;
    if (READABLE_FORMATS.includes(found)) {
      // Read as is; from now on records of the current format are appended too.
      writeFileSync(file, `${FORMAT}\n`);
      return;
    }
    throw new Error(
      `${dir} holds a store in format "${found}", not "${FORMAT}": move it away or start fresh`,
    );
  }
  if (hasData) {
    throw new Error(
      `${dir} holds journal files from an earlier, incompatible version of the local Step Functions service: ` +
        'move it away or start fresh (npm start -- --fresh)',
    );
  }
  writeFileSync(file, `${FORMAT}\n`);
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
