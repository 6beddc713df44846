import { describe, expect, it, vi } from 'vitest';
import { createCalendar } from '#core/domain/calendar/calendar.ts';
import { at, FRIDAY_OFFICE_MINUTES, officeConfig, WEEKDAY_OFFICE_MINUTES } from './fixtures.ts';

const quiet = { onProvisionalYear: () => {} };
const wib = createCalendar(officeConfig('Asia/Jakarta'), quiet);

describe('addWorkingDays', () => {
  it('ends 3 working days from Tue 17 Mar 2026 on Fri 27 Mar 2026 at closing time (Idulfitri week)', () => {
    const deadline = wib.addWorkingDays(at('2026-03-17T10:00'), 3);
    expect(deadline.toISOString()).toBe(at('2026-03-27T16:00').toISOString());
    expect(wib.formatLocal(deadline)).toBe('Jumat, 27 Maret 2026 16.00 WIB');
  });

  it('counts from the next working day whatever the hour of a working-day start', () => {
    const early = wib.addWorkingDays(at('2026-02-10T06:00'), 1);
    const late = wib.addWorkingDays(at('2026-02-10T23:00'), 1);
    expect(early).toEqual(at('2026-02-11T16:00'));
    expect(late).toEqual(early);
  });

  it('counts a Saturday start from the Monday after', () => {
    expect(wib.addWorkingDays(at('2026-04-11T09:00'), 1)).toEqual(at('2026-04-13T16:00'));
  });

  it('skips weekends', () => {
    expect(wib.addWorkingDays(at('2026-02-02T09:00'), 5)).toEqual(at('2026-02-09T16:00'));
  });

  it('ends at the Friday closing time when the Nth working day is a Friday', () => {
    expect(wib.addWorkingDays(at('2026-02-05T09:00'), 1)).toEqual(at('2026-02-06T16:00'));
  });

  it('skips a local holiday of the regency', () => {
    const withLocal = createCalendar(
      officeConfig('Asia/Jakarta', [{ date: '2026-02-11', name: 'Hari Jadi Kabupaten (uji)' }]),
      quiet,
    );
    expect(withLocal.isWorkingDay('2026-02-11')).toBe(false);
    expect(wib.isWorkingDay('2026-02-11')).toBe(true);
    expect(withLocal.addWorkingDays(at('2026-02-10T09:00'), 1)).toEqual(at('2026-02-12T16:00'));
    expect(withLocal.holidays(2026)).toContainEqual({
      date: '2026-02-11',
      name: 'Hari Jadi Kabupaten (uji)',
      kind: 'local',
    });
  });

  it('crosses from 2025 into 2026 skipping Christmas, its cuti bersama and New Year', () => {
    // 24 Dec 2025 (1), 29 (2), 30 (3), 31 (4), 2 Jan 2026 (5).
    expect(wib.addWorkingDays(at('2025-12-23T10:00'), 5)).toEqual(at('2026-01-02T16:00'));
  });

  it('honours the 18 Aug 2025 cuti bersama added by the 2025 amendment', () => {
    expect(wib.isWorkingDay('2025-08-18')).toBe(false);
    expect(wib.addWorkingDays(at('2025-08-15T10:00'), 1)).toEqual(at('2025-08-19T16:00'));
  });

  it('goes back to the closing time of the previous working day for n = -1', () => {
    expect(wib.addWorkingDays(at('2026-03-27T16:00'), -1)).toEqual(at('2026-03-26T16:00'));
    // 18 to 24 Mar 2026 are holidays, cuti bersama or weekend.
    expect(wib.addWorkingDays(at('2026-03-25T09:00'), -1)).toEqual(at('2026-03-17T16:00'));
    expect(wib.addWorkingDays(at('2026-03-25T09:00'), -2)).toEqual(at('2026-03-16T16:00'));
  });

  it('refuses zero and fractional day counts', () => {
    expect(() => wib.addWorkingDays(at('2026-02-10T09:00'), 0)).toThrow(RangeError);
    expect(() => wib.addWorkingDays(at('2026-02-10T09:00'), 1.5)).toThrow(RangeError);
  });

  it('refuses an invalid Date', () => {
    expect(() => wib.addWorkingDays(new Date(Number.NaN), 1)).toThrow(RangeError);
  });
});

