import { describe, expect, it } from 'vitest';
import { rateSubjectHash } from '#core/domain/rate-limit.ts';
import { type ComplaintRequest, fileComplaint } from '#core/use-cases/complaints.ts';
import { anApplication, refusal } from '../builders.ts';
import { fakePorts } from '../fakes.ts';

const ADMIN = 'admin@dpmptsp.bengkulukota.example';
const complaint = (more: Partial<ComplaintRequest> = {}): ComplaintRequest => ({
  subject: 'Petugas tidak membalas',
  message: 'Sudah tiga hari tidak ada kabar.',
  ...more,
});

/** An office with one application, BNG-7K3M-Q9TX, on record. */
async function arrange() {
  const ports = fakePorts();
  const app = anApplication();
  ports.applications.put(app);
  ports.applications.trackingCodes.set(app.trackingCode, app.id);
  return { ports, app };
}

describe('fileComplaint', () => {
  it("gives complaints consecutive references in the office's yearly series", async () => {
    const { ports } = await arrange();

    const first = await fileComplaint(ports, complaint());
    const second = await fileComplaint(ports, complaint());

    expect([first.reference, second.reference]).toEqual(['ADU-2026-00001', 'ADU-2026-00002']);
  });

  it('leaves no gap in the references when storing a complaint fails', async () => {
    const { ports } = await arrange();
    const put = ports.complaints.put;
    ports.complaints.put = async () => {
      throw new Error('table unavailable');
    };
    await expect(fileComplaint(ports, complaint())).rejects.toThrow('table unavailable');
    ports.complaints.put = put;

    const { reference } = await fileComplaint(ports, complaint());

    expect(reference).toBe('ADU-2026-00001');
  });

  it('numbers two complaints filed at the same moment with two consecutive references', async () => {
    const { ports } = await arrange();

    const filed = await Promise.all([fileComplaint(ports, complaint()), fileComplaint(ports, complaint())]);

    expect(filed.map((f) => f.reference).sort()).toEqual(['ADU-2026-00001', 'ADU-2026-00002']);
  });

  it("restarts the series with the office's new year, which begins before UTC's", async () => {
    const { ports } = await arrange();
    await fileComplaint(ports, complaint());
    ports.clock.set(new Date('2026-12-31T17:30:00Z')); // 1 Jan 2027 00:30 WIB

    const { reference } = await fileComplaint(ports, complaint());

    expect(reference).toBe('ADU-2027-00001');
  });

  it('stores the complaint under its reference with the month in office time', async () => {
    const { ports } = await arrange();
    ports.clock.set(new Date('2026-02-28T18:00:00Z')); // 1 Mar 2026 01:00 WIB
    const contact = { name: 'Budi', mobileNumber: '+6281234567890' };

    const { reference, filedAt } = await fileComplaint(ports, complaint({ contact }));

    expect(ports.complaints.complaints.get(reference)).toEqual({
      reference,
      regencyId: 'kota-bengkulu',
      filedAt,
      month: '2026-03',
      ...complaint({ contact }),
    });
  });

  it('links a complaint to the application of a loosely typed tracking code', async () => {
    const { ports, app } = await arrange();

    const filed = await fileComplaint(ports, complaint({ trackingCode: ' bng 7k3m q9tx ' }));

    expect(filed.trackingCode).toBe('BNG-7K3M-Q9TX');
    expect(ports.complaints.complaints.get(filed.reference)).toMatchObject({
      applicationId: app.id,
      trackingCode: 'BNG-7K3M-Q9TX',
    });
  });

  it("records a linked complaint in the application's audit trail", async () => {
    const { ports, app } = await arrange();

    const { reference } = await fileComplaint(ports, complaint({ trackingCode: app.trackingCode }));

    expect(ports.audit.events(app.id)).toEqual([
      {
        applicationId: app.id,
        at: ports.now().toISOString(),
        type: 'complaint-filed',
        detail: { reference },
      },
    ]);
  });

  it('refuses an unknown tracking code, naming the field, and uses up no reference', async () => {
    const { ports } = await arrange();

    const error = await refusal(fileComplaint(ports, complaint({ trackingCode: 'BNG-2222-2222' })));
    const next = await fileComplaint(ports, complaint());

    expect(error.errors).toEqual([
      expect.objectContaining({ field: 'trackingCode', code: 'tracking-code-unknown' }),
    ]);
    expect(next.reference).toBe('ADU-2026-00001');
  });

  it('refuses something that cannot be a tracking code', async () => {
    const { ports } = await arrange();

    const error = await refusal(fileComplaint(ports, complaint({ trackingCode: 'BNG-0000-1111' })));

    expect([error.kind, error.code]).toEqual(['unprocessable', 'tracking-code-unknown']);
    expect(ports.complaints.complaints.size).toBe(0);
  });

  it("mails the office's administrators the reference, the complaint and the contact", async () => {
    const { ports } = await arrange();
    const contact = { name: 'Budi', email: 'budi@example.test' };

    await fileComplaint(ports, complaint({ contact }));

    const [mail] = ports.mailer.to(ADMIN);
    expect(mail?.subject).toBe('[ADU-2026-00001] Pengaduan baru: Petugas tidak membalas');
    expect(mail?.text).toContain(
      'Sudah tiga hari tidak ada kabar.\n\nKontak pengadu:\nNama: Budi\nE-mail: budi@example.test',
    );
  });

  it('tells the administrators when the complainant left no contact', async () => {
    const { ports } = await arrange();

    await fileComplaint(ports, complaint());

    expect(ports.mailer.to(ADMIN)[0]?.text).toContain('Pengadu tidak meninggalkan kontak.');
  });

  it('acknowledges the complaint to a complainant who left an e-mail address', async () => {
    const { ports } = await arrange();

    await fileComplaint(ports, complaint({ contact: { email: 'budi@example.test' } }));

    expect(ports.mailer.to('budi@example.test')).toEqual([
      expect.objectContaining({ subject: '[ADU-2026-00001] Pengaduan Anda telah kami terima' }),
    ]);
  });

  it('sends no acknowledgement to a complainant without an e-mail address', async () => {
    const { ports } = await arrange();

    await fileComplaint(ports, complaint({ contact: { mobileNumber: '+6281234567890' } }));

    expect(ports.mailer.sent.map((m) => m.to)).toEqual([[ADMIN]]);
  });
});

