import { describe, expect, it } from 'vitest';
import { nikMatchesBirthDate, parseNik } from '#core/domain/nik.ts';

describe('parseNik', () => {
  it('reads region, birth date and serial of a man', () => {
    const result = parseNik('1771011505900001');
    expect(result).toEqual({
      ok: true,
      parts: {
        province: '17',
        regency: '71',
        district: '01',
        birthDay: 15,
        birthMonth: 5,
        birthYear2: 90,
        female: false,
        serial: '0001',
      },
    });
  });

  it('removes the 40 added to the day of a woman', () => {
    const result = parseNik('1771015505900002');
    expect(result.ok && result.parts).toMatchObject({ birthDay: 15, female: true });
  });

  it.each([
    ['15 digits', '177101150590000', 'format'],
    ['17 digits', '17710115059000012', 'format'],
    ['a letter', '17710115059000A1', 'format'],
    ['province 00', '0071011505900001', 'region'],
    ['regency 00', '1700011505900001', 'region'],
    ['district 00', '1771001505900001', 'region'],
    ['day 00', '1771010005900001', 'birth-date'],
    ['day 32', '1771013205900001', 'birth-date'],
    ['day 40 (between men and women)', '1771014005900001', 'birth-date'],
    ['day 72 (31 + 41)', '1771017205900001', 'birth-date'],
    ['month 13', '1771011513900001', 'birth-date'],
    ['31 April', '1771013104900001', 'birth-date'],
    ['30 February', '1771013002900001', 'birth-date'],
    ['29 February of 2001/1901', '1771012902010001', 'birth-date'],
    ['serial 0000', '1771011505900000', 'serial'],
  ])('rejects %s', (_what, nik, problem) => {
    expect(parseNik(nik)).toEqual({ ok: false, problem });
  });

  it('accepts 29 February when either century makes the year a leap year', () => {
    // 00: 1900 is not a leap year, 2000 is; 96: 1996 is.
    expect(parseNik('1771012902000001').ok).toBe(true);
    expect(parseNik('1771016902960001').ok).toBe(true);
  });

  it('does not reject a NIK registered in another regency', () => {
    expect(parseNik('3514011505900001').ok).toBe(true);
  });
});

describe('nikMatchesBirthDate', () => {
  const parts = (nik: string) => {
    const r = parseNik(nik);
    if (!r.ok) throw new Error('test NIK must be valid');
    return r.parts;
  };

  it('matches the birth date in any century', () => {
    expect(nikMatchesBirthDate(parts('1771011505900001'), '1990-05-15')).toBe(true);
    expect(nikMatchesBirthDate(parts('1771015505020001'), '2002-05-15')).toBe(true);
  });

  it('does not match another day, month or year', () => {
    const p = parts('1771011505900001');
    expect(nikMatchesBirthDate(p, '1990-05-16')).toBe(false);
    expect(nikMatchesBirthDate(p, '1990-06-15')).toBe(false);
    expect(nikMatchesBirthDate(p, '1991-05-15')).toBe(false);
  });
});
