import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '#api/openapi.ts';
import {
  applicationResponse,
  draftCreatedResponse,
  permitsResponse,
  problemSchema,
  trackResponse,
} from '#api/schemas.ts';
import { loadRegency } from '#config/load.ts';
import { hashAccessToken } from '#core/domain/access-token.ts';
import { TRACKING_CODE_PATTERN } from '#core/domain/tracking-code.ts';
import { applicantFixture, applicationFixture, nikFor } from '../../fixtures/application.ts';
import { api, stackEndpoints, uniqueEmail } from '../harness/index.ts';
import { bearer, createDraft, json, StackRecords } from './client.ts';

const records = new StackRecords();
afterAll(() => records.destroy());
const table = stackEndpoints().dynamodb.tableName;
const item = async (pk: string, sk: string) =>
  (await records.doc.send(new GetCommand({ TableName: table, Key: { pk, sk } }))).Item;

describe('GET /permits', () => {
  it("lists the regency's permits with requirements, conditions, stages and fee", async () => {
    const response = await api('/permits');
    const body = permitsResponse.parse(await response.json());

    expect(response.status).toBe(200);
    const sikot = body.permits.find((p) => p.code === 'SIKOT');
    expect(sikot?.requirements.find((r) => r.id === 'izin-pertama')?.requiredWhen).toEqual({
      answer: 'secondPermit',
      question: 'Permohonan ini untuk SIKOT/SIPOT kedua',
    });
    expect(sikot?.stages[0]).toMatchObject({
      id: 'pemeriksaan-kelengkapan',
      role: { label: 'Petugas Pelayanan' },
    });
    expect(sikot?.fee.amountIdr).toBe(0);
    expect(JSON.stringify(body)).not.toContain('@dpmptsp'); // no officials' addresses
  });
});

describe('GET /openapi.json', () => {
  it('serves the document generated from the contract, for this regency and API', async () => {
    const response = await api('/openapi.json');
    const served = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(200);
    expect(served).toEqual(
      openApiDocument(loadRegency('kota-bengkulu').regency, stackEndpoints().env.API_BASE_URL),
    );
  });
});

