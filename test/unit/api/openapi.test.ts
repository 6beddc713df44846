import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { operations } from '#api/contract.ts';
import { openApiDocument } from '#api/openapi.ts';
import { apiRoutes, httpFunctionEntry, httpFunctions, routes } from '#api/routes.ts';
import { loadRegency } from '#config/load.ts';
import { httpFunctionAccess } from '../../../infra/function-access.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');
const regency = loadRegency('kota-bengkulu').regency;
const doc = openApiDocument(regency, 'https://izin.example') as {
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  servers: Array<{ url: string }>;
};

function refs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refs(n, found);
  else if (node !== null && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') found.push(v);
      else refs(v, found);
    }
  return found;
}

describe('route table and contract', () => {
  it('name exactly the same routes', () => {
    expect(
      apiRoutes()
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    ).toEqual(Object.keys(operations).sort());
  });

  it('keep the HTML pages (officials’ links) out of the JSON contract', () => {
    const pages = routes.filter((r) => r.kind === 'page');
    expect(pages.map((r) => `${r.method} ${r.path}`)).toContain('POST /o/{token}');
    expect(apiRoutes()).toHaveLength(routes.length - pages.length);
  });

  it('give every function an entry file and a declared access', () => {
    for (const fn of httpFunctions()) {
      expect(existsSync(join(REPO, httpFunctionEntry(fn))), fn).toBe(true);
      expect(httpFunctionAccess[fn], fn).toBeDefined();
    }
  });

  it('keep operation ids unique', () => {
    const ids = Object.values(operations).map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('openApiDocument', () => {
  it('is OpenAPI 3.1 with the server and the bearer scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: 'https://izin.example' }]);
    expect(doc.components.securitySchemes.applicantToken).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents every route with its method, and secures exactly the applicant routes', () => {
    for (const route of apiRoutes()) {
      const op = doc.paths[route.path.replace('+}', '}')]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op?.security !== undefined, `${route.method} ${route.path}`).toBe(route.auth === 'applicant');
    }
  });

  it('resolves every $ref to a component', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(10);
    for (const ref of all) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.replace('#/components/schemas/', '')], ref).toBeDefined();
    }
  });

  it('generates the creation body from the zod schema: strict, with the NIK and consent', () => {
    const op = doc.paths['/applications']?.post as {
      requestBody: { required: boolean; content: Record<string, { schema: { $ref: string } }> };
      parameters: Array<{ name: string; in: string; required: boolean }>;
    };
    expect(op.requestBody.required).toBe(true);
    const ref = op.requestBody.content['application/json']?.schema.$ref ?? '';
    const schema = doc.components.schemas[ref.split('/').at(-1) ?? ''] as {
      additionalProperties: boolean;
      required: string[];
      properties: {
        applicant: { properties: { nik: { description: string } }; additionalProperties: boolean };
      };
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(
      expect.arrayContaining(['permitCode', 'applicant', 'answers', 'personalDataConsent']),
    );
    expect(schema.properties.applicant.additionalProperties).toBe(false);
    expect(schema.properties.applicant.properties.nik.description).toContain('16');
    expect(op.parameters).toEqual([
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
    ]);
  });

  it('lists the problem codes of each route, problem+json, including the token errors', () => {
    const op = doc.paths['/applications/{id}/submit']?.post as {
      responses: Record<string, { description: string; content: Record<string, unknown> }>;
    };
    expect(Object.keys(op.responses).sort()).toEqual([
      '202',
      '400',
      '401',
      '403',
      '409',
      '413',
      '415',
      '422',
      '500',
    ]);
    expect(op.responses['422']?.description).toContain('documents-incomplete');
    expect(op.responses['401']?.content).toHaveProperty(['application/problem+json']);
  });

  it('can be generated for every configured regency', () => {
    for (const id of ['kota-pekanbaru', 'kabupaten-pasuruan', 'contoh'])
      expect(() => openApiDocument(loadRegency(id).regency)).not.toThrow();
  });
});
