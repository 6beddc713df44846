/**
 * The HTTP API's route table: the single source for API Gateway (infra/) and the local API server
 * (local/). Each route names the Lambda entry file that serves it; several routes may share a function.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

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
}

export const routes: readonly RouteDefinition[] = [
  { method: 'GET', path: '/health', fn: 'health', auth: 'public', summary: 'Liveness of the API' },
];

/** Entry file of an HTTP function, relative to the repository root. */
export const httpFunctionEntry = (fn: string): string => `functions/http/${fn}.ts`;

/** The distinct HTTP functions, in route-table order. */
export const httpFunctions = (): string[] => [...new Set(routes.map((r) => r.fn))];
