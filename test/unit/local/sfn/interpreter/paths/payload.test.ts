import { describe, expect, it } from 'vitest';
import {
  applyResultPath,
  evaluateTemplate,
  selectPath,
} from '../../../../../../local/sfn/interpreter/paths/payload.ts';
import { noContext, statesError } from '../helpers.ts';

describe('payload processing', () => {
  it('gives {} for a null InputPath or OutputPath and fails with States.Runtime on a missing path', () => {
    expect(selectPath({ a: 1 }, null, noContext)).toEqual({});
    expect(statesError(() => selectPath({ a: 1 }, '$.b', noContext))).toEqual({
      error: 'States.Runtime',
      cause: "Invalid path '$.b' : No results for path: $['b']",
    });
  });

  it('reads a $$ InputPath or OutputPath from the context object', () => {
    const context = () => ({ Execution: { Input: { applicant: 'Sari' } } });
    expect(selectPath({ a: 1 }, '$$', context)).toEqual(context());
    expect(selectPath({ a: 1 }, '$$.Execution.Input', context)).toEqual({ applicant: 'Sari' });
    expect(statesError(() => selectPath({ a: 1 }, '$$.Task.Token', context)).error).toBe('States.Runtime');
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
