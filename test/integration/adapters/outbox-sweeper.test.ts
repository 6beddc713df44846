/**
 * The outbox sweeper against DynamoDB Local: the sparse index finds exactly the mails left pending or
 * stuck 'sending' (a sent mail leaves it), with no Scan. A private table, so that no other test's mail
 * is swept and this test's counts are the whole truth.
 */

import { randomBytes } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoOutbox } from '#adapters/dynamodb/changes.ts';
import { DynamoOfficialLinks } from '#adapters/dynamodb/links.ts';
import { Table } from '#adapters/dynamodb/table.ts';
import { loadRegency } from '#config/load.ts';
import { createCalendar } from '#core/domain/calendar/calendar.ts';
import type { MailMessage } from '#core/ports.ts';
import { sweepOutbox } from '#core/use-cases/outbox-sweeper.ts';
import { ensureTable } from '../../../local/resources.ts';
import { stackClients, uniqueId } from '../harness/index.ts';

const clients = stackClients();
const tableName = uniqueId('outbox');
const table = new Table(DynamoDBDocumentClient.from(clients.dynamodb), tableName);
const outbox = new DynamoOutbox(table);
const regency = loadRegency('kota-bengkulu').regency;
const NOW = new Date('2026-03-17T03:00:00.000Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();

beforeAll(async () => {
  await ensureTable(clients.dynamodb, tableName);
});
afterAll(async () => {
  await clients.dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
  clients.destroy();
});

const sent: MailMessage[] = [];
const ports = {
  outbox,
  mailer: { send: async (m: MailMessage) => void sent.push(m) },
  regency,
  calendar: createCalendar(regency),
  log: () => {},
  links: new DynamoOfficialLinks(table),
  randomBytes: (n: number) => new Uint8Array(randomBytes(n)),
};

const mail = (id: string) => ({ id, to: ['siti@example.test'], subject: `Subjek ${id}`, text: 'Isi.' });

describe('sweepOutbox on DynamoDB Local', () => {
  it('delivers old pending mail, reports old sending mail once, and leaves sent and young mail alone', async () => {
    await outbox.add(mail('pending-old'), minutesAgo(30));
    await outbox.add(mail('pending-young'), minutesAgo(5));
    await outbox.add(mail('released'), minutesAgo(40));
    await outbox.claim('released', minutesAgo(39));
    await outbox.release('released');
    await outbox.add(mail('stuck'), minutesAgo(60));
    await outbox.claim('stuck', minutesAgo(50));
    await outbox.add(mail('sent'), minutesAgo(60));
    await outbox.claim('sent', minutesAgo(59));
    await outbox.markSent('sent', minutesAgo(59));

    const first = await sweepOutbox(ports, NOW);
    const second = await sweepOutbox(ports, NOW);

    expect(first.delivered).toEqual(['released', 'pending-old']);
    expect(first.reported).toEqual(['stuck']);
    expect(second).toEqual({ delivered: [], failed: [], reported: [] });
    expect(sent.map((m) => m.subject)).toEqual([
      'Subjek released',
      'Subjek pending-old',
      '[satupintu] E-mail mungkin tidak terkirim: Subjek stuck',
    ]);
    expect(sent[2]?.to).toEqual(regency.mail.administrators);
    expect(await outbox.get('stuck')).toMatchObject({
      status: 'sending',
      stuckReportedAt: NOW.toISOString(),
    });
    expect((await outbox.get('outbox-stuck:stuck'))?.status).toBe('sent');
    expect((await outbox.get('pending-young'))?.status).toBe('pending');
  });
});
