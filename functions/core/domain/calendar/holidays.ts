/**
 * Indonesian national holidays (hari libur nasional) and collective leave days (cuti bersama), one
 * reviewed table per year, plus the provisional fallback for years that have no table yet.
 *
 * Source of truth: the yearly joint decree of the Minister of Religious Affairs, the Minister of
 * Manpower and the Minister for Administrative and Bureaucratic Reform (SKB 3 Menteri). A year is
 * listed in `OFFICIAL_HOLIDAYS` only when its whole decree (including later amendments) has been
 * reviewed; every other year is provisional (see `provisionalHolidays`).
 *
 * To add a year: copy the decree's annex A (hari libur nasional) and B (cuti bersama) date by date,
 * cite the decree number and where it was read, and add the counts to the unit test that pins them.
 * When an amendment is published (as for 18 Aug 2025), change the table and cite the amendment too.
 */
import { LIBRARY_HOLIDAYS } from './moveable-feasts.ts';

export type HolidayKind = 'national' | 'cuti-bersama' | 'local';

export interface HolidayEntry {
  /** YYYY-MM-DD, a calendar date with no time zone. */
  date: string;
  /** Indonesian name, as the decree words it. */
  name: string;
  kind: HolidayKind;
}

type NationalEntry = HolidayEntry & { kind: 'national' | 'cuti-bersama' };

const national = (date: string, name: string): NationalEntry =>
  Object.freeze({ date, name, kind: 'national' });
const cutiBersama = (date: string, name: string): NationalEntry =>
  Object.freeze({ date, name, kind: 'cuti-bersama' });

/**
 * 2025: Keputusan Bersama Menteri Agama, Menteri Ketenagakerjaan dan Menteri PANRB Nomor 1017 Tahun 2024,
 * Nomor 2 Tahun 2024, Nomor 2 Tahun 2024 (signed 14 Oct 2024): 17 national holidays + 10 cuti bersama;
 * amended by Nomor 933 Tahun 2025, Nomor 1 Tahun 2025, Nomor 3 Tahun 2025 (signed 7 Aug 2025), which adds
 * cuti bersama on Monday 18 Aug 2025 (80th Independence Day): 11 cuti bersama in all.
 * Read from: https://radarbandung.id/2024/10/15/berikut-data-fakta-libur-dan-cuti-2025 (citing Kemenko PMK),
 * https://economy.okezone.com/read/2024/12/03/320/3091854/ (full list), and for the amendment
 * https://fajar.co.id/2025/08/08/presiden-prabowo-resmi-tetapkan-18-agustus-sebagai-cuti-bersama-nasional/
 * and https://www.radarsampit.com/berita/ingat-18-agustus-2025-bukan-libur-nasional-tapi-cuti-bersama.html
 * (all agree date by date).
 */
