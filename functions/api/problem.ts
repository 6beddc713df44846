/**
 * RFC 9457 problem details, the one place where errors become HTTP responses: a RequestError's kind
 * decides the status; zod issues become per-field errors with stable codes and Indonesian messages;
 * anything else is a generic 500 that tells the caller only a correlation id to quote.
 * The shape matches the local API server's own 404/405 (local/api-gateway.ts).
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import type { FieldError } from '#core/domain/field-error.ts';
import type { RequestErrorKind } from '#core/domain/request-errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const KIND_STATUS: Readonly<Record<RequestErrorKind, { status: number; title: string }>> = {
  'invalid-request': { status: 400, title: 'Permintaan tidak valid' },
  unauthenticated: { status: 401, title: 'Token akses diperlukan' },
  forbidden: { status: 403, title: 'Akses ditolak' },
  'not-found': { status: 404, title: 'Tidak ditemukan' },
  conflict: { status: 409, title: 'Tidak dapat dilakukan pada status ini' },
  'payload-too-large': { status: 413, title: 'Permintaan terlalu besar' },
  'unsupported-media-type': { status: 415, title: 'Jenis isi tidak didukung' },
  unprocessable: { status: 422, title: 'Permintaan tidak dapat diproses' },
  'too-many-requests': { status: 429, title: 'Terlalu banyak permintaan' },
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  errors?: FieldError[];
  correlationId: string;
  /** Extension members (RFC 9457 section 3.2), e.g. `applicationId` and `trackingCode` of a replay. */
  [member: string]: unknown;
}

export function problemResponse(
  problem: Problem,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: {
      'content-type': PROBLEM_CONTENT_TYPE,
      'cache-control': 'no-store',
      'x-correlation-id': problem.correlationId,
      ...headers,
    },
    body: JSON.stringify(problem),
  };
}

export const internalError = (correlationId: string): Problem => ({
  type: 'about:blank',
  title: 'Terjadi kesalahan pada sistem',
  status: 500,
  code: 'internal-error',
  detail: `Permintaan tidak dapat diselesaikan karena kesalahan pada sistem. Coba lagi; bila berulang, hubungi kantor dengan menyebutkan nomor ${correlationId}.`,
  correlationId,
});

/** `applicant.nik`, `path.id`, `header.idempotency-key`; a problem with the body as a whole is `body`. */
const joinPath = (prefix: string, path: readonly PropertyKey[]): string =>
  [prefix, ...path.map((p) => String(p))].filter((p) => p !== '').join('.') || 'body';

function issueCode(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'required' : 'invalid-type';
    case 'too_small':
      return issue.origin === 'string' ? 'too-short' : issue.origin === 'array' ? 'too-few' : 'too-small';
    case 'too_big':
      return issue.origin === 'string' ? 'too-long' : issue.origin === 'array' ? 'too-many' : 'too-large';
    case 'invalid_format':
      return issue.format === 'email'
        ? 'invalid-email'
        : issue.format === 'date'
          ? 'invalid-date'
          : 'invalid-format';
    case 'invalid_value':
    case 'invalid_union':
      return 'invalid-value';
    case 'invalid_key':
      return 'invalid-key';
    case 'custom': {
      const code = (issue.params as { code?: unknown } | undefined)?.code;
      return typeof code === 'string' ? code : 'invalid';
    }
    default:
      return 'invalid';
  }
}

/**
 * zod issues as field errors. `prefix` says where the data came from: '' for the body, 'path' or
 * 'header'. Messages are the schema's own (Indonesian) or zod's Indonesian locale.
 */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], prefix: string): FieldError[] {
  return issues.flatMap((issue): FieldError[] => {
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({
        field: joinPath(prefix, [...issue.path, key]),
        code: 'unknown-field',
        message: `Kolom "${key}" tidak dikenal; periksa ejaannya (lihat /openapi.json).`,
      }));
    return [{ field: joinPath(prefix, issue.path), code: issueCode(issue), message: issue.message }];
  });
}
