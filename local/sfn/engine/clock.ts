import { readFileSync } from 'node:fs';
import { writeDurably } from '../journal/durable-file.ts';

/**
 * Where the service gets its time from. Every deadline of an execution (Wait states, task
 * timeouts, heartbeats, retry back-off, execution timeouts) is a timer on this clock, so a test
 * can move time forward and watch a 15-working-day deadline pass in milliseconds.
 */
export interface Clock {
  /** Current time, epoch milliseconds. */
  now(): number;
  /** Calls `callback` once, as soon as `now() >= at`. The handle cancels it. */
  setTimer(at: number, callback: () => void): TimerHandle;
}

export interface TimerHandle {
  cancel(): void;
}

/** A clock whose time can be moved (the local fast-forward and the tests). */
export interface AdjustableClock extends Clock {
  /** Moves time forward by `ms` (negative values are refused) and fires every timer that became due. */
  advance(ms: number): void;
  /** Sets the current time; timers that became due fire at once. */
  set(epochMs: number): void;
  /** How far this clock is ahead of the machine's clock, in milliseconds. */
  offsetMs(): number;
}

export function isAdjustableClock(clock: Clock): clock is AdjustableClock {
  const candidate = clock as Partial<AdjustableClock>;
  return (
    typeof candidate.advance === 'function' &&
    typeof candidate.set === 'function' &&
    typeof candidate.offsetMs === 'function'
  );
}

/** A queued timer; it is its own handle (no extra closure per timer). */
class TimerEntry implements TimerHandle {
  cancelled = false;
  constructor(
    readonly at: number,
    readonly seq: number,
    readonly callback: () => void,
  ) {}

  cancel(): void {
    this.cancelled = true;
  }
}

/** Min-heap of timers ordered by due time, then by creation order (so equal deadlines fire in order). */
class TimerQueue {
  private heap: TimerEntry[] = [];
  private seq = 0;

  add(at: number, callback: () => void): TimerEntry {
    const entry = new TimerEntry(at, this.seq++, callback);
    this.heap.push(entry);
    this.up(this.heap.length - 1);
    return entry;
  }

  peek(): TimerEntry | undefined {
    while (this.heap.length > 0 && this.heap[0]?.cancelled) this.pop();
    return this.heap[0];
  }

  pop(): TimerEntry | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (this.heap.length > 0 && last) {
      this.heap[0] = last;
      this.down(0);
    }
    return top;
  }

  get size(): number {
    return this.heap.length;
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a] as TimerEntry;
    const y = this.heap[b] as TimerEntry;
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const t = this.heap[a] as TimerEntry;
    this.heap[a] = this.heap[b] as TimerEntry;
    this.heap[b] = t;
  }

  private up(i: number): void {
    let index = i;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.less(index, parent)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  private down(i: number): void {
    let index = i;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < this.heap.length && this.less(left, smallest)) smallest = left;
      if (right < this.heap.length && this.less(right, smallest)) smallest = right;
      if (smallest === index) return;
      this.swap(index, smallest);
      index = smallest;
    }
  }
}

/** Fires due timers one by one; a callback that throws must not stop the others. */
function fireDue(queue: TimerQueue, now: () => number, onError: (error: unknown) => void): void {
  for (;;) {
    const next = queue.peek();
    if (!next || next.at > now()) return;
    queue.pop();
    next.cancelled = true;
    try {
      next.callback();
    } catch (error) {
      onError(error);
    }
  }
}

// setTimeout cannot wait longer than 2^31-1 ms; longer deadlines are re-armed in steps.
const MAX_TIMEOUT_MS = 2_147_483_647;

export interface SystemClockOptions {
  /** File that keeps the fast-forward offset, so a restarted service stays in the future. */
  offsetFile?: string;
  onTimerError?: (error: unknown) => void;
}

/**
 * The machine's clock plus an offset. The offset is the local fast-forward: `advance()` moves
 * the service into the future (persisted in `offsetFile`) and due timers fire at once.
 */
export class SystemClock implements AdjustableClock {
  private offset = 0;
  private readonly queue = new TimerQueue();
  private handle: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;
  private readonly offsetFile: string | undefined;
  private readonly onTimerError: (error: unknown) => void;

