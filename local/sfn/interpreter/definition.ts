import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { apiErrors } from '../api/errors.ts';
import { parseFunctionRef } from '../lambda/registry.ts';
import { parseTimestamp } from './choice.ts';
import { isJsonObject, type Json, type JsonObject } from './paths/json-path.ts';

/**
 * State machine definitions: validated on Create/Update (asl-validator plus the limits of this
 * local service) and compiled into "scopes" (the root States object, each Parallel branch and
 * each Map item processor) that executions point into by number.
 */

interface AslValidationError {
  'Error code': string;
  Message: string;
}
type AslValidator = (
  definition: unknown,
  options?: { checkPaths: boolean; checkArn: boolean },
) => { isValid: boolean; errors: AslValidationError[] };

// asl-validator is CommonJS without type declarations. Loaded on first use: a restarted service
// that only resumes executions never needs it (it costs several MB of memory).
let aslValidator: AslValidator | undefined;
const validateAsl: AslValidator = (definition, options) => {
  aslValidator ??= createRequire(import.meta.url)('asl-validator') as AslValidator;
  return aslValidator(definition, options);
};

export interface Scope {
  id: number;
  startAt: string;
  states: Record<string, JsonObject>;
  /** For a Parallel or Map state of this scope: the scopes of its branches / item processor. */
  children: Map<string, number[]>;
}

export interface CompiledDefinition {
  /** Content hash of the definition text: executions refer to their definition by it. */
  hash: string;
  text: string;
  scopes: Scope[];
  timeoutSeconds: number | undefined;
}

export type TaskKind =
  | { kind: 'invoke'; callback: false }
  | { kind: 'invoke'; callback: true }
  | { kind: 'function'; functionArn: string };

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_CALLBACK = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** What a Task state's Resource asks for, or undefined when this service cannot run it. */
export function taskKind(resource: string): TaskKind | undefined {
  if (resource === LAMBDA_INVOKE) return { kind: 'invoke', callback: false };
  if (resource === LAMBDA_CALLBACK) return { kind: 'invoke', callback: true };
  if (resource.startsWith('arn:aws:lambda:') && parseFunctionRef(resource)) {
    return { kind: 'function', functionArn: resource };
  }
  return undefined;
}

export function definitionHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Parses and validates a definition; throws InvalidDefinition with the reasons. */
export function validateDefinition(text: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw apiErrors.invalidDefinition(`INVALID_JSON_DESCRIPTION: ${(error as Error).message}`);
  }
  if (!isJsonObject(parsed))
    throw apiErrors.invalidDefinition('SCHEMA_VALIDATION_FAILED: the definition is not an object');
  if (parsed.QueryLanguage !== undefined && parsed.QueryLanguage !== 'JSONPath') {
    throw apiErrors.invalidDefinition(
      jsonataRefusal(`QueryLanguage ${JSON.stringify(parsed.QueryLanguage)}`),
    );
  }
  // The validator annotates the object it is given: hand it a copy.
  const result = validateAsl(structuredClone(parsed), { checkPaths: true, checkArn: true });
  if (!result.isValid) {
    throw apiErrors.invalidDefinition(
      result.errors.map((e) => `${e['Error code']}: ${e.Message}`).join('; '),
    );
  }
  const problems: string[] = [];
  walkStates(parsed, (name, state, at) => checkLocalSupport(name, state, at, problems));
  if (problems.length > 0) throw apiErrors.invalidDefinition(problems.join('; '));
  return parsed;
}

