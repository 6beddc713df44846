import { describe, expect, it } from 'vitest';
import { evaluateRule } from '../../../../../local/sfn/interpreter/choice.ts';
import type { Json } from '../../../../../local/sfn/interpreter/paths/json-path.ts';
import { noContext, statesError } from './helpers.ts';

describe('Choice rules', () => {
  const rule = (r: object, input: object) => evaluateRule(r as never, input as Json, noContext);

  it('compares only values of the operator type', () => {
    expect(rule({ Variable: '$.v', NumericEquals: 1 }, { v: '1' })).toBe(false);
    expect(rule({ Variable: '$.v', StringEquals: '1' }, { v: 1 })).toBe(false);
    expect(rule({ Variable: '$.v', BooleanEquals: true }, { v: 'true' })).toBe(false);
  });

  it('compares timestamps as instants, with offsets, and refuses lowercase t or z', () => {
    expect(
      rule({ Variable: '$.v', TimestampEquals: '2026-01-01T07:00:00+07:00' }, { v: '2026-01-01T00:00:00Z' }),
    ).toBe(true);
    expect(rule({ Variable: '$.v', IsTimestamp: true }, { v: '2026-01-01t00:00:00z' })).toBe(false);
  });

  it('matches StringMatches wildcards, escaped stars included', () => {
    expect(rule({ Variable: '$.v', StringMatches: 'log-*.txt' }, { v: 'log-2026.txt' })).toBe(true);
    expect(rule({ Variable: '$.v', StringMatches: 'a\\*' }, { v: 'ab' })).toBe(false);
    expect(rule({ Variable: '$.v', StringMatches: 'a\\*' }, { v: 'a*' })).toBe(true);
    expect(rule({ Variable: '$.v', StringMatches: '(x).*' }, { v: '(x).yz' })).toBe(true);
  });

  it('raises States.Runtime for a missing Variable except with IsPresent', () => {
    expect(rule({ Variable: '$.gone', IsPresent: false }, {})).toBe(true);
    expect(statesError(() => rule({ Variable: '$.gone', IsNull: true }, {})).error).toBe('States.Runtime');
  });
});
