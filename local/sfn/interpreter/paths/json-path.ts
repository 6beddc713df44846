import { JSONPath } from 'jsonpath-plus';

/** A JSON value as the States language moves it between states. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Segment = { prop: string } | { index: number };

/**
 * Parsed form of a path. `segments` is set for definite paths made only of member names and
 * array indexes (the common case, walked directly); anything else (wildcards, filters, slices,
 * recursive descent) is left to jsonpath-plus and yields an array, as on AWS.
 */
interface ParsedPath {
  segments: Segment[] | undefined;
}

const cache = new Map<string, ParsedPath>();

function parse(path: string): ParsedPath {
  let parsed = cache.get(path);
  if (!parsed) {
    parsed = { segments: parseDefinite(path) };
    if (cache.size > 10_000) cache.clear();
    cache.set(path, parsed);
  }
  return parsed;
}

function parseDefinite(path: string): Segment[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const segments: Segment[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      if (path[i + 1] === '.') return undefined;
      let j = i + 1;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      const name = path.slice(i + 1, j);
      if (name === '' || name === '*' || /[\s()?@,]/.test(name)) return undefined;
      segments.push({ prop: name });
      i = j;
    } else if (c === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) return undefined;
      const inner = path.slice(i + 1, close).trim();
      const quoted = /^'([^']*)'$/.exec(inner) ?? /^"([^"]*)"$/.exec(inner);
      if (quoted) segments.push({ prop: quoted[1] ?? '' });
      else if (/^\d+$/.test(inner)) segments.push({ index: Number(inner) });
      else return undefined;
      i = close + 1;
    } else {
      return undefined;
    }
  }
  return segments;
}

/** Whether a path is a definite "Reference Path" (the only kind ResultPath and ItemsPath accept). */
export function isReferencePath(path: string): boolean {
  return parse(path).segments !== undefined;
}

export type PathResult = { found: true; value: Json } | { found: false };

/** Applies a JSONPath (`$...`) to `data`. Indefinite paths return the array of matches. */
export function evaluatePath(path: string, data: Json): PathResult {
  const { segments } = parse(path);
  if (segments) {
    let current: Json = data;
    for (const segment of segments) {
      if ('prop' in segment) {
        if (!isJsonObject(current) || !Object.hasOwn(current, segment.prop)) return { found: false };
        current = current[segment.prop] as Json;
      } else {
        if (!Array.isArray(current) || segment.index >= current.length) return { found: false };
        current = current[segment.index] as Json;
      }
    }
    return { found: true, value: current };
  }
  if (!path.startsWith('$')) return { found: false };
  let matches: unknown;
  try {
    matches = JSONPath({ path, json: data as never, wrap: true, resultType: 'value' });
  } catch {
    return { found: false };
  }
  return { found: true, value: (Array.isArray(matches) ? matches : []) as Json[] };
}

/** Human-readable form of a path in AWS's error messages: `$.a.b` -> `$['a']['b']`. */
export function bracketed(path: string): string {
  const { segments } = parse(path);
  if (!segments) return path;
  return `$${segments.map((s) => ('prop' in s ? `['${s.prop}']` : `[${s.index}]`)).join('')}`;
}

/**
 * Returns a copy of `target` with `value` placed at the reference path `path` (ResultPath).
 * Missing objects along the way are created; returns undefined when the path cannot be applied
 * (it crosses a value that is not an object, or is not a reference path).
 */
export function setPath(target: Json, path: string, value: Json): Json | undefined {
  const { segments } = parse(path);
  if (!segments) return undefined;
  if (segments.length === 0) return value;
  return setAt(target, segments, 0, value);
}

function setAt(node: Json | undefined, segments: Segment[], i: number, value: Json): Json | undefined {
  const segment = segments[i] as Segment;
  const last = i === segments.length - 1;
  if ('prop' in segment) {
    let base: JsonObject;
    if (node === undefined) base = {};
    else if (isJsonObject(node)) base = { ...node };
    else return undefined;
    const child = last ? value : setAt(base[segment.prop], segments, i + 1, value);
    if (child === undefined) return undefined;
    base[segment.prop] = child;
    return base;
  }
  if (!Array.isArray(node) || segment.index >= node.length) return undefined;
  const copy = [...node];
  const child = last ? value : setAt(copy[segment.index], segments, i + 1, value);
  if (child === undefined) return undefined;
  copy[segment.index] = child;
  return copy;
}
