import type { EngineCore } from '../engine/core.ts';
import type { Execution, Run } from '../engine/model.ts';
import { runtimeError, StatesError } from './errors.ts';
import { isJsonObject, type Json, type JsonObject } from './paths/json-path.ts';
import { type ContextRef, readPath } from './paths/payload.ts';
import { contextRef, effectiveInput, exitState, selectOutput } from './states.ts';

/** Choice: the first rule that matches names the next state, else Default. */
export function performChoice(core: EngineCore, exec: Execution, run: Run, state: JsonObject): void {
  const effective = effectiveInput(exec, run, state);
  const context = contextRef(exec, run, state);
  let next: string | undefined;
  for (const rule of (state.Choices ?? []) as JsonObject[]) {
    if (evaluateRule(rule, effective, context)) {
      next = rule.Next as string;
      break;
    }
  }
  next ??= state.Default as string | undefined;
  if (next === undefined) {
    throw new StatesError('States.NoChoiceMatched', `No Matches! The input was ${JSON.stringify(effective)}`);
  }
  exitState(core, exec, run, state, selectOutput(exec, run, state, effective), next);
}

/**
 * Choice rules of the JSONPath query language: every comparison operator (with its `Path`
 * form), the type tests, And/Or/Not. A comparison whose operands have the wrong type is false,
 * as on AWS; a Variable that does not exist is a States.Runtime error (except for IsPresent).
 */

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function parseTimestamp(value: Json | undefined): number | undefined {
  if (typeof value !== 'string' || !TIMESTAMP.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

type Compare = (a: Json, b: Json) => boolean;

const byString =
  (test: (a: string, b: string) => boolean): Compare =>
  (a, b) =>
    typeof a === 'string' && typeof b === 'string' && test(a, b);
const byNumber =
  (test: (a: number, b: number) => boolean): Compare =>
  (a, b) =>
    typeof a === 'number' && typeof b === 'number' && test(a, b);
const byTime = (test: (a: number, b: number) => boolean): Compare => {
  return (a, b) => {
    const x = parseTimestamp(a);
    const y = parseTimestamp(b);
    return x !== undefined && y !== undefined && test(x, y);
  };
};

const COMPARISONS: Record<string, Compare> = {
  StringEquals: byString((a, b) => a === b),
  StringLessThan: byString((a, b) => a < b),
  StringGreaterThan: byString((a, b) => a > b),
  StringLessThanEquals: byString((a, b) => a <= b),
  StringGreaterThanEquals: byString((a, b) => a >= b),
  NumericEquals: byNumber((a, b) => a === b),
  NumericLessThan: byNumber((a, b) => a < b),
  NumericGreaterThan: byNumber((a, b) => a > b),
  NumericLessThanEquals: byNumber((a, b) => a <= b),
  NumericGreaterThanEquals: byNumber((a, b) => a >= b),
  BooleanEquals: (a, b) => typeof a === 'boolean' && typeof b === 'boolean' && a === b,
  TimestampEquals: byTime((a, b) => a === b),
  TimestampLessThan: byTime((a, b) => a < b),
  TimestampGreaterThan: byTime((a, b) => a > b),
  TimestampLessThanEquals: byTime((a, b) => a <= b),
  TimestampGreaterThanEquals: byTime((a, b) => a >= b),
  StringMatches: (a, b) => typeof a === 'string' && typeof b === 'string' && wildcard(b).test(a),
};

const TYPE_TESTS: Record<string, (value: Json) => boolean> = {
  IsNull: (v) => v === null,
  IsNumeric: (v) => typeof v === 'number',
  IsString: (v) => typeof v === 'string',
  IsBoolean: (v) => typeof v === 'boolean',
  IsTimestamp: (v) => parseTimestamp(v) !== undefined,
};

const patterns = new Map<string, RegExp>();

/** StringMatches: `*` matches any run of characters; `\*` and `\\` are a literal `*` and `\`. */
function wildcard(pattern: string): RegExp {
  let regex = patterns.get(pattern);
  if (!regex) {
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i] as string;
      if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
        source += `\\${pattern[i + 1]}`;
        i++;
      } else if (c === '*') source += '.*';
      else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
    regex = new RegExp(`^${source}$`, 's');
    if (patterns.size > 1000) patterns.clear();
    patterns.set(pattern, regex);
  }
  return regex;
}

/** Evaluates one Choice rule (without its Next) against the state's effective input. */
export function evaluateRule(rule: JsonObject, input: Json, context: ContextRef): boolean {
  if (Array.isArray(rule.And)) {
    return rule.And.every((r) => evaluateRule(asRule(r), input, context));
  }
  if (Array.isArray(rule.Or)) {
    return rule.Or.some((r) => evaluateRule(asRule(r), input, context));
  }
  if (rule.Not !== undefined) return !evaluateRule(asRule(rule.Not), input, context);

  const variable = rule.Variable;
  if (typeof variable !== 'string') throw runtimeError('A choice rule has no Variable');
  const found = readPath(variable, input, context);

  if (rule.IsPresent !== undefined) return found.found === (rule.IsPresent === true);
  if (!found.found) {
    throw runtimeError(
      `Invalid path '${variable}': The choice state's condition path references an invalid value.`,
    );
  }
  const value = found.value;

  for (const [operator, test] of Object.entries(TYPE_TESTS)) {
    if (rule[operator] !== undefined) return test(value) === (rule[operator] === true);
  }
  for (const [key, operand] of Object.entries(rule)) {
    if (key === 'Variable' || key === 'Next' || key === 'Comment') continue;
    if (key.endsWith('Path')) {
      const compare = COMPARISONS[key.slice(0, -4)];
      if (!compare) continue;
      if (typeof operand !== 'string') throw runtimeError(`${key} must be a path`);
      const other = readPath(operand, input, context);
      if (!other.found) {
        throw runtimeError(
          `Invalid path '${operand}': The choice state's condition path references an invalid value.`,
        );
      }
      return compare(value, other.value);
    }
    const compare = COMPARISONS[key];
    if (compare) return compare(value, operand);
  }
  throw runtimeError(`A choice rule on '${variable}' has no comparison operator`);
}

function asRule(value: Json | undefined): JsonObject {
  if (!isJsonObject(value)) throw runtimeError('A choice rule must be an object');
  return value;
}
