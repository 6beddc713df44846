/**
 * The middy chain every API handler uses, built from the route table (who may call) and the contract
 * (what a request and its answer look like):
 *
 *   problemDetails   errors -> RFC 9457 problem+json; unexpected ones -> generic 500, logged
 *   bodyLimit        bodies over 64 KiB -> 413 before anything is read
 *   applicantAuth    applicant routes: Bearer token against the stored hash -> 401 / 403
 *   validateRequest  Content-Type and JSON (415 / 400), then path, headers and body with zod (400)
 *   handler          the domain call, and its result as JSON
 *
 * Order matters: nobody learns anything about an application (not even that a field is wrong) before
 * the token matched, and no validation runs on a body too large to read.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { z } from 'zod';
import { authorizeApplicant } from '#core/domain/access-token.ts';
import type { FieldError } from '#core/domain/field-error.ts';
import { invalidRequest, RequestError } from '#core/domain/request-errors.ts';
import { container } from '#runtime/container.ts';
import { log } from '#runtime/log.ts';
import { type OperationContract, operations, type RouteKey } from './contract.ts';
import { fieldErrors, internalError, KIND_STATUS, problemResponse } from './problem.ts';
import { routes } from './routes.ts';

/** JSON bodies are small (documents go straight to S3): anything larger is refused. */
export const MAX_BODY_BYTES = 64 * 1024;

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
type Contract<K extends RouteKey> = (typeof operations)[K];

export interface ApiRequest<K extends RouteKey> {
  params: Contract<K> extends { params: infer P } ? Out<P> : Record<string, never>;
  headers: Contract<K> extends { headers: infer H } ? Out<H> : Record<string, never>;
  body: Contract<K> extends { body: infer B } ? Out<B> : undefined;
  correlationId: string;
  event: Event;
}

export interface ApiResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Sent as is instead of `body` as JSON (an HTML page): `headers` must give its content-type. */
  raw?: string;
}

interface Parsed {
  params: unknown;
  headers: unknown;
  body: unknown;
}

/** The request id API Gateway gives the request (also its `apigw-requestid` header); Lambda's otherwise. */
export function correlationIdOf(
  event: Partial<Event> | undefined,
  context: Partial<Context> | undefined,
): string {
  return event?.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
}

const headerOf = (event: Event, name: string): string | undefined => event.headers?.[name];

function problemDetails(routeKey: string): MiddlewareObj<Event, Result> {
  return {
    onError: (request) => {
      const correlationId = correlationIdOf(request.event, request.context);
      const error = request.error;
      if (error instanceof RequestError) {
        const { status, title } = KIND_STATUS[error.kind];
        const { retryAfterSeconds, members } = error.extras;
        request.response = problemResponse(
          {
            ...members,
            type: 'about:blank',
            title,
            status,
            code: error.code,
            detail: error.detail,
            ...(error.errors.length === 0 ? {} : { errors: [...error.errors] }),
            correlationId,
          },
          {
            ...(error.kind === 'unauthenticated' ? { 'www-authenticate': 'Bearer' } : {}),
            ...(retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) }),
          },
        );
        return;
      }
      // Ours, not the caller's: log what an operator needs (no request data, so no personal data).
      log('error', 'request failed', {
        correlationId,
        route: routeKey,
        error: error?.name,
        message: error?.message,
        stack: error?.stack?.split('\n').slice(0, 8).join('\n'),
      });
      request.response = problemResponse(internalError(correlationId));
    },
  };
}

/** The body as bytes' length, without decoding twice: base64 bodies are 4/3 of their content. */
function bodyBytes(event: Event): number {
  if (event.body === undefined || event.body === null) return 0;
  return event.isBase64Encoded
    ? Math.floor((event.body.length * 3) / 4)
    : Buffer.byteLength(event.body, 'utf8');
}

function bodyLimit(maxBytes = MAX_BODY_BYTES): MiddlewareObj<Event, Result> {
  return {
    before: (request) => {
      if (bodyBytes(request.event) > maxBytes)
        throw new RequestError(
          'payload-too-large',
          'payload-too-large',
          maxBytes === MAX_BODY_BYTES
            ? `Isi permintaan melebihi ${MAX_BODY_BYTES / 1024} KiB. Dokumen diunggah langsung ke URL unggah, bukan melalui API.`
            : `Isi permintaan melebihi ${Math.round(maxBytes / 1024)} KiB.`,
        );
    },
  };
}