const YEAR_2025: ReadonlyArray<NationalEntry> = [
  national('2025-01-01', 'Tahun Baru 2025 Masehi'),
  national('2025-01-27', 'Isra Mikraj Nabi Muhammad S.A.W.'),
  cutiBersama('2025-01-28', 'Cuti Bersama Tahun Baru Imlek 2576 Kongzili'),
  national('2025-01-29', 'Tahun Baru Imlek 2576 Kongzili'),
  cutiBersama('2025-03-28', 'Cuti Bersama Hari Suci Nyepi (Tahun Baru Saka 1947)'),
  national('2025-03-29', 'Hari Suci Nyepi (Tahun Baru Saka 1947)'),
  national('2025-03-31', 'Idulfitri 1446 Hijriah'),
  national('2025-04-01', 'Idulfitri 1446 Hijriah'),
  cutiBersama('2025-04-02', 'Cuti Bersama Idulfitri 1446 Hijriah'),
  cutiBersama('2025-04-03', 'Cuti Bersama Idulfitri 1446 Hijriah'),
  cutiBersama('2025-04-04', 'Cuti Bersama Idulfitri 1446 Hijriah'),
  cutiBersama('2025-04-07', 'Cuti Bersama Idulfitri 1446 Hijriah'),
  national('2025-04-18', 'Wafat Yesus Kristus'),
  national('2025-04-20', 'Kebangkitan Yesus Kristus (Paskah)'),
  national('2025-05-01', 'Hari Buruh Internasional'),
  national('2025-05-12', 'Hari Raya Waisak 2569 BE'),
  cutiBersama('2025-05-13', 'Cuti Bersama Hari Raya Waisak 2569 BE'),
  national('2025-05-29', 'Kenaikan Yesus Kristus'),
  cutiBersama('2025-05-30', 'Cuti Bersama Kenaikan Yesus Kristus'),
  national('2025-06-01', 'Hari Lahir Pancasila'),
  national('2025-06-06', 'Iduladha 1446 Hijriah'),
  cutiBersama('2025-06-09', 'Cuti Bersama Iduladha 1446 Hijriah'),
  national('2025-06-27', '1 Muharam Tahun Baru Islam 1447 Hijriah'),
  national('2025-08-17', 'Proklamasi Kemerdekaan'),
  cutiBersama('2025-08-18', 'Cuti Bersama Proklamasi Kemerdekaan'),
  national('2025-09-05', 'Maulid Nabi Muhammad S.A.W.'),
  national('2025-12-25', 'Kelahiran Yesus Kristus'),
  cutiBersama('2025-12-26', 'Cuti Bersama Kelahiran Yesus Kristus'),
];

/**
 * 2026: Keputusan Bersama Nomor 1497 Tahun 2025, Nomor 2 Tahun 2025, Nomor 5 Tahun 2025 (signed
 * 19 Sep 2025): 17 national holidays + 8 cuti bersama, exactly as in /work/shared/DOMAIN.md.
 */
const YEAR_2026: ReadonlyArray<NationalEntry> = [
  national('2026-01-01', 'Tahun Baru 2026 Masehi'),
  national('2026-01-16', 'Isra Mikraj Nabi Muhammad S.A.W.'),
  cutiBersama('2026-02-16', 'Cuti Bersama Tahun Baru Imlek 2577 Kongzili'),
  national('2026-02-17', 'Tahun Baru Imlek 2577 Kongzili'),
  cutiBersama('2026-03-18', 'Cuti Bersama Hari Suci Nyepi (Tahun Baru Saka 1948)'),
  national('2026-03-19', 'Hari Suci Nyepi (Tahun Baru Saka 1948)'),
  cutiBersama('2026-03-20', 'Cuti Bersama Idulfitri 1447 Hijriah'),
  national('2026-03-21', 'Idulfitri 1447 Hijriah'),
  national('2026-03-22', 'Idulfitri 1447 Hijriah'),
  cutiBersama('2026-03-23', 'Cuti Bersama Idulfitri 1447 Hijriah'),
  cutiBersama('2026-03-24', 'Cuti Bersama Idulfitri 1447 Hijriah'),
  national('2026-04-03', 'Wafat Yesus Kristus'),
  national('2026-04-05', 'Kebangkitan Yesus Kristus (Paskah)'),
  national('2026-05-01', 'Hari Buruh Internasional'),
  national('2026-05-14', 'Kenaikan Yesus Kristus'),
  cutiBersama('2026-05-15', 'Cuti Bersama Kenaikan Yesus Kristus'),
  national('2026-05-27', 'Iduladha 1447 Hijriah'),
  cutiBersama('2026-05-28', 'Cuti Bersama Iduladha 1447 Hijriah'),
  national('2026-05-31', 'Hari Raya Waisak 2570 BE'),
  national('2026-06-01', 'Hari Lahir Pancasila'),
  national('2026-06-16', '1 Muharam Tahun Baru Islam 1448 Hijriah'),
  national('2026-08-17', 'Proklamasi Kemerdekaan'),
  national('2026-08-25', 'Maulid Nabi Muhammad S.A.W.'),
  cutiBersama('2026-12-24', 'Cuti Bersama Kelahiran Yesus Kristus'),
  national('2026-12-25', 'Kelahiran Yesus Kristus'),
];

