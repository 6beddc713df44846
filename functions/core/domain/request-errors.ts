/**
 * The few ways an API request can fail that are the caller's doing. Domain code throws these; one
 * HTTP middleware (functions/api/problem.ts) maps each kind to a status and an RFC 9457
 * problem. Anything else thrown is a fault of ours and becomes a generic 500.
 *
 * `code` is stable and machine-readable; `detail` and field messages are Indonesian, for people.
 */
import type { FieldError } from './field-error.ts';

export type RequestErrorKind =
  | 'invalid-request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'unprocessable'
  | 'too-many-requests';

/** What a problem carries beyond its code and detail. */
export interface ProblemExtras {
  /** Sent as the Retry-After header (seconds) of a 429. */
  retryAfterSeconds?: number;
  /** Extension members of the problem (RFC 9457 section 3.2), e.g. the application a replay refers to. */
  members?: Readonly<Record<string, string>>;
}

export class RequestError extends Error {
  constructor(
    readonly kind: RequestErrorKind,
    readonly code: string,
    readonly detail: string,
    readonly errors: readonly FieldError[] = [],
    readonly extras: ProblemExtras = {},
  ) {
    super(`${kind}: ${code}`);
    this.name = 'RequestError';
  }
}

export const invalidRequest = (errors: readonly FieldError[], detail = 'Data permintaan tidak valid.') =>
  new RequestError('invalid-request', 'validation-failed', detail, errors);

export const tokenMissing = () =>
  new RequestError(
    'unauthenticated',
    'token-missing',
    'Sertakan token akses permohonan: Authorization: Bearer <token>.',
  );

/** The same answer for a wrong token and for an application that does not exist: ids cannot be probed. */
export const tokenInvalid = () =>
  new RequestError('forbidden', 'token-invalid', 'Token akses tidak berlaku untuk permohonan ini.');

export const notFound = (code: string, detail: string) => new RequestError('not-found', code, detail);
export const conflict = (
  code: string,
  detail: string,
  errors: readonly FieldError[] = [],
  extras: ProblemExtras = {},
) => new RequestError('conflict', code, detail, errors, extras);
export const unprocessable = (code: string, detail: string, errors: readonly FieldError[] = []) =>
  new RequestError('unprocessable', code, detail, errors);

/** A rate limit was reached: 429 with Retry-After. */
export const tooManyRequests = (code: string, detail: string, retryAfterSeconds: number) =>
  new RequestError('too-many-requests', code, detail, [], { retryAfterSeconds });
