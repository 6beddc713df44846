import { createHash, randomUUID } from 'node:crypto';
import { StatesError } from './errors.ts';
import { evaluatePath, isJsonObject, type Json } from './paths/json-path.ts';

/**
 * The intrinsic functions of the JSONPath query language (`"x.$": "States.Format('{}', $.a)"`).
 * Failures raise States.IntrinsicFailure, the error name the States language gives them.
 */

type Expr =
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'path'; path: string }
  | { kind: 'string'; value: string; raw: string }
  | { kind: 'literal'; value: Json };

const fail = (message: string) => new StatesError('States.IntrinsicFailure', message);

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseAll(): Expr {
    const expr = this.expr();
    this.space();
    if (this.pos !== this.text.length)
      throw fail(`Unexpected '${this.text.slice(this.pos)}' in ${this.text}`);
    if (expr.kind !== 'call') throw fail(`${this.text} is not an intrinsic function call`);
    return expr;
  }

  private space(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  private expr(): Expr {
    this.space();
    const rest = this.text.slice(this.pos);
    if (rest.startsWith("'")) return this.string();
    if (rest.startsWith('$')) return this.path();
    if (rest.startsWith('States.')) return this.call();
    const literal = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(rest);
    if (literal) {
      this.pos += literal[0].length;
      return { kind: 'literal', value: JSON.parse(literal[0]) as Json };
    }
    throw fail(`Cannot parse '${rest}' in ${this.text}`);
  }

  private call(): Expr {
    const match = /^States\.([A-Za-z0-9]+)\s*\(/.exec(this.text.slice(this.pos));
    if (!match) throw fail(`Cannot parse intrinsic function in ${this.text}`);
    this.pos += match[0].length;
    const args: Expr[] = [];
    this.space();
    if (this.text[this.pos] === ')') {
      this.pos++;
      return { kind: 'call', name: match[1] ?? '', args };
    }
    for (;;) {
      args.push(this.expr());
      this.space();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ')') break;
      if (c !== ',') throw fail(`Expected ',' or ')' in ${this.text}`);
    }
    return { kind: 'call', name: match[1] ?? '', args };
  }

  private string(): Expr {
    const start = this.pos;
    this.pos++;
    let value = '';
    for (;;) {
      if (this.pos >= this.text.length) throw fail(`Unterminated string in ${this.text}`);
      const c = this.text[this.pos] as string;
      if (c === '\\') {
        const next = this.text[this.pos + 1];
        if (next === undefined) throw fail(`Unterminated string in ${this.text}`);
        value += next;
        this.pos += 2;
        continue;
      }
      if (c === "'") {
        this.pos++;
        break;
      }
      value += c;
      this.pos++;
    }
    return { kind: 'string', value, raw: this.text.slice(start + 1, this.pos - 1) };
  }

  private path(): Expr {
    // A path runs until the ',' or ')' that ends the argument, brackets and quotes included.
    const start = this.pos;
    let depth = 0;
    let quote: string | undefined;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos] as string;
      if (quote) {
        if (c === quote) quote = undefined;
      } else if (c === "'" || c === '"') quote = c;
      else if (c === '[' || c === '(') depth++;
      else if (c === ']' || c === ')') {
        if (depth === 0) break;
        depth--;
      } else if (c === ',' && depth === 0) break;
      this.pos++;
    }
    return { kind: 'path', path: this.text.slice(start, this.pos).trim() };
  }
}

const parsed = new Map<string, Expr>();

export function isIntrinsic(text: string): boolean {
  return text.trimStart().startsWith('States.');
}

export interface IntrinsicScope {
  input: Json;
  /** The context object, built on first use. */
  context: () => Json;
}

/** Evaluates an intrinsic function call against the state's effective input and the context object. */
export function evaluateIntrinsic(text: string, scope: IntrinsicScope): Json {
  let expr = parsed.get(text);
  if (!expr) {
    expr = new Parser(text).parseAll();
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(text, expr);
  }
  return evaluate(expr, scope);
}

