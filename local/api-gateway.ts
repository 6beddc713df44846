/**
 * The local stand-in for API Gateway (HTTP API) in front of the product's Lambda handlers: it routes by
 * the shared route table, builds payload format 2.0 events and a Lambda-like context, and turns the
 * handler's result into the HTTP response the way API Gateway does.
 *
 * Where API Gateway's behaviour is not obvious, it is written down next to the code that mimics it.
 * Deliberate differences: unknown paths and wrong methods get the API's problem+json (404, 405) where a
 * bare HTTP API answers `{"message":"Not Found"}` for both (production gets the same answers only if
 * infra/ adds a `$default` route); there is no CORS and no TLS.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Problem as ApiProblem } from '#api/problem.ts';
import type { HttpMethod, RouteDefinition } from '#api/routes.ts';
import { hostAllowed } from './loopback-guard.ts';

/**
 * Largest request body accepted. Production's effective limit is Lambda's 6 MB synchronous invocation
 * payload (API Gateway's own limit, 10 MB, is never reached): the whole event must fit, and a binary
 * body grows by a third when base64-encoded. Bodies above this limit are not even read. Uploads of
 * documents do not pass through the API (they go to S3 with presigned URLs), so real requests are far
 * smaller; a limit the product itself wants (say 64 KB of JSON) belongs in its handlers.
 */
export const MAX_EVENT_BYTES = 6 * 1024 * 1024;

/** API Gateway's integration timeout for HTTP APIs (30 s maximum), after which it answers 503. */
export const INTEGRATION_TIMEOUT_MS = 30_000;

/** The gateway's own answers (no route, bad path, too large) in the product's problem+json shape. */
export type Problem = Pick<ApiProblem, 'type' | 'title' | 'status' | 'code' | 'detail'>;

export type RouteMatch =
  | { kind: 'route'; route: RouteDefinition; pathParameters: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: HttpMethod[] }
  | { kind: 'not-found' };

/** `/applications/{id}` matches `/applications/abc` with `{ id: 'abc' }`; `{proxy+}` takes the rest of the path. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.split('/');
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const segment = want[i] as string;
    const greedy = /^\{([^}]+)\+\}$/.exec(segment);
    if (greedy) {
      const rest = got.slice(i).join('/');
      if (rest === '') return undefined;
      params[greedy[1] as string] = rest;
      return params;
    }
    const value = got[i];
    if (value === undefined) return undefined;
    const param = /^\{([^}]+)\}$/.exec(segment);
    if (param) {
      if (value === '') return undefined;
      params[param[1] as string] = value;
    } else if (segment !== value) {
      return undefined;
    }
  }
  return got.length === want.length ? params : undefined;
}

/** Literal routes win over parameterised ones, as in API Gateway ("the most specific route"). */
function specificity(route: RouteDefinition): number {
  return route.path.split('/').filter((s) => s !== '' && !s.startsWith('{')).length;
}

export function matchRoute(routes: readonly RouteDefinition[], method: string, path: string): RouteMatch {
  const candidates = routes
    .map((route) => ({ route, params: matchPath(route.path, path) }))
    .filter((c): c is { route: RouteDefinition; params: Record<string, string> } => c.params !== undefined)
    .sort((a, b) => specificity(b.route) - specificity(a.route));
  if (candidates.length === 0) return { kind: 'not-found' };
  const hit = candidates.find((c) => c.route.method === method);
  if (hit) return { kind: 'route', route: hit.route, pathParameters: hit.params };
  return { kind: 'method-not-allowed', allowed: [...new Set(candidates.map((c) => c.route.method))] };
}

/**
 * Request bodies API Gateway hands over as text; every other type (including a missing Content-Type and
 * `application/x-www-form-urlencoded`) arrives base64-encoded with `isBase64Encoded: true`. The split
 * is not documented; this is the one observed on real HTTP APIs (ministackorg/ministack PR 766).
 */
export function isTextMediaType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type === 'application/xml' ||
    type === 'application/javascript'
  );
}

/** Joins repeated keys with commas, as payload 2.0 does for headers and query parameters. */
function joinRepeated(pairs: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of pairs) out[key] = key in out ? `${out[key]},${value}` : value;
  return out;
}

export interface IncomingRequest {
  method: string;
  /** Raw header pairs, in order (Node's `rawHeaders`). */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  httpVersion: string;
}

export interface EventMeta {
  route: RouteDefinition;
  pathParameters: Record<string, string>;
  /** The path, percent-decoded (API Gateway HTTP APIs deliver `rawPath` decoded). */
  path: string;
  rawQueryString: string;
  requestId: string;
  now: Date;
  apiId: string;
  domainName: string;
}