  constructor(options: SystemClockOptions = {}) {
    this.offsetFile = options.offsetFile;
    this.onTimerError = options.onTimerError ?? ((error) => console.error(error));
    if (this.offsetFile) {
      try {
        const saved = JSON.parse(readFileSync(this.offsetFile, 'utf8')) as { offsetMs?: unknown };
        if (typeof saved.offsetMs === 'number' && Number.isFinite(saved.offsetMs))
          this.offset = saved.offsetMs;
      } catch {
        // No offset saved yet: the clock starts at the machine's time.
      }
    }
  }

  now(): number {
    return Date.now() + this.offset;
  }

  offsetMs(): number {
    return this.offset;
  }

  setTimer(at: number, callback: () => void): TimerHandle {
    const entry = this.queue.add(at, callback);
    this.arm();
    return entry;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
    this.setOffset(this.offset + ms);
  }

  set(epochMs: number): void {
    if (!Number.isFinite(epochMs)) throw new RangeError('not a time');
    this.setOffset(epochMs - Date.now());
  }

  /** Stops the real timer so the process can exit; pending timers stay queued. */
  stop(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  private setOffset(offset: number): void {
    this.offset = Math.round(offset);
    if (this.offsetFile) writeDurably(this.offsetFile, `${JSON.stringify({ offsetMs: this.offset })}\n`);
    this.stop();
    this.fire();
  }

  private fire(): void {
    fireDue(this.queue, () => this.now(), this.onTimerError);
    this.arm();
  }

  private arm(): void {
    const next = this.queue.peek();
    if (!next) {
      this.stop();
      return;
    }
    if (this.handle && this.armedFor <= next.at) return;
    this.stop();
    const delay = Math.min(Math.max(next.at - this.now(), 0), MAX_TIMEOUT_MS);
    this.armedFor = next.at;
    this.handle = setTimeout(() => {
      this.handle = undefined;
      this.armedFor = Number.POSITIVE_INFINITY;
      this.fire();
    }, delay);
    // Timers alone must not keep a process alive (the HTTP server does that).
    this.handle.unref();
  }
}

/**
 * A clock that only moves when told to: for tests. `advance()` walks through the due timers in
 * order, setting the time to each timer's deadline before firing it.
 */
export class ManualClock implements AdjustableClock {
  private current: number;
  private readonly start: number;
  private readonly queue = new TimerQueue();
  private readonly onTimerError: (error: unknown) => void;

  constructor(startEpochMs = Date.UTC(2025, 0, 6, 1, 0, 0), onTimerError?: (error: unknown) => void) {
    this.current = startEpochMs;
    this.start = startEpochMs;
    this.onTimerError = onTimerError ?? ((error) => console.error(error));
  }

  now(): number {
    return this.current;
  }

  offsetMs(): number {
    return this.current - this.start;
  }

  setTimer(at: number, callback: () => void): TimerHandle {
    const entry = this.queue.add(at, callback);
    // A deadline already reached fires on the next turn of the event loop, like a real timer.
    if (at <= this.current) setImmediate(() => fireDue(this.queue, () => this.current, this.onTimerError));
    return entry;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
    this.set(this.current + ms);
  }

  set(epochMs: number): void {
    const target = Math.round(epochMs);
    for (;;) {
      const next = this.queue.peek();
      if (!next || next.at > target) break;
      this.current = Math.max(this.current, next.at);
      fireDue(this.queue, () => this.current, this.onTimerError);
    }
    this.current = target;
  }

  /** When the next timer is due (epoch ms), or undefined when none is pending. */
  nextDue(): number | undefined {
    return this.queue.peek()?.at;
  }
}

/** AWS gives instants as epoch seconds (with milliseconds as the fraction). */
export function seconds(ms: number): number {
  return ms / 1000;
}

/** ISO text of an instant; the last one is remembered (transitions come many to a millisecond). */
let isoMs = Number.NaN;
let isoText = '';
export function iso(ms: number): string {
  if (ms !== isoMs) {
    isoText = new Date(ms).toISOString();
    isoMs = ms;
  }
  return isoText;
}
