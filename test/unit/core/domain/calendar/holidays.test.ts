import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Holidays from 'date-holidays';
import { describe, expect, it } from 'vitest';
import { hasOfficialTable, OFFICIAL_HOLIDAYS, provisionalHolidays } from '#core/domain/calendar/holidays.ts';
import {
  LIBRARY_HOLIDAYS,
  LIBRARY_HOLIDAYS_FIRST_YEAR,
  LIBRARY_HOLIDAYS_LAST_YEAR,
} from '#core/domain/calendar/moveable-feasts.ts';
import { libraryHolidays } from '../../../../../infra/tools/moveable-feasts.ts';

const FUNCTIONS_DIR = fileURLToPath(new URL('../../../../../functions', import.meta.url));

function datesOf(year: number, kind: 'national' | 'cuti-bersama'): string[] {
  return (OFFICIAL_HOLIDAYS[year] ?? []).filter((h) => h.kind === kind).map((h) => h.date);
}

describe('OFFICIAL_HOLIDAYS', () => {
  it('holds the 2026 national holidays exactly as the SKB of 2025 sets them', () => {
    expect(datesOf(2026, 'national')).toEqual([
      '2026-01-01',
      '2026-01-16',
      '2026-02-17',
      '2026-03-19',
      '2026-03-21',
      '2026-03-22',
      '2026-04-03',
      '2026-04-05',
      '2026-05-01',
      '2026-05-14',
      '2026-05-27',
      '2026-05-31',
      '2026-06-01',
      '2026-06-16',
      '2026-08-17',
      '2026-08-25',
      '2026-12-25',
    ]);
  });

  it('holds the 2026 cuti bersama exactly as the SKB of 2025 sets them', () => {
    expect(datesOf(2026, 'cuti-bersama')).toEqual([
      '2026-02-16',
      '2026-03-18',
      '2026-03-20',
      '2026-03-23',
      '2026-03-24',
      '2026-05-15',
      '2026-05-28',
      '2026-12-24',
    ]);
  });

  it('holds 17 national holidays and 10 + 1 amended cuti bersama for 2025', () => {
    expect(datesOf(2025, 'national')).toHaveLength(17);
    expect(datesOf(2025, 'cuti-bersama')).toHaveLength(11);
    expect(datesOf(2025, 'cuti-bersama')).toContain('2025-08-18');
  });

  it('holds 18 national holidays and 8 cuti bersama for 2027', () => {
    expect(datesOf(2027, 'national')).toHaveLength(18);
    expect(datesOf(2027, 'cuti-bersama')).toHaveLength(8);
  });

  it('keeps every table sorted, inside its year, without repeated dates and with names', () => {
    for (const [year, entries] of Object.entries(OFFICIAL_HOLIDAYS)) {
      const dates = entries.map((h) => h.date);
      expect(dates).toEqual([...dates].sort());
      expect(new Set(dates).size).toBe(dates.length);
      for (const entry of entries) {
        expect(entry.date.startsWith(`${year}-`)).toBe(true);
        expect(new Date(`${entry.date}T00:00:00Z`).toISOString().slice(0, 10)).toBe(entry.date);
        expect(entry.name.trim()).not.toBe('');
      }
    }
  });

  it('puts no cuti bersama on a weekend (they exist to bridge working days)', () => {
    for (const entries of Object.values(OFFICIAL_HOLIDAYS)) {
      for (const entry of entries.filter((h) => h.kind === 'cuti-bersama')) {
        const weekday = new Date(`${entry.date}T00:00:00Z`).getUTCDay();
        expect([0, 6]).not.toContain(weekday);
      }
    }
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(OFFICIAL_HOLIDAYS)).toBe(true);
    expect(Object.isFrozen(OFFICIAL_HOLIDAYS[2026]?.[0])).toBe(true);
  });

  it('reports which years have a reviewed table', () => {
    expect([2024, 2025, 2026, 2027, 2028].map(hasOfficialTable)).toEqual([false, true, true, true, false]);
  });
});

