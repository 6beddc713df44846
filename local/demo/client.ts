/**
 * How the demo talks to the running stack: the applicant API over HTTP (each answer parsed with the
 * API's own zod schemas, so a response that drifts from the contract stops the demo), the presigned
 * storage URLs, and the local mailbox's JSON store. Nothing here reaches behind the API.
 */
import type { z } from 'zod';
import { problemSchema } from '#api/schemas.ts';

/** The demo could not go on: says which step failed and what the server answered. */
export class DemoError extends Error {
  override name = 'DemoError';
}

export interface Answer {
  status: number;
  body: unknown;
}

/** `code: detail (field: message, ...)` of a problem+json body, or the raw body. */
export function describeAnswer(answer: Answer): string {
  const problem = problemSchema.safeParse(answer.body);
  if (!problem.success) return `${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
  const fields = (problem.data.errors ?? [])
    .filter((e) => e.message !== problem.data.detail)
    .map((e) => `${e.field}: ${e.message}`)
    .join('; ');
  return `${answer.status} ${problem.data.code}: ${problem.data.detail}${fields ? ` (${fields})` : ''}${
    problem.data.correlationId ? ` [correlationId ${problem.data.correlationId}]` : ''
  }`;
}

export interface RequestOptions {
  json?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

export class ApiClient {
  constructor(private readonly baseUrl: string) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
      });
    } catch (error) {
      throw new DemoError(
        `${method} ${path}: the API at ${this.baseUrl} does not answer (${(error as Error).message}). Is npm start still running?`,
      );
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the error message.
    }
    return { status: response.status, body };
  }

  /** A request that must answer `status` with a body of `schema`; anything else stops the demo. */
  async expect<S extends z.ZodType>(
    step: string,
    status: number,
    schema: S,
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<z.output<S>> {
    const answer = await this.request(method, path, options);
    if (answer.status !== status)
      throw new DemoError(
        `${step}: ${method} ${path} answered ${describeAnswer(answer)}, expected ${status}`,
      );
    const parsed = schema.safeParse(answer.body);
    if (!parsed.success)
      throw new DemoError(
        `${step}: ${method} ${path} answered ${status} with a body outside the API contract: ${parsed.error.message}`,
      );
    return parsed.data;
  }
}

/** PUTs a file to a presigned URL as a browser would; answers the storage's status code. */
export async function putFile(
  url: string,
  headers: Record<string, string>,
  content: Buffer,
): Promise<number> {
  const response = await fetch(url, { method: 'PUT', headers, body: new Uint8Array(content) });
  await response.arrayBuffer();
  return response.status;
}

/** A mail as the aws-ses-v2-local store returns it (the fields the demo reads). */
export interface Mail {
  from: string;
  destination: { to: string[]; cc?: string[]; bcc?: string[] };
  subject: string;
  body: { text?: string; html?: string };
  /** Epoch seconds. */
  at: number;
}

export const recipientsOf = (mail: Mail): string[] => [
  ...mail.destination.to,
  ...(mail.destination.cc ?? []),
  ...(mail.destination.bcc ?? []),
];

export async function listMail(storeUrl: string, sinceEpochSeconds: number): Promise<Mail[]> {
  let response: Response;
  try {
    response = await fetch(`${storeUrl}?since=${sinceEpochSeconds}`);
  } catch (error) {
    throw new DemoError(`the mailbox at ${storeUrl} does not answer (${(error as Error).message})`);
  }
  if (!response.ok) throw new DemoError(`the mailbox at ${storeUrl} answered ${response.status}`);
  return ((await response.json()) as { emails: Mail[] }).emails;
}

/** Every http(s) address in a mail: in its text, and in the href attributes of its HTML. */
export function linksIn(mail: Mail): string[] {
  const found = new Set<string>();
  for (const match of (mail.body.text ?? '').matchAll(/https?:\/\/[^\s<>"')\]]+/g)) found.add(match[0]);
  for (const match of (mail.body.html ?? '').matchAll(/href\s*=\s*["']([^"']+)["']/gi))
    if (match[1] !== undefined && /^https?:/i.test(match[1])) found.add(match[1].replaceAll('&amp;', '&'));
  return [...found];
}

/**
 * Polls until `probe` returns a value. The workflow runs in another process and the mailbox has no
 * push API, so there is no event to await: this is how a person refreshing a page would see it.
 */
export async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new DemoError(`${what}: nothing within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
