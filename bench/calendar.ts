/**
 * The working-day calendar's speed, as a ratio against a peer measured in the same run (a timed
 * unit test would flake on a shared 2-core machine, so this is not a test).
 *
 *   npx tsx bench/calendar.ts
 *
 * - ours: `stageDeadline(start, { workingDays: 15 })` on Kota Bengkulu's calendar (SKB tables,
 *   office hours, time zone);
 * - peer: the obvious way, day by day with date-holidays (`isHoliday`) and `Intl` for the weekday,
 *   which is what the calendar replaced.
 * Prints microseconds per call for each and the peer/ours ratio (higher is better for ours).
 */
import Holidays from 'date-holidays';
import { loadRegency } from '../functions/config/load.ts';
import { createCalendar } from '../functions/core/domain/calendar/calendar.ts';

const regency = loadRegency('kota-bengkulu').regency;
const calendar = createCalendar(regency, { onProvisionalYear: () => undefined });
const holidays = new Holidays('ID');
const weekday = new Intl.DateTimeFormat('en-US', { timeZone: regency.timeZone, weekday: 'short' });
const START = Date.parse('2026-03-02T02:00:00Z');

function peerDeadline(start: Date, workingDays: number): Date {
  let day = new Date(start);
  let counted = 0;
  while (counted < workingDays) {
    day = new Date(day.getTime() + 86_400_000);
    const name = weekday.format(day);
    if (name === 'Sat' || name === 'Sun' || holidays.isHoliday(day) !== false) continue;
    counted++;
  }
  return day;
}

function perCallMicros(fn: (i: number) => unknown, runs: number): number {
  for (let i = 0; i < 200; i++) fn(i);
  const begin = performance.now();
  for (let i = 0; i < runs; i++) fn(i);
  return ((performance.now() - begin) * 1000) / runs;
}

const rows: Array<{ ours: number; peer: number }> = [];
for (let round = 0; round < 3; round++)
  rows.push({
    ours: perCallMicros(
      (i) => calendar.stageDeadline(new Date(START + i * 3_600_000), { workingDays: 15 }),
      5_000,
    ),
    peer: perCallMicros((i) => peerDeadline(new Date(START + i * 3_600_000), 15), 500),
  });
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[1] ?? Number.NaN;
const ours = median(rows.map((r) => r.ours));
const peer = median(rows.map((r) => r.peer));
process.stdout.write(
  `stageDeadline, 15 working days (median of 3 rounds)\n` +
    `  ours:  ${ours.toFixed(2)} µs per call\n` +
    `  peer:  ${peer.toFixed(2)} µs per call (date-holidays + Intl, day by day)\n` +
    `  ratio: ${(peer / ours).toFixed(1)}x (peer / ours; each round: ${rows.map((r) => (r.peer / r.ours).toFixed(1)).join(', ')})\n`,
);
