import { describe, expect, it } from 'vitest';
import { evaluateRule } from '../../../local/sfn/interpreter/choice.ts';
import { StatesError } from '../../../local/sfn/interpreter/errors.ts';
import { evaluateIntrinsic } from '../../../local/sfn/interpreter/intrinsics.ts';
import {
  evaluatePath,
  isReferencePath,
  type Json,
  setPath,
} from '../../../local/sfn/interpreter/paths/json-path.ts';
import {
  applyResultPath,
  evaluateTemplate,
  selectPath,
} from '../../../local/sfn/interpreter/paths/payload.ts';

const noContext = () => ({});

function statesError(action: () => unknown): { error: string; cause: string | undefined } {
  try {
    action();
  } catch (error) {
    if (error instanceof StatesError) return { error: error.error, cause: error.cause_ };
    throw error;
  }
  throw new Error('expected a StatesError');
}

describe('evaluatePath', () => {
  const data = { a: { b: [10, { c: 'x' }] }, 'odd key': 1, list: [{ n: 1 }, { n: 5 }] };

  it('walks member names, bracketed names and indexes', () => {
    expect(evaluatePath('$', data)).toEqual({ found: true, value: data });
    expect(evaluatePath('$.a.b[1].c', data)).toEqual({ found: true, value: 'x' });
    expect(evaluatePath("$['odd key']", data)).toEqual({ found: true, value: 1 });
  });

  it('reports a missing member or index as not found, also for a null found on the way', () => {
    expect(evaluatePath('$.a.missing', data).found).toBe(false);
    expect(evaluatePath('$.a.b[5]', data).found).toBe(false);
    expect(evaluatePath('$.x.y', { x: null }).found).toBe(false);
    expect(evaluatePath('$.x', { x: null })).toEqual({ found: true, value: null });
  });

  it('returns an array for indefinite paths, empty when nothing matches', () => {
    expect(evaluatePath('$.list[*].n', data)).toEqual({ found: true, value: [1, 5] });
    expect(evaluatePath('$.list[?(@.n > 2)].n', data)).toEqual({ found: true, value: [5] });
    expect(evaluatePath('$.list[?(@.n > 9)].n', data)).toEqual({ found: true, value: [] });
  });

  it('tells reference paths from the rest', () => {
    expect(isReferencePath('$.a.b[0]')).toBe(true);
    expect(isReferencePath('$.a[*]')).toBe(false);
    expect(isReferencePath('$..a')).toBe(false);
  });
});

describe('setPath', () => {
  it('creates missing objects and leaves the original untouched', () => {
    const input = { keep: 1 };
    expect(setPath(input, '$.a.b', 2)).toEqual({ keep: 1, a: { b: 2 } });
    expect(input).toEqual({ keep: 1 });
  });

  it('refuses to go through a value that is not an object', () => {
    expect(setPath({ a: 'text' }, '$.a.b', 1)).toBeUndefined();
    expect(setPath('text', '$.a', 1)).toBeUndefined();
  });
});

describe('payload processing', () => {
  it('gives {} for a null InputPath or OutputPath and fails with States.Runtime on a missing path', () => {
    expect(selectPath({ a: 1 }, null)).toEqual({});
    expect(statesError(() => selectPath({ a: 1 }, '$.b'))).toEqual({
      error: 'States.Runtime',
      cause: "Invalid path '$.b' : No results for path: $['b']",
    });
  });

  it('applies ResultPath: $ replaces, null discards, a path merges, a bad path is ResultPathMatchFailure', () => {
    expect(applyResultPath({ a: 1 }, 'r', '$')).toBe('r');
    expect(applyResultPath({ a: 1 }, 'r', null)).toEqual({ a: 1 });
    expect(applyResultPath({ a: 1 }, 'r', '$.x.y')).toEqual({ a: 1, x: { y: 'r' } });
    expect(statesError(() => applyResultPath([1], 'r', '$.x')).error).toBe('States.ResultPathMatchFailure');
  });

  it('evaluates a template with paths, context paths and intrinsics, keeping other fields as written', () => {
    const template = {
      'id.$': '$.id',
      literal: '$.not-a-path',
      'name.$': '$$.Execution.Name',
      nested: [{ 'sum.$': 'States.MathAdd($.n, 1)' }],
    };
    expect(evaluateTemplate(template, { id: 'A', n: 1 }, () => ({ Execution: { Name: 'ex' } }))).toEqual({
      id: 'A',
      literal: '$.not-a-path',
      name: 'ex',
      nested: [{ sum: 2 }],
    });
  });

  it('fails with States.Runtime and the AWS message when a template path finds nothing', () => {
    const failure = statesError(() => evaluateTemplate({ 'x.$': '$.gone' }, { here: 1 }, noContext));
    expect(failure.error).toBe('States.Runtime');
    expect(failure.cause).toBe(
      "The JSONPath '$.gone' specified for the field 'x.$' could not be found in the input '{\"here\":1}'",
    );
  });

  it('builds the context object only when a path reads it', () => {
    let built = 0;
    const context = () => {
      built++;
      return { State: { Name: 'S' } };
    };
    evaluateTemplate({ 'a.$': '$.a' }, { a: 1 }, context);
    expect(built).toBe(0);
    expect(evaluateTemplate({ 's.$': '$$.State.Name' }, {}, context)).toEqual({ s: 'S' });
    expect(built).toBe(1);
  });
});

