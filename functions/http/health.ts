import middy from '@middy/core';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';

/** Liveness probe: answers without touching any dependency, so it measures the API itself. */
export const handler = middy().handler(
  async (): Promise<APIGatewayProxyResultV2> => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'ok' }),
  }),
);
