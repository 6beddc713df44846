import { describe, expect, it } from 'vitest';
import type { OutboxMail } from '#core/ports.ts';
import { sweepOutbox } from '#core/use-cases/outbox-sweeper.ts';
import { type FakePorts, fakePorts, wib } from '../fakes.ts';

const ADMIN = 'admin@dpmptsp.bengkulukota.example';
const NOW = wib('2026-02-02T09:00:00');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();

const mail = (id: string): OutboxMail => ({
  id,
  applicationId: 'app-1',
  to: ['siti@example.test'],
  subject: `[BNG-7K3M-Q9TX] ${id}`,
  text: 'Isi.',
});

/** A mail recorded `recordedMinutesAgo`, and claimed `claimedMinutesAgo` if given (then 'sending'). */
async function recorded(
  ports: FakePorts,
  id: string,
  recordedMinutesAgo: number,
  claimedMinutesAgo?: number,
) {
  await ports.outbox.add(mail(id), minutesAgo(recordedMinutesAgo));
  if (claimedMinutesAgo !== undefined) await ports.outbox.claim(id, minutesAgo(claimedMinutesAgo));
}

describe('sweepOutbox', () => {
  it('delivers mail left pending for more than 10 minutes, once, and leaves younger mail to its sender', async () => {
    const ports = fakePorts();
    await recorded(ports, 'old', 11);
    await recorded(ports, 'young', 9);

    const first = await sweepOutbox(ports, NOW);
    const second = await sweepOutbox(ports, NOW);

    expect(first.delivered).toEqual(['old']);
    expect(second.delivered).toEqual([]);
    expect(ports.mailer.sent.map((m) => m.subject)).toEqual(['[BNG-7K3M-Q9TX] old']);
    expect(ports.outbox.mails.get('old')?.status).toBe('sent');
    expect(ports.outbox.mails.get('young')?.status).toBe('pending');
  });

  it("sends an official's mail left pending with its own link, minted then and stored hashed", async () => {
    const ports = fakePorts();
    await ports.outbox.add(
      {
        ...mail('pending:action-1:rina-petugas'),
        text: 'Buka https://izin.example.go.id/o/{{tautan-pribadi}}',
        link: {
          actionId: 'action-1',
          officialId: 'rina-petugas',
          purpose: 'pending',
          expiresAt: NOW.toISOString(),
        },
      },
      minutesAgo(20),
    );

    const result = await sweepOutbox(ports, NOW);

    expect(result.delivered).toEqual(['pending:action-1:rina-petugas']);
    expect(ports.mailer.sent[0]?.text).toMatch(/\/o\/[A-Za-z0-9_-]{43}$/);
    expect([...ports.links.links.values()]).toEqual([
      expect.objectContaining({ actionId: 'action-1', officialId: 'rina-petugas' }),
    ]);
  });

  it('keeps sweeping past a mail the mail service refuses, which stays pending for the next sweep', async () => {
    const ports = fakePorts();
    await recorded(ports, 'refused', 30);
    await recorded(ports, 'fine', 20);
    const send = ports.mailer.send;
    ports.mailer.send = async (message) => {
      if (message.subject.includes('refused'))
        throw Object.assign(new Error('throttled'), { name: 'Throttling' });
      await send(message);
    };

    const result = await sweepOutbox(ports, NOW);

    expect(result).toMatchObject({ delivered: ['fine'], failed: ['refused'] });
    expect(ports.outbox.mails.get('refused')?.status).toBe('pending');
  });

  it('reports a mail stuck sending for more than 15 minutes to the administrators once, and never resends it', async () => {
    const ports = fakePorts();
    await recorded(ports, 'stuck', 60, 16);
    await recorded(ports, 'in-flight', 60, 14);

    const first = await sweepOutbox(ports, NOW);
    const later = await sweepOutbox(ports, new Date(NOW.getTime() + 60 * 60_000));

    expect(first.reported).toEqual(['stuck']);
    expect(later.reported).toEqual(['in-flight']);
    const reports = ports.mailer.to(ADMIN);
    expect(reports.map((m) => m.subject)).toEqual([
      '[satupintu] E-mail mungkin tidak terkirim: [BNG-7K3M-Q9TX] stuck',
      '[satupintu] E-mail mungkin tidak terkirim: [BNG-7K3M-Q9TX] in-flight',
    ]);
    expect(reports[0]?.text).toContain('Id e-mail: stuck');
    expect(reports[0]?.text).not.toContain('siti@example.test');
    expect(ports.mailer.to('siti@example.test')).toEqual([]);
    expect(ports.outbox.mails.get('stuck')?.status).toBe('sending');
  });

  it('reports a stuck mail once even when two sweeps run at the same time', async () => {
    const ports = fakePorts();
    await recorded(ports, 'stuck', 60, 30);

    const [a, b] = await Promise.all([sweepOutbox(ports, NOW), sweepOutbox(ports, NOW)]);

    expect([...a.reported, ...b.reported]).toEqual(['stuck']);
    expect(ports.mailer.to(ADMIN)).toHaveLength(1);
  });

  it('sends nothing and reports nothing when the outbox is clean', async () => {
    const ports = fakePorts();
    await recorded(ports, 'sent', 60, 59);
    await ports.outbox.markSent('sent', minutesAgo(59));

    expect(await sweepOutbox(ports, NOW)).toEqual({ delivered: [], failed: [], reported: [] });
    expect(ports.mailer.sent).toEqual([]);
  });
});