describe('addOfficeMinutes', () => {
  it('continues a 35-minute step started 15:50 on a Friday on Monday morning', () => {
    expect(wib.addOfficeMinutes(at('2026-02-06T15:50'), 35)).toEqual(at('2026-02-09T07:55'));
  });

  it('skips the lunch break', () => {
    expect(wib.addOfficeMinutes(at('2026-02-09T11:50'), 20)).toEqual(at('2026-02-09T13:10'));
  });

  it('skips the Friday-prayer break and the weekend', () => {
    // Fri 11:00-11:30 (30), 13:30-16:00 (150), Mon 07:30-07:50 (20).
    expect(wib.addOfficeMinutes(at('2026-02-06T11:00'), 200)).toEqual(at('2026-02-09T07:50'));
  });

  it('starts counting at the next opening when started before office hours', () => {
    expect(wib.addOfficeMinutes(at('2026-02-10T05:00'), 10)).toEqual(at('2026-02-10T07:40'));
  });

  it('ends exactly at closing time when the minutes fill the interval', () => {
    const end = wib.addOfficeMinutes(at('2026-02-10T15:00'), 60);
    expect(end).toEqual(at('2026-02-10T16:00'));
    expect(wib.isWorkingInstant(end)).toBe(true);
  });

  it('skips a whole holiday week', () => {
    // Tue 17 Mar 2026 15:00 -> 60 minutes that day, the rest on Wed 25 Mar.
    expect(wib.addOfficeMinutes(at('2026-03-17T15:00'), 90)).toEqual(at('2026-03-25T08:00'));
  });

  it('returns the start for zero minutes and refuses negative minutes', () => {
    const t = at('2026-02-07T10:00');
    expect(wib.addOfficeMinutes(t, 0)).toEqual(t);
    expect(() => wib.addOfficeMinutes(t, -1)).toThrow(RangeError);
  });
});

describe('officeMinutesBetween', () => {
  const from = at('2026-02-09T07:30');
  const to = at('2026-02-10T16:00');

  it('counts only office hours of working days', () => {
    expect(wib.officeMinutesBetween(from, to)).toBe(2 * WEEKDAY_OFFICE_MINUTES);
    expect(wib.officeMinutesBetween(at('2026-02-06T00:00'), at('2026-02-09T00:00'))).toBe(
      FRIDAY_OFFICE_MINUTES,
    );
  });

  it('subtracts the office minutes inside a pause', () => {
    const pause = { from: at('2026-02-09T11:00'), to: at('2026-02-09T14:00') };
    expect(wib.officeMinutesBetween(from, to, [pause])).toBe(2 * WEEKDAY_OFFICE_MINUTES - 120);
  });

  it('subtracts overlapping pauses once', () => {
    const pauses = [
      { from: at('2026-02-09T11:00'), to: at('2026-02-09T14:00') },
      { from: at('2026-02-09T13:30'), to: at('2026-02-09T15:00') },
    ];
    expect(wib.officeMinutesBetween(from, to, pauses)).toBe(2 * WEEKDAY_OFFICE_MINUTES - 180);
  });

  it('clips pauses to the measured span', () => {
    const pause = { from: at('2026-02-06T09:00'), to: at('2026-02-09T08:30') };
    expect(wib.officeMinutesBetween(from, to, [pause])).toBe(2 * WEEKDAY_OFFICE_MINUTES - 60);
  });

  it('keeps fractional minutes', () => {
    expect(
      wib.officeMinutesBetween(at('2026-02-09T08:00'), new Date(at('2026-02-09T08:00').getTime() + 30_000)),
    ).toBe(0.5);
  });

  it('is zero when to is not after from', () => {
    expect(wib.officeMinutesBetween(to, from)).toBe(0);
    expect(wib.officeMinutesBetween(from, from)).toBe(0);
  });

  it('refuses a pause that ends before it starts', () => {
    const pause = { from: at('2026-02-09T14:00'), to: at('2026-02-09T11:00') };
    expect(() => wib.officeMinutesBetween(from, to, [pause])).toThrow(RangeError);
  });
});

