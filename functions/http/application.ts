/**
 * GET /applications/{id} (the applicant's full view) and GET /track/{trackingCode} (the public,
 * minimal status). Read-only.
 */

import { dispatch, endpoint, json } from '#api/endpoint.ts';
import { applicationView, trackView } from '#core/domain/application-view.ts';
import { notFound } from '#core/domain/request-errors.ts';
import { normaliseTrackingCode } from '#core/domain/tracking-code.ts';
import { loadApplication, permitOfApplication } from '#core/use-cases/lookups.ts';
import { container } from '#runtime/container.ts';

const readApplication = endpoint('GET /applications/{id}', async ({ params }) => {
  const ports = container();
  const app = await loadApplication(ports, params.id);
  const [applicant, visits, audit, versions, survey] = await Promise.all([
    ports.applications.applicant(app.id),
    ports.stages.listVisits(app.id),
    ports.audit.list(app.id),
    ports.documents.listVersions(app.id),
    ports.surveys.get(app.id),
  ]);
  if (applicant === undefined) throw new Error(`application ${app.id} has no applicant record`);
  const view = applicationView(
    { regency: ports.regency, calendar: ports.calendar, permit: permitOfApplication(ports.regency, app) },
    { app, applicant: applicant.applicant, visits, audit, versions, surveyAnswered: survey !== undefined },
  );
  return json(200, view);
});

const notTracked = () => notFound('tracking-code-not-found', 'Nomor lacak tidak ditemukan.');

const track = endpoint('GET /track/{trackingCode}', async ({ params }) => {
  const ports = container();
  const code = normaliseTrackingCode(params.trackingCode);
  if (code === undefined) throw notTracked();
  const id = await ports.applications.idForTrackingCode(code);
  const app = id === undefined ? undefined : await ports.applications.get(id);
  if (app === undefined) throw notTracked();
  return json(
    200,
    trackView(
      { regency: ports.regency, calendar: ports.calendar, permit: permitOfApplication(ports.regency, app) },
      app,
    ),
  );
});

export const handler = dispatch({
  'GET /applications/{id}': readApplication,
  'GET /track/{trackingCode}': track,
});
