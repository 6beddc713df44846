/** Submit, resubmit after a return, withdraw: the routes that start, continue and stop a workflow. */

import { dispatch, endpoint, json } from '#api/endpoint.ts';
import type { Application } from '#core/domain/application.ts';
import { localTime } from '#core/domain/local-time.ts';
import { STATUS_LABELS } from '#core/domain/status-labels.ts';
import { resubmit, submit, withdraw } from '#core/use-cases/submission.ts';
import { container } from '#runtime/container.ts';

const submissionBody = (app: Application, alreadySubmitted: boolean) => {
  const { regency, calendar } = container();
  return {
    id: app.id,
    trackingCode: app.trackingCode,
    status: app.status,
    statusLabel: STATUS_LABELS[app.status],
    ...(app.submittedAt === undefined
      ? {}
      : { submittedAt: localTime(app.submittedAt, regency.timeZone, calendar) }),
    alreadySubmitted,
  };
};

const submitRoute = endpoint('POST /applications/{id}/submit', async ({ params }) => {
  const { application, alreadySubmitted } = await submit(container(), params.id);
  return json(202, submissionBody(application, alreadySubmitted), {
    location: `/applications/${application.id}`,
  });
});

const resubmitRoute = endpoint('POST /applications/{id}/resubmit', async ({ params }) => {
  const application = await resubmit(container(), params.id);
  return json(202, submissionBody(application, false), { location: `/applications/${application.id}` });
});

const withdrawRoute = endpoint('POST /applications/{id}/withdraw', async ({ params, body }) => {
  const ports = container();
  const app = await withdraw(ports, params.id, body?.reason);
  return json(200, {
    id: app.id,
    trackingCode: app.trackingCode,
    status: app.status,
    statusLabel: STATUS_LABELS[app.status],
    at: localTime(app.withdrawnAt ?? ports.now(), ports.regency.timeZone, ports.calendar),
  });
});

export const handler = dispatch({
  'POST /applications/{id}/submit': submitRoute,
  'POST /applications/{id}/resubmit': resubmitRoute,
  'POST /applications/{id}/withdraw': withdrawRoute,
});