/** Date like `12/Mar/2020:19:03:58 +0000`, API Gateway's `requestContext.time`. */
function clfTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`;
}

export function toHttpApiEvent(request: IncomingRequest, meta: EventMeta): APIGatewayProxyEventV2 {
  const headerPairs: [string, string][] = [];
  const cookies: string[] = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = (request.rawHeaders[i] as string).toLowerCase();
    const value = request.rawHeaders[i + 1] as string;
    // Payload 2.0 moves cookies out of the headers into their own array, one entry per cookie.
    if (name === 'cookie')
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter((c) => c !== ''),
      );
    else headerPairs.push([name, value]);
  }
  const headers = joinRepeated(headerPairs);
  const query = new URLSearchParams(meta.rawQueryString);
  const queryStringParameters = joinRepeated(query.entries());
  const routeKey = `${meta.route.method} ${meta.route.path}`;
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey,
    rawPath: meta.path,
    rawQueryString: meta.rawQueryString,
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: meta.apiId,
      domainName: meta.domainName,
      domainPrefix: meta.domainName.split('.')[0] ?? meta.domainName,
      http: {
        method: request.method,
        path: meta.path,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: meta.requestId,
      routeKey,
      stage: '$default',
      time: clfTime(meta.now),
      timeEpoch: meta.now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (Object.keys(queryStringParameters).length > 0) event.queryStringParameters = queryStringParameters;
  if (Object.keys(meta.pathParameters).length > 0) event.pathParameters = meta.pathParameters;
  if (request.body.length > 0) {
    const text = isTextMediaType(headers['content-type']);
    event.body = text ? request.body.toString('utf8') : request.body.toString('base64');
    event.isBase64Encoded = !text;
  }
  return event;
}

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

/**
 * Payload 2.0 response rules: an object with `statusCode` is taken as the response; anything else
 * that serialises to JSON (an object without `statusCode`, a string, a number) becomes a 200
 * `application/json` response whose body is that JSON.
 */
export function fromHandlerResult(result: unknown): HttpResult {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const r = result as {
      statusCode: unknown;
      headers?: Record<string, unknown>;
      cookies?: unknown;
      body?: unknown;
      isBase64Encoded?: unknown;
    };
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(r.headers ?? {})) headers[name.toLowerCase()] = String(value);
    const body =
      typeof r.body === 'string' ? r.body : r.body === undefined || r.body === null ? '' : String(r.body);
    const statusCode = Number(r.statusCode);
    if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
      return internalServerError();
    }
    return {
      statusCode,
      headers,
      cookies: Array.isArray(r.cookies) ? r.cookies.map(String) : [],
      body: r.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
    };
  }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(JSON.stringify(result ?? null), 'utf8'),
  };
}

/** What API Gateway answers when the function fails (throws, times out in Lambda, returns garbage). */
export function internalServerError(): HttpResult {
  return jsonMessage(500, 'Internal Server Error');
}

function jsonMessage(statusCode: number, message: string): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(JSON.stringify({ message })),
  };
}

export function problemResult(problem: Problem, extraHeaders: Record<string, string> = {}): HttpResult {
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json', ...extraHeaders },
    cookies: [],
    body: Buffer.from(JSON.stringify(problem)),
  };
}

export const problems = {
  notFound: (method: string, path: string): Problem => ({
    type: 'about:blank',
    title: 'Tidak ditemukan',
    status: 404,
    code: 'ROUTE_NOT_FOUND',
    detail: `Tidak ada layanan untuk ${method} ${path}.`,
  }),
  methodNotAllowed: (method: string, path: string, allowed: readonly string[]): Problem => ({
    type: 'about:blank',
    title: 'Metode tidak diizinkan',
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
    detail: `${path} tidak menerima ${method}; gunakan ${allowed.join(' atau ')}.`,
  }),
  hostNotAllowed: (): Problem => ({
    type: 'about:blank',
    title: 'Host tidak diizinkan',
    status: 421,
    code: 'HOST_NOT_ALLOWED',
    detail:
      'The local API answers only requests to 127.0.0.1 or localhost on its own port (no DNS rebinding).',
  }),
  badPath: (): Problem => ({
    type: 'about:blank',
    title: 'Permintaan tidak valid',
    status: 400,
    code: 'MALFORMED_PATH',
    detail: 'Alamat permintaan tidak dapat dibaca (pengodean persen tidak valid).',
  }),
  tooLarge: (limit: number): Problem => ({
    type: 'about:blank',
    title: 'Permintaan terlalu besar',
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    detail: `Isi permintaan melebihi batas ${Math.floor(limit / (1024 * 1024))} MB.`,
  }),
};

export type Handler = (event: APIGatewayProxyEventV2, context: Context, callback?: unknown) => unknown;

export interface ApiServerOptions {
  routes: readonly RouteDefinition[];
  /** Imports a function's module (once, like a cold start) and returns its `handler`. */
  loadHandler: (fn: string) => Promise<Handler>;
  /** Prefix of the Lambda function names reported in the context: `<prefix>-<fn>`. */
  functionNamePrefix: string;
  region: string;
  /** Where access lines go: method, route, status, duration; never query strings or bodies. */
  log?: (line: string) => void;
  maxEventBytes?: number;
  integrationTimeoutMs?: number;
  /** Lambda's default; the real value comes from infra/ once it sets one per function. */
  functionTimeoutMs?: number;
}

export function lambdaContext(
  functionName: string,
  region: string,
  timeoutMs: number,
  requestId: string,
): Context {
  const deadline = Date.now() + timeoutMs;
  const unsupported = (what: string) => (): never => {
    throw new Error(`context.${what}() is deprecated and not supported locally; return a value or throw`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}

/** Calls an async handler, or a callback-style one (three parameters), and settles with its result. */
export function invoke(handler: Handler, event: APIGatewayProxyEventV2, context: Context): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: unknown, value?: unknown): void => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(error);
      else resolve(value);
    };
    try {
      const returned = handler(event, context, (error: unknown, value: unknown) => settle(error, value));
      if (handler.length < 3 || (typeof returned === 'object' && returned !== null && 'then' in returned)) {
        Promise.resolve(returned).then(
          (value) => settle(undefined, value),
          (error: unknown) => settle(error ?? new Error('handler rejected')),
        );
      }
    } catch (error) {
      settle(error ?? new Error('handler threw'));
    }
  });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, result: HttpResult, requestId: string): void {
  const headers: Record<string, string | string[]> = { ...result.headers, 'apigw-requestid': requestId };
  // Each cookie becomes its own Set-Cookie header, merged with any the handler set directly.
  if (result.cookies.length > 0) {
    const direct = result.headers['set-cookie'];
    headers['set-cookie'] = [...(direct === undefined ? [] : [direct]), ...result.cookies];
  }
  headers['content-length'] = String(result.body.length);
  res.writeHead(result.statusCode, headers);
  res.end(result.body);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createApiServer(options: ApiServerOptions): Server {
  const maxEventBytes = options.maxEventBytes ?? MAX_EVENT_BYTES;
  const integrationTimeoutMs = options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
  const functionTimeoutMs = options.functionTimeoutMs ?? integrationTimeoutMs;
  const log = options.log ?? (() => {});
  const apiId = 'local';

  return createServer((req, res) => {
    const started = Date.now();
    const requestId = randomUUID();
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const rawPathEncoded = queryAt === -1 ? target : target.slice(0, queryAt);
    const rawQueryString = queryAt === -1 ? '' : target.slice(queryAt + 1);
    let routeKey = `${method} (no route)`;
    const finish = (result: HttpResult): void => {
      send(res, result, requestId);
      log(`${routeKey} ${result.statusCode} ${Date.now() - started}ms`);
    };

    const handle = async (): Promise<HttpResult> => {
      if (!hostAllowed(req.headers.host, req.socket.localPort ?? 0))
        return problemResult(problems.hostNotAllowed());
      let path: string;
      try {
        path = decodeURIComponent(rawPathEncoded);
      } catch {
        return problemResult(problems.badPath());
      }
      const match = matchRoute(options.routes, method, path);
      if (match.kind === 'not-found') return problemResult(problems.notFound(method, path));
      if (match.kind === 'method-not-allowed') {
        return problemResult(problems.methodNotAllowed(method, path, match.allowed), {
          allow: match.allowed.join(', '),
        });
      }
      routeKey = `${match.route.method} ${match.route.path}`;
      const body = await readBody(req, maxEventBytes);
      if (body === 'too-large') return problemResult(problems.tooLarge(maxEventBytes));
      const event = toHttpApiEvent(
        {
          method,
          rawHeaders: req.rawHeaders,
          body,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          httpVersion: req.httpVersion,
        },
        {
          route: match.route,
          pathParameters: match.pathParameters,
          path,
          rawQueryString,
          requestId,
          now: new Date(started),
          apiId,
          domainName: req.headers.host ?? '127.0.0.1',
        },
      );
      if (Buffer.byteLength(JSON.stringify(event)) > maxEventBytes) {
        return problemResult(problems.tooLarge(maxEventBytes));
      }
      const functionName = `${options.functionNamePrefix}-${match.route.fn}`;
      let handler: Handler;
      try {
        handler = await options.loadHandler(match.route.fn);
      } catch (error) {
        log(
          `cannot load function ${match.route.fn}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        return internalServerError();
      }
      const context = lambdaContext(functionName, options.region, functionTimeoutMs, requestId);
      try {
        const outcome = await withTimeout(invoke(handler, event, context), integrationTimeoutMs);
        if (outcome === 'timeout') return jsonMessage(503, 'Service Unavailable');
        return fromHandlerResult(outcome);
      } catch (error) {
        // A function error: Lambda logs it, API Gateway answers a bare 500.
        log(
          `function ${functionName} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        return internalServerError();
      }
    };

    handle().then(finish, (error: unknown) => {
      log(`local API server error: ${String(error)}`);
      finish(internalServerError());
    });
  });
}
