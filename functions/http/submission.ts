/** Submit, resubmit after a return, withdraw: the routes that start, continue and stop a workflow. */
import type { Application } from '#shared/domain/application.ts';
import { localTime } from '#shared/domain/local-time.ts';
import { STATUS_LABELS } from '#shared/domain/status-labels.ts';
import { resubmit, submit, withdraw } from '#shared/domain/submission.ts';
import { dispatch, endpoint, json } from '#shared/http/endpoint.ts';
import { apiPorts } from '#shared/http/ports.ts';

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
