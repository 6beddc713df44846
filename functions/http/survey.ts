/** POST /applications/{id}/survey: the satisfaction survey (SKM), once per finished application. */

import { endpoint, json } from '#api/endpoint.ts';
import { answerSurvey } from '#core/use-cases/after-decision.ts';
import { loadApplication } from '#core/use-cases/lookups.ts';
import { container } from '#runtime/container.ts';

export const handler = endpoint('POST /applications/{id}/survey', async ({ params, body }) => {
  const ports = container();
  const app = await loadApplication(ports, params.id);
  return json(201, await answerSurvey(ports, app, body));
});
