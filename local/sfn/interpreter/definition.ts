import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { apiErrors } from '../api/errors.ts';
import { parseFunctionRef } from '../lambda/registry.ts';
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
      `UNSUPPORTED_FEATURE: QueryLanguage ${JSON.stringify(parsed.QueryLanguage)} is not supported by the local Step Functions service (JSONPath only)`,
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
  walkStates(parsed, (name, state) => checkLocalSupport(name, state, problems));
  if (problems.length > 0) throw apiErrors.invalidDefinition(problems.join('; '));
  return parsed;
}

function walkStates(machine: JsonObject, visit: (name: string, state: JsonObject) => void): void {
  const states = machine.States;
  if (!isJsonObject(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (!isJsonObject(state)) continue;
    visit(name, state);
    if (Array.isArray(state.Branches)) {
      for (const branch of state.Branches) if (isJsonObject(branch)) walkStates(branch, visit);
    }
    const processor = state.ItemProcessor ?? state.Iterator;
    if (isJsonObject(processor)) walkStates(processor, visit);
  }
}

function checkLocalSupport(name: string, state: JsonObject, problems: string[]): void {
  if (state.QueryLanguage !== undefined && state.QueryLanguage !== 'JSONPath') {
    problems.push(`UNSUPPORTED_FEATURE: state "${name}" uses QueryLanguage ${String(state.QueryLanguage)}`);
  }
  if (state.Type === 'Task' && typeof state.Resource === 'string' && !taskKind(state.Resource)) {
    problems.push(
      `UNSUPPORTED_FEATURE: state "${name}" uses Resource ${state.Resource}; the local Step Functions service runs ` +
        `${LAMBDA_INVOKE}, ${LAMBDA_CALLBACK} and Lambda function ARNs`,
    );
  }
  if (state.Type === 'Map') {
    const processor = state.ItemProcessor;
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