describe('fileComplaint rate limits', () => {
  const from = (email: string, sourceIp = '203.0.113.7') => ({
    request: complaint({ contact: { email } }),
    origin: { sourceIp },
  });

  it('files 5 complaints a day from one address and refuses the 6th with 429 and Retry-After', async () => {
    const { ports } = await arrange();
    const { request, origin } = from('budi@example.test');
    for (let i = 0; i < 5; i++) await fileComplaint(ports, request, origin);

    const error = await refusal(fileComplaint(ports, request, origin));

    expect([error.kind, error.code]).toEqual(['too-many-requests', 'rate-limited']);
    // 09:00 WIB is 02:00 UTC: the day's window (UTC-aligned) ends at 07:00 WIB, in 22 hours.
    expect(error.extras.retryAfterSeconds).toBe(22 * 60 * 60);
    expect(error.detail).toContain('Alamat e-mail ini sudah dipakai untuk 5 pengaduan');
    expect(ports.complaints.complaints.size).toBe(5);
  });

  it('counts an address whatever its case and surrounding spaces', async () => {
    const { ports } = await arrange();
    for (let i = 0; i < 5; i++) await fileComplaint(ports, from('budi@example.test').request);

    const error = await refusal(fileComplaint(ports, from(' BUDI@Example.test ').request));

    expect(error.code).toBe('rate-limited');
  });

  it('files again from the address once its window has passed', async () => {
    const { ports } = await arrange();
    const { request, origin } = from('budi@example.test');
    for (let i = 0; i < 5; i++) await fileComplaint(ports, request, origin);
    ports.clock.advanceMinutes(22 * 60);

    const { reference } = await fileComplaint(ports, request, origin);

    expect(reference).toBe('ADU-2026-00006');
  });

  it('refuses the 21st complaint in an hour from one IP, whatever the addresses', async () => {
    const { ports } = await arrange();
    for (let i = 0; i < 20; i++) await fileComplaint(ports, complaint(), { sourceIp: '203.0.113.7' });

    const error = await refusal(fileComplaint(ports, complaint(), { sourceIp: '203.0.113.7' }));
    const elsewhere = await fileComplaint(ports, complaint(), { sourceIp: '198.51.100.1' });

    expect([error.code, error.extras.retryAfterSeconds]).toEqual(['rate-limited', 60 * 60]);
    expect(error.detail).toContain('paling banyak 20 per jam');
    expect(elsewhere.reference).toBe('ADU-2026-00021');
  });

  it('keeps the address and the IP only as hashes in the counters and out of the log', async () => {
    const { ports } = await arrange();
    const { request, origin } = from('budi@example.test');
    for (let i = 0; i < 6; i++) await fileComplaint(ports, request, origin).catch(() => undefined);

    const stored = [...ports.rateLimits.counters.keys()].join(' ');
    expect(stored).toContain(rateSubjectHash('complaint-address', 'budi@example.test'));
    expect(stored).not.toMatch(/budi|203\.0\.113\.7/);
    expect(JSON.stringify(ports.logs)).not.toMatch(/budi|203\.0\.113\.7/);
    expect(ports.logs.map((l) => l.message)).toContain('rate limit reached');
  });
});