/**
 * 2027: Keputusan Bersama Nomor 1205 Tahun 2026, Nomor 3 Tahun 2026, Nomor 2 Tahun 2026 (signed
 * 15 Sep 2026): 18 national holidays (Isra Mikraj falls twice, 5 Jan and 26 Dec) + 8 cuti bersama.
 * Official publications: https://setneg.go.id/baca/index/inilah_skb_3_menteri_libur_nasional_dan_cuti_bersama_2027
 * and https://www.kemenkopmk.go.id/sites/default/files/pengumuman/2026-09/SKB%20Libur%20Nasional%20dan%20Cuti%20Bersama%20Tahun%202027.pdf
 * The official pages themselves were not reachable from the reference store; the list was read from three
 * independent public transcriptions of the decree that cite those pages and agree on all 26 dates. The
 * Christian, Chinese and fixed dates were checked by computation (Easter 28 Mar 2027, Imlek 6 Feb 2027).
 * Idulfitri and Iduladha are subject to the Minister of Religious Affairs' isbat decision: if it moves
 * them, amend this table.
 */
const YEAR_2027: ReadonlyArray<NationalEntry> = [
  national('2027-01-01', 'Tahun Baru 2027 Masehi'),
  national('2027-01-05', 'Isra Mikraj Nabi Muhammad S.A.W.'),
  cutiBersama('2027-02-05', 'Cuti Bersama Tahun Baru Imlek 2578 Kongzili'),
  national('2027-02-06', 'Tahun Baru Imlek 2578 Kongzili'),
  national('2027-03-08', 'Hari Suci Nyepi (Tahun Baru Saka 1949)'),
  cutiBersama('2027-03-09', 'Cuti Bersama Idulfitri 1448 Hijriah'),
  national('2027-03-10', 'Idulfitri 1448 Hijriah'),
  national('2027-03-11', 'Idulfitri 1448 Hijriah'),
  cutiBersama('2027-03-12', 'Cuti Bersama Idulfitri 1448 Hijriah'),
  cutiBersama('2027-03-15', 'Cuti Bersama Idulfitri 1448 Hijriah'),
  cutiBersama('2027-03-25', 'Cuti Bersama Wafat Yesus Kristus'),
  national('2027-03-26', 'Wafat Yesus Kristus'),
  national('2027-03-28', 'Kebangkitan Yesus Kristus (Paskah)'),
  national('2027-05-01', 'Hari Buruh Internasional'),
  national('2027-05-06', 'Kenaikan Yesus Kristus'),
  national('2027-05-17', 'Iduladha 1448 Hijriah'),
  cutiBersama('2027-05-18', 'Cuti Bersama Iduladha 1448 Hijriah'),
  cutiBersama('2027-05-19', 'Cuti Bersama Hari Raya Waisak 2571 BE'),
  national('2027-05-20', 'Hari Raya Waisak 2571 BE'),
  national('2027-06-01', 'Hari Lahir Pancasila'),
  national('2027-06-06', '1 Muharam Tahun Baru Islam 1449 Hijriah'),
  national('2027-08-15', 'Maulid Nabi Muhammad S.A.W.'),
  national('2027-08-17', 'Proklamasi Kemerdekaan'),
  cutiBersama('2027-12-24', 'Cuti Bersama Kelahiran Yesus Kristus'),
  national('2027-12-25', 'Kelahiran Yesus Kristus'),
  national('2027-12-26', 'Isra Mikraj Nabi Muhammad S.A.W.'),
];

/** Reviewed tables, one per year whose whole SKB (and amendments) has been checked. */
export const OFFICIAL_HOLIDAYS: Readonly<Record<number, ReadonlyArray<NationalEntry>>> = Object.freeze({
  2025: YEAR_2025,
  2026: YEAR_2026,
  2027: YEAR_2027,
});

export function hasOfficialTable(year: number): boolean {
  return Object.hasOwn(OFFICIAL_HOLIDAYS, year);
}