describe('POST /applications', () => {
  it('creates a draft with a tracking code and a token stored only as its hash', async () => {
    const email = uniqueEmail('pemohon');
    const response = await api(
      '/applications',
      json(applicationFixture({ applicant: applicantFixture({ email }) })),
    );
    const body = draftCreatedResponse.parse(await response.json());

    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/applications/${body.id}`);
    expect(body.trackingCode).toMatch(TRACKING_CODE_PATTERN);
    expect(body.trackingCode.startsWith('BNG-')).toBe(true);
    expect(body.accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.requirements.map((r) => r.id)).not.toContain('izin-pertama');
    const access = await item(`APP#${body.id}`, 'ACCESS');
    expect(access?.tokenHash).toBe(hashAccessToken(body.accessToken));
    expect(JSON.stringify(access)).not.toContain(body.accessToken);
  });

  it('keeps the personal data in its own item, not in the record the workflow passes around', async () => {
    const draft = await createDraft();
    const app = await item(`APP#${draft.id}`, 'APP');
    const applicant = await item(`APP#${draft.id}`, 'APPLICANT');

    expect(JSON.stringify(app)).not.toMatch(/\d{16}/);
    expect(applicant?.applicant).toMatchObject({ mobileNumber: '+6281234567890' });
    expect(String(applicant?.applicant.nik)).toMatch(/^\d{16}$/);
  });

  it('requires the conditional document when the answer asks for it', async () => {
    const response = await api(
      '/applications',
      json(applicationFixture({ answers: { secondPermit: true } })),
    );
    const body = draftCreatedResponse.parse(await response.json());
    expect(body.requirements.map((r) => r.id)).toContain('izin-pertama');
  });

  it('answers a bad NIK with 400 naming the field, and writes nothing', async () => {
    const email = uniqueEmail('nik');
    const response = await api(
      '/applications',
      json(applicationFixture({ applicant: applicantFixture({ email, nik: '1771010013900000' }) })),
    );
    const problem = problemSchema.parse(await response.json());

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(problem).toMatchObject({
      code: 'validation-failed',
      status: 400,
      title: 'Permintaan tidak valid',
    });
    expect(problem.errors).toEqual([
      expect.objectContaining({ field: 'applicant.nik', code: 'nik-birth-date' }),
    ]);
    expect(problem.correlationId).toBe(response.headers.get('apigw-requestid'));
  });

  it('answers a NIK that contradicts the stated sex and birth date with both errors', async () => {
    const response = await api(
      '/applications',
      json(applicationFixture({ applicant: applicantFixture({ nik: nikFor('1991-01-02', 'male') }) })),
    );
    const problem = problemSchema.parse(await response.json());
    expect(response.status).toBe(400);
    expect(problem.errors?.map((e) => e.code).sort()).toEqual([
      'nik-birth-date-mismatch',
      'nik-sex-mismatch',
    ]);
  });

  it('rejects unknown fields and unknown permit questions', async () => {
    const response = await api(
      '/applications',
      json(applicationFixture({ answers: { secondPermit: false, renewal: true }, note: 'x' })),
    );
    const problem = problemSchema.parse(await response.json());
    expect(response.status).toBe(400);
    expect(problem.errors?.map((e) => [e.field, e.code])).toEqual([['note', 'unknown-field']]);

    const again = await api(
      '/applications',
      json(applicationFixture({ answers: { secondPermit: false, renewal: true } })),
    );
    expect(problemSchema.parse(await again.json()).errors).toEqual([
      expect.objectContaining({ field: 'answers.renewal', code: 'unknown-field' }),
    ]);
  });

  it('refuses a body over 64 KiB with 413 and a non-JSON body with 415', async () => {
    const big = applicationFixture({ applicant: applicantFixture({ address: 'x'.repeat(70_000) }) });
    const tooLarge = await api('/applications', json(big));
    expect(tooLarge.status).toBe(413);
    expect(problemSchema.parse(await tooLarge.json()).code).toBe('payload-too-large');

    const form = await api('/applications', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'permitCode=SIKOT',
    });
    expect(form.status).toBe(415);
  });

  describe('with an Idempotency-Key', () => {
    it('answers 20 concurrent creates with one key with one 201 and 19 409s, and the one token works', async () => {
      const key = randomUUID();
      const body = applicationFixture({ applicant: applicantFixture({ email: uniqueEmail('race') }) });

      const responses = await Promise.all(
        Array.from({ length: 20 }, () => api('/applications', json(body, { 'idempotency-key': key }))),
      );
      const bodies = await Promise.all(
        responses.map(async (r) => (await r.json()) as Record<string, unknown>),
      );

      const created = bodies
        .filter((_, i) => responses[i]?.status === 201)
        .map((b) => draftCreatedResponse.parse(b));
      const replays = bodies
        .filter((_, i) => responses[i]?.status === 409)
        .map((b) => problemSchema.parse(b));
      expect([created.length, replays.length]).toEqual([1, 19]);
      const [draft] = created as [(typeof created)[number]];
      for (const replay of replays) {
        expect(replay).toMatchObject({
          code: 'idempotent-replay',
          applicationId: draft.id,
          trackingCode: draft.trackingCode,
        });
        expect(replay.detail).toContain('POST /applications/recover');
      }
      expect((await api(`/applications/${draft.id}`, { headers: bearer(draft.accessToken) })).status).toBe(
        200,
      );
    });

    it('keeps the first token working after a later retry with the same key', async () => {
      const key = randomUUID();
      const body = applicationFixture({ applicant: applicantFixture({ email: uniqueEmail('idem') }) });
      const first = draftCreatedResponse.parse(
        await (await api('/applications', json(body, { 'idempotency-key': key }))).json(),
      );

      const retry = await api('/applications', json(body, { 'idempotency-key': key }));

      expect(retry.status).toBe(409);
      expect(retry.headers.get('content-type')).toBe('application/problem+json');
      expect((await api(`/applications/${first.id}`, { headers: bearer(first.accessToken) })).status).toBe(
        200,
      );
    });

    it('refuses the same key with another body (422) and a malformed key (400)', async () => {
      const key = randomUUID();
      await createDraft({}, { 'idempotency-key': key });
      const other = await api('/applications', json(applicationFixture(), { 'idempotency-key': key }));
      expect(other.status).toBe(422);
      expect(problemSchema.parse(await other.json()).code).toBe('idempotency-key-reused');

      const bad = await api('/applications', json(applicationFixture(), { 'idempotency-key': 'short' }));
      expect(bad.status).toBe(400);
      expect(problemSchema.parse(await bad.json()).errors?.[0]?.field).toBe('header.idempotency-key');
    });
  });
});