function walkStates(
  machine: JsonObject,
  visit: (name: string, state: JsonObject, at: string) => void,
  at = '',
): void {
  const states = machine.States;
  if (!isJsonObject(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (!isJsonObject(state)) continue;
    const here = `${at}/States/${name}`;
    visit(name, state, here);
    if (Array.isArray(state.Branches)) {
      state.Branches.forEach((branch, i) => {
        if (isJsonObject(branch)) walkStates(branch, visit, `${here}/Branches[${i}]`);
      });
    }
    const processorField = state.ItemProcessor !== undefined ? 'ItemProcessor' : 'Iterator';
    const processor = state[processorField];
    if (isJsonObject(processor)) walkStates(processor, visit, `${here}/${processorField}`);
  }
}

const jsonataRefusal = (what: string) =>
  `UNSUPPORTED_FEATURE: ${what}: the local Step Functions service runs the JSONPath query language only ` +
  '(JSONata is not implemented; see local/sfn/README.md)';

/** The fields of a JSONPath state whose value is a path (a `$varName` there reads a workflow variable). */
const PATH_FIELDS = [
  'InputPath',
  'OutputPath',
  'ResultPath',
  'ItemsPath',
  'SecondsPath',
  'TimestampPath',
  'ErrorPath',
  'CausePath',
  'TimeoutSecondsPath',
  'HeartbeatSecondsPath',
  'MaxConcurrencyPath',
  'ToleratedFailureCountPath',
  'ToleratedFailurePercentagePath',
];

/** The payload templates whose `.$` fields hold paths or intrinsic functions. */
const TEMPLATE_FIELDS = ['Parameters', 'ResultSelector', 'ItemSelector', 'Credentials'];

/** The largest `Seconds` of a Wait state AWS accepts (its documentation: 0 to 99999999). */
const MAX_WAIT_SECONDS_FIELD = 99_999_999;

/** The Choice operators whose operand is a literal timestamp. */
const TIMESTAMP_OPERATORS = [
  'TimestampEquals',
  'TimestampLessThan',
  'TimestampGreaterThan',
  'TimestampLessThanEquals',
  'TimestampGreaterThanEquals',
];

/**
 * Whether a path or intrinsic function reads a workflow variable: a `$` followed by a name
 * (`$x`, `$x.y`), as opposed to `$`, `$.x`, `$[0]` (the input) and `$$` (the context object).
 * Text inside single-quoted intrinsic arguments is not looked at.
 */
export function readsVariable(expression: string): boolean {
  const unquoted = expression.replace(/'(?:\\.|[^'\\])*'/g, "''");
  return /(^|[^$\w])\$[A-Za-z_]/.test(unquoted);
}

function checkLocalSupport(name: string, state: JsonObject, at: string, problems: string[]): void {
  if (state.QueryLanguage !== undefined && state.QueryLanguage !== 'JSONPath') {
    problems.push(jsonataRefusal(`state "${name}" uses QueryLanguage ${String(state.QueryLanguage)}`));
  }
  checkVariables(name, state, problems);
  if (state.Type === 'Task' && typeof state.Resource === 'string' && !taskKind(state.Resource)) {
    problems.push(
      `UNSUPPORTED_FEATURE: state "${name}" uses Resource ${state.Resource}; the local Step Functions service runs ` +
        `${LAMBDA_INVOKE}, ${LAMBDA_CALLBACK} and Lambda function ARNs`,
    );
  }
  if (state.Type === 'Wait' && typeof state.Seconds === 'number' && state.Seconds > MAX_WAIT_SECONDS_FIELD) {
    problems.push(
      `SCHEMA_VALIDATION_FAILED: Seconds must be an integer from 0 to ${MAX_WAIT_SECONDS_FIELD} at ${at}/Seconds`,
    );
  }
  if (
    state.Type === 'Wait' &&
    state.Timestamp !== undefined &&
    parseTimestamp(state.Timestamp) === undefined
  ) {
    problems.push(`SCHEMA_VALIDATION_FAILED: String does not match RFC3339 timestamp at ${at}/Timestamp`);
  }
  if (state.Type === 'Choice' && Array.isArray(state.Choices)) {
    state.Choices.forEach((rule, i) => {
      checkChoiceTimestamps(rule, `${at}/Choices[${i}]`, problems);
    });
  }
  if (state.Type === 'Map') {
    // A distributed Map is refused whichever field holds its processor (ItemProcessor or the
    // legacy Iterator): run inline, it would behave differently from AWS.
    const processor = state.ItemProcessor ?? state.Iterator;
    if (isJsonObject(processor) && isJsonObject(processor.ProcessorConfig)) {
      if (processor.ProcessorConfig.Mode === 'DISTRIBUTED') {
        problems.push(`UNSUPPORTED_FEATURE: state "${name}" is a distributed Map`);
      }
    }
    if (state.ItemReader !== undefined || state.ResultWriter !== undefined) {
      problems.push(`UNSUPPORTED_FEATURE: state "${name}" uses ItemReader/ResultWriter`);
    }
  }
}

