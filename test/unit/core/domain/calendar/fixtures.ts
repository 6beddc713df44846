import type { CalendarConfig, OfficeInterval } from '#core/domain/calendar/calendar.ts';

/** A typical DPMPTSP front office: lunch break Monday to Thursday, a longer Friday-prayer break. */
const WEEKDAY_HOURS: OfficeInterval[] = [
  { open: '07:30', close: '12:00' },
  { open: '13:00', close: '16:00' },
];
const FRIDAY_HOURS: OfficeInterval[] = [
  { open: '07:30', close: '11:30' },
  { open: '13:30', close: '16:00' },
];

export function officeConfig(
  timeZone: string,
  localHolidays: CalendarConfig['localHolidays'] = [],
): CalendarConfig {
  return {
    timeZone,
    officeHours: {
      mon: WEEKDAY_HOURS,
      tue: WEEKDAY_HOURS,
      wed: WEEKDAY_HOURS,
      thu: WEEKDAY_HOURS,
      fri: FRIDAY_HOURS,
    },
    localHolidays,
  };
}

/** Office minutes of a full Monday-Thursday and of a full Friday in officeConfig. */
export const WEEKDAY_OFFICE_MINUTES = 270 + 180;
export const FRIDAY_OFFICE_MINUTES = 240 + 150;

/** An instant given as local wall-clock time with its offset, e.g. at('2026-03-17T10:00', 7). */
export function at(localDateTime: string, offsetHours = 7): Date {
  const sign = offsetHours < 0 ? '-' : '+';
  const hh = String(Math.abs(offsetHours)).padStart(2, '0');
  const date = new Date(`${localDateTime}${localDateTime.length === 16 ? ':00' : ''}${sign}${hh}:00`);
  if (Number.isNaN(date.getTime())) throw new Error(`bad test instant ${localDateTime}`);
  return date;
}
