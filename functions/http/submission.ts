/** Submit, resubmit after a return, withdraw: the routes that start, continue and stop a workflow. */

import { dispatch, endpoint, json } from '#api/endpoint.ts';
import type { Application } from '#core/domain/application.ts';
import { localTime } from '#core/domain/local-time.ts';
import { STATUS_LABELS } from '#core/domain/status-labels.ts';
import { resubmit, submit, withdraw } from '#core/use-cases/submission.ts';
import { apiPorts } from '#runtime/api-container.ts';

const accessHashes = () => {
  const { store } = apiPorts();
  return (id: string) => store.getAccessHash(id);
};

const submissionBody = (app: Application, alreadySubmitted: boolean) => {
  const { regency, calendar } = apiPorts();
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

const submitRoute = endpoint(
  'POST /applications/{id}/submit',
  async ({ params }) => {
    const { application, alreadySubmitted } = await submit(apiPorts(), params.id);
    return json(202, submissionBody(application, alreadySubmitted), {
      location: `/applications/${application.id}`,
    });
  },
  { accessHashes },
);

const resubmitRoute = endpoint(
  'POST /applications/{id}/resubmit',
  async ({ params }) => {
    const application = await resubmit(apiPorts(), params.id);
    return json(202, submissionBody(application, false), { location: `/applications/${application.id}` });
  },
  { accessHashes },
);

const withdrawRoute = endpoint(
  'POST /applications/{id}/withdraw',
  async ({ params, body }) => {
    const ports = apiPorts();
    const app = await withdraw(ports, params.id, body?.reason);
    return json(200, {
      id: app.id,
      trackingCode: app.trackingCode,
      status: app.status,
      statusLabel: STATUS_LABELS[app.status],
      at: localTime(app.withdrawnAt ?? ports.now(), ports.regency.timeZone, ports.calendar),
    });
  },
  { accessHashes },
);

export const handler = dispatch({
  'POST /applications/{id}/submit': submitRoute,
  'POST /applications/{id}/resubmit': resubmitRoute,
  'POST /applications/{id}/withdraw': withdrawRoute,
});
