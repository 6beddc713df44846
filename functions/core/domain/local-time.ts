/**
 * Instants as an applicant reads them: the office's local time with its offset and zone name. Indonesia
 * has no daylight saving, so each zone is a fixed offset (WIB +07:00, WITA +08:00, WIT +09:00).
 */
import type { Regency } from '#config/regency-schema.ts';
import type { WorkingCalendar } from './calendar/calendar.ts';

const OFFSET_HOURS: Readonly<Record<Regency['timeZone'], number>> = {
  'Asia/Jakarta': 7,
  'Asia/Pontianak': 7,
  'Asia/Makassar': 8,
  'Asia/Jayapura': 9,
};

export interface LocalTime {
  /** The instant, UTC. */
  utc: string;
  /** The same instant in the office's zone, ISO 8601 with offset: `2026-03-27T16:00:00+07:00`. */
  local: string;
  timeZone: Regency['timeZone'];
  /** For people: `Jumat, 27 Maret 2026 16.00 WIB`. */
  text: string;
}

export function localIso(t: Date, timeZone: Regency['timeZone']): string {
  const hours = OFFSET_HOURS[timeZone];
  const shifted = new Date(t.getTime() + hours * 3_600_000).toISOString().slice(0, 19);
  return `${shifted}+${String(hours).padStart(2, '0')}:00`;
}

export function localTime(
  t: Date | string,
  timeZone: Regency['timeZone'],
  calendar: Pick<WorkingCalendar, 'formatLocal'>,
): LocalTime {
  const instant = typeof t === 'string' ? new Date(t) : t;
  return {
    utc: instant.toISOString(),
    local: localIso(instant, timeZone),
    timeZone,
    text: calendar.formatLocal(instant),
  };
}