function applicantAuth(
  loadHash: () => (id: string) => Promise<string | undefined>,
): MiddlewareObj<Event, Result> {
  return {
    before: async (request) => {
      const id = request.event.pathParameters?.id ?? '';
      await authorizeApplicant(headerOf(request.event, 'authorization'), id, loadHash());
    },
  };
}

function parseJsonBody(event: Event): unknown {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (text.trim() === '') return undefined;
  const type = (headerOf(event, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    throw new RequestError(
      'unsupported-media-type',
      'unsupported-media-type',
      'Kirim isi permintaan sebagai JSON dengan header Content-Type: application/json.',
    );
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RequestError('invalid-request', 'invalid-json', 'Isi permintaan bukan JSON yang valid.');
  }
}

/** Indonesian messages for zod's own issues; a schema's own message wins. */
const indonesian = z.locales.id().localeError;

function validateRequest(contract: OperationContract): MiddlewareObj<Event, Result> {
  return {
    before: (request) => {
      const event = request.event;
      const errors: FieldError[] = [];
      const check = (schema: z.ZodType | undefined, value: unknown, prefix: string): unknown => {
        if (schema === undefined) return undefined;
        const result = schema.safeParse(value, { error: indonesian });
        if (result.success) return result.data;
        errors.push(...fieldErrors(result.error.issues, prefix));
        return undefined;
      };
      const params = check(contract.params, event.pathParameters ?? {}, 'path');
      // Only the headers the contract names are checked (z.object ignores the rest): proxies add their own.
      const headers = check(contract.headers, event.headers ?? {}, 'header');
      const body = contract.body === undefined ? undefined : check(contract.body, parseJsonBody(event), '');
      if (errors.length > 0) throw invalidRequest(errors);
      (event as Event & { parsed: Parsed }).parsed = { params, headers, body };
    },
  };
}

export function routeOf(key: RouteKey) {
  const [method, path] = key.split(' ');
  const route = routes.find((r) => r.method === method && r.path === path);
  if (route === undefined) throw new Error(`route ${key} is not in functions/api/routes.ts`);
  return route;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResult {
  return { status, body, headers };
}

/** The stored hash of an application's access token: the table, read only on applicant routes. */
const storedAccessHashes = () => (id: string) => container().applications.accessHash(id);

/**
 * A Lambda handler for one route. Applicant routes check the bearer token against `accessHashes`
 * (by default the table's, read lazily, so public functions need no table).
 */
export function endpoint<K extends RouteKey>(
  key: K,
  impl: (request: ApiRequest<K>) => Promise<ApiResult>,
  options: {
    accessHashes?: () => (id: string) => Promise<string | undefined>;
    /** Routes that take a document as their body (not JSON) may allow more than MAX_BODY_BYTES. */
    maxBodyBytes?: number;
  } = {},
) {
  const route = routeOf(key);
  const contract: OperationContract = operations[key];
  const chain = middy<Event, Result>().use(problemDetails(key)).use(bodyLimit(options.maxBodyBytes));
  if (route.auth === 'applicant') {
    chain.use(applicantAuth(options.accessHashes ?? storedAccessHashes));
  }
  return chain.use(validateRequest(contract)).handler(async (event, context): Promise<Result> => {
    const parsed = (event as Event & { parsed: Parsed }).parsed;
    const correlationId = correlationIdOf(event, context);
    const result = await impl({ ...parsed, correlationId, event } as ApiRequest<K>);
    return {
      statusCode: result.status,
      headers: {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        'x-correlation-id': correlationId,
        ...result.headers,
      },
      body: result.raw ?? JSON.stringify(result.body),
    };
  });
}

type EndpointHandler = (event: Event, context: Context) => Promise<Result>;

/**
 * One Lambda serving several routes: API Gateway's `routeKey` picks the endpoint. A route key the
 * function does not serve is a deployment mistake, answered as a 500 with a correlation id.
 */
export function dispatch(handlers: Partial<Record<RouteKey, EndpointHandler>>) {
  return async (event: Event, context: Context): Promise<Result> => {
    const handler = handlers[event.routeKey as RouteKey];
    if (handler !== undefined) return handler(event, context);
    const correlationId = correlationIdOf(event, context);
    log('error', 'route not served by this function', { correlationId, routeKey: event.routeKey });
    return problemResponse(internalError(correlationId));
  };
}
