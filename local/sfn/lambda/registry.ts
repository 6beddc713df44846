import type { Context } from 'aws-lambda';

/**
 * The Lambda-like context given to a handler. It is the `aws-lambda` Context type, so the
 * product's handlers (typed against it) are accepted as they are.
 */
export type LambdaLikeContext = Context;

export type LambdaHandler = (event: unknown, context: LambdaLikeContext) => Promise<unknown>;

/**
 * Any handler the product may export: its event type is its own business (hence `never`), and it
 * may be async or, like old Lambda handlers, take a callback as third argument.
 */
export type LambdaHandlerLike = (
  event: never,
  context: LambdaLikeContext,
  callback: (error?: unknown, result?: unknown) => void,
) => unknown;

/** Maps a function name or ARN, as written in a state machine, to the handler that runs it. */
export interface FunctionRegistry {
  /** A handler found is kept by the service for later invocations of the same name. */
  resolve(functionNameOrArn: string): Promise<LambdaHandler | undefined>;
}

/** A function reference in any form Lambda accepts, taken apart. */
export interface FunctionRef {
  name: string;
  qualifier?: string;
  region?: string;
  accountId?: string;
}

const NAME = /^[a-zA-Z0-9_-]{1,140}$/;
const QUALIFIER = /^(\$LATEST|[a-zA-Z0-9_-]{1,128})$/;

/**
 * Parses a function reference the way Lambda's FunctionName parameter does:
 * `name`, `name:qualifier`, `123456789012:function:name[:qualifier]` (partial ARN) and
 * `arn:aws:lambda:region:account:function:name[:qualifier]`. Returns undefined when it is none.
 */
export function parseFunctionRef(reference: string): FunctionRef | undefined {
  if (refCache.has(reference)) return refCache.get(reference);
  const ref = parseUncached(reference);
  if (refCache.size > 1000) refCache.clear();
  refCache.set(reference, ref);
  return ref;
}

// The same few references are parsed on every task: remember them. Callers must not mutate.
const refCache = new Map<string, FunctionRef | undefined>();

function parseUncached(reference: string): FunctionRef | undefined {
  const parts = reference.split(':');
  let ref: FunctionRef | undefined;
  if (parts[0] === 'arn') {
    // arn:partition:lambda:region:account:function:name[:qualifier]
    if (parts.length < 7 || parts.length > 8 || parts[2] !== 'lambda' || parts[5] !== 'function')
      return undefined;
    ref = { name: parts[6] ?? '', region: parts[3], accountId: parts[4] };
    if (parts.length === 8) ref.qualifier = parts[7];
  } else if (parts.length >= 3 && parts[1] === 'function') {
    if (parts.length > 4 || !/^\d{12}$/.test(parts[0] ?? '')) return undefined;
    ref = { name: parts[2] ?? '', accountId: parts[0] };
    if (parts.length === 4) ref.qualifier = parts[3];
  } else if (parts.length <= 2) {
    ref = { name: parts[0] ?? '' };
    if (parts.length === 2) ref.qualifier = parts[1];
  }
  if (!ref || !NAME.test(ref.name)) return undefined;
  if (ref.qualifier !== undefined && !QUALIFIER.test(ref.qualifier)) return undefined;
  return ref;
}

/** The full ARN Lambda reports as invokedFunctionArn for a reference. */
export function functionArn(ref: FunctionRef, region: string, accountId: string): string {
  const base = `arn:aws:lambda:${ref.region ?? region}:${ref.accountId ?? accountId}:function:${ref.name}`;
  return ref.qualifier ? `${base}:${ref.qualifier}` : base;
}

/**
 * A registry over lazily imported handler modules, keyed by function name. The module of a
 * function is imported on its first invocation and then kept.
 */
export function registryFromModules(
  map: Record<string, () => Promise<{ handler: LambdaHandlerLike }>>,
): FunctionRegistry {
  const loaded = new Map<string, Promise<LambdaHandler>>();
  return {
    async resolve(functionNameOrArn) {
      const ref = parseFunctionRef(functionNameOrArn);
      if (!ref || !Object.hasOwn(map, ref.name)) return undefined;
      let handler = loaded.get(ref.name);
      if (!handler) {
        const load = map[ref.name] as () => Promise<{ handler: LambdaHandlerLike }>;
        handler = load().then((module) => adaptHandler(module.handler));
        // A failed import is retried on the next invocation instead of being cached.
        handler.catch(() => loaded.delete(ref.name));
        loaded.set(ref.name, handler);
      }
      return handler;
    },
  };
}

/** Wraps an async or callback-style handler into the promise form the service calls. */
export function adaptHandler(handler: LambdaHandlerLike): LambdaHandler {
  if (typeof handler !== 'function') throw new TypeError('the module does not export a handler function');
  if (handler.length < 3) {
    // An async handler (the usual case, middy's included): no callback machinery needed.
    const noCallback = () => undefined;
    return async (event, context) => handler(event as never, context, noCallback);
  }
  return (event, context) =>
    new Promise((resolve, reject) => {
      let settled = false;
      const callback = (error?: unknown, result?: unknown) => {
        if (settled) return;
        settled = true;
        if (error !== undefined && error !== null) reject(error);
        else resolve(result);
      };
      try {
        const returned = handler(event as never, context, callback);
        if (isPromiseLike(returned)) {
          Promise.resolve(returned).then(
            (value) => callback(undefined, value),
            (error: unknown) => callback(error ?? new Error('handler rejected')),
          );
        }
      } catch (error) {
        callback(error ?? new Error('handler threw'));
      }
    });
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}
