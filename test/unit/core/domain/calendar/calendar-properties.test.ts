import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { createCalendar, type WorkingCalendar } from '#core/domain/calendar/calendar.ts';
import { officeConfig } from './fixtures.ts';

const quiet = { onProvisionalYear: () => {} };
const calendars: ReadonlyArray<WorkingCalendar> = [
  createCalendar(officeConfig('Asia/Jakarta', [{ date: '2026-09-10', name: 'Hari Jadi (uji)' }]), quiet),
  createCalendar(officeConfig('Asia/Makassar'), quiet),
  createCalendar(officeConfig('Asia/Jayapura'), quiet),
];

const MINUTE_MS = 60_000;

// Instants from the reviewed years into the provisional 2028, so year boundaries and both table kinds are hit.
const instant = fc.date({
  min: new Date('2025-01-01T00:00:00Z'),
  max: new Date('2028-06-30T00:00:00Z'),
  noInvalidDate: true,
});
const calendar = fc.constantFrom(...calendars);
const positiveDays = fc.integer({ min: 1, max: 40 });
const nonZeroDays = fc.oneof(fc.integer({ min: -40, max: -1 }), positiveDays);
/** Office minutes with millisecond resolution, up to about two working weeks. */
const officeMinutes = fc.integer({ min: 0, max: 5_000 * MINUTE_MS }).map((ms) => ms / MINUTE_MS);
const wholeMinutes = fc.integer({ min: 1, max: 5_000 });

describe('working-day calendar properties', () => {
  test.prop([calendar, instant, nonZeroDays])(
    'a working-day deadline is always a working instant',
    (cal, t, n) => {
      expect(cal.isWorkingInstant(cal.addWorkingDays(t, n))).toBe(true);
    },
  );

  test.prop([calendar, instant, officeMinutes.filter((m) => m > 0)])(
    'an office-minute result never falls in closed time',
    (cal, t, m) => {
      expect(cal.isWorkingInstant(cal.addOfficeMinutes(t, m))).toBe(true);
    },
  );

  test.prop([calendar, instant, nonZeroDays, nonZeroDays])(
    'adding working days is strictly monotonic in n',
    (cal, t, a, b) => {
      fc.pre(a !== b);
      const [lo, hi] = a < b ? [a, b] : [b, a];
      expect(cal.addWorkingDays(t, lo).getTime()).toBeLessThan(cal.addWorkingDays(t, hi).getTime());
    },
  );

  test.prop([calendar, instant, instant, nonZeroDays])(
    'adding working days is monotonic in the start',
    (cal, t1, t2, n) => {
      const [early, late] = t1 <= t2 ? [t1, t2] : [t2, t1];
      expect(cal.addWorkingDays(early, n).getTime()).toBeLessThanOrEqual(
        cal.addWorkingDays(late, n).getTime(),
      );
    },
  );

  test.prop([calendar, instant, officeMinutes, officeMinutes])(
    'adding office minutes is monotonic in the minutes',
    (cal, t, a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      expect(cal.addOfficeMinutes(t, lo).getTime()).toBeLessThanOrEqual(
        cal.addOfficeMinutes(t, hi).getTime(),
      );
    },
  );

  test.prop([calendar, instant, instant, officeMinutes])(
    'adding office minutes is monotonic in the start',
    (cal, t1, t2, m) => {
      const [early, late] = t1 <= t2 ? [t1, t2] : [t2, t1];
      expect(cal.addOfficeMinutes(early, m).getTime()).toBeLessThanOrEqual(
        cal.addOfficeMinutes(late, m).getTime(),
      );
    },
  );

  test.prop([calendar, instant, positiveDays, positiveDays])(
    'adding a then b working days equals adding a + b',
    (cal, t, a, b) => {
      expect(cal.addWorkingDays(cal.addWorkingDays(t, a), b)).toEqual(cal.addWorkingDays(t, a + b));
      expect(cal.addWorkingDays(cal.addWorkingDays(t, -a), -b)).toEqual(cal.addWorkingDays(t, -(a + b)));
    },
  );

  test.prop([calendar, instant, officeMinutes, officeMinutes])(
    'adding a then b office minutes equals adding a + b',
    (cal, t, a, b) => {
      expect(cal.addOfficeMinutes(cal.addOfficeMinutes(t, a), b)).toEqual(cal.addOfficeMinutes(t, a + b));
    },
  );

  test.prop([calendar, instant, wholeMinutes, officeMinutes])(
    'measures back exactly the office minutes added from a working instant',
    (cal, t, nudge, m) => {
      // Any result of adding office minutes is a working instant: use one as the start.
      const start = cal.addOfficeMinutes(t, nudge);
      expect(cal.isWorkingInstant(start)).toBe(true);
      expect(cal.officeMinutesBetween(start, cal.addOfficeMinutes(start, m))).toBeCloseTo(m, 9);
    },
  );

  test.prop([calendar, instant, fc.integer({ min: 0, max: 4 * 24 * 60 })])(
    'measures the same office minutes as counting working minutes one by one',
    (cal, t, spanMinutes) => {
      const from = Math.floor(t.getTime() / MINUTE_MS) * MINUTE_MS;
      let expected = 0;
      for (let i = 0; i < spanMinutes; i++) {
        // A minute counts when its middle is a working instant (intervals start and end on whole minutes).
        if (cal.isWorkingInstant(new Date(from + i * MINUTE_MS + MINUTE_MS / 2))) expected++;
      }
      expect(cal.officeMinutesBetween(new Date(from), new Date(from + spanMinutes * MINUTE_MS))).toBe(
        expected,
      );
    },
  );

  const pause = fc
    .tuple(instant, fc.integer({ min: 0, max: 3 * 24 * 60 * MINUTE_MS }))
    .map(([from, length]) => ({ from, to: new Date(from.getTime() + length) }));

  test.prop([
    calendar,
    instant,
    fc.integer({ min: 0, max: 20 * 24 * 60 * MINUTE_MS }),
    fc.array(pause, { maxLength: 5 }),
  ])('pauses never increase the measured time and never make it negative', (cal, from, length, pauses) => {
    const to = new Date(from.getTime() + length);
    const plain = cal.officeMinutesBetween(from, to);
    const paused = cal.officeMinutesBetween(from, to, pauses);
    expect(paused).toBeLessThanOrEqual(plain);
    expect(paused).toBeGreaterThanOrEqual(0);
    // One more pause never increases it either, even when it overlaps the others.
    const extra = pauses[0] ? [...pauses, pauses[0]] : pauses;
    expect(cal.officeMinutesBetween(from, to, extra)).toBe(paused);
  });

  test.prop([calendar, instant, positiveDays])(
    'a working-day deadline is on a working day after the start date and closes it',
    (cal, t, n) => {
      const deadline = cal.addWorkingDays(t, n);
      expect(cal.localDate(deadline) > cal.localDate(t)).toBe(true);
      expect(cal.isWorkingDay(cal.localDate(deadline))).toBe(true);
      // Closing time: a millisecond later is not office time any more.
      expect(cal.isWorkingInstant(new Date(deadline.getTime() + 1))).toBe(false);
    },
  );
});
