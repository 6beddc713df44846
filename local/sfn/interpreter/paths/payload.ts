import { runtimeError, StatesError } from '../errors.ts';
import { evaluateIntrinsic, isIntrinsic } from '../intrinsics.ts';
import { bracketed, evaluatePath, isJsonObject, type Json, type JsonObject, setPath } from './json-path.ts';

/**
 * The data flow of the JSONPath query language: InputPath -> Parameters -> (work) ->
 * ResultSelector -> ResultPath -> OutputPath. Error names and messages follow what AWS reports.
 */

/**
 * The context object (`$$`), built only when a path or intrinsic actually reads it: most states
 * never do, and building it for each of them would cost every transition.
 */
export type ContextRef = () => Json;

/**
 * InputPath, OutputPath and ItemsPath: `null` discards the data (gives `{}`), absent keeps it
 * whole; a `$$` path reads the context object instead (`$$.Execution.Input`, or `$$` itself).
 */
export function selectPath(data: Json, path: string | null | undefined, context: ContextRef): Json {
  if (path === undefined) return data;
  if (path === null) return {};
  const result = path.startsWith('$$') ? evaluatePath(path.slice(1), context()) : evaluatePath(path, data);
  if (!result.found) throw runtimeError(`Invalid path '${path}' : No results for path: ${bracketed(path)}`);
  return result.value;
}

/** ResultPath: where the result goes in the state's raw input. */
export function applyResultPath(rawInput: Json, result: Json, resultPath: string | null | undefined): Json {
  if (resultPath === undefined || resultPath === '$') return result;
  if (resultPath === null) return rawInput;
  const merged = setPath(rawInput, resultPath, result);
  if (merged === undefined) {
    throw new StatesError(
      'States.ResultPathMatchFailure',
      `Unable to apply ResultPath "${resultPath}" to input ${JSON.stringify(rawInput)}`,
    );
  }
  return merged;
}

/**
 * A payload template (Parameters, ResultSelector, ItemSelector): fields whose name ends in `.$`
 * take their value from a path into `input`, a `$$.` path into the context object, or an
 * intrinsic function; every other field is copied as written.
 */
export function evaluateTemplate(template: Json, input: Json, context: ContextRef): Json {
  if (Array.isArray(template)) return template.map((item) => evaluateTemplate(item, input, context));
  if (!isJsonObject(template)) return template;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && key.length > 2) {
      out[key.slice(0, -2)] = evaluateDynamic(key, value, input, context);
    } else {
      out[key] = evaluateTemplate(value, input, context);
    }
  }
  return out;
}

function evaluateDynamic(key: string, expression: Json, input: Json, context: ContextRef): Json {
  if (typeof expression !== 'string') {
    throw runtimeError(`The value for the field '${key}' must be a STRING that contains a JSONPath`);
  }
  if (isIntrinsic(expression)) return evaluateIntrinsic(expression, { input, context });
  if (expression.startsWith('$$')) {
    const contextObject = context();
    const result = evaluatePath(expression.slice(1), contextObject);
    if (!result.found) {
      throw runtimeError(
        `The JSONPath '${expression}' specified for the field '${key}' could not be found in the input '${JSON.stringify(contextObject)}'`,
      );
    }
    return result.value;
  }
  if (expression.startsWith('$')) {
    const result = evaluatePath(expression, input);
    if (!result.found) {
      throw runtimeError(
        `The JSONPath '${expression}' specified for the field '${key}' could not be found in the input '${JSON.stringify(input)}'`,
      );
    }
    return result.value;
  }
  throw runtimeError(`The value for the field '${key}' must be a valid JSONPath or intrinsic function`);
}

/** Reads a value by reference path from the state input or (for `$$.`) the context object. */
export function readPath(
  path: string,
  input: Json,
  context: ContextRef,
): { found: true; value: Json } | { found: false } {
  return path.startsWith('$$') ? evaluatePath(path.slice(1), context()) : evaluatePath(path, input);
}
