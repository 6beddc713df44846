/** Permit numbers on DynamoDB Local: gap-free and never reused, under concurrency. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '#core/domain/application.ts';
import { numberPermit } from '#core/use-cases/issuance.ts';
import { buildContainer, type Container } from '#runtime/container.ts';
import { parseEnv } from '#runtime/env.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/env.ts';
import { stackEndpoints, uniqueId } from '../harness/index.ts';

let ports: Container;
beforeAll(() => {
  const endpoints = stackEndpoints();
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb.url,
  });
  const env = parseEnv({
    TABLE_NAME: endpoints.dynamodb.tableName,
    REGENCY_ID: 'kota-bengkulu',
    SATUPINTU_LOCAL: '1',
  });
  // A regency of its own id, so that this test's sequence starts at 1 whatever else the table holds.
  const base = buildContainer(env);
  ports = buildContainer(env, { regency: { ...base.regency, id: uniqueId('numbering') } });
});
afterAll(() => ports?.clients.dynamo().destroy());

async function inProgress(): Promise<Application> {
  const id = uniqueId('app');
  const app: Application = {
    id,
    regencyId: ports.regency.id,
    permitCode: 'SIKOT',
    trackingCode: id.slice(4, 14).toUpperCase(),
    status: 'in-progress',
    applicantEmail: `${id}@example.test`,
    applicantName: 'Pemohon Uji',
    createdAt: '2026-03-17T03:00:00.000Z',
    visits: 0,
    version: 1,
  };
  await ports.applications.create(app);
  return app;
}

describe('numberPermit', () => {
  it('gives 100 parallel issuances 100 distinct consecutive numbers, and a retry its own number', async () => {
    const apps = await Promise.all(Array.from({ length: 100 }, inProgress));
    const at = new Date('2026-03-17T03:00:00.000Z');
    const numbers = await Promise.all(apps.map((app) => numberPermit(ports, app.id, at)));
    const sequence = numbers.map((n) => Number(/\/(\d{4})\//.exec(n)?.[1])).sort((a, b) => a - b);
    expect(sequence).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const first = apps[0] as Application;
    expect(await numberPermit(ports, first.id, at)).toBe(numbers[0]);
    // 100 contenders on one counter: about 5,000 conditional transactions one after another on
    // DynamoDB Local, so this takes tens of seconds on a busy 2-core machine (a contention test, not
    // a timing one).
  }, 240_000);

  it('creates one permit record per number, reachable by its number, and each application holds its own', async () => {
    const apps = await Promise.all(Array.from({ length: 20 }, inProgress));
    const at = new Date('2026-03-17T03:00:00.000Z');
    const numbers = await Promise.all(apps.map((app) => numberPermit(ports, app.id, at)));
    for (const [i, app] of apps.entries()) {
      const stored = await ports.applications.get(app.id);
      const permit = await ports.permits.byNumber(numbers[i] as string);
      expect(permit).toMatchObject({ id: stored?.permitId, applicationId: app.id, status: 'numbered' });
      expect(await ports.permits.get(stored?.permitId as string)).toEqual(permit);
    }
  });
});
