/** POST /applications/{id}/survey: the satisfaction survey (SKM), once per finished application. */
import { answerSurvey } from '#shared/domain/after-decision.ts';
import { loadApplication } from '#shared/domain/api-ports.ts';
import { endpoint, json } from '#shared/http/endpoint.ts';
import { apiPorts } from '#shared/http/ports.ts';

export const handler = endpoint(
  'POST /applications/{id}/survey',
  async ({ params, body }) => {
    const ports = apiPorts();
    const app = await loadApplication(ports, params.id);
    return json(201, await answerSurvey(ports, app, body));
  },
  {
    accessHashes: () => {
      const { store } = apiPorts();
      return (id: string) => store.getAccessHash(id);
    },
  },
);