describe('GET /applications/{id}', () => {
  it('shows the applicant their draft with its documents checklist', async () => {
    const draft = await createDraft();
    const response = await api(`/applications/${draft.id}`, { headers: bearer(draft.token) });
    const view = applicationResponse.parse(await response.json());

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(view).toMatchObject({ id: draft.id, status: 'draft', statusLabel: 'Draf (belum diajukan)' });
    expect(view.applicant.email).toBe(draft.email);
    expect(view.documents.find((d) => d.requirementId === 'izin-pertama')?.required).toBe(false);
    expect(view.documents.find((d) => d.requirementId === 'ktp')).toMatchObject({
      required: true,
      versions: [],
    });
    expect(view.createdAt.local).toMatch(/\+07:00$/);
    expect(view.events.map((e) => e.type)).toEqual(['created']);
  });

  it('answers 401 token-missing without a token and 403 token-invalid with a wrong one', async () => {
    const draft = await createDraft();
    const missing = await api(`/applications/${draft.id}`);
    const wrong = await api(`/applications/${draft.id}`, { headers: bearer('x'.repeat(43)) });

    expect(missing.status).toBe(401);
    expect(problemSchema.parse(await missing.json()).code).toBe('token-missing');
    expect(wrong.status).toBe(403);
    expect(problemSchema.parse(await wrong.json()).code).toBe('token-invalid');
  });

  it("gives one applicant's token nothing of another's application, exactly as for an id that does not exist", async () => {
    const mine = await createDraft();
    const theirs = await createDraft();
    const other = await api(`/applications/${theirs.id}`, { headers: bearer(mine.token) });
    const none = await api(`/applications/${randomUUID()}`, { headers: bearer(mine.token) });

    expect(other.status).toBe(403);
    expect(none.status).toBe(403);
    const strip = ({ correlationId: _, ...rest }: Record<string, unknown>) => rest;
    expect(strip((await other.json()) as Record<string, unknown>)).toEqual(
      strip((await none.json()) as Record<string, unknown>),
    );
  });
});

describe('GET /track/{trackingCode}', () => {
  it('shows the status publicly, without personal data, however the code is typed', async () => {
    const draft = await createDraft();
    const response = await api(`/track/${draft.trackingCode.toLowerCase().replaceAll('-', '')}`);
    const text = await response.text();
    const body = trackResponse.parse(JSON.parse(text));

    expect(response.status).toBe(200);
    expect(body).toMatchObject({
      trackingCode: draft.trackingCode,
      status: 'draft',
      permit: { code: 'SIKOT' },
    });
    expect(text).not.toContain(draft.email);
    expect(text).not.toContain(draft.id);
    expect(text).not.toContain('Siti');
    expect(text).not.toMatch(/\d{16}/);
  });

  it('answers 404 for an unknown code', async () => {
    const response = await api('/track/BNG-2222-2222');
    expect(response.status).toBe(404);
    expect(problemSchema.parse(await response.json()).code).toBe('tracking-code-not-found');
  });
});
