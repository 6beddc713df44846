/**
 * The working-day calendar of a regency: deadlines in working days and office minutes, and office time
 * elapsed between two instants. Pure: no I/O, no clock; callers pass the instants.
 *
 * Rules (the same everywhere in the product):
 *
 * - **Working day.** Monday to Friday in the regency's time zone (WIB, WITA or WIT), minus national
 *   holidays, cuti bersama (both from the yearly SKB 3 Menteri, see holidays.ts) and the regency's own
 *   local holidays.
 * - **Office hours.** Per weekday, a sorted list of non-overlapping intervals `[open, close]` in local
 *   time; several intervals model breaks (lunch, Friday prayer). Every weekday must have at least one.
 *   Intervals are closed at the end: the closing instant itself is inside office hours.
 * - **N working days from a start (N >= 1).** The local date of the start is day 0 whatever the hour: a
 *   file received at 06:00 or at 23:00 on a working day, or on a Saturday, starts counting on the next
 *   working day. The deadline is the closing time of the last office interval of the Nth working day
 *   after the start's local date. Example: 3 working days from Tue 17 Mar 2026 10:00 WIB end on
 *   Fri 27 Mar 2026 at closing time (18, 19, 20, 23 and 24 Mar are holidays or cuti bersama).
 * - **Negative N.** The closing time of the |N|th working day before the local date of the instant
 *   (for "remind one working day before the deadline"). N = 0 is refused: it names no day.
 * - **M office minutes from a start.** Only time inside office intervals of working days counts; a start
 *   outside office hours begins counting at the next opening. A 35-minute step started 15:50 on a Friday
 *   that closes at 16:00 ends on Monday at 07:55 when Monday opens at 07:30. For M > 0 the result is
 *   always inside an office interval (possibly its closing instant), so a deadline is always a working
 *   instant. M = 0 returns the start unchanged. Resolution is one millisecond.
 * - **Office time elapsed** between two instants: the office minutes inside [from, to] minus the office
 *   minutes inside the pauses (clipped to [from, to]; overlapping pauses are counted once); fractional
 *   minutes are kept; 0 when to <= from.
 * - **Years without a reviewed holiday table** are used, not refused, because refusing would stop every
 *   deadline that crosses into January before the next SKB is reviewed. Such a year is *provisional*:
 *   weekends, the fixed-date national holidays (1 Jan, 1 May, 1 Jun, 17 Aug, 25 Dec) and the
 *   `date-holidays` package's Indonesian public holidays for the moveable feasts (each Islamic holiday
 *   widened by one day because the library is often a day early), without cuti bersama. The calendar
 *   calls `onProvisionalYear(year, reason)` once per year per calendar (default: a console warning),
 *   and `coverage(year)` answers 'provisional'. Holidays that the fallback misses (cuti bersama, Nyepi
 *   and Waisak in late years) would count as working days, hence the warning: review the SKB and add
 *   its table to holidays.ts. Reviewed years: 2025, 2026, 2027.
 * - **Time zones.** Indonesia has no daylight saving. The zone's UTC offset is read from Intl (the IANA
 *   database) and checked to be constant from 1990 to 2100; other zones, and instants outside those
 *   years, are refused.
 */
import { type HolidayEntry, hasOfficialTable, OFFICIAL_HOLIDAYS, provisionalHolidays } from './holidays.ts';

export type { HolidayEntry, HolidayKind } from './holidays.ts';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri';
/** 'HH:MM' local time, open < close. */
export interface OfficeInterval {
  open: string;
  close: string;
}
export interface CalendarConfig {
  /** IANA zone, e.g. Asia/Jakarta. */
  timeZone: string;
  /** Non-overlapping, sorted; several per day model breaks (e.g. lunch, Friday prayer). */
  officeHours: Record<Weekday, OfficeInterval[]>;
  localHolidays: ReadonlyArray<{ date: string /* YYYY-MM-DD */; name: string }>;
}
export type StageDuration = { workingDays: number } | { officeMinutes: number };
export interface Pause {
  from: Date;
  to: Date;
}
export interface CalendarOptions {
  onProvisionalYear?: (year: number, reason: string) => void;
}

