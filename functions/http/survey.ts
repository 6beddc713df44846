/** POST /applications/{id}/survey: the satisfaction survey (SKM), once per finished application. */

import { endpoint, json } from '#api/endpoint.ts';
import { loadApplication } from '#core/ports.ts';
import { answerSurvey } from '#core/use-cases/after-decision.ts';
import { apiPorts } from '#runtime/api-container.ts';

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
