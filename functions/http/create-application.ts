/**
 * POST /applications: a new draft, its tracking code and the applicant's access token (shown once);
 * POST /applications/recover: a new token mailed to the applicant who lost theirs.
 */

import { dispatch, endpoint, json } from '#api/endpoint.ts';
import { localTime } from '#core/domain/local-time.ts';
import { requiredRequirements } from '#core/domain/requirements.ts';
import { RECOVERY_ANSWER, recoverAccess } from '#core/use-cases/access-recovery.ts';
import { createDraft } from '#core/use-cases/drafts.ts';
import { permitOfApplication } from '#core/use-cases/lookups.ts';
import { container } from '#runtime/container.ts';

const createRoute = endpoint('POST /applications', async ({ body, headers }) => {
  const ports = container();
  const { application: app, accessToken } = await createDraft(ports, body, headers['idempotency-key']);
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
    { location: `/applications/${app.id}` },
  );
});

const recoverRoute = endpoint('POST /applications/recover', async ({ body, event }) => {
  const sourceIp = event.requestContext?.http?.sourceIp;
  await recoverAccess(container(), body, sourceIp === undefined ? {} : { sourceIp });
  return json(202, { status: 'accepted', message: RECOVERY_ANSWER });
});

export const handler = dispatch({
  'POST /applications': createRoute,
  'POST /applications/recover': recoverRoute,
});
