/** What `npm start` prints once the stack is ready: where everything is, and a first thing to try. */
import { relative } from 'node:path';
import type { RouteDefinition } from '#api/routes.ts';
import type { StackEndpoints } from './stack.ts';

/** The first request to suggest: the permit list once the API has it, the health check until then. */
export function firstCurl(apiUrl: string, routes: readonly RouteDefinition[]): string {
  const has = (path: string): boolean => routes.some((r) => r.method === 'GET' && r.path === path);
  const path = has('/permits') ? '/permits' : '/health';
  return `curl -s ${apiUrl}${path}`;
}

export function renderBanner(
  endpoints: StackEndpoints,
  routes: readonly RouteDefinition[],
  options: { cwd: string; nodeVersion: string },
): string {
  const show = (dir: string | null): string => {
    if (dir === null) return 'in memory';
    const rel = relative(options.cwd, dir);
    return rel === '' || rel.startsWith('..') ? dir : rel;
  };
  const openapiServed = routes.some((r) => r.method === 'GET' && r.path === '/openapi.json');
  const row = (name: string, url: string, rest: string): string =>
    `  ${name.padEnd(16)}${url.padEnd(24)}${rest}`;
  const lines = [
    '',
    `satupintu local stack: regency ${endpoints.regency}, ready in ${(endpoints.startupMs / 1000).toFixed(1)} s`,
    '',
    row('HTTP API', endpoints.api.url, ''),
    row(
      '  OpenAPI',
      '',
      openapiServed
        ? endpoints.api.openapiUrl
        : `${endpoints.api.openapiUrl} (not served yet: no GET /openapi.json in functions/api/routes.ts)`,
    ),
    row(
      'Mailbox',
      endpoints.mailbox.url,
      "the officials' and applicants' e-mail is here (kept in the data directory)",
    ),
    row(
      'DynamoDB Local',
      endpoints.dynamodb.url,
      `data: ${show(endpoints.dynamodb.dataDir)}, table ${endpoints.dynamodb.tableName}`,
    ),
    row(
      'S3 (s3rver)',
      endpoints.s3.url,
      `data: ${show(endpoints.s3.dataDir)}, bucket ${endpoints.s3.bucket}`,
    ),
    endpoints.sfn === null
      ? row('Step Functions', '-', 'not running')
      : row('Step Functions', endpoints.sfn.url, `data: ${show(endpoints.sfn.dataDir)}`),
    ...(endpoints.sfn === null
      ? []
      : [
          row(
            '  clock',
            '',
            `curl -s -X POST ${endpoints.sfn.clockUrl} -d '{"advanceSeconds":86400}'  (fast-forwards workflow time)`,
          ),
        ]),
    '',
    `  Try:            ${firstCurl(endpoints.api.url, routes)}`,
    `  For tools:      ${show(`${endpoints.dataDir}/endpoints.json`)} (URLs, data directories, environment)`,
  ];
  const notes = [...endpoints.notes];
  const major = Number(/^v(\d+)/.exec(options.nodeVersion)?.[1] ?? '0');
  if (major < 22) {
    notes.push(
      `Node ${options.nodeVersion}: the AWS SDK requires Node 22 for releases after January 2027 (Lambda runs nodejs22.x)`,
    );
  }
  if (notes.length > 0) lines.push('', '  Notes:', ...notes.map((n) => `    - ${n}`));
  lines.push('', '  Ctrl-C stops everything. Data is kept for the next start; --fresh starts empty.', '');
  return lines.join('\n');
}