describe('fileComplaint with an Idempotency-Key', () => {
  it('answers a retry with the same reference, files once and mails once', async () => {
    const { ports } = await arrange();
    const request = complaint({ contact: { email: 'budi@example.test' } });

    const first = await fileComplaint(ports, request, { idempotencyKey: 'key-00001' });
    const again = await fileComplaint(ports, request, { idempotencyKey: 'key-00001' });

    expect(again).toEqual({ ...first, replayed: true });
    expect(first.replayed).toBe(false);
    expect(ports.complaints.complaints.size).toBe(1);
    expect(ports.mailer.to('budi@example.test')).toHaveLength(1);
    expect(ports.mailer.to(ADMIN)).toHaveLength(1);
  });

  it('counts a replay against no rate limit', async () => {
    const { ports } = await arrange();
    const request = complaint({ contact: { email: 'budi@example.test' } });
    for (let i = 0; i < 5; i++) await fileComplaint(ports, request, { idempotencyKey: 'key-00001' });

    const other = await fileComplaint(ports, request);

    expect(other.reference).toBe('ADU-2026-00002');
  });

  it('sends the mails on a replay when the first request died before sending them', async () => {
    const { ports } = await arrange();
    const request = complaint({ contact: { email: 'budi@example.test' } });
    const send = ports.mailer.send;
    ports.mailer.send = async () => {
      throw new Error('connection reset');
    };
    await expect(fileComplaint(ports, request, { idempotencyKey: 'key-00001' })).rejects.toThrow(
      'connection reset',
    );
    ports.mailer.send = send;

    await fileComplaint(ports, request, { idempotencyKey: 'key-00001' });

    expect(ports.mailer.to(ADMIN)).toHaveLength(1);
    expect(ports.mailer.to('budi@example.test')).toHaveLength(1);
  });

  it('refuses the key for a complaint with another body', async () => {
    const { ports } = await arrange();
    await fileComplaint(ports, complaint(), { idempotencyKey: 'key-00001' });

    const error = await refusal(
      fileComplaint(ports, complaint({ message: 'Lain.' }), { idempotencyKey: 'key-00001' }),
    );

    expect([error.kind, error.code]).toEqual(['unprocessable', 'idempotency-key-reused']);
  });

  it('answers as a replay when a concurrent request with the same key filed first', async () => {
    const { ports } = await arrange();
    let winner: string | undefined;
    ports.complaints.beforeNextPut(async () => {
      winner = (await fileComplaint(ports, complaint(), { idempotencyKey: 'key-00001' })).reference;
    });

    const loser = await fileComplaint(ports, complaint(), { idempotencyKey: 'key-00001' });

    expect([loser.reference, loser.replayed]).toEqual([winner, true]);
    expect(ports.complaints.complaints.size).toBe(1);
  });

  it('files a new complaint once the key has expired after 24 hours', async () => {
    const { ports } = await arrange();
    const first = await fileComplaint(ports, complaint(), { idempotencyKey: 'key-00001' });
    ports.clock.advanceMinutes(24 * 60 + 1);

    const later = await fileComplaint(ports, complaint(), { idempotencyKey: 'key-00001' });

    expect(later.reference).not.toBe(first.reference);
  });
});