describe('intrinsic functions', () => {
  const run = (text: string, input: object = {}) =>
    evaluateIntrinsic(text, { input: input as Json, context: noContext });

  it('formats with escapes and JSON-encodes non-string arguments', () => {
    expect(run("States.Format('a {} b {} c {}', $.s, $.n, $.t)", { s: 'x', n: 1.5, t: true })).toBe(
      'a x b 1.5 c true',
    );
    expect(run("States.Format('\\{\\} \\\\ \\' {}', 'v')")).toBe("{} \\ ' v");
    expect(statesError(() => run("States.Format('{} {}', 'only one')")).error).toBe(
      'States.IntrinsicFailure',
    );
    expect(statesError(() => run("States.Format('{}', $.o)", { o: {} })).error).toBe(
      'States.IntrinsicFailure',
    );
  });

  it('nests calls and accepts literals of every JSON kind', () => {
    expect(run("States.Array(1, -2.5, 'x', true, null, States.MathAdd(1, 2))")).toEqual([
      1,
      -2.5,
      'x',
      true,
      null,
      3,
    ]);
  });

  it('follows the AWS documentation examples', () => {
    expect(run('States.ArrayPartition(States.Array(1,2,3,4,5,6,7,8,9), 4)')).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9],
    ]);
    expect(run('States.ArrayRange(1, 9, 2)')).toEqual([1, 3, 5, 7, 9]);
    expect(run('States.ArrayUnique(States.Array(1,2,3,3,3,3,3,3,4))')).toEqual([1, 2, 3, 4]);
    expect(run("States.Base64Encode('Data to encode')")).toBe('RGF0YSB0byBlbmNvZGU=');
    expect(run("States.Base64Decode('RGVjb2RlZCBkYXRh')")).toBe('Decoded data');
    expect(run("States.Hash('input data', 'SHA-1')")).toBe('aaff4a450a104cd177d28d18d74485e8cae074b7');
    expect(run("States.StringSplit('1,2,3,4,5', ',')")).toEqual(['1', '2', '3', '4', '5']);
    expect(run("States.StringSplit('This.is+a,test=string', '.+,=')")).toEqual([
      'This',
      'is',
      'a',
      'test',
      'string',
    ]);
    expect(run('States.MathAdd(111, -1)')).toBe(110);
  });

  it('draws MathRandom within [start, end) and repeats it for a seed', () => {
    for (let i = 0; i < 50; i++) {
      const value = run('States.MathRandom(1, 10)') as number;
      expect(value).toBeGreaterThanOrEqual(1);
      expect(value).toBeLessThan(10);
    }
    expect(run('States.MathRandom(1, 1000, 7)')).toBe(run('States.MathRandom(1, 1000, 7)'));
  });

  it('fails with States.IntrinsicFailure on bad arguments or unknown functions', () => {
    for (const text of [
      "States.MathAdd(1, 'a')",
      'States.ArrayGetItem(States.Array(1), 5)',
      'States.JsonMerge($.a, $.a, true)',
      'States.Nope(1)',
      "States.StringToJson('{bad')",
      'States.MathAdd(1',
    ]) {
      expect(statesError(() => run(text, { a: {} })).error).toBe('States.IntrinsicFailure');
    }
  });
});

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
