import { describe, expect, it } from 'vitest';
import { errorMatches } from '../../../../../local/sfn/interpreter/retry-catch.ts';

describe('error matching', () => {
  it('applies the wildcards as AWS documents them', () => {
    expect(errorMatches(['States.ALL'], 'Custom', false)).toBe(true);
    expect(errorMatches(['States.ALL'], 'States.Runtime', false)).toBe(false);
    expect(errorMatches(['States.Runtime'], 'States.Runtime', false)).toBe(false);
    expect(errorMatches(['States.ALL'], 'States.DataLimitExceeded', false)).toBe(false);
    expect(errorMatches(['States.DataLimitExceeded'], 'States.DataLimitExceeded', false)).toBe(true);
    expect(errorMatches(['States.TaskFailed'], 'Lambda.ServiceException', false)).toBe(true);
    expect(errorMatches(['States.TaskFailed'], 'States.Timeout', false)).toBe(false);
    expect(errorMatches(['States.HeartbeatTimeout'], 'States.Timeout', true)).toBe(true);
    expect(errorMatches(['States.HeartbeatTimeout'], 'States.Timeout', false)).toBe(false);
    expect(errorMatches(['States.Timeout'], 'States.Timeout', true)).toBe(true);
  });
});
