import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDesign } from '#adapters/dynamodb/keys.ts';
import { STATE_MACHINE_ARN } from '#runtime/env.ts';
import { createApiServer, type Handler } from '../../local/api-gateway.ts';
import type { LocalClients } from '../../local/clients.ts';
import { stateMachineName } from '../../local/env.ts';
import { PORT_OVERRIDES, pickFreePorts, SERVICES } from '../../local/ports.ts';
import { REPO_ROOT, resolveRegency, startStack } from '../../local/stack.ts';
import {
  addressedTo,
  api,
  mailbox,
  stackClients,
  stackEndpoints,
  uniqueEmail,
  uniqueId,
} from './harness/index.ts';

describe('local stack', () => {
  const endpoints = stackEndpoints();
  const clients = stackClients(endpoints);
  afterAll(() => clients.destroy());

  it('answers GET /health through the API server with the handler response', async () => {
    const response = await api('/health');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers an unknown route with an Indonesian problem+json 404', async () => {
    const response = await api(`/${uniqueId('nowhere')}`);

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({
      type: 'about:blank',
      title: 'Tidak ditemukan',
      status: 404,
      code: 'ROUTE_NOT_FOUND',
    });
  });

  it('answers a known path with another method with 405 and the allowed methods', async () => {
    const response = await api('/health', { method: 'DELETE' });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect(await response.json()).toMatchObject({
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      title: 'Metode tidak diizinkan',
    });
  });

  it('has created the regency table with the shared key design, its indexes and TTL', async () => {
    const { Table } = await clients.dynamodb.send(
      new DescribeTableCommand({ TableName: endpoints.dynamodb.tableName }),
    );
    const ttl = await clients.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: endpoints.dynamodb.tableName }),
    );

    expect(Table?.KeySchema).toEqual([
      { AttributeName: tableDesign.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableDesign.sortKey, KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect((Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName).sort()).toEqual(
      tableDesign.globalSecondaryIndexes.map((g) => g.indexName).sort(),
    );
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: tableDesign.ttlAttribute,
    });
  });

  it('stores a document uploaded with a presigned PUT URL in the documents bucket', async () => {
    const key = `uploads/${uniqueId('doc')}.pdf`;
    const content = Buffer.from('%PDF-1.4\n% uji unggah\n');
    const url = await getSignedUrl(
      clients.s3,
      new PutObjectCommand({ Bucket: endpoints.s3.bucket, Key: key, ContentType: 'application/pdf' }),
      { expiresIn: 300 },
    );

    const upload = await fetch(url, {
      method: 'PUT',
      body: content,
      headers: { 'content-type': 'application/pdf' },
    });
    const stored = await clients.s3.send(new GetObjectCommand({ Bucket: endpoints.s3.bucket, Key: key }));

    expect(upload.status).toBe(200);
    expect(
      Buffer.from(await (stored.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array()))),
    ).toEqual(content);
  });

  it('delivers mail sent with SES SendEmail to the mailbox', async () => {
    const to = uniqueEmail('pemohon');
    const subject = `Permohonan diterima ${uniqueId('ref')}`;

    await clients.ses?.send(
      new SendEmailCommand({
        FromEmailAddress: 'dpmptsp@example.test',
        Destination: { ToAddresses: [to] },
        Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: 'Isi surat.' } } } },
      }),
    );
    const mail = await mailbox(endpoints).waitFor(addressedTo(to));

    expect(mail.subject).toBe(subject);
    expect(mail.body.text).toContain('Isi surat.');
  });

  it('runs the Step Functions service with one state machine per permit, named in the product environment', async () => {
    const { regency } = resolveRegency(endpoints.regency);
    const listed = await clients.sfn?.send(new ListStateMachinesCommand({}));
    const arns = new Map((listed?.stateMachines ?? []).map((m) => [m.name, m.stateMachineArn]));

    expect(endpoints.sfn).not.toBeNull();
    expect(regency.permits.length).toBeGreaterThan(0);
    for (const { code } of regency.permits) {
      const arn = arns.get(stateMachineName(endpoints.regency, code));
      expect(arn, code).toBeDefined();
      expect(endpoints.env[STATE_MACHINE_ARN.nameFor(code)]).toBe(arn);
    }
  });

  it('binds every server to the loopback interface only', () => {
    const urls = [endpoints.api.url, endpoints.mailbox.url, endpoints.dynamodb.url, endpoints.s3.url];
    if (endpoints.sfn !== null) urls.push(endpoints.sfn.url);

    for (const url of urls) {
      const port = Number(new URL(url).port);
      const addresses = listeningAddresses(port);
      expect(addresses.length, `listeners on port ${port}`).toBeGreaterThan(0);
      expect(addresses.every(isLoopback), `port ${port} listens on ${addresses.join(', ')}`).toBe(true);
    }
  });

  it('lets product code reach every emulator with default SDK clients and the product environment alone', async () => {
    // What a handler does: clients without endpoint or credentials, found through AWS_ENDPOINT_URL_* etc.
    const script = `
      import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
      import { S3Client, HeadBucketCommand } from '@aws-sdk/client-s3';
      import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
      import { SFNClient, ListStateMachinesCommand } from '@aws-sdk/client-sfn';
      const tables = (await new DynamoDBClient().send(new ListTablesCommand({}))).TableNames;
      await new S3Client({ forcePathStyle: true }).send(new HeadBucketCommand({ Bucket: process.env.DOCUMENTS_BUCKET }));
      const ses = await new SESv2Client().send(new SendEmailCommand({
        FromEmailAddress: 'dpmptsp@example.test',
        Destination: { ToAddresses: [process.argv[1]] },
        Content: { Simple: { Subject: { Data: 'Uji lingkungan' }, Body: { Text: { Data: 'isi' } } } },
      }));
      const machines = (await new SFNClient().send(new ListStateMachinesCommand({}))).stateMachines.map((m) => m.name);
      console.log(JSON.stringify({ tables, bucket: 'ok', ses: ses.$metadata.httpStatusCode, machines }));
    `;
    const to = uniqueEmail('env');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, to], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...endpoints.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => output.push(line));
    createInterface({ input: child.stderr }).on('line', (line) => output.push(line));
    const code = await new Promise((resolve) => child.on('exit', resolve));

    expect(code, output.join('\n')).toBe(0);
    const seen = JSON.parse(output.at(-1) ?? '{}') as { tables: string[]; ses: number; machines: string[] };
    expect(seen.tables).toContain(endpoints.dynamodb.tableName);
    expect(seen.ses).toBe(200);
    expect((await mailbox(endpoints).to(to)).length).toBe(1);
    expect(seen.machines.length).toBe(Object.keys(endpoints.sfn?.stateMachines ?? {}).length);
  });
});

