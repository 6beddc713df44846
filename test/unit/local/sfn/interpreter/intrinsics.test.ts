import { describe, expect, it } from 'vitest';
import { evaluateIntrinsic } from '../../../../../local/sfn/interpreter/intrinsics.ts';
import type { Json } from '../../../../../local/sfn/interpreter/paths/json-path.ts';
import { noContext, statesError } from './helpers.ts';

describe('intrinsic functions', () => {
  const run = (text: string, input: object = {}) =>
    evaluateIntrinsic(text, { input: input as Json, context: noContext });

  it('formats with escapes and JSON-encodes scalar non-string arguments', () => {
    expect(run("States.Format('a {} b {} c {}', $.s, $.n, $.t)", { s: 'x', n: 1.5, t: true })).toBe(
      'a x b 1.5 c true',
    );
    expect(run("States.Format('\\{\\} \\\\ \\' {}', 'v')")).toBe("{} \\ ' v");
    expect(statesError(() => run("States.Format('{} {}', 'only one')")).error).toBe(
      'States.IntrinsicFailure',
    );
  });

  it('renders object and array arguments of Format as AWS does (Java map and list text)', () => {
    expect(run("States.Format('{}', $.o)", { o: { Arg1: 1, Arg2: [] } })).toBe('{Arg1=1, Arg2=[]}');
    expect(run("States.Format('{} {}', $.a, $.e)", { a: ['x', 2, null, { k: true }], e: {} })).toBe(
      '[x, 2, null, {k=true}] {}',
    );
  });

  it('rounds MathAdd and MathRandom arguments as Java Math.round: halves towards +infinity', () => {
    expect(run('States.MathAdd(1.49, 1.5)')).toBe(3);
    expect(run('States.MathAdd(0.5, 0)')).toBe(1);
    expect(run('States.MathAdd(-2.5, 0)')).toBe(-2);
    expect(run('States.MathAdd($.a, $.b)', { a: -1.5, b: 2.4 })).toBe(1);
    // start 0.5 rounds to 1 and end 1.5 to 2: the only value in [1, 2) is 1.
    expect(run('States.MathRandom(0.5, 1.5)')).toBe(1);
  });

  it('gives null for StringToJson of an empty or blank string', () => {
    expect(run("States.StringToJson('')")).toBeNull();
    expect(run("States.StringToJson(' ')")).toBeNull();
    expect(run('States.StringToJson($.s)', { s: '\n\t ' })).toBeNull();
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