/** National holidays that fall on the same date every year (Keppres 8/2024). */
const FIXED_DATE_HOLIDAYS: ReadonlyArray<{ monthDay: string; name: string }> = [
  { monthDay: '01-01', name: 'Tahun Baru Masehi' },
  { monthDay: '05-01', name: 'Hari Buruh Internasional' },
  { monthDay: '06-01', name: 'Hari Lahir Pancasila' },
  { monthDay: '08-17', name: 'Proklamasi Kemerdekaan' },
  { monthDay: '12-25', name: 'Kelahiran Yesus Kristus' },
];

/**
 * date-holidays' rule names mapped to the decree's wording: its own Indonesian names are not reliable
 * (it calls Isra Mikraj "Maulid Nabi Muhammad").
 */
const LIBRARY_RULE_NAMES: Readonly<Record<string, string>> = {
  '27 Rajab': 'Isra Mikraj Nabi Muhammad S.A.W.',
  'chinese 01-0-01': 'Tahun Baru Imlek',
  'easter -2': 'Wafat Yesus Kristus',
  'easter 39': 'Kenaikan Yesus Kristus',
  '1 Shawwal': 'Idulfitri',
  '2 Shawwal': 'Idulfitri',
  '10 Dhu al-Hijjah': 'Iduladha',
  '1 Muharram': '1 Muharam Tahun Baru Islam',
  '12 Rabi al-awwal': 'Maulid Nabi Muhammad S.A.W.',
};

const ISLAMIC_RULE = /Muharram|Rabi al|Rajab|Shawwal|Dhu al|Ramadan/;

const DAY_MS = 86_400_000;

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

export interface ProvisionalYear {
  entries: ReadonlyArray<NationalEntry>;
  /** Why the year is provisional and what may be wrong with it: for the loud warning. */
  reason: string;
}

/**
 * Best-effort holidays for a year with no reviewed SKB table.
 *
 * - The fixed-date national holidays.
 * - date-holidays' Indonesian public holidays for the moveable feasts, from the table in
 *   moveable-feasts.ts (generated from the package for 2025-2075, so the functions do not load it).
 *   The library is off by a day on several Islamic holidays (Idulfitri 2026 as 20-21 Mar instead of
 *   21-22 Mar), so each Islamic holiday also closes the following day: a deadline may then be a day
 *   later than the decree would make it, never earlier because of an Islamic holiday.
 * - No cuti bersama (they exist only by decree), and Nyepi and Waisak only for the years the library
 *   tabulates: deadlines that cross such days come out earlier than the decree would make them. That is
 *   why callers are warned.
 */
export function provisionalHolidays(year: number): ProvisionalYear {
  const entries = new Map<string, NationalEntry>();
  const add = (date: string, name: string) => {
    const key = `${date}|${name}`;
    if (!entries.has(key)) entries.set(key, national(date, name));
  };
  for (const { monthDay, name } of FIXED_DATE_HOLIDAYS) add(`${year}-${monthDay}`, name);

  const library = LIBRARY_HOLIDAYS[year];
  for (const [date, rule, libraryName] of library ?? []) {
    const name = LIBRARY_RULE_NAMES[rule] ?? libraryName;
    add(date, `${name} (perkiraan)`);
    if (ISLAMIC_RULE.test(rule)) {
      const dayAfter = nextDate(date);
      // A margin day that spills into the next year belongs to that year's table, not this one.
      if (dayAfter.startsWith(`${year}-`)) add(dayAfter, `${name} (perkiraan, hari kedua)`);
    }
  }
  const sorted = [...entries.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const feasts = library
    ? 'the date-holidays package for moveable feasts (Islamic holidays widened by one day). '
    : 'no moveable feasts at all (the date-holidays table in moveable-feasts.ts stops before this year). ';
  const reason =
    `No reviewed SKB 3 Menteri table for ${year}: using weekends, fixed-date national holidays and ` +
    feasts +
    'Cuti bersama are unknown and Nyepi or Waisak may be missing, so deadlines in this year may fall ' +
    'earlier than under the decree. Add the reviewed table to functions/core/domain/calendar/holidays.ts.';
  return { entries: sorted, reason };
}