export interface WorkingCalendar {
  /** n may be negative: see the rules above. */
  addWorkingDays(start: Date, n: number): Date;
  addOfficeMinutes(start: Date, minutes: number): Date;
  officeMinutesBetween(from: Date, to: Date, pauses?: ReadonlyArray<Pause>): number;
  isWorkingInstant(t: Date): boolean;
  /** localDate: YYYY-MM-DD in the calendar's zone. */
  isWorkingDay(localDate: string): boolean;
  stageDeadline(start: Date, duration: StageDuration): Date;
  /** YYYY-MM-DD in the calendar's zone. */
  localDate(t: Date): string;
  /** e.g. 'Jumat, 27 Maret 2026 16.00 WIB' */
  formatLocal(t: Date): string;
  coverage(year: number): 'official' | 'provisional';
  holidays(year: number): ReadonlyArray<HolidayEntry>;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const FIRST_SUPPORTED_YEAR = 1990;
const LAST_SUPPORTED_YEAR = 2100;
const FIRST_SUPPORTED_MS = Date.UTC(FIRST_SUPPORTED_YEAR, 0, 1) + DAY_MS;
const LAST_SUPPORTED_MS = Date.UTC(LAST_SUPPORTED_YEAR, 11, 31) - DAY_MS;

const WEEKDAYS: ReadonlyArray<Weekday> = ['mon', 'tue', 'wed', 'thu', 'fri'];
const DAY_NAMES = ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'] as const;
/** Month names in Bahasa Indonesia, January first (also the permit documents' dates). */
export const MONTH_NAMES = [
  'Januari',
  'Februari',
  'Maret',
  'April',
  'Mei',
  'Juni',
  'Juli',
  'Agustus',
  'September',
  'Oktober',
  'November',
  'Desember',
] as const;
const ZONE_ABBREVIATIONS: Readonly<Record<number, string>> = { 7: 'WIB', 8: 'WITA', 9: 'WIT' };

/** Milliseconds after local midnight. */
interface Interval {
  open: number;
  close: number;
}

interface YearTable {
  firstDay: number;
  lastDay: number;
  /** 1 for a weekend or holiday, indexed by day - firstDay. */
  closed: Uint8Array;
  entries: ReadonlyArray<HolidayEntry>;
}

const offsetCache = new Map<string, number>();

/**
 * The zone's UTC offset in milliseconds, read from Intl and required to be the same at every half year
 * from 1990 to 2100, so that local time is plain arithmetic afterwards (fast, and exact for Indonesia).
 */
function fixedOffsetMs(timeZone: string): number {
  const cached = offsetCache.get(timeZone);
  if (cached !== undefined) return cached;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new RangeError(`Unknown time zone: ${timeZone}`);
  }
  const offsetAt = (utcMs: number): number => {
    const fields: Record<string, number> = {};
    for (const part of format.formatToParts(new Date(utcMs))) {
      if (part.type !== 'literal') fields[part.type] = Number(part.value);
    }
    const asUtc = Date.UTC(
      fields.year ?? Number.NaN,
      (fields.month ?? Number.NaN) - 1,
      fields.day ?? Number.NaN,
      fields.hour ?? Number.NaN,
      fields.minute ?? Number.NaN,
      fields.second ?? Number.NaN,
    );
    return asUtc - utcMs;
  };
  const offset = offsetAt(Date.UTC(FIRST_SUPPORTED_YEAR, 0, 15));
  for (let year = FIRST_SUPPORTED_YEAR; year <= LAST_SUPPORTED_YEAR; year++) {
    for (const month of [0, 6]) {
      if (offsetAt(Date.UTC(year, month, 15)) !== offset) {
        throw new RangeError(
          `Time zone ${timeZone} does not keep one UTC offset from ${FIRST_SUPPORTED_YEAR} to ${LAST_SUPPORTED_YEAR}; ` +
            'the working calendar supports fixed-offset zones (WIB, WITA, WIT) only',
        );
      }
    }
  }
  if (!Number.isFinite(offset)) throw new RangeError(`Cannot read the UTC offset of ${timeZone}`);
  offsetCache.set(timeZone, offset);
  return offset;
}

