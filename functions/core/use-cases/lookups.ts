/** Finding what a use case acts on: the permit of an application, a stage of a permit, an application. */
import type { Permit, Regency, Stage } from '#config/regency-schema.ts';
import type { Application } from '../domain/application.ts';
import { notFound } from '../domain/request-errors.ts';
import type { Ports } from '../ports.ts';

export function permitOf(regency: Regency, code: string): Permit | undefined {
  return regency.permits.find((p) => p.code === code);
}

/** The application's permit; a configuration that lost a permit type is our fault, not the caller's. */
export function permitOfApplication(
  regency: Regency,
  app: Pick<Application, 'permitCode'>,
  missing: (message: string) => Error = (message) => new Error(message),
): Permit {
  const permit = permitOf(regency, app.permitCode);
  if (permit === undefined) throw missing(`permit ${app.permitCode} is not configured`);
  return permit;
}

export function stageOf(permit: Permit, stageId: string, missing: (message: string) => Error): Stage {
  const stage = permit.stages.find((s) => s.id === stageId);
  if (stage === undefined) throw missing(`stage ${stageId} is not in ${permit.code}`);
  return stage;
}

/** An application that must exist; by default its absence is a 404 for the caller. */
export async function loadApplication(
  ports: Pick<Ports, 'applications'>,
  id: string,
  missing: () => Error = () => notFound('application-not-found', 'Permohonan tidak ditemukan.'),
): Promise<Application> {
  const app = await ports.applications.get(id);
  if (app === undefined) throw missing();
  return app;
}
