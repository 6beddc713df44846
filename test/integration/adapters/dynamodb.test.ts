/**
 * The DynamoDB adapters against DynamoDB Local: what "one transaction" and "a conditional write"
 * promise, seen on the real emulator (unit tests fake these ports).
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoApplications } from '#adapters/dynamodb/applications.ts';
import { DynamoAuditTrail } from '#adapters/dynamodb/audit.ts';
import { DynamoChanges, DynamoOutbox } from '#adapters/dynamodb/changes.ts';
import { DynamoSequences } from '#adapters/dynamodb/office-records.ts';
import { DynamoRateLimiter } from '#adapters/dynamodb/rate-limits.ts';
import { DynamoStages } from '#adapters/dynamodb/stages.ts';
import { Table } from '#adapters/dynamodb/table.ts';
import type { Application, PendingAction } from '#core/domain/application.ts';
import { rateLimit } from '#core/domain/rate-limit.ts';
import { ConcurrentUpdateError } from '#core/ports.ts';
import { storedApplicationFixture } from '../../fixtures/application.ts';
import { stackClients, stackEndpoints, uniqueId } from '../harness/index.ts';

const clients = stackClients();
afterAll(() => clients.destroy());
const table = new Table(DynamoDBDocumentClient.from(clients.dynamodb), stackEndpoints().dynamodb.tableName);
const applications = new DynamoApplications(table);
const stages = new DynamoStages(table);
const audit = new DynamoAuditTrail(table);
const changes = new DynamoChanges(table);
const outbox = new DynamoOutbox(table);
const sequences = new DynamoSequences(table);
const AT = '2026-03-17T03:00:00.000Z';

async function newApplication(): Promise<Application> {
  const id = uniqueId('app');
  const app = storedApplicationFixture(id, AT);
  expect(await applications.create(app)).toBe(true);
  return app;
}

const action = (app: Application): PendingAction => ({
  id: uniqueId('action'),
  applicationId: app.id,
  kind: 'decision',
  stageId: 'pemeriksaan-kelengkapan',
  visit: 1,
  status: 'open',
  createdAt: AT,
});

describe('DynamoChanges.commit', () => {
  it('writes the state change, its audit record and its mail together', async () => {
    const app = await newApplication();
    await changes.commit(
      {
        application: { ...app, status: 'in-progress', version: 2 },
        audit: [{ applicationId: app.id, at: AT, type: 'execution-started' }],
        mail: [
          { id: `${app.id}:test`, applicationId: app.id, to: ['a@example.test'], subject: 's', text: 't' },
        ],
      },
      AT,
    );
    expect((await applications.get(app.id))?.status).toBe('in-progress');
    expect((await audit.list(app.id)).map((e) => e.type)).toEqual(['execution-started']);
    expect((await outbox.get(`${app.id}:test`))?.status).toBe('pending');
  });

  it('writes nothing at all when the application changed first (ConcurrentUpdateError)', async () => {
    const app = await newApplication();
    await changes.commit({ application: { ...app, status: 'in-progress', version: 2 } }, AT);
    const stale = changes.commit(
      {
        application: { ...app, status: 'withdrawn', version: 2 },
        audit: [{ applicationId: app.id, at: AT, type: 'withdrawn' }],
        mail: [{ id: `${app.id}:stale`, to: ['a@example.test'], subject: 's', text: 't' }],
      },
      AT,
    );
    await expect(stale).rejects.toBeInstanceOf(ConcurrentUpdateError);
    expect((await applications.get(app.id))?.status).toBe('in-progress');
    expect(await audit.list(app.id)).toEqual([]);
    expect(await outbox.get(`${app.id}:stale`)).toBeUndefined();
  });

  it('refuses to create a pending action twice, or to write against an application version that moved on', async () => {
    const app = await newApplication();
    const open = action(app);
    await changes.commit({ createActions: [open] }, AT);
    await expect(changes.commit({ createActions: [open] }, AT)).rejects.toBeInstanceOf(ConcurrentUpdateError);
    await expect(
      changes.commit({ expectVersion: { applicationId: app.id, version: 7 }, closeActions: [open.id] }, AT),
    ).rejects.toBeInstanceOf(ConcurrentUpdateError);
    expect((await stages.getAction(open.id))?.status).toBe('open');
  });

  it('takes each number of a sequence once: 20 concurrent takers of one number, one wins', async () => {
    const name = uniqueId('seq');
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => changes.commit({ takeNumber: { sequence: name, current: 0 } }, AT)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof ConcurrentUpdateError),
    ).toBe(true);
    expect(await sequences.current(name)).toBe(1);
  });
});

describe('DynamoStages.decide', () => {
  it('decides an open action once: then already-decided, and closed once the stage closed', async () => {
    const app = await newApplication();
    const open = action(app);
    const other = action(app);
    await changes.commit({ createActions: [open, other] }, AT);
    const decision = { outcome: 'approve' as const, actor: 'rina', decidedAt: AT };
    expect(await stages.decide(open.id, decision)).toBe('decided');
    expect(await stages.decide(open.id, { ...decision, actor: 'dedi' })).toBe('already-decided');
    expect((await stages.getAction(open.id))?.decision?.actor).toBe('rina');
    await changes.commit({ closeActions: [other.id] }, AT);
    expect(await stages.decide(other.id, decision)).toBe('closed');
  });
});

describe('DynamoOutbox', () => {
  it('lets one of many claim a mail, so it is sent once', async () => {
    const id = uniqueId('mail');
    expect(await outbox.add({ id, to: ['a@example.test'], subject: 's', text: 't' }, AT)).toBe(true);
    expect(await outbox.add({ id, to: ['b@example.test'], subject: 'x', text: 'y' }, AT)).toBe(false);
    const claims = await Promise.all(Array.from({ length: 10 }, () => outbox.claim(id, AT)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    await outbox.markSent(id, AT);
    expect(await outbox.claim(id, AT)).toBe(false);
    expect((await outbox.get(id))?.to).toEqual(['a@example.test']);
  });
});

describe('DynamoRateLimiter', () => {
  const limiter = new DynamoRateLimiter(table);
  const NOW = Math.floor(Date.parse(AT) / 1000);

  it('lets exactly `limit` of 30 concurrent requests through a fixed window', async () => {
    const limit = rateLimit('test-ip', uniqueId('ip'), 20, 3600);

    const results = await Promise.all(Array.from({ length: 30 }, () => limiter.take([limit], NOW)));

    expect(results.filter((r) => r.allowed)).toHaveLength(20);
    // AT is 03:00 UTC: the hour's window ends in an hour.
    expect(results.find((r) => !r.allowed)).toEqual({
      allowed: false,
      refusedBy: limit,
      retryAfterSeconds: 3600,
    });
    expect((await limiter.take([limit], NOW + 3600)).allowed).toBe(true);
  });

  it('counts nothing against the other limits of a refused request', async () => {
    const ip = rateLimit('test-ip', uniqueId('ip'), 3, 3600);
    const address = rateLimit('test-address', uniqueId('address'), 1, 86_400);
    expect((await limiter.take([ip, address], NOW)).allowed).toBe(true);

    const refused = await limiter.take([ip, address], NOW);
    const others = [await limiter.take([ip], NOW), await limiter.take([ip], NOW)];

    expect(refused).toMatchObject({ allowed: false, refusedBy: address });
    expect(others.map((r) => r.allowed)).toEqual([true, true]);
    expect((await limiter.take([ip], NOW)).allowed).toBe(false);
  });

  it('keys its counters by the hash of the subject, never the subject itself', async () => {
    const subject = `${uniqueId('person')}@example.test`;
    const limit = rateLimit('test-address', subject, 5, 86_400);
    await limiter.take([limit], NOW);

    const window = Math.floor(NOW / 86_400) * 86_400;
    const item = await table.get<Record<string, unknown>>({
      pk: `RATE#test-address#${limit.subjectHash}#${window}`,
      sk: 'RATE',
    });
    expect(item).toEqual({ count: 1, expiresAt: window + 86_400 + 3600 });
    expect(JSON.stringify(item) + limit.subjectHash).not.toContain(subject);
  });
});
