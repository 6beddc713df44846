import { describe, expect, it } from 'vitest';
import { readsVariable, validateDefinition } from '../../../../../local/sfn/interpreter/definition.ts';

const machine = (states: object) => JSON.stringify({ StartAt: Object.keys(states)[0], States: states });

function refusal(text: string): string {
  try {
    validateDefinition(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected InvalidDefinition');
}

describe('readsVariable', () => {
  it('finds $name references in paths and intrinsic arguments', () => {
    expect(readsVariable('$count')).toBe(true);
    expect(readsVariable('$item.id')).toBe(true);
    expect(readsVariable("States.Format('{}', $x)")).toBe(true);
  });

  it('ignores the input ($, $.x, $[0]), the context object ($$) and quoted text', () => {
    expect(readsVariable('$')).toBe(false);
    expect(readsVariable('$.a.b')).toBe(false);
    expect(readsVariable('$[0]')).toBe(false);
    expect(readsVariable('$$.Execution.Input')).toBe(false);
    expect(readsVariable("States.Format('cost $abc {}', $.a, $$.Map.Item.Value)")).toBe(false);
  });
});

describe('validateDefinition', () => {
  it('refuses Assign on a state, in a Choice rule and in a Catch', () => {
    expect(refusal(machine({ P: { Type: 'Pass', Assign: { x: 1 }, End: true } }))).toContain(
      'state "P" uses Assign',
    );
    expect(
      refusal(
        machine({
          C: {
            Type: 'Choice',
            Choices: [{ Variable: '$.a', IsPresent: true, Assign: { y: 1 }, Next: 'E' }],
            Default: 'E',
          },
          E: { Type: 'Succeed' },
        }),
      ),
    ).toContain('uses Assign in a Choice rule');
    expect(
      refusal(
        machine({
          T: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:ap-southeast-3:000000000000:function:f',
            Catch: [{ ErrorEquals: ['States.ALL'], Assign: { failed: true }, Next: 'E' }],
            End: true,
          },
          E: { Type: 'Succeed' },
        }),
      ),
    ).toContain('uses Assign in a Catch');
  });

  it('refuses a variable read in a path, a template or a Choice rule', () => {
    expect(refusal(machine({ P: { Type: 'Pass', InputPath: '$v', End: true } }))).toContain(
      'reads a variable (InputPath $v)',
    );
    expect(
      refusal(machine({ P: { Type: 'Pass', Parameters: { nested: { 'a.$': '$v.x' } }, End: true } })),
    ).toContain('Parameters.nested.a.$ $v.x');
    expect(
      refusal(
        machine({
          C: {
            Type: 'Choice',
            Choices: [{ Not: { Variable: '$n', IsNull: true }, Next: 'E' }],
            Default: 'E',
          },
          E: { Type: 'Succeed' },
        }),
      ),
    ).toContain('Variable $n');
  });

  it('refuses literal timestamps without an upper-case T, in Wait and Choice rules', () => {
    expect(refusal(machine({ W: { Type: 'Wait', Timestamp: '2016-12-05 21:29:29Z', End: true } }))).toContain(
      'SCHEMA_VALIDATION_FAILED: String does not match RFC3339 timestamp at /States/W/Timestamp',
    );
    expect(
      refusal(
        machine({
          C: {
            Type: 'Choice',
            Choices: [{ And: [{ Variable: '$.t', TimestampLessThan: '2016-12-05t21:29:29Z' }], Next: 'E' }],
            Default: 'E',
          },
          E: { Type: 'Succeed' },
        }),
      ),
    ).toContain('at /States/C/Choices[0]/And[0]/TimestampLessThan');
  });

  it('accepts RFC 3339 timestamps with a zone offset and Seconds up to 99999999', () => {
    expect(() =>
      validateDefinition(
        machine({
          W: { Type: 'Wait', Timestamp: '2016-12-05T21:29:29.5+07:00', Next: 'X' },
          X: { Type: 'Wait', Seconds: 99_999_999, End: true },
        }),
      ),
    ).not.toThrow();
    expect(refusal(machine({ W: { Type: 'Wait', Seconds: 100_000_000, End: true } }))).toContain(
      'at /States/W/Seconds',
    );
  });

  it('refuses a distributed Map in the ItemProcessor and in the legacy Iterator form', () => {
    for (const field of ['ItemProcessor', 'Iterator']) {
      const map = {
        Type: 'Map',
        [field]: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'P',
          States: { P: { Type: 'Pass', End: true } },
        },
        End: true,
      };
      expect(refusal(machine({ M: map }))).toContain('state "M" is a distributed Map');
    }
  });

  it('refuses JSONata for the machine and for one state', () => {
    expect(
      refusal(
        JSON.stringify({
          QueryLanguage: 'JSONata',
          StartAt: 'P',
          States: { P: { Type: 'Pass', End: true } },
        }),
      ),
    ).toContain('JSONata is not implemented');
    expect(refusal(machine({ P: { Type: 'Pass', QueryLanguage: 'JSONata', End: true } }))).toContain(
      'state "P" uses QueryLanguage JSONata',
    );
  });
});
