import { describe, expect, it } from 'vitest';
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
