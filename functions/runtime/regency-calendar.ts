/** The working-day calendar of a running function's regency, warning in the logs on a provisional year. */
import type { Regency } from '#config/regency-schema.ts';
import { createCalendar, type WorkingCalendar } from '#core/domain/calendar/calendar.ts';
import { log } from './log.ts';

export function regencyCalendar(regency: Regency): WorkingCalendar {
  return createCalendar(regency, {
    onProvisionalYear: (year, reason) => log('warn', 'provisional holiday calendar', { year, reason }),
  });
}
