import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { crossSite, hostAllowed } from '../../loopback-guard.ts';
import { type AdjustableClock, type Clock, isAdjustableClock, SystemClock } from '../engine/clock.ts';
import { Engine, type Logger } from '../engine/engine.ts';
import type { FunctionRegistry } from '../lambda/registry.ts';
import { ApiError } from './errors.ts';
import { runOperation } from './operations.ts';

/**
 * The local Step Functions service: the AWS JSON 1.0 API over HTTP on 127.0.0.1, plus two local
 * endpoints outside the AWS API:
 *   GET  /_local/clock   -> { now, offsetSeconds }
 *   POST /_local/clock   { "advanceSeconds": n } | { "set": "<ISO time>" }  (fast-forward)
 *   GET  /_local/health  -> { ok, executions: { RUNNING: n, ... }, tasksWaitingForCallback: n, memoryMiB }
 */

export interface StepFunctionsServiceOptions {
  /** 0 picks a free port. */
  port: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  dataDir: string;
  functions: FunctionRegistry;
  /** Defaults to the machine's clock with a fast-forward offset persisted in the data directory. */
  clock?: Clock;
  /** Defaults to ap-southeast-3. */
  region?: string;
  /** Defaults to 000000000000. */
  accountId?: string;
  /** Structured log sink; defaults to warnings and errors as JSON lines on stderr. */
  log?: Logger;
  /** What Lambda-like contexts count down from in getRemainingTimeInMillis (default 60 s). */
  functionTimeoutMs?: number;
  /** Journal size that triggers a snapshot (default 64 MiB). */
  compactAfterBytes?: number;
  /** Observer of ended executions (benchmarks); the event may not be synced to disk yet. */
  onExecutionEnd?: (executionArn: string, status: string) => void;
  /** Called once the API has been quiet for a while after some activity (cli.ts compacts the heap). */
  onIdle?: () => void;
}

const IDLE_AFTER_MS = 2000;