function evaluate(expr: Expr, scope: IntrinsicScope): Json {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'string':
      return expr.value;
    case 'path': {
      const [data, path] = expr.path.startsWith('$$')
        ? [scope.context(), expr.path.slice(1)]
        : [scope.input, expr.path];
      const result = evaluatePath(path, data);
      if (!result.found) throw fail(`The JSONPath '${expr.path}' could not be found in the input`);
      return result.value;
    }
    case 'call': {
      const fn = functions[expr.name];
      if (!fn) throw fail(`Unknown intrinsic function States.${expr.name}`);
      return fn(expr.args, scope);
    }
  }
}

type Fn = (args: Expr[], scope: IntrinsicScope) => Json;

function values(name: string, args: Expr[], scope: IntrinsicScope, min: number, max = min): Json[] {
  if (args.length < min || args.length > max) {
    throw fail(
      `States.${name} takes ${min === max ? min : `${min} to ${max}`} arguments, got ${args.length}`,
    );
  }
  return args.map((arg) => evaluate(arg, scope));
}

function asString(name: string, value: Json | undefined): string {
  if (typeof value !== 'string') throw fail(`States.${name} expects a string argument`);
  return value;
}

function asArray(name: string, value: Json | undefined): Json[] {
  if (!Array.isArray(value)) throw fail(`States.${name} expects an array argument`);
  return value;
}

function asInteger(name: string, value: Json | undefined): number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw fail(`States.${name} expects integer arguments`);
  return value;
}

/**
 * A number argument of MathAdd and MathRandom: AWS rounds a non-integer to the nearest integer,
 * halves towards positive infinity (Java's Math.round, which JavaScript's Math.round matches):
 * 1.5 -> 2, 0.5 -> 1, -2.5 -> -2.
 */
function asRounded(name: string, value: Json | undefined): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw fail(`States.${name} expects number arguments`);
  return Math.round(value);
}

/**
 * A States.Format argument as AWS renders it: strings as they are, other scalars as JSON, and
 * objects and arrays as Java renders its maps and lists (`{Arg1=1, Arg2=[]}`, `[a, 1]`).
 */