function zoneAbbreviation(offsetMs: number): string {
  const known = ZONE_ABBREVIATIONS[offsetMs / 3_600_000];
  if (known) return known;
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.abs(offsetMs) / MINUTE_MS;
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `UTC${sign}${hh}:${mm}`;
}

function parseClock(value: string, where: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (!match) throw new RangeError(`${where}: '${value}' is not a time of day HH:MM (00:00-23:59)`);
  return (Number(match[1]) * 60 + Number(match[2])) * MINUTE_MS;
}

function parseOfficeHours(officeHours: Record<Weekday, OfficeInterval[]>): ReadonlyArray<Interval[]> {
  // Indexed by JS weekday (0 = Sunday); weekends have no intervals.
  const byWeekday: Interval[][] = [[], [], [], [], [], [], []];
  WEEKDAYS.forEach((weekday, i) => {
    const list = officeHours[weekday];
    if (!Array.isArray(list) || list.length === 0) {
      throw new RangeError(`officeHours.${weekday}: at least one office interval is required`);
    }
    const intervals = list.map((interval, j) => {
      const where = `officeHours.${weekday}[${j}]`;
      const open = parseClock(interval.open, `${where}.open`);
      const close = parseClock(interval.close, `${where}.close`);
      if (open >= close) throw new RangeError(`${where}: open must be before close`);
      return { open, close };
    });
    for (let j = 1; j < intervals.length; j++) {
      const previous = intervals[j - 1];
      const current = intervals[j];
      if (previous && current && current.open <= previous.close) {
        // Touching intervals would make a closing instant count twice; merge them in configuration.
        throw new RangeError(
          `officeHours.${weekday}: intervals must be sorted and must not overlap or touch`,
        );
      }
    }
    byWeekday[i + 1] = intervals;
  });
  return byWeekday;
}

/** Day number (days since 1970-01-01) of a YYYY-MM-DD date, or undefined when it is not a real date. */
function parseLocalDate(date: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) return undefined;
  return ms / DAY_MS;
}

function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday ... 6 = Saturday; day 0 (1970-01-01) was a Thursday. */
function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function assertInstant(t: Date, name: string): number {
  if (!(t instanceof Date)) throw new TypeError(`${name} must be a Date`);
  const ms = t.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`${name} is an invalid Date`);
  if (ms < FIRST_SUPPORTED_MS || ms > LAST_SUPPORTED_MS) {
    throw new RangeError(
      `${name} (${t.toISOString()}) is outside the supported years ${FIRST_SUPPORTED_YEAR}-${LAST_SUPPORTED_YEAR}`,
    );
  }
  return ms;
}

function assertYear(year: number): void {
  if (!Number.isInteger(year) || year < FIRST_SUPPORTED_YEAR || year > LAST_SUPPORTED_YEAR) {
    throw new RangeError(`year must be an integer from ${FIRST_SUPPORTED_YEAR} to ${LAST_SUPPORTED_YEAR}`);
  }
}

function defaultProvisionalWarning(year: number, reason: string): void {
  console.warn(
    JSON.stringify({ level: 'WARN', message: 'Provisional holiday calendar in use', year, reason }),
  );
}