describe('provisionalHolidays', () => {
  it('includes the fixed-date national holidays and no cuti bersama', () => {
    const { entries } = provisionalHolidays(2028);
    const dates = entries.map((h) => h.date);
    for (const date of ['2028-01-01', '2028-05-01', '2028-06-01', '2028-08-17', '2028-12-25']) {
      expect(dates).toContain(date);
    }
    expect(entries.every((h) => h.kind === 'national')).toBe(true);
  });

  it('adds the moveable feasts from date-holidays and widens Islamic ones by a day', () => {
    const dates = provisionalHolidays(2028).entries.map((h) => h.date);
    expect(dates).toContain('2028-04-14'); // Good Friday (Easter 16 Apr 2028)
    expect(dates).toContain('2028-01-26'); // Imlek
    expect(dates).toEqual(expect.arrayContaining(['2028-02-26', '2028-02-27', '2028-02-28'])); // Idulfitri + margin
  });

  it('never covers the dates of a reviewed table less than the decree does for Islamic holidays', () => {
    // Checked against years whose decree is known: every Islamic national holiday must be closed by the
    // fallback too, which is why the fallback widens them.
    const islamic = /Isra Mikraj|Idulfitri|Iduladha|Muharam|Maulid/;
    for (const year of [2025, 2026, 2027]) {
      const fallback = new Set(provisionalHolidays(year).entries.map((h) => h.date));
      const decreed = (OFFICIAL_HOLIDAYS[year] ?? []).filter(
        (h) => h.kind === 'national' && islamic.test(h.name),
      );
      expect(decreed.length).toBeGreaterThanOrEqual(6);
      expect(decreed.map((h) => h.date).filter((date) => !fallback.has(date))).toEqual([]);
    }
  });

  it('keeps entries sorted and inside the year', () => {
    for (const year of [2028, 2030, 2035]) {
      const dates = provisionalHolidays(year).entries.map((h) => h.date);
      expect(dates).toEqual([...dates].sort());
      expect(dates.every((d) => d.startsWith(`${year}-`))).toBe(true);
    }
  });

  it('explains why the year is provisional', () => {
    expect(provisionalHolidays(2028).reason).toMatch(/No reviewed SKB 3 Menteri table for 2028/);
  });
});

describe('the generated table of date-holidays results', () => {
  it('matches what the date-holidays package computes, year by year (else: npx tsx infra/tools/moveable-feasts.ts)', () => {
    const calendar = new Holidays('ID');
    for (let year = LIBRARY_HOLIDAYS_FIRST_YEAR; year <= LIBRARY_HOLIDAYS_LAST_YEAR; year++) {
      expect(LIBRARY_HOLIDAYS[year], String(year)).toEqual(libraryHolidays(year, calendar));
    }
    expect(Object.keys(LIBRARY_HOLIDAYS).map(Number)).toEqual(
      Array.from(
        { length: LIBRARY_HOLIDAYS_LAST_YEAR - LIBRARY_HOLIDAYS_FIRST_YEAR + 1 },
        (_, i) => LIBRARY_HOLIDAYS_FIRST_YEAR + i,
      ),
    );
  });

  it('leaves a year past the table with the fixed-date holidays and says so', () => {
    const year = LIBRARY_HOLIDAYS_LAST_YEAR + 1;
    const provisional = provisionalHolidays(year);
    expect(provisional.entries.map((h) => h.date)).toEqual([
      `${year}-01-01`,
      `${year}-05-01`,
      `${year}-06-01`,
      `${year}-08-17`,
      `${year}-12-25`,
    ]);
    expect(provisional.reason).toMatch(/no moveable feasts at all/);
  });

  it('keeps date-holidays out of the functions: no module under functions/ imports it', () => {
    const offenders = readdirSync(FUNCTIONS_DIR, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .filter((file) => /from ['"]date-holidays['"]/.test(readFileSync(join(FUNCTIONS_DIR, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
