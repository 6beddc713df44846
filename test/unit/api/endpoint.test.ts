import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { dispatch, endpoint, json, MAX_BODY_BYTES } from '#api/endpoint.ts';
import { hashAccessToken } from '#core/domain/access-token.ts';
import { conflict, RequestError, tooManyRequests } from '#core/domain/request-errors.ts';

const ID = '3f2b8c1e-9d4a-4b7e-8a1c-2d3e4f5a6b7c';
const OTHER_ID = '4f2b8c1e-9d4a-4b7e-8a1c-2d3e4f5a6b7c';
const TOKEN = 'correct-token';
const hashes = new Map([
  [ID, hashAccessToken(TOKEN)],
  [OTHER_ID, hashAccessToken('other-token')],
]);
const accessHashes = () => async (id: string) => hashes.get(id);

const scores = {
  requirements: 4,
  procedure: 4,
  completionTime: 3,
  cost: 4,
  product: 4,
  staffCompetence: 4,
  staffBehaviour: 4,
  complaintHandling: 3,
  facilities: 4,
};

function event(options: {
  routeKey?: string;
  id?: string;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: options.routeKey ?? 'POST /applications/{id}/survey',
    rawPath: `/applications/${options.id ?? ID}/survey`,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...options.headers },
    pathParameters: { id: options.id ?? ID },
    requestContext: { requestId: 'req-123' } as APIGatewayProxyEventV2['requestContext'],
    isBase64Encoded: options.isBase64Encoded ?? false,
    ...(options.body === undefined ? {} : { body: options.body }),
  };
}
const context = { awsRequestId: 'lambda-1' } as Context;
const authorized = { authorization: `Bearer ${TOKEN}` };

function surveyEndpoint(impl = vi.fn(async () => json(201, { ok: true }))) {
  return { impl, handler: endpoint('POST /applications/{id}/survey', impl, { accessHashes }) };
}

const problemOf = (result: { body?: string }) => JSON.parse(result.body ?? '{}') as Record<string, unknown>;