export function createCalendar(config: CalendarConfig, options: CalendarOptions = {}): WorkingCalendar {
  const offset = fixedOffsetMs(config.timeZone);
  const zone = zoneAbbreviation(offset);
  const intervalsByWeekday = parseOfficeHours(config.officeHours);
  const onProvisionalYear = options.onProvisionalYear ?? defaultProvisionalWarning;

  const localByYear = new Map<number, HolidayEntry[]>();
  config.localHolidays.forEach((holiday, i) => {
    const day = parseLocalDate(holiday.date);
    if (day === undefined)
      throw new RangeError(`localHolidays[${i}].date: '${holiday.date}' is not YYYY-MM-DD`);
    if (typeof holiday.name !== 'string' || holiday.name.trim() === '') {
      throw new RangeError(`localHolidays[${i}].name must not be empty`);
    }
    const year = Number(holiday.date.slice(0, 4));
    const list = localByYear.get(year) ?? [];
    list.push({ date: holiday.date, name: holiday.name.trim(), kind: 'local' });
    localByYear.set(year, list);
  });

  const tables = new Map<number, YearTable>();
  let lastTable: YearTable | undefined;

  const buildTable = (year: number): YearTable => {
    const firstDay = Date.UTC(year, 0, 1) / DAY_MS;
    const lastDay = Date.UTC(year + 1, 0, 1) / DAY_MS - 1;
    const closed = new Uint8Array(lastDay - firstDay + 1);
    for (let day = firstDay; day <= lastDay; day++) {
      const weekday = weekdayOf(day);
      if (weekday === 0 || weekday === 6) closed[day - firstDay] = 1;
    }
    const official = OFFICIAL_HOLIDAYS[year];
    const provisional = official ? undefined : provisionalHolidays(year);
    const national = official ?? provisional?.entries ?? [];
    const entries = [...national, ...(localByYear.get(year) ?? [])].sort((a, b) =>
      a.date < b.date ? -1 : a.date > b.date ? 1 : 0,
    );
    for (const entry of entries) {
      const day = parseLocalDate(entry.date);
      if (day === undefined || day < firstDay || day > lastDay) {
        throw new Error(`Holiday table for ${year} holds a date outside the year: ${entry.date}`);
      }
      closed[day - firstDay] = 1;
    }
    const table: YearTable = { firstDay, lastDay, closed, entries: Object.freeze(entries) };
    tables.set(year, table);
    // Warn after caching, so that a throwing callback cannot make the warning repeat.
    if (provisional) onProvisionalYear(year, provisional.reason);
    return table;
  };

  const tableForYear = (year: number): YearTable => {
    const table = tables.get(year);
    if (table) return table;
    // Also stops runaway loops (a huge n or minutes) instead of building tables for ever.
    assertYear(year);
    return buildTable(year);
  };

  const tableForDay = (day: number): YearTable => {
    if (lastTable && day >= lastTable.firstDay && day <= lastTable.lastDay) return lastTable;
    lastTable = tableForYear(new Date(day * DAY_MS).getUTCFullYear());
    return lastTable;
  };

  const isWorkingDayNumber = (day: number): boolean => {
    const table = tableForDay(day);
    return table.closed[day - table.firstDay] === 0;
  };

  const intervalsOf = (day: number): ReadonlyArray<Interval> => intervalsByWeekday[weekdayOf(day)] ?? [];

  const localDay = (utcMs: number): number => Math.floor((utcMs + offset) / DAY_MS);

  /** UTC instant of the last closing time of a (working) day. */
  const closingOf = (day: number): number => {
    const intervals = intervalsOf(day);
    const last = intervals[intervals.length - 1];
    if (!last) throw new Error(`No office hours on ${formatDay(day)}`);
    return day * DAY_MS - offset + last.close;
  };

  /** Office milliseconds inside [a, b], a < b. */
  const officeMs = (a: number, b: number): number => {
    let total = 0;
    const lastDay = localDay(b);
    for (let day = localDay(a); day <= lastDay; day++) {
      if (!isWorkingDayNumber(day)) continue;
      const midnight = day * DAY_MS - offset;
      for (const interval of intervalsOf(day)) {
        const lo = Math.max(a, midnight + interval.open);
        const hi = Math.min(b, midnight + interval.close);
        if (hi > lo) total += hi - lo;
      }
    }
    return total;
  };

  const addWorkingDays = (start: Date, n: number): Date => {
    const startMs = assertInstant(start, 'start');
    if (!Number.isSafeInteger(n) || n === 0) {
      throw new RangeError(`working days must be a non-zero integer, got ${n}`);
    }
    const step = n > 0 ? 1 : -1;
    let left = Math.abs(n);
    let day = localDay(startMs);
    while (left > 0) {
      day += step;
      if (isWorkingDayNumber(day)) left--;
    }
    return new Date(assertInstant(new Date(closingOf(day)), 'deadline'));
  };

  const addOfficeMinutes = (start: Date, minutes: number): Date => {
    const startMs = assertInstant(start, 'start');
    if (!Number.isFinite(minutes) || minutes < 0) {
      throw new RangeError(`office minutes must be a finite number >= 0, got ${minutes}`);
    }
    let remaining = Math.round(minutes * MINUTE_MS);
    if (remaining === 0) return new Date(startMs);
    let cursor = startMs;
    for (let day = localDay(startMs); ; day++) {
      if (!isWorkingDayNumber(day)) continue;
      const midnight = day * DAY_MS - offset;
      for (const interval of intervalsOf(day)) {
        const close = midnight + interval.close;
        if (close <= cursor) continue;
        const from = Math.max(cursor, midnight + interval.open);
        const available = close - from;
        if (remaining <= available) return new Date(assertInstant(new Date(from + remaining), 'deadline'));
        remaining -= available;
        cursor = close;
      }
    }
  };

  const officeMinutesBetween = (from: Date, to: Date, pauses: ReadonlyArray<Pause> = []): number => {
    const a = assertInstant(from, 'from');
    const b = assertInstant(to, 'to');
    if (b <= a) return 0;
    const clipped: Array<[number, number]> = [];
    pauses.forEach((pause, i) => {
      const pa = assertInstant(pause.from, `pauses[${i}].from`);
      const pb = assertInstant(pause.to, `pauses[${i}].to`);
      if (pb < pa) throw new RangeError(`pauses[${i}] ends before it starts`);
      const lo = Math.max(a, pa);
      const hi = Math.min(b, pb);
      if (hi > lo) clipped.push([lo, hi]);
    });
    clipped.sort((x, y) => x[0] - y[0]);
    let paused = 0;
    let current: [number, number] | undefined;
    for (const span of clipped) {
      if (current && span[0] <= current[1]) {
        current[1] = Math.max(current[1], span[1]);
      } else {
        if (current) paused += officeMs(current[0], current[1]);
        current = [span[0], span[1]];
      }
    }
    if (current) paused += officeMs(current[0], current[1]);
    return (officeMs(a, b) - paused) / MINUTE_MS;
  };

  const isWorkingInstant = (t: Date): boolean => {
    const ms = assertInstant(t, 't');
    const day = localDay(ms);
    if (!isWorkingDayNumber(day)) return false;
    const sinceMidnight = ms + offset - day * DAY_MS;
    return intervalsOf(day).some(
      (interval) => interval.open <= sinceMidnight && sinceMidnight <= interval.close,
    );
  };

  const isWorkingDay = (localDate: string): boolean => {
    const day = parseLocalDate(localDate);
    if (day === undefined) throw new RangeError(`'${localDate}' is not a YYYY-MM-DD date`);
    assertYear(Number(localDate.slice(0, 4)));
    return isWorkingDayNumber(day);
  };

  const stageDeadline = (start: Date, duration: StageDuration): Date => {
    if ('workingDays' in duration) {
      if (!Number.isSafeInteger(duration.workingDays) || duration.workingDays < 1) {
        throw new RangeError(`a stage lasts at least 1 working day, got ${duration.workingDays}`);
      }
      return addWorkingDays(start, duration.workingDays);
    }
    if (!Number.isFinite(duration.officeMinutes) || duration.officeMinutes <= 0) {
      throw new RangeError(`a stage lasts more than 0 office minutes, got ${duration.officeMinutes}`);
    }
    return addOfficeMinutes(start, duration.officeMinutes);
  };

  const localDate = (t: Date): string => formatDay(localDay(assertInstant(t, 't')));

  const formatLocal = (t: Date): string => {
    const local = new Date(assertInstant(t, 't') + offset);
    const hh = String(local.getUTCHours()).padStart(2, '0');
    const mm = String(local.getUTCMinutes()).padStart(2, '0');
    return (
      `${DAY_NAMES[local.getUTCDay()]}, ${local.getUTCDate()} ${MONTH_NAMES[local.getUTCMonth()]} ` +
      `${local.getUTCFullYear()} ${hh}.${mm} ${zone}`
    );
  };

  const coverage = (year: number): 'official' | 'provisional' => {
    assertYear(year);
    return hasOfficialTable(year) ? 'official' : 'provisional';
  };

  const holidays = (year: number): ReadonlyArray<HolidayEntry> => {
    assertYear(year);
    return tableForYear(year).entries;
  };

  return {
    addWorkingDays,
    addOfficeMinutes,
    officeMinutesBetween,
    isWorkingInstant,
    isWorkingDay,
    stageDeadline,
    localDate,
    formatLocal,
    coverage,
    holidays,
  };
}
