/**
 * GET /applications/{id} (the applicant's full view) and GET /track/{trackingCode} (the public,
 * minimal status). Read-only.
 */

import { dispatch, endpoint, json } from '#api/endpoint.ts';
import { applicationView, trackView } from '#core/domain/application-view.ts';
import { notFound } from '#core/domain/request-errors.ts';
import { normaliseTrackingCode } from '#core/domain/tracking-code.ts';
import { loadApplication, permitOfApplication } from '#core/ports.ts';
import { apiPorts } from '#runtime/api-container.ts';

const accessHashes = () => {
  const { store } = apiPorts();
  return (id: string) => store.getAccessHash(id);
};

const readApplication = endpoint(
  'GET /applications/{id}',
  async ({ params }) => {
    const ports = apiPorts();
    const app = await loadApplication(ports, params.id);
    const [applicant, visits, audit, versions, survey] = await Promise.all([
      ports.store.getApplicant(app.id),
      ports.applications.listVisits(app.id),
      ports.applications.listAudit(app.id),
      ports.store.listDocumentVersions(app.id),
      ports.store.getSurvey(app.id),
    ]);
    if (applicant === undefined) throw new Error(`application ${app.id} has no applicant record`);
    const view = applicationView(
      { regency: ports.regency, calendar: ports.calendar, permit: permitOfApplication(ports.regency, app) },
      { app, applicant: applicant.applicant, visits, audit, versions, surveyAnswered: survey !== undefined },
    );
    return json(200, view);
  },
  { accessHashes },
);

const notTracked = () => notFound('tracking-code-not-found', 'Nomor lacak tidak ditemukan.');

const track = endpoint('GET /track/{trackingCode}', async ({ params }) => {
  const ports = apiPorts();
  const code = normaliseTrackingCode(params.trackingCode);
  if (code === undefined) throw notTracked();
  const id = await ports.store.applicationIdForTrackingCode(code);
  const app = id === undefined ? undefined : await ports.applications.getApplication(id);
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
