/**
 * The OpenAPI 3.1 document, generated from the route table and the contract: schemas come from the
 * same zod objects the handlers validate with (`z.toJSONSchema`, JSON Schema 2020-12, which OpenAPI
 * 3.1 uses as is). Named schemas (`.meta({ id })`) become `components.schemas`.
 */
import { z } from 'zod';
import type { Regency } from '#config/regency-schema.ts';
import { commonProblems, type OperationContract, operations, type RouteKey } from './contract.ts';
import { MAX_BODY_BYTES } from './endpoint.ts';
import { PROBLEM_CONTENT_TYPE } from './problem.ts';
import { apiRoutes } from './routes.ts';
import { problemSchema } from './schemas.ts';

type Json = Record<string, unknown>;

class SchemaCollector {
  readonly components: Record<string, Json> = {};

  /** A zod schema as JSON Schema, its named parts moved to components. */
  convert(schema: z.ZodType, io: 'input' | 'output'): Json {
    const {
      $schema: _,
      $defs,
      ...rest
    } = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
    }) as Json & { $defs?: Record<string, Json> };
    for (const [name, def] of Object.entries($defs ?? {})) {
      const rewritten = rewriteRefs(def) as Json;
      const existing = this.components[name];
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(rewritten))
        throw new Error(`schema ${name} differs between its uses (${io}): give the variants different ids`);
      this.components[name] = rewritten;
    }
    return rewriteRefs(rest) as Json;
  }
}

function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node as Json).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : rewriteRefs(v),
    ]),
  );
}

const accepts = (schema: z.ZodType, value: unknown): boolean => schema.safeParse(value).success;

function operation(
  collector: SchemaCollector,
  key: RouteKey,
  contract: OperationContract,
  summary: string,
  applicant: boolean,
): Json {
  const parameters: Json[] = [];
  for (const [name, schema] of Object.entries(contract.params?.shape ?? {}) as Array<[string, z.ZodType]>) {
    const { description, ...json } = collector.convert(schema, 'input');
    parameters.push({
      name,
      in: 'path',
      required: true,
      ...(description === undefined ? {} : { description }),
      schema: json,
    });
  }
  for (const [name, schema] of Object.entries(contract.headers?.shape ?? {}) as Array<[string, z.ZodType]>) {
    const { description, ...json } = collector.convert(schema, 'input');
    parameters.push({
      name: name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => `${dash}${c.toUpperCase()}`),
      in: 'header',
      required: !accepts(schema, undefined),
      ...(description === undefined ? {} : { description }),
      schema: json,
    });
  }
  const problems = [...commonProblems(contract.body !== undefined, applicant), ...contract.problems];
  const byStatus = new Map<number, string[]>();
  for (const [status, code] of problems) byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  const responses: Json = {
    [String(contract.success.status)]: {
      description: contract.success.description,
      content: { 'application/json': { schema: collector.convert(contract.success.schema, 'output') } },
    },
  };
  for (const [status, codes] of [...byStatus.entries()].sort(([a], [b]) => a - b))
    responses[String(status)] = {
      description: `Problem; code: ${[...new Set(codes)].join(', ')}`,
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  return {
    operationId: contract.operationId,
    summary,
    description: contract.description,
    ...(applicant ? { security: [{ applicantToken: [] }] } : {}),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(contract.body === undefined
      ? {}
      : {
          requestBody: {
            required: !accepts(contract.body, undefined),
            content: { 'application/json': { schema: collector.convert(contract.body, 'input') } },
          },
        }),
    responses,
    'x-route-key': key,
  };
}

export function openApiDocument(regency: Regency, serverUrl?: string): Json {
  const collector = new SchemaCollector();
  collector.convert(problemSchema, 'output');
  const paths: Record<string, Json> = {};
  for (const route of apiRoutes()) {
    const key = `${route.method} ${route.path}` as RouteKey;
    const contract: OperationContract | undefined = operations[key];
    if (contract === undefined) throw new Error(`route ${key} has no contract in functions/api/contract.ts`);
    // A greedy parameter (`{ref+}`, API Gateway syntax) is a plain path parameter in OpenAPI.
    const path = route.path.replace(/\{([^}]+)\+\}/g, '{$1}');
    paths[path] = {
      ...paths[path],
      [route.method.toLowerCase()]: operation(
        collector,
        key,
        contract,
        route.summary,
        route.auth === 'applicant',
      ),
    };
  }
  const permits = regency.permits.map((p) => `${p.code} (${p.name})`).join(', ');
  return {
    openapi: '3.1.0',
    info: {
      title: `Satupintu permit API: ${regency.name}`,
      version: '1',
      description: [
        `Applicant API of ${regency.office.name}. Permit types: ${permits}.`,
        '',
        'Flow: GET /permits; POST /applications (keep the accessToken, it is shown once); for each required document POST /applications/{id}/documents/{requirementId}, PUT the file to the returned URL with the returned Content-Type, then POST .../{uploadId}/confirm; POST /applications/{id}/submit; follow with GET /applications/{id} or the public GET /track/{trackingCode}.',
        '',
        'Applicant routes need `Authorization: Bearer <accessToken>`: a missing token is 401 token-missing, a wrong one (or an id that is not yours) 403 token-invalid.',
        `Errors are application/problem+json (RFC 9457) with a machine \`code\`, an Indonesian \`detail\`, per-field \`errors\` and a \`correlationId\`. Request bodies are JSON of at most ${MAX_BODY_BYTES / 1024} KiB; unknown fields are rejected (400, code unknown-field) rather than ignored.`,
        'Times are given in UTC and in the office’s local time with its zone.',
      ].join('\n'),
    },
    ...(serverUrl === undefined ? {} : { servers: [{ url: serverUrl }] }),
    paths,
    components: {
      schemas: collector.components,
      securitySchemes: {
        applicantToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The accessToken returned once by POST /applications.',
        },
      },
    },
  };
}
