import { describe, expect, it } from 'vitest';
import { templateProblem } from '#config/permit-number-template.ts';
import { formatPermitNumber, sequenceName } from '#core/domain/permit/permit-number.ts';

describe('formatPermitNumber', () => {
  it('fills the zero-padded sequence, the year and the permit code', () => {
    expect(formatPermitNumber('503/{seq:4}/{code}/DPMPTSP/{year}', 7, '2026-02-25', 'SIKOT')).toBe(
      '503/0007/SIKOT/DPMPTSP/2026',
    );
  });

  it('writes a sequence without a width as it is', () => {
    expect(formatPermitNumber('{seq}-{year}', 12345, '2026-02-25', 'X')).toBe('12345-2026');
  });

  // The styles of shared/DOMAIN.md, and the Roman month of Indonesian letter numbers.
  it.each([
    ['503/{seq:4}/SIPD/DPM-PTSP/{year}', 112, '2024-03-01', '503/0112/SIPD/DPM-PTSP/2024'],
    ['503/SIP/{seq:3}/DPMPTSP/{year}', 12, '2023-07-10', '503/SIP/012/DPMPTSP/2023'],
    ['500.16.7.2/{seq}-PPO', 719, '2025-11-30', '500.16.7.2/719-PPO'],
    ['800/{seq:3}/DPMPTSP/{month:roman}/{year}', 12, '2024-04-02', '800/012/DPMPTSP/IV/2024'],
    ['{code}.{seq:2}/{month}/{yy}', 3, '2026-12-31', 'SIKO.03/12/26'],
  ])('expresses %s', (template, seq, date, expected) => {
    expect(formatPermitNumber(template, seq, date, 'SIKO')).toBe(expected);
  });
});

describe('templateProblem', () => {
  it('accepts the styles of shared/DOMAIN.md', () => {
    expect(templateProblem('503/{seq:4}/SIPD/DPM-PTSP/{year}', 'yearly')).toBeUndefined();
    expect(templateProblem('500.16.7.2/{seq}-PPO', 'continuous')).toBeUndefined();
  });

  it('refuses a yearly sequence whose number omits the year (numbers would repeat each year)', () => {
    expect(templateProblem('500.16.7.2/{seq}-PPO', 'yearly')).toMatch(/must contain \{year\} or \{yy\}/);
  });

  it('refuses an unknown placeholder, a stray brace and a missing or repeated sequence', () => {
    expect(templateProblem('{seq}/{tahun}', 'continuous')).toMatch(/unknown placeholder \{tahun\}/);
    expect(templateProblem('{seq}/{year', 'yearly')).toMatch(/unmatched brace/);
    expect(templateProblem('503/{year}', 'yearly')).toMatch(/exactly once/);
    expect(templateProblem('{seq}/{seq:3}/{year}', 'yearly')).toMatch(/exactly once/);
  });
});

describe('sequenceName', () => {
  it('runs per office, permit type and year, or per office and permit type when continuous', () => {
    expect(sequenceName('kota-bengkulu', 'SIKOT', 2026)).toBe('kota-bengkulu#SIKOT#2026');
    expect(sequenceName('kota-bengkulu', 'SIKOT', 2026, 'continuous')).toBe('kota-bengkulu#SIKOT');
  });
});
