/**
 * The HTTP API's route table: the single source for API Gateway (infra/) and the local API server
 * (local/). Each route names the Lambda entry file that serves it; several routes may share a function.
 */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** Who may call a route. Enforced by the handler (applicant bearer token, signed official link). */
export type RouteAuth = 'public' | 'applicant' | 'official-link';

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway HTTP API path syntax, e.g. `/applications/{id}`. */
  path: string;
  /** Function id: the entry file is `functions/http/<fn>.ts`, exporting `handler`. */
  fn: string;
  auth: RouteAuth;
  summary: string;
  /**
   * `page`: an HTML page for people (officials' decision links), outside the JSON API's contract and
   * OpenAPI document. Default: `api`.
   */
  kind?: 'api' | 'page';
}

/**
 * Functions group routes by what they may touch (infra/function-access.ts), so that each Lambda holds
 * the least privilege its routes need: reading the catalogue needs nothing, tracking only reads,
 * submitting starts and stops workflows, and so on.
 */
export const routes: readonly RouteDefinition[] = [
  { method: 'GET', path: '/health', fn: 'health', auth: 'public', summary: 'Liveness of the API' },
  { method: 'GET', path: '/openapi.json', fn: 'openapi', auth: 'public', summary: 'OpenAPI 3.1 document' },
  { method: 'GET', path: '/permits', fn: 'permits', auth: 'public', summary: 'Permit types and their SOPs' },
  {
    method: 'POST',
    path: '/applications',
    fn: 'create-application',
    auth: 'public',
    summary: 'Create a draft application',
  },
  {
    method: 'POST',
    path: '/applications/recover',
    fn: 'create-application',
    auth: 'public',
    summary: 'Mail a new access token to the applicant',
  },
  {
    method: 'GET',
    path: '/applications/{id}',
    fn: 'application',
    auth: 'applicant',
    summary: 'Read an application',
  },
  {
    method: 'GET',
    path: '/track/{trackingCode}',
    fn: 'application',
    auth: 'public',
    summary: 'Public status by tracking code',
  },
  {
    method: 'POST',
    path: '/applications/{id}/documents/{requirementId}',
    fn: 'documents',
    auth: 'applicant',
    summary: 'Get a presigned upload for a requirement',
  },
  {
    method: 'POST',
    path: '/applications/{id}/documents/{requirementId}/{uploadId}/confirm',
    fn: 'documents',
    auth: 'applicant',
    summary: 'Check and accept an upload',
  },
  {
    method: 'POST',
    path: '/applications/{id}/submit',
    fn: 'submission',
    auth: 'applicant',
    summary: 'Submit a draft',
  },
  {
    method: 'POST',
    path: '/applications/{id}/resubmit',
    fn: 'submission',
    auth: 'applicant',
    summary: 'Resubmit a returned application',
  },
  {
    method: 'POST',
    path: '/applications/{id}/withdraw',
    fn: 'submission',
    auth: 'applicant',
    summary: 'Withdraw an application',
  },
  {
    method: 'POST',
    path: '/applications/{id}/survey',
    fn: 'survey',
    auth: 'applicant',
    summary: 'Answer the satisfaction survey',
  },
  {
    method: 'GET',
    path: '/applications/{id}/permit',
    fn: 'permit-download',
    auth: 'applicant',
    summary: 'Download the issued permit or rejection letter',
  },
  { method: 'POST', path: '/complaints', fn: 'complaints', auth: 'public', summary: 'File a complaint' },
  // An official's decision link: GET and HEAD show the page and change nothing; only POST decides.
  ...(['GET', 'HEAD', 'POST'] as const).map(
    (method): RouteDefinition => ({
      method,
      path: '/o/{token}',
      fn: 'official-links',
      auth: 'official-link',
      summary: method === 'POST' ? "Record an official's decision" : "An official's decision page",
      kind: 'page',
    }),
  ),
  {
    method: 'GET',
    path: '/o/{token}/documents/{document}',
    fn: 'official-links',
    auth: 'official-link',
    summary: 'Open a document of the application (the view is recorded)',
    kind: 'page',
  },
  {
    method: 'GET',
    path: '/verify/{ref+}',
    fn: 'verify',
    auth: 'public',
    summary: 'Verify a permit by id or number (HTML or JSON)',
  },
  {
    method: 'POST',
    path: '/verify',
    fn: 'verify',
    auth: 'public',
    summary: 'Is this PDF an issued document?',
  },
  {
    method: 'GET',
    path: '/.well-known/jwks.json',
    fn: 'verify',
    auth: 'public',
    summary: "The office's public signing keys (JWKS)",
  },
];

/** The JSON API's routes: those the contract (contract.ts) and the OpenAPI document describe. */
export const apiRoutes = (): RouteDefinition[] => routes.filter((r) => r.kind !== 'page');

/** Entry file of an HTTP function, relative to the repository root. */
export const httpFunctionEntry = (fn: string): string => `functions/http/${fn}.ts`;

/** The distinct HTTP functions, in route-table order. */
export const httpFunctions = (): string[] => [...new Set(routes.map((r) => r.fn))];