/** Literal timestamps of Choice rules must be RFC 3339 with an upper-case `T`, as AWS checks. */
function checkChoiceTimestamps(rule: Json | undefined, at: string, problems: string[]): void {
  if (!isJsonObject(rule)) return;
  for (const operator of TIMESTAMP_OPERATORS) {
    if (rule[operator] !== undefined && parseTimestamp(rule[operator]) === undefined) {
      problems.push(`SCHEMA_VALIDATION_FAILED: String does not match RFC3339 timestamp at ${at}/${operator}`);
    }
  }
  for (const key of ['And', 'Or'] as const) {
    const rules = rule[key];
    if (Array.isArray(rules))
      rules.forEach((r, i) => {
        checkChoiceTimestamps(r, `${at}/${key}[${i}]`, problems);
      });
  }
  checkChoiceTimestamps(rule.Not, `${at}/Not`, problems);
}

/**
 * Workflow variables (`Assign`, `$varName`) are not implemented: a definition that sets or reads
 * one is refused, so that it never runs with its variables silently missing.
 */
function checkVariables(name: string, state: JsonObject, problems: string[]): void {
  const refusal = (where: string) =>
    `UNSUPPORTED_FEATURE: state "${name}" ${where}: workflow variables (Assign and $variable references) ` +
    'are not implemented by the local Step Functions service';
  if (state.Assign !== undefined) problems.push(refusal('uses Assign'));
  for (const [list, what] of [
    ['Choices', 'a Choice rule'],
    ['Catch', 'a Catch'],
  ] as const) {
    const entries = state[list];
    if (Array.isArray(entries) && entries.some((e) => isJsonObject(e) && e.Assign !== undefined)) {
      problems.push(refusal(`uses Assign in ${what}`));
    }
  }
  const read: string[] = [];
  for (const field of PATH_FIELDS) {
    const value = state[field];
    if (typeof value === 'string' && readsVariable(value)) read.push(`${field} ${value}`);
  }
  for (const field of TEMPLATE_FIELDS) collectTemplateVariables(state[field], field, read);
  if (Array.isArray(state.Choices)) for (const rule of state.Choices) collectRuleVariables(rule, read);
  if (read.length > 0) problems.push(refusal(`reads a variable (${read.join(', ')})`));
}

function collectTemplateVariables(template: Json | undefined, at: string, into: string[]): void {
  if (Array.isArray(template)) {
    for (const item of template) collectTemplateVariables(item, at, into);
  } else if (isJsonObject(template)) {
    for (const [key, value] of Object.entries(template)) {
      if (key.endsWith('.$') && typeof value === 'string') {
        if (readsVariable(value)) into.push(`${at}.${key} ${value}`);
      } else collectTemplateVariables(value, `${at}.${key}`, into);
    }
  }
}

function collectRuleVariables(rule: Json | undefined, into: string[]): void {
  if (!isJsonObject(rule)) return;
  for (const [key, value] of Object.entries(rule)) {
    if ((key === 'Variable' || key.endsWith('Path')) && typeof value === 'string' && readsVariable(value)) {
      into.push(`${key} ${value}`);
    }
  }
  for (const key of ['And', 'Or'] as const) {
    const rules = rule[key];
    if (Array.isArray(rules)) for (const r of rules) collectRuleVariables(r, into);
  }
  collectRuleVariables(rule.Not, into);
}

/** Compiles a validated definition into numbered scopes. */
export function compileDefinition(text: string): CompiledDefinition {
  const machine = JSON.parse(text) as JsonObject;
  const scopes: Scope[] = [];
  const addScope = (owner: JsonObject): number => {
    const id = scopes.length;
    const scope: Scope = {
      id,
      startAt: String(owner.StartAt),
      states: (owner.States ?? {}) as Record<string, JsonObject>,
      children: new Map(),
    };
    scopes.push(scope);
    for (const [name, state] of Object.entries(scope.states)) {
      if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
        scope.children.set(
          name,
          state.Branches.map((branch) => addScope(branch as JsonObject)),
        );
      } else if (state.Type === 'Map') {
        const processor = (state.ItemProcessor ?? state.Iterator) as JsonObject;
        scope.children.set(name, [addScope(processor)]);
      }
    }
    return id;
  };
  addScope(machine);
  const timeout = machine.TimeoutSeconds;
  return {
    hash: definitionHash(text),
    text,
    scopes,
    timeoutSeconds: typeof timeout === 'number' && timeout > 0 ? timeout : undefined,
  };
}

export function stateOf(definition: CompiledDefinition, scopeId: number, name: string): JsonObject {
  const state = definition.scopes[scopeId]?.states[name];
  if (!state) throw new Error(`state ${name} not found in scope ${scopeId}`);
  return state;
}

export type { Json };