describe('local API server', () => {
  const seen: { event?: APIGatewayProxyEventV2; context?: Context } = {};
  const handlers: Record<string, Handler> = {
    echo: async (event, context) => {
      seen.event = event;
      seen.context = context;
      return {
        statusCode: 201,
        headers: { 'X-Echo': 'yes' },
        cookies: ['a=1; Path=/', 'b=2'],
        body: 'dibuat',
      };
    },
    binary: async () => ({
      statusCode: 200,
      headers: { 'content-type': 'image/png' },
      body: Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64'),
      isBase64Encoded: true,
    }),
    bare: async () => ({ permits: ['SIKOT'] }),
    broken: async () => {
      throw new Error('boom');
    },
  };
  const server = createApiServer({
    routes: [
      { method: 'POST', path: '/items/{id}', fn: 'echo', auth: 'public', summary: '' },
      { method: 'GET', path: '/items/special', fn: 'bare', auth: 'public', summary: '' },
      { method: 'GET', path: '/files/{key+}', fn: 'binary', auth: 'public', summary: '' },
      { method: 'GET', path: '/broken', fn: 'broken', auth: 'public', summary: '' },
    ],
    loadHandler: async (fn) => handlers[fn] as Handler,
    functionNamePrefix: 'satupintu-test',
    region: 'ap-southeast-3',
    maxEventBytes: 64 * 1024,
  });
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('builds a payload 2.0 event from the request and maps the structured result back', async () => {
    const response = await fetch(`${base}/items/A%20B?x=1&x=2&y=z`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: 'sid=abc; lang=id', 'X-Custom': 'v' },
      body: '{"nama":"Siti"}',
    });

    expect(response.status).toBe(201);
    expect(await response.text()).toBe('dibuat');
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
    const event = seen.event as APIGatewayProxyEventV2;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /items/{id}',
      rawPath: '/items/A B',
      rawQueryString: 'x=1&x=2&y=z',
      cookies: ['sid=abc', 'lang=id'],
      queryStringParameters: { x: '1,2', y: 'z' },
      pathParameters: { id: 'A B' },
      body: '{"nama":"Siti"}',
      isBase64Encoded: false,
      requestContext: {
        routeKey: 'POST /items/{id}',
        stage: '$default',
        http: { method: 'POST', path: '/items/A B', sourceIp: '127.0.0.1' },
      },
    });
    expect(event.headers['x-custom']).toBe('v');
    expect(event.headers.cookie).toBeUndefined();
    expect(typeof event.requestContext.requestId).toBe('string');
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(10_000);
    expect(seen.context?.functionName).toBe('satupintu-test-echo');
    expect(seen.context?.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });

  it('base64-encodes a form body, as API Gateway does for non-text media types', async () => {
    await fetch(`${base}/items/1`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'keputusan=setuju',
    });

    expect(seen.event?.isBase64Encoded).toBe(true);
    expect(Buffer.from(seen.event?.body ?? '', 'base64').toString()).toBe('keputusan=setuju');
  });

  it('prefers a literal route over a parameterised one and wraps a bare result as JSON', async () => {
    const response = await fetch(`${base}/items/special`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ permits: ['SIKOT'] });
  });

  it('decodes a base64 result body into bytes and passes a greedy path parameter', async () => {
    const response = await fetch(`${base}/files/a/b.png`);

    expect(response.headers.get('content-type')).toBe('image/png');
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('answers 500 like API Gateway when the function throws', async () => {
    const response = await fetch(`${base}/broken`);

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('refuses a body above the limit with 413 before calling the function', async () => {
    seen.event = undefined;
    const response = await fetch(`${base}/items/1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: 'x'.repeat(70 * 1024) }),
    });

    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(seen.event).toBeUndefined();
  });

  it('refuses a request whose Host is not its own loopback address (DNS rebinding), before the function', async () => {
    const port = (server.address() as AddressInfo).port;
    const statusFor = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/items/1',
            headers: { host, 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end('{}');
      });
    seen.event = undefined;
    expect(await statusFor(`evil.example:${port}`)).toBe(421);
    expect(await statusFor('127.0.0.1')).toBe(421);
    expect(seen.event).toBeUndefined();
    expect(await statusFor(`localhost:${port}`)).toBe(201);
  });
});

describe('npm start launcher', () => {
  it('keeps data across a restart and starts empty with fresh', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'satupintu-restart-'));
    const key = { pk: { S: uniqueId('pk') }, sk: { S: 'profile' } };
    /** Starts the stack on `dataDir`, runs `step` with its clients, stops it. */
    const withStack = async <T>(
      fresh: boolean,
      step: (sdk: LocalClients, table: string) => Promise<T>,
    ): Promise<T> => {
      const stack = await startStack({ dataDir, ports: 'free', fresh });
      const sdk = stackClients(stack.endpoints);
      try {
        return await step(sdk, stack.endpoints.dynamodb.tableName);
      } finally {
        sdk.destroy();
        await stack.stop();
      }
    };
    const hasItem = async (sdk: LocalClients, table: string): Promise<boolean> =>
      (await sdk.dynamodb.send(new GetItemCommand({ TableName: table, Key: key }))).Item !== undefined;
    try {
      await withStack(false, (sdk, table) =>
        sdk.dynamodb.send(new PutItemCommand({ TableName: table, Item: key })),
      );
      // Test data, mail and the token secret: no other user of the machine may read the directory.
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      const keptAfterRestart = await withStack(false, hasItem);
      const keptAfterFresh = await withStack(true, hasItem);

      expect(keptAfterRestart).toBe(true);
      expect(keptAfterFresh).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('leaves no process behind when it is killed with SIGKILL', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'satupintu-kill-'));
    const launcher = spawnLauncher(dataDir, await portFlags());
    let descendants: number[] = [];
    try {
      await waitForLine(launcher, /ready in/);
      descendants = descendantsOf(launcher.pid as number);
      // api, s3, ses, the supervisor and its JVM at least.
      expect(descendants.length).toBeGreaterThanOrEqual(5);

      launcher.kill('SIGKILL');
      const survivors = await waitUntilGone(descendants, 15_000);

      expect(survivors).toEqual([]);
    } finally {
      launcher.kill('SIGKILL');
      for (const pid of await waitUntilGone(descendants, 0)) killQuietly(pid);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('stops with one line naming the port when a port is taken', async () => {
    const blocker = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'satupintu-busy-'));
    try {
      const flags = await portFlags();
      flags[flags.indexOf('--api-port') + 1] = String(taken);
      const launcher = spawnLauncher(dataDir, flags);
      const stderr: string[] = [];
      createInterface({ input: launcher.stderr as NodeJS.ReadableStream }).on('line', (line) => {
        if (!line.startsWith('npm warn')) stderr.push(line);
      });
      const code = await new Promise<number | null>((resolve) => launcher.on('exit', resolve));

      expect(code).toBe(1);
      expect(stderr).toEqual([
        expect.stringMatching(new RegExp(`^npm start: Port ${taken} \\(HTTP API\\) .*already in use`)),
      ]);
    } finally {
      blocker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** Addresses (hex, as in /proc/net/tcp*) listening on a port. */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [address, localPort] = (fields[1] ?? '').split(':');
      if (localPort === hexPort && fields[3] === '0A' && address !== undefined) out.push(address);
    }
  }
  return out;
}

function isLoopback(hexAddress: string): boolean {
  return (
    hexAddress === '0100007F' || // 127.0.0.1
    hexAddress === '0000000000000000FFFF00000100007F' || // ::ffff:127.0.0.1
    hexAddress === '00000000000000000000000001000000' // ::1
  );
}

async function portFlags(): Promise<string[]> {
  const ports = await pickFreePorts();
  return SERVICES.flatMap((service) => [`--${PORT_OVERRIDES[service].flag}`, String(ports[service])]);
}

function spawnLauncher(dataDir: string, flags: string[]): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', 'tsx', 'local/start.ts', '--quiet', '--data-dir', dataDir, ...flags],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const output: string[] = [];
    const collect = (line: string): void => {
      output.push(line);
      if (pattern.test(line)) resolve();
    };
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', collect);
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => output.push(line));
    child.once('exit', (code) =>
      reject(new Error(`launcher exited (${code}) before ${pattern}:\n${output.join('\n')}`)),
    );
  });
}

/** Parent of every live process, from /proc. */
function processTable(): Map<number, { ppid: number; state: string }> {
  const table = new Map<number, { ppid: number; state: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(entry), { state: fields[0] ?? '?', ppid: Number(fields[1]) });
    } catch {
      // Exited while we looked.
    }
  }
  return table;
}

function descendantsOf(root: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [pid, info] of table) {
      if (info.ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

/** Polls (a process that is not our child cannot be awaited) until every pid is gone or a zombie. */
async function waitUntilGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const table = processTable();
    const alive = pids.filter((pid) => {
      const info = table.get(pid);
      return info !== undefined && info.state !== 'Z';
    });
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
