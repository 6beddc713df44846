import { DeleteTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DeleteBucketCommand, DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteDefinition, routes } from '#api/routes.ts';
import { canonicalJson } from '#core/domain/canonical-json.ts';
import { buildContainer, useContainer } from '#runtime/container.ts';
import { parseEnv } from '#runtime/env.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/env.ts';
import { ensureBucket, ensureTable } from '../../../local/resources.ts';
import { applicationFixture } from '../../fixtures/application.ts';
import { type InProcessApi, startInProcessApi } from '../harness/in-process-api.ts';
import { stackClients, stackEndpoints, uniqueId } from '../harness/index.ts';

const RUNS_PER_ROUTE = 40;

const endpoints = stackEndpoints();
const clients = stackClients(endpoints);
const table = uniqueId('fuzz');
const bucket = uniqueId('fuzz-docs');
let baseUrl = '';
let server: InProcessApi;

interface Applicant {
  id: string;
  token: string;
  trackingCode: string;
}
/** Two fresh drafts for each route, so that one route's successes (a withdrawal) do not shape the next. */
let applicants: Applicant[] = [];

async function freshApplicants(): Promise<void> {
  applicants = [];
  for (let i = 0; i < 2; i++) {
    const response = await fetch(`${baseUrl}/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(applicationFixture()),
    });
    const body = (await response.json()) as { id: string; accessToken: string; trackingCode: string };
    expect(response.status).toBe(201);
    applicants.push({ id: body.id, token: body.accessToken, trackingCode: body.trackingCode });
  }
}

beforeAll(async () => {
  await ensureTable(clients.dynamodb, table);
  await ensureBucket(clients.s3, bucket);
  Object.assign(process.env, {
    ...endpoints.env,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  });
  // The handlers run in this process, on this test's own table and bucket.
  useContainer(buildContainer(parseEnv({ ...process.env, TABLE_NAME: table, DOCUMENTS_BUCKET: bucket })));
  server = await startInProcessApi('fuzz');
  baseUrl = server.baseUrl;
});

afterAll(async () => {
  await server?.close();
  const listed = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  for (const o of listed.Contents ?? [])
    await clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key }));
  await clients.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  await clients.dynamodb.send(new DeleteTableCommand({ TableName: table }));
  clients.destroy();
});

/** Everything stored: every item of the private table and every object of the private bucket. */
async function snapshot(): Promise<string> {
  const items: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await clients.dynamodb.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start as never }),
    );
    for (const item of page.Items ?? []) items.push(canonicalJson(item));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  const objects = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return JSON.stringify([items.sort(), (objects.Contents ?? []).map((o) => `${o.Key}:${o.Size}`).sort()]);
}

// ---------------------------------------------------------------- arbitraries

const printable = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.~!$/%?#{} '.split('')), maxLength: 40 });

/**
 * Who calls, and about which application: mostly an applicant about their own (so requests get past the
 * token check and into the domain), otherwise every mix of wrong, missing and foreign tokens and ids.
 */
interface Caller {
  id: string;
  authorization: string | undefined;
}
const own = (i: number): Caller => ({
  id: applicants[i]?.id ?? '',
  authorization: `Bearer ${applicants[i]?.token}`,
});
const caller: fc.Arbitrary<Caller> = fc.oneof(
  { arbitrary: fc.constantFrom(0, 1).map(own), weight: 6 },
  fc.constantFrom(0, 1).map((i) => ({ ...own(i), id: applicants[1 - i]?.id ?? '' })),
  fc.record({
    id: fc.uuid({ version: 4 }),
    authorization: fc.constantFrom(0, 1).map((i) => own(i).authorization),
  }),
  fc.record({
    id: fc.oneof(
      fc.constantFrom(0, 1).map((i) => own(i).id),
      fc.string({ minLength: 1, maxLength: 60 }).map(encodeURIComponent),
    ),
    authorization: fc.oneof(
      fc.constant(undefined),
      printable.map((s) => `Bearer ${s}`),
      printable,
    ),
  }),
);

const VALID_BODIES: Record<string, unknown> = {
  'POST /applications': applicationFixture(),
  'POST /applications/{id}/documents/{requirementId}': { mediaType: 'application/pdf', sizeBytes: 1000 },
  'POST /applications/{id}/withdraw': { reason: 'Salah jenis izin' },
  'POST /applications/{id}/survey': {
    scores: {
      requirements: 4,
      procedure: 4,
      completionTime: 4,
      cost: 4,
      product: 4,
      staffCompetence: 4,
      staffBehaviour: 4,
      complaintHandling: 4,
      facilities: 4,
    },
  },
  'POST /complaints': { subject: 'Antrean', message: 'Terlalu lama.' },
  // One address for every run: past its limit the route answers 429, which must write nothing either.
  'POST /applications/recover': { trackingCode: 'BNG-2222-2222', email: 'fuzz@example.test' },
};

/** The valid body with one value replaced, one key removed or one unknown key added, at any depth. */
function mutate(
  valid: unknown,
  path: number[],
  action: 'replace' | 'remove' | 'add',
  value: unknown,
): unknown {
  if (valid === null || typeof valid !== 'object' || Array.isArray(valid))
    return action === 'replace' ? value : valid;
  const entries = Object.entries(valid as Record<string, unknown>);
  if (entries.length === 0 || path.length === 0) {
    if (action === 'add') return { ...(valid as object), unexpectedField: value };
    return action === 'replace' ? value : valid;
  }
  const index = (path[0] ?? 0) % entries.length;
  const [key, child] = entries[index] as [string, unknown];
  if (path.length === 1) {
    if (action === 'remove') return Object.fromEntries(entries.filter((_, i) => i !== index));
    if (action === 'add') return { ...(valid as object), [`${key}Extra`]: value };
    return { ...(valid as object), [key]: value };
  }
  return { ...(valid as object), [key]: mutate(child, path.slice(1), action, value) };
}

/**
 * Bodies that pass the schema but not the domain's checks: these reach the handlers' domain code, where
 * a write before a refusal would hide.
 */
const fixture = applicationFixture();
const NEAR_VALID: Record<string, unknown[]> = {
  'POST /applications': [
    { ...fixture, permitCode: 'SIPOT' },
    { ...fixture, answers: {} },
    { ...fixture, answers: { secondPermit: true, renewal: true } },
    { ...fixture, applicant: { ...fixture.applicant, sex: 'male' } },
    { ...fixture, applicant: { ...fixture.applicant, profession: 'optometrist' } },
    { ...fixture, applicant: { ...fixture.applicant, str: { number: 'X', validUntil: '2001-01-01' } } },
  ],
  'POST /applications/{id}/documents/{requirementId}': [
    { mediaType: 'image/png', sizeBytes: 999_999_999 },
    { mediaType: 'image/jpeg', sizeBytes: 6 * 1024 * 1024 },
  ],
  'POST /complaints': [
    { subject: 'A', message: 'B', trackingCode: 'BNG-2222-2222' },
    { subject: 'A', message: 'B', trackingCode: '?' },
  ],
};

const bodyFor = (routeKey: string) => {
  const valid = VALID_BODIES[routeKey] ?? {};
  const nearValid = NEAR_VALID[routeKey] ?? [];
  return fc.oneof(
    { arbitrary: fc.constantFrom(valid, ...nearValid).map((b) => JSON.stringify(b)), weight: 3 },
    fc.constant(undefined),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc
      .tuple(
        fc.array(fc.nat(20), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('replace', 'remove', 'add') as fc.Arbitrary<'replace' | 'remove' | 'add'>,
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map(([path, action, value]) => JSON.stringify(mutate(valid, path, action, value))),
    fc.string({ maxLength: 200 }),
    fc.constant(0).map(() => JSON.stringify({ ...(valid as object), padding: 'x'.repeat(70_000) })),
  );
};

const contentType = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 4 },
  fc.constantFrom('application/json; charset=utf-8', 'text/plain', undefined),
);

function pathFor(route: RouteDefinition, id: string) {
  const segments = route.path.split('/').map((segment) => {
    if (segment === '{id}') return fc.constant(id);
    if (segment === '{requirementId}')
      return fc.oneof(fc.constantFrom('ktp', 'izin-pertama', 'paspor'), printable.map(encodeURIComponent));
    if (segment === '{uploadId}') return fc.oneof(fc.uuid({ version: 4 }), printable.map(encodeURIComponent));
    if (segment === '{token}')
      return fc.oneof(
        fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        fc.string({ minLength: 1, maxLength: 60 }).map(encodeURIComponent),
      );
    if (segment === '{document}')
      return fc.oneof(fc.constant('ktp'), printable.filter((p) => p !== '').map(encodeURIComponent));
    if (segment === '{trackingCode}')
      return fc.oneof(
        fc.constant(0).map(() => applicants[0]?.trackingCode ?? ''),
        fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
      );
    return fc.constant(segment);
  });
  return fc.tuple(...segments).map((parts) => parts.join('/'));
}

describe('every route under fuzzing', () => {
  for (const route of routes) {
    const routeKey = `${route.method} ${route.path}`;
    it(`${routeKey}: never answers 5xx, and a rejected request writes nothing`, async () => {
      await freshApplicants();
      let before = await snapshot();
      await fc.assert(
        fc.asyncProperty(
          caller.chain((who) =>
            pathFor(route, who.id).map((path) => ({ path, authorization: who.authorization })),
          ),
          contentType,
          route.method === 'GET' || route.method === 'HEAD' ? fc.constant(undefined) : bodyFor(routeKey),
          fc.option(printable, { nil: undefined }),
          async ({ path, authorization }, type, body, idempotencyKey) => {
            const headers: Record<string, string> = {};
            if (authorization !== undefined) headers.authorization = authorization;
            if (type !== undefined) headers['content-type'] = type;
            if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
            const response = await fetch(`${baseUrl}${path}`, {
              method: route.method,
              headers,
              ...(body === undefined ? {} : { body }),
            });
            const text = await response.text();
            expect(response.status, `${route.method} ${path} -> ${text.slice(0, 300)}`).toBeLessThan(500);
            const after = await snapshot();
            if (response.status >= 400) {
              // Officials' pages answer people with HTML; the API answers problem+json.
              // (A path no route matches is the gateway's own problem+json 404, as for the API.)
              expect(response.headers.get('content-type')).toBeOneOf(
                route.kind === 'page'
                  ? ['text/html; charset=utf-8', 'application/problem+json']
                  : ['application/problem+json'],
              );
              expect(after, `${route.method} ${path} answered ${response.status} but wrote`).toBe(before);
            }
            before = after;
          },
        ),
        { numRuns: RUNS_PER_ROUTE },
      );
    });
  }
});
