import { describe, expect, it } from 'vitest';
import { hashAccessToken } from '#core/domain/access-token.ts';
import type { ApplicationStatus } from '#core/domain/application.ts';
import { recoverAccess } from '#core/use-cases/access-recovery.ts';
import { anApplication, refusal } from '../builders.ts';
import { fakePorts } from '../fakes.ts';

const OLD_TOKEN = 'token-lama';

/** An application BNG-7K3M-Q9TX of siti@example.test, in `status`, with a token the applicant lost. */
function arrange(status: ApplicationStatus = 'in-progress') {
  const ports = fakePorts();
  const app = anApplication({ status });
  ports.applications.put(app);
  ports.applications.trackingCodes.set(app.trackingCode, app.id);
  ports.applications.access.set(app.id, { tokenHash: hashAccessToken(OLD_TOKEN), issuedAt: app.createdAt });
  return { ports, app };
}

/** The token in the recovery mail to `address`. */
const mailedToken = (ports: ReturnType<typeof fakePorts>, address: string) =>
  /Token akses Anda yang baru:\n\n(\S+)\n/.exec(ports.mailer.to(address)[0]?.text ?? '')?.[1];

describe('recoverAccess', () => {
  it('mails a new token to the applicant of a running application, which then replaces the old one', async () => {
    const { ports, app } = arrange('in-progress');

    await recoverAccess(ports, { trackingCode: app.trackingCode, email: app.applicantEmail });

    const token = mailedToken(ports, app.applicantEmail);
    expect(token).toBeDefined();
    expect(await ports.applications.accessHash(app.id)).toBe(hashAccessToken(token ?? ''));
    expect(ports.mailer.to(app.applicantEmail)[0]?.subject).toBe(
      `[${app.trackingCode}] Token akses baru permohonan izin`,
    );
  });

  it('keeps the new token only in the mail: the outbox erases the body once sent', async () => {
    const { ports, app } = arrange('in-progress');

    await recoverAccess(ports, { trackingCode: app.trackingCode, email: app.applicantEmail });

    const token = mailedToken(ports, app.applicantEmail) as string;
    const stored = [...ports.outbox.mails.values()].filter((m) => m.id.includes(':access-token:'));
    expect(stored).toEqual([expect.objectContaining({ status: 'sent', to: [app.applicantEmail] })]);
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it('matches the address and the tracking code whatever their case and spacing', async () => {
    const { ports, app } = arrange('draft');

    await recoverAccess(ports, { trackingCode: ' bng 7k3m q9tx ', email: ' SITI@Example.TEST ' });

    expect(mailedToken(ports, app.applicantEmail)).toBeDefined();
  });

  it('records the reissue in the audit trail, as done by the applicant', async () => {
    const { ports, app } = arrange('returned');

    await recoverAccess(ports, { trackingCode: app.trackingCode, email: app.applicantEmail });

    expect(ports.audit.events(app.id)).toEqual([
      {
        applicationId: app.id,
        at: ports.now().toISOString(),
        type: 'access-token-reissued',
        actor: 'applicant',
      },
    ]);
  });

  it('sends the mail through the outbox under an id derived from the reissue', async () => {
    const { ports, app } = arrange();

    await recoverAccess(ports, { trackingCode: app.trackingCode, email: app.applicantEmail });

    const id = `${app.id}:access-token:${ports.now().toISOString()}`;
    expect(ports.outbox.mails.get(id)).toMatchObject({ status: 'sent', to: [app.applicantEmail] });
  });

  it('changes nothing and mails nobody when the address is not the applicant’s', async () => {
    const { ports, app } = arrange();

    await recoverAccess(ports, { trackingCode: app.trackingCode, email: 'penyerang@example.test' });

    expect(ports.mailer.sent).toEqual([]);
    expect(await ports.applications.accessHash(app.id)).toBe(hashAccessToken(OLD_TOKEN));
  });

  it('changes nothing and mails nobody for a tracking code nobody has', async () => {
    const { ports } = arrange();

    await recoverAccess(ports, { trackingCode: 'BNG-2222-2222', email: 'siti@example.test' });

    expect(ports.mailer.sent).toEqual([]);
  });

  it.each(['issued', 'rejected', 'lapsed', 'withdrawn'] as const)(
    'leaves the token of a %s application alone',
    async (status) => {
      const { ports, app } = arrange(status);

      await recoverAccess(ports, { trackingCode: app.trackingCode, email: app.applicantEmail });

      expect(ports.mailer.sent).toEqual([]);
      expect(await ports.applications.accessHash(app.id)).toBe(hashAccessToken(OLD_TOKEN));
      expect(ports.audit.events(app.id)).toEqual([]);
    },
  );

  it('refuses something that cannot be a tracking code, naming the field', async () => {
    const { ports } = arrange();

    const error = await refusal(recoverAccess(ports, { trackingCode: '???', email: 'siti@example.test' }));

    expect([error.kind, error.errors[0]?.field]).toEqual(['invalid-request', 'trackingCode']);
  });

  it('refuses a 6th request in a day for one address with 429, matching or not', async () => {
    const { ports, app } = arrange();
    for (let i = 0; i < 5; i++) {
      await recoverAccess(ports, { trackingCode: 'BNG-2222-2222', email: app.applicantEmail });
    }

    const error = await refusal(
      recoverAccess(
        ports,
        { trackingCode: app.trackingCode, email: app.applicantEmail },
        { sourceIp: '203.0.113.9' },
      ),
    );

    expect([error.kind, error.code]).toEqual(['too-many-requests', 'rate-limited']);
    expect(error.extras.retryAfterSeconds).toBeGreaterThan(0);
    expect(ports.mailer.sent).toEqual([]);
  });

  it('refuses the 21st request in an hour from one IP', async () => {
    const { ports, app } = arrange();
    for (let i = 0; i < 20; i++) {
      await recoverAccess(
        ports,
        { trackingCode: app.trackingCode, email: `orang${i}@example.test` },
        { sourceIp: '203.0.113.9' },
      );
    }

    const error = await refusal(
      recoverAccess(
        ports,
        { trackingCode: app.trackingCode, email: app.applicantEmail },
        { sourceIp: '203.0.113.9' },
      ),
    );

    expect(error.code).toBe('rate-limited');
    expect(error.detail).toContain('paling banyak 20 per jam');
  });

  it('logs neither the address nor the token', async () => {
    const { ports, app } = arrange();

    await recoverAccess(ports, { trackingCode: app.trackingCode, email: app.applicantEmail });

    const logged = JSON.stringify(ports.logs);
    expect(logged).not.toContain(app.applicantEmail);
    expect(logged).not.toContain(mailedToken(ports, app.applicantEmail));
    expect(ports.logs.map((l) => l.message)).toEqual(['access token reissued']);
  });
});