describe('isWorkingInstant', () => {
  it('treats office intervals as closed at both ends', () => {
    expect(wib.isWorkingInstant(at('2026-02-09T07:30'))).toBe(true);
    expect(wib.isWorkingInstant(new Date(at('2026-02-09T07:30').getTime() - 1))).toBe(false);
    expect(wib.isWorkingInstant(at('2026-02-09T12:00'))).toBe(true);
    expect(wib.isWorkingInstant(new Date(at('2026-02-09T12:00').getTime() + 1))).toBe(false);
  });

  it('is false on weekends, national holidays and cuti bersama', () => {
    expect(wib.isWorkingInstant(at('2026-02-07T10:00'))).toBe(false);
    expect(wib.isWorkingInstant(at('2026-02-17T10:00'))).toBe(false);
    expect(wib.isWorkingInstant(at('2026-02-16T10:00'))).toBe(false);
  });
});

describe('time zones', () => {
  it('computes deadlines and formats in WITA (Asia/Makassar)', () => {
    const wita = createCalendar(officeConfig('Asia/Makassar'), quiet);
    const deadline = wita.addWorkingDays(at('2026-03-17T10:00', 8), 3);
    expect(deadline.toISOString()).toBe('2026-03-27T08:00:00.000Z');
    expect(wita.formatLocal(deadline)).toBe('Jumat, 27 Maret 2026 16.00 WITA');
  });

  it('computes deadlines and formats in WIT (Asia/Jayapura)', () => {
    const wit = createCalendar(officeConfig('Asia/Jayapura'), quiet);
    const end = wit.addOfficeMinutes(at('2026-02-06T15:50', 9), 35);
    expect(end.toISOString()).toBe('2026-02-08T22:55:00.000Z');
    expect(wit.formatLocal(end)).toBe('Senin, 9 Februari 2026 07.55 WIT');
  });

  it('uses WIB for Asia/Pontianak', () => {
    const pontianak = createCalendar(officeConfig('Asia/Pontianak'), quiet);
    expect(pontianak.formatLocal(at('2026-08-17T08:05'))).toBe('Senin, 17 Agustus 2026 08.05 WIB');
  });

  it('places an instant on the local date of the calendar zone', () => {
    const instant = new Date('2026-03-16T16:30:00Z');
    expect(wib.localDate(instant)).toBe('2026-03-16');
    expect(createCalendar(officeConfig('Asia/Makassar'), quiet).localDate(instant)).toBe('2026-03-17');
  });

  it('starts counting from the local date, not the UTC date', () => {
    // 00:30 WIB on Wed 11 Feb is still Tue 10 Feb in UTC.
    expect(wib.addWorkingDays(at('2026-02-11T00:30'), 1)).toEqual(at('2026-02-12T16:00'));
  });

  it('refuses unknown zones and zones with daylight saving', () => {
    expect(() => createCalendar(officeConfig('Asia/Nowhere'), quiet)).toThrow(RangeError);
    expect(() => createCalendar(officeConfig('Europe/Berlin'), quiet)).toThrow(/fixed-offset/);
  });
});

