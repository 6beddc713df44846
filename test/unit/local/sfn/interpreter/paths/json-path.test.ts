import { describe, expect, it } from 'vitest';
import {
  evaluatePath,
  isReferencePath,
  setPath,
} from '../../../../../../local/sfn/interpreter/paths/json-path.ts';

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