function formatArgument(value: Json): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(formatArgument).join(', ')}]`;
  if (isJsonObject(value)) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${key}=${formatArgument(item)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i] as Json));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key] as Json, b[key] as Json))
    );
  }
  return false;
}

const HASHES: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

const functions: Record<string, Fn> = {
  Format(args, scope) {
    if (args.length < 1) throw fail('States.Format needs a template');
    const template = args[0] as Expr;
    if (template.kind !== 'string')
      throw fail('The first argument of States.Format must be a string literal');
    const rest = args.slice(1).map((arg) => evaluate(arg, scope));
    let out = '';
    let used = 0;
    const raw = template.raw;
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i] as string;
      if (c === '\\' && i + 1 < raw.length) {
        out += raw[i + 1];
        i++;
      } else if (c === '{' && raw[i + 1] === '}') {
        if (used >= rest.length) throw fail('States.Format has more placeholders than arguments');
        out += formatArgument(rest[used++] as Json);
        i++;
      } else {
        out += c;
      }
    }
    if (used !== rest.length) throw fail('States.Format has more arguments than placeholders');
    return out;
  },
  StringToJson(args, scope) {
    const text = asString('StringToJson', values('StringToJson', args, scope, 1)[0]);
    // AWS gives null for an empty or blank string rather than failing.
    if (text.trim() === '') return null;
    try {
      return JSON.parse(text) as Json;
    } catch {
      throw fail('States.StringToJson received a string that is not JSON');
    }
  },
  JsonToString(args, scope) {
    return JSON.stringify(values('JsonToString', args, scope, 1)[0]);
  },
  Array(args, scope) {
    return args.map((arg) => evaluate(arg, scope));
  },
  ArrayPartition(args, scope) {
    const [array, size] = values('ArrayPartition', args, scope, 2);
    const items = asArray('ArrayPartition', array);
    const chunk = asInteger('ArrayPartition', size);
    if (chunk <= 0) throw fail('States.ArrayPartition needs a positive chunk size');
    const out: Json[] = [];
    for (let i = 0; i < items.length; i += chunk) out.push(items.slice(i, i + chunk));
    return out;
  },
  ArrayContains(args, scope) {
    const [array, value] = values('ArrayContains', args, scope, 2);
    return asArray('ArrayContains', array).some((item) => deepEqual(item, value as Json));
  },
  ArrayRange(args, scope) {
    const [start, end, step] = values('ArrayRange', args, scope, 3).map((v) =>
      asInteger('ArrayRange', v),
    ) as [number, number, number];
    if (step === 0) throw fail('States.ArrayRange needs a non-zero step');
    const out: number[] = [];
    for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
      out.push(v);
      if (out.length > 1000) throw fail('States.ArrayRange cannot produce more than 1000 items');
    }
    return out;
  },
  ArrayGetItem(args, scope) {
    const [array, index] = values('ArrayGetItem', args, scope, 2);
    const items = asArray('ArrayGetItem', array);
    const i = asInteger('ArrayGetItem', index);
    if (i < 0 || i >= items.length) throw fail('States.ArrayGetItem index out of range');
    return items[i] as Json;
  },
  ArrayLength(args, scope) {
    return asArray('ArrayLength', values('ArrayLength', args, scope, 1)[0]).length;
  },
  ArrayUnique(args, scope) {
    const out: Json[] = [];
    for (const item of asArray('ArrayUnique', values('ArrayUnique', args, scope, 1)[0])) {
      if (!out.some((seen) => deepEqual(seen, item))) out.push(item);
    }
    return out;
  },
  Base64Encode(args, scope) {
    const text = asString('Base64Encode', values('Base64Encode', args, scope, 1)[0]);
    if (text.length > 10_000) throw fail('States.Base64Encode input is longer than 10000 characters');
    return Buffer.from(text, 'utf8').toString('base64');
  },
  Base64Decode(args, scope) {
    const text = asString('Base64Decode', values('Base64Decode', args, scope, 1)[0]);
    if (text.length > 10_000) throw fail('States.Base64Decode input is longer than 10000 characters');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw fail('States.Base64Decode input is not base64');
    return Buffer.from(text, 'base64').toString('utf8');
  },
  Hash(args, scope) {
    const [data, algorithm] = values('Hash', args, scope, 2);
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    if (text.length > 10_000) throw fail('States.Hash input is longer than 10000 characters');
    const name = HASHES[asString('Hash', algorithm)];
    if (!name) throw fail(`States.Hash does not know the algorithm ${String(algorithm)}`);
    return createHash(name).update(text, 'utf8').digest('hex');
  },
  JsonMerge(args, scope) {
    const [a, b, deep] = values('JsonMerge', args, scope, 3);
    if (!isJsonObject(a) || !isJsonObject(b)) throw fail('States.JsonMerge merges two JSON objects');
    if (deep !== false) throw fail('States.JsonMerge only supports a shallow merge (false)');
    return { ...a, ...b };
  },
  MathRandom(args, scope) {
    const numbers = values('MathRandom', args, scope, 2, 3).map((v) => asRounded('MathRandom', v));
    const [start = 0, end = 0, seed] = numbers;
    if (end <= start) throw fail('States.MathRandom needs start < end');
    const random = seed === undefined ? Math.random() : seededRandom(seed);
    return start + Math.floor(random * (end - start));
  },
  MathAdd(args, scope) {
    const [a, b] = values('MathAdd', args, scope, 2).map((v) => asRounded('MathAdd', v)) as [number, number];
    return a + b;
  },
  StringSplit(args, scope) {
    const [text, delimiters] = values('StringSplit', args, scope, 2);
    const source = asString('StringSplit', text);
    const chars = new Set(asString('StringSplit', delimiters));
    const out: string[] = [];
    let current = '';
    for (const c of source) {
      if (chars.has(c)) {
        if (current !== '') out.push(current);
        current = '';
      } else current += c;
    }
    if (current !== '') out.push(current);
    return out;
  },
  UUID(args, scope) {
    values('UUID', args, scope, 0);
    return randomUUID();
  },
};

/** Deterministic number in [0, 1) for a seed (mulberry32), so a seeded MathRandom repeats. */
function seededRandom(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