describe('provisional years', () => {
  it('reports reviewed years as official and others as provisional', () => {
    expect(wib.coverage(2025)).toBe('official');
    expect(wib.coverage(2026)).toBe('official');
    expect(wib.coverage(2027)).toBe('official');
    expect(wib.coverage(2028)).toBe('provisional');
  });

  it('warns once per year when a deadline crosses into a year without a table', () => {
    const onProvisionalYear = vi.fn();
    const calendar = createCalendar(officeConfig('Asia/Jakarta'), { onProvisionalYear });
    // 24 Dec 2027 cuti bersama, 27-31 Dec (1-5), 1 Jan 2028 Saturday, 3-5 Jan (6-8).
    expect(calendar.addWorkingDays(at('2027-12-23T10:00'), 8)).toEqual(at('2028-01-05T16:00'));
    calendar.addWorkingDays(at('2027-12-28T10:00'), 8);
    calendar.addOfficeMinutes(at('2028-03-01T10:00'), 600);
    expect(onProvisionalYear).toHaveBeenCalledTimes(1);
    expect(onProvisionalYear).toHaveBeenCalledWith(2028, expect.stringContaining('SKB'));
  });

  it('does not warn for reviewed years', () => {
    const onProvisionalYear = vi.fn();
    const calendar = createCalendar(officeConfig('Asia/Jakarta'), { onProvisionalYear });
    calendar.addWorkingDays(at('2025-01-02T10:00'), 15);
    calendar.addWorkingDays(at('2027-12-01T10:00'), 10);
    expect(onProvisionalYear).not.toHaveBeenCalled();
  });

  it('warns on the console by default', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const calendar = createCalendar(officeConfig('Asia/Jakarta'));
      calendar.isWorkingDay('2029-03-01');
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain('2029');
    } finally {
      warn.mockRestore();
    }
  });

  it('closes the fixed-date national holidays of a provisional year', () => {
    expect(wib.isWorkingDay('2028-08-17')).toBe(false);
    expect(wib.isWorkingDay('2028-06-01')).toBe(false);
    expect(wib.isWorkingDay('2028-08-16')).toBe(true);
  });

  it('widens Islamic holidays of a provisional year by one day', () => {
    // date-holidays puts Idulfitri 1449 on Sat-Sun 26-27 Feb 2028; the Monday after is closed too.
    expect(wib.isWorkingDay('2028-02-28')).toBe(false);
    expect(wib.isWorkingDay('2028-02-29')).toBe(true);
    expect(wib.holidays(2028).some((h) => h.kind === 'cuti-bersama')).toBe(false);
  });
});

describe('configuration', () => {
  it('refuses overlapping or touching office intervals', () => {
    const config = officeConfig('Asia/Jakarta');
    config.officeHours.mon = [
      { open: '07:30', close: '12:00' },
      { open: '12:00', close: '16:00' },
    ];
    expect(() => createCalendar(config, quiet)).toThrow(/overlap/);
  });

  it('refuses malformed times, empty days and bad local holidays', () => {
    const badTime = officeConfig('Asia/Jakarta');
    badTime.officeHours.tue = [{ open: '7:30', close: '16:00' }];
    expect(() => createCalendar(badTime, quiet)).toThrow(/HH:MM/);
    const emptyDay = officeConfig('Asia/Jakarta');
    emptyDay.officeHours.wed = [];
    expect(() => createCalendar(emptyDay, quiet)).toThrow(/at least one/);
    expect(() =>
      createCalendar(officeConfig('Asia/Jakarta', [{ date: '2026-02-30', name: 'x' }]), quiet),
    ).toThrow(/YYYY-MM-DD/);
  });
});

describe('stageDeadline', () => {
  it('uses working days or office minutes as the stage says', () => {
    const start = at('2026-03-17T10:00');
    expect(wib.stageDeadline(start, { workingDays: 3 })).toEqual(at('2026-03-27T16:00'));
    expect(wib.stageDeadline(at('2026-02-06T15:50'), { officeMinutes: 35 })).toEqual(at('2026-02-09T07:55'));
  });

  it('refuses empty stages', () => {
    expect(() => wib.stageDeadline(at('2026-02-06T15:50'), { officeMinutes: 0 })).toThrow(RangeError);
    expect(() => wib.stageDeadline(at('2026-02-06T15:50'), { workingDays: 0 })).toThrow(RangeError);
  });
});
