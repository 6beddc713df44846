import { closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * The format of the store's files. Journal and snapshot files are sequences of batches: a header
 * line `#<crc32 hex> <body bytes>\n`, then the body, one JSON record per line. The file
 * `store-format` names the format (the engine's records are described in records.ts).
 */

export type JournalRecord = Record<string, unknown>;

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
export function replayFile(file: string, apply: (record: JournalRecord) => void): Omit<Decoded, 'records'> {
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

const FORMAT_FILE = 'store-format';
const FORMAT = 'local-sfn journal 4 (batched, crc32 per batch, compact events, shared documents)';
/** Earlier formats this version still reads (their records are a subset of the current ones). */
const READABLE_FORMATS = ['local-sfn journal 3 (batched, crc32 per batch, compact events)'];

/**
 * The data directory names the format of its files, so a directory written by an incompatible
 * version of this service is refused with a clear message instead of being misread.
 */
export function checkFormat(dir: string, files: string[]): void {
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
