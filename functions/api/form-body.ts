/**
 * HTML form bodies as API Gateway hands them to Lambda (payload 2.0, possibly base64): URL-encoded
 * forms, and multipart forms with at most one file (an inspection report), parsed by busboy.
 */

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import busboy from 'busboy';

export interface FormBody {
  fields: Record<string, string[]>;
  files: Record<string, { bytes: Uint8Array; fileName: string; truncated: boolean }>;
}

export class FormBodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'FormBodyError';
  }
}

const header = (event: APIGatewayProxyEventV2, name: string): string | undefined =>
  event.headers?.[name] ?? event.headers?.[name.toLowerCase()];

function addField(fields: Record<string, string[]>, name: string, value: string): void {
  const values = fields[name] ?? [];
  values.push(value);
  fields[name] = values;
}

export function rawBody(event: APIGatewayProxyEventV2): Buffer {
  const body = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

/** Parses the form; a file larger than `maxFileBytes` is marked truncated (the caller refuses it). */
export async function parseForm(event: APIGatewayProxyEventV2, maxFileBytes: number): Promise<FormBody> {
  const type = (header(event, 'content-type') ?? '').toLowerCase();
  const body = rawBody(event);
  if (body.length === 0) return { fields: {}, files: {} };
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const fields: Record<string, string[]> = {};
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) addField(fields, name, value);
    return { fields, files: {} };
  }
  if (!type.startsWith('multipart/form-data'))
    throw new FormBodyError(
      415,
      'Formulir harus dikirim sebagai application/x-www-form-urlencoded atau multipart/form-data.',
    );
  return new Promise((resolve, reject) => {
    const fields: Record<string, string[]> = {};
    const files: FormBody['files'] = {};
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': header(event, 'content-type') ?? '' },
        limits: { files: 1, fields: 100, fieldSize: 64 * 1024, fileSize: maxFileBytes },
      });
    } catch {
      reject(new FormBodyError(400, 'Formulir multipart tidak valid.'));
      return;
    }
    parser.on('field', (name, value) => addField(fields, name, value));
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      let truncated = false;
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        truncated = true;
      });
      stream.on('end', () => {
        files[name] = {
          bytes: new Uint8Array(Buffer.concat(chunks)),
          fileName: info.filename ?? '',
          truncated,
        };
      });
    });
    parser.on('error', () => reject(new FormBodyError(400, 'Formulir multipart tidak valid.')));
    parser.on('close', () => resolve({ fields, files }));
    parser.end(body);
  });
}
