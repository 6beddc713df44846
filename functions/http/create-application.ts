/** POST /applications: a new draft, its tracking code and the applicant's access token (shown once). */
import { permitOfApplication } from '#shared/domain/api-ports.ts';
import { createDraft } from '#shared/domain/drafts.ts';
import { localTime } from '#shared/domain/local-time.ts';
import { requiredRequirements } from '#shared/domain/requirements.ts';
import { endpoint, json } from '#shared/http/endpoint.ts';
import { apiPorts } from '#shared/http/ports.ts';

export const handler = endpoint('POST /applications', async ({ body, headers }) => {
  const ports = apiPorts();
  const {
    application: app,
    accessToken,
    replayed,
  } = await createDraft(ports, body, headers['idempotency-key']);
  const permit = permitOfApplication(ports.regency, app);
  return json(
    201,
    {
      id: app.id,
      trackingCode: app.trackingCode,
      status: app.status,
      permit: { code: permit.code, name: permit.name },
      accessToken,
      createdAt: localTime(app.createdAt, ports.regency.timeZone, ports.calendar),
      requirements: requiredRequirements(permit, app.answers ?? {}).map((r) => ({
        id: r.id,
        label: r.label,
        mediaTypes: r.mediaTypes,
        maxSizeMb: r.maxSizeMb,
      })),
    },
    { location: `/applications/${app.id}`, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) },
  );
});