describe('endpoint', () => {
  it('hands the validated body and path to the domain and answers JSON with the correlation id', async () => {
    const { impl, handler } = surveyEndpoint();
    const result = await handler(event({ headers: authorized, body: JSON.stringify({ scores }) }), context);

    expect(result.statusCode).toBe(201);
    expect(result.headers?.['content-type']).toBe('application/json');
    expect(result.headers?.['x-correlation-id']).toBe('req-123');
    expect(impl).toHaveBeenCalledWith(expect.objectContaining({ params: { id: ID }, body: { scores } }));
  });

  it('answers 401 token-missing without a token, with a Bearer challenge', async () => {
    const { impl, handler } = surveyEndpoint();
    const result = await handler(event({ body: JSON.stringify({ scores }) }), context);

    expect(result.statusCode).toBe(401);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(result.headers?.['www-authenticate']).toBe('Bearer');
    expect(problemOf(result)).toMatchObject({ status: 401, code: 'token-missing', correlationId: 'req-123' });
    expect(impl).not.toHaveBeenCalled();
  });

  it("answers the same 403 for a wrong token, another applicant's id and an id that does not exist", async () => {
    const { impl, handler } = surveyEndpoint();
    const body = JSON.stringify({ scores });
    const wrong = await handler(event({ headers: { authorization: 'Bearer nope' }, body }), context);
    const others = await handler(event({ id: OTHER_ID, headers: authorized, body }), context);
    const missing = await handler(
      event({ id: '5f2b8c1e-9d4a-4b7e-8a1c-2d3e4f5a6b7c', headers: authorized, body }),
      context,
    );
    const malformed = await handler(event({ id: '..%2fAPP', headers: authorized, body }), context);

    for (const result of [wrong, others, missing, malformed]) {
      expect(result.statusCode).toBe(403);
      expect(result.body).toBe(wrong.body);
    }
    expect(problemOf(wrong)).toMatchObject({ code: 'token-invalid' });
    expect(impl).not.toHaveBeenCalled();
  });

  it('refuses a body over 64 KiB with 413 before looking at the token', async () => {
    const { handler } = surveyEndpoint();
    const result = await handler(event({ body: `"${'x'.repeat(MAX_BODY_BYTES)}"` }), context);
    expect(result.statusCode).toBe(413);
    expect(problemOf(result)).toMatchObject({ code: 'payload-too-large' });
  });

  it('refuses a body that is not JSON with 415', async () => {
    const { handler } = surveyEndpoint();
    const result = await handler(
      event({
        headers: { ...authorized, 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from('a=1').toString('base64'),
        isBase64Encoded: true,
      }),
      context,
    );
    expect(result.statusCode).toBe(415);
  });

  it('answers 400 invalid-json for malformed JSON', async () => {
    const { handler } = surveyEndpoint();
    const result = await handler(event({ headers: authorized, body: '{"scores":' }), context);
    expect(result.statusCode).toBe(400);
    expect(problemOf(result)).toMatchObject({ code: 'invalid-json' });
  });

  it('answers 400 naming every wrong and unknown field', async () => {
    const { impl, handler } = surveyEndpoint();
    const result = await handler(
      event({ headers: authorized, body: JSON.stringify({ scores: { ...scores, cost: 5 }, rating: 1 }) }),
      context,
    );
    expect(result.statusCode).toBe(400);
    expect(problemOf(result)).toMatchObject({
      code: 'validation-failed',
      errors: expect.arrayContaining([
        { field: 'scores.cost', code: 'too-large', message: 'Nilai paling besar 4.' },
        expect.objectContaining({ field: 'rating', code: 'unknown-field' }),
      ]),
    });
    expect(impl).not.toHaveBeenCalled();
  });

  it("maps the domain's request errors to their status", async () => {
    const { handler } = surveyEndpoint(
      vi.fn(async () => {
        throw conflict('survey-already-answered', 'Survei untuk permohonan ini sudah diisi.');
      }),
    );
    const result = await handler(event({ headers: authorized, body: JSON.stringify({ scores }) }), context);
    expect(result.statusCode).toBe(409);
    expect(problemOf(result)).toEqual({
      type: 'about:blank',
      title: 'Tidak dapat dilakukan pada status ini',
      status: 409,
      code: 'survey-already-answered',
      detail: 'Survei untuk permohonan ini sudah diisi.',
      correlationId: 'req-123',
    });
  });

  it('answers a rate limit with 429 and Retry-After in seconds', async () => {
    const { handler } = surveyEndpoint(
      vi.fn(async () => {
        throw tooManyRequests('rate-limited', 'Coba lagi nanti.', 3600);
      }),
    );
    const result = await handler(event({ headers: authorized, body: JSON.stringify({ scores }) }), context);

    expect(result.statusCode).toBe(429);
    expect(result.headers?.['retry-after']).toBe('3600');
    expect(problemOf(result)).toMatchObject({
      status: 429,
      code: 'rate-limited',
      detail: 'Coba lagi nanti.',
    });
  });

  it("adds a problem's extension members without letting them replace its own", async () => {
    const { handler } = surveyEndpoint(
      vi.fn(async () => {
        throw new RequestError('conflict', 'idempotent-replay', 'Sudah dibuat.', [], {
          members: { applicationId: ID, code: 'overridden' },
        });
      }),
    );
    const result = await handler(event({ headers: authorized, body: JSON.stringify({ scores }) }), context);

    expect(problemOf(result)).toMatchObject({ applicationId: ID, code: 'idempotent-replay', status: 409 });
  });

  it('turns anything unexpected into a generic 500 that reveals nothing but the correlation id', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { handler } = surveyEndpoint(
      vi.fn(async () => {
        throw new Error('table satupintu-secret is missing');
      }),
    );
    const result = await handler(event({ headers: authorized, body: JSON.stringify({ scores }) }), context);
    logged.mockRestore();

    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('secret');
    expect(problemOf(result)).toMatchObject({ code: 'internal-error', correlationId: 'req-123' });
  });
});

describe('dispatch', () => {
  it('answers a route key the function does not serve with a 500, not a crash', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const result = await dispatch({})(event({ routeKey: 'GET /elsewhere' }), context);
    logged.mockRestore();
    expect(result.statusCode).toBe(500);
  });
});