export interface StepFunctionsService {
  url: string;
  port: number;
  clock: Clock;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const TARGET_PREFIX = 'AWSStepFunctions.';

export const stderrLogger =
  (minimum: 'debug' | 'info' | 'warn' | 'error' = 'warn'): Logger =>
  (level, message, fields) => {
    const order = { debug: 0, info: 1, warn: 2, error: 3 };
    if (order[level] < order[minimum]) return;
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level, service: 'local-sfn', message, ...fields })}\n`,
    );
  };

export async function startStepFunctionsService(
  options: StepFunctionsServiceOptions,
): Promise<StepFunctionsService> {
  const log = options.log ?? stderrLogger('warn');
  const ownClock = options.clock === undefined;
  const clock =
    options.clock ??
    new SystemClock({
      offsetFile: join(options.dataDir, 'clock-offset.json'),
      onTimerError: (error) => log('error', 'timer failed', { error: String(error) }),
    });
  const engine = await Engine.open({
    dataDir: options.dataDir,
    clock,
    functions: options.functions,
    region: options.region ?? 'ap-southeast-3',
    accountId: options.accountId ?? '000000000000',
    log,
    functionTimeoutMs: options.functionTimeoutMs,
    compactAfterBytes: options.compactAfterBytes,
    onExecutionEnd: options.onExecutionEnd,
  });

  let lastRequestAt = 0;
  let busySinceIdle = false;
  const idleCheck = setInterval(() => {
    if (busySinceIdle && Date.now() - lastRequestAt >= IDLE_AFTER_MS) {
      busySinceIdle = false;
      options.onIdle?.();
    }
  }, IDLE_AFTER_MS / 2);
  idleCheck.unref();

  const server = createServer((request, response) => {
    lastRequestAt = Date.now();
    busySinceIdle = true;
    handle(request, response, engine, clock, log).catch((error: unknown) => {
      log('error', 'request failed', { error: String(error) });
      if (!response.headersSent) sendError(response, new ApiError('InternalFailure', 'Internal error', 500));
    });
  });
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await engine.close();
    if (ownClock) (clock as SystemClock).stop();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  log('info', 'listening', { url });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    clock,
    close() {
      closing ??= (async () => {
        clearInterval(idleCheck);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await engine.close();
        if (ownClock) (clock as SystemClock).stop();
      })();
      return closing;
    },
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  engine: Engine,
  clock: Clock,
  log: Logger,
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  const port = request.socket.localPort ?? 0;
  if (!hostAllowed(request.headers.host, port))
    return sendJson(
      response,
      421,
      JSON.stringify({ message: 'Only 127.0.0.1 or localhost on this port is served' }),
    );
  if (path === '/_local/clock') {
    if (request.method === 'POST' && crossSite(request.headers, port))
      return sendJson(
        response,
        403,
        JSON.stringify({ message: 'The clock cannot be moved from another site' }),
      );
    return handleClock(request, response, clock, log);
  }
  if (path === '/_local/health' && request.method === 'GET') {
    return sendJson(
      response,
      200,
      JSON.stringify({
        ok: true,
        executions: engine.counts(),
        tasksWaitingForCallback: engine.waitingTasks(),
        memoryMiB: Object.fromEntries(
          Object.entries(process.memoryUsage()).map(([key, bytes]) => [
            key,
            Math.round(bytes / 10_485.76) / 100,
          ]),
        ),
      }),
    );
  }
  if (request.method !== 'POST' || path !== '/') {
    return sendJson(response, 404, JSON.stringify({ message: `No route for ${request.method} ${path}` }));
  }
  const target = request.headers['x-amz-target'];
  const operation =
    typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  let body: unknown;
  try {
    body = await readJson(request);
  } catch (error) {
    return sendError(response, error as ApiError);
  }
  try {
    const result = await runOperation(engine, operation, body);
    sendJson(response, 200, result, { 'Content-Type': 'application/x-amz-json-1.0' });
  } catch (error) {
    if (error instanceof ApiError) {
      log('debug', 'request rejected', { operation, code: error.code });
      return sendError(response, error);
    }
    throw error;
  }
}

async function handleClock(
  request: IncomingMessage,
  response: ServerResponse,
  clock: Clock,
  log: Logger,
): Promise<void> {
  const describe = () =>
    JSON.stringify({
      now: new Date(clock.now()).toISOString(),
      offsetSeconds: isAdjustableClock(clock) ? clock.offsetMs() / 1000 : 0,
    });
  if (request.method === 'GET') return sendJson(response, 200, describe());
  if (request.method !== 'POST') return sendJson(response, 405, JSON.stringify({ message: 'GET or POST' }));
  if (!isAdjustableClock(clock)) {
    return sendJson(
      response,
      409,
      JSON.stringify({ message: 'This service runs on a clock that cannot be moved' }),
    );
  }
  let body: unknown;
  try {
    body = await readJson(request);
  } catch (error) {
    return sendJson(response, 400, JSON.stringify({ message: (error as Error).message }));
  }
  const request_ = (body ?? {}) as { advanceSeconds?: unknown; set?: unknown };
  const adjustable: AdjustableClock = clock;
  const target =
    typeof request_.advanceSeconds === 'number' &&
    Number.isFinite(request_.advanceSeconds) &&
    request_.advanceSeconds >= 0 &&
    request_.advanceSeconds <= MAX_ADVANCE_SECONDS
      ? clock.now() + request_.advanceSeconds * 1000
      : typeof request_.set === 'string'
        ? Date.parse(request_.set)
        : Number.NaN;
  if (
    !Number.isFinite(target) ||
    target < clock.now() - MAX_ADVANCE_SECONDS * 1000 ||
    target > LATEST_TIME_MS
  )
    return sendJson(
      response,
      400,
      JSON.stringify({
        message: `Send {"advanceSeconds": <0 to ${MAX_ADVANCE_SECONDS}>} or {"set": "<ISO 8601 time before 2100>"}`,
      }),
    );
  if (typeof request_.set === 'string') adjustable.set(target);
  else adjustable.advance(target - clock.now());
  log('info', 'clock moved', { now: new Date(clock.now()).toISOString() });
  return sendJson(response, 200, describe());
}

/** Ten years: more than any permit procedure waits; larger jumps are a typo, not a test. */
const MAX_ADVANCE_SECONDS = 10 * 365 * 86_400;
/** Workflow times stay representable (and within the calendar's tables' reach). */
const LATEST_TIME_MS = Date.parse('2100-01-01T00:00:00Z');

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('error', reject);
    request.on('end', () => {
      if (tooLarge) {
        reject(
          new ApiError('ValidationException', `The request body is larger than ${MAX_BODY_BYTES} bytes`, 413),
        );
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        resolve({});
        return;
      }
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new ApiError('SerializationException', 'The request body is not valid JSON'));
      }
    });
  });
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'x-amzn-RequestId': randomUUID(),
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  response.end(body);
}

function sendError(response: ServerResponse, error: ApiError): void {
  const code = error instanceof ApiError ? error.code : 'InternalFailure';
  const status = error instanceof ApiError ? error.status : 500;
  sendJson(
    response,
    status,
    JSON.stringify({ __type: `com.amazonaws.swf.service.v2.model#${code}`, message: error.message }),
    {
      'Content-Type': 'application/x-amz-json-1.0',
      'x-amzn-ErrorType': code,
    },
  );
}
