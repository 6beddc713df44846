/**
 * Complaints (pengaduan), a channel every public-service standard must offer (Permenpan RB 15/2014).
 * Anyone may complain, with or without an application; a complaint gets a reference
 * (`ADU-<year>-<nnnnn>`, per office and year) and the office's administrators are mailed at once.
 */

import { unprocessable } from '../domain/request-errors.ts';
import { normaliseTrackingCode } from '../domain/tracking-code.ts';
import type { Ports } from '../ports.ts';
import { outboxMail, sendOnce } from './mail.ts';
import { retryOnConflict } from './retry.ts';

export interface ComplaintRequest {
  subject: string;
  message: string;
  trackingCode?: string;
  contact?: { name?: string; email?: string; mobileNumber?: string };
}

export interface ComplaintFiled {
  reference: string;
  filedAt: string;
  trackingCode?: string;
}

export async function fileComplaint(ports: Ports, request: ComplaintRequest): Promise<ComplaintFiled> {
  let applicationId: string | undefined;
  let trackingCode: string | undefined;
  if (request.trackingCode !== undefined) {
    trackingCode = normaliseTrackingCode(request.trackingCode);
    applicationId =
      trackingCode === undefined ? undefined : await ports.applications.idForTrackingCode(trackingCode);
    if (applicationId === undefined)
      throw unprocessable('tracking-code-unknown', 'Nomor lacak tidak dikenal.', [
        { field: 'trackingCode', code: 'tracking-code-unknown', message: 'Nomor lacak tidak dikenal.' },
      ]);
  }
  const now = ports.now();
  const filedAt = now.toISOString();
  const localDate = ports.calendar.localDate(now);
  const year = localDate.slice(0, 4);
  const sequence = `complaint#${ports.regency.id}#${year}`;
  // The reference is taken with the complaint it numbers, so a failure leaves no gap.
  const reference = await retryOnConflict(async () => {
    const current = await ports.sequences.current(sequence);
    const taken = `ADU-${year}-${String(current + 1).padStart(5, '0')}`;
    await ports.complaints.put(
      {
        reference: taken,
        regencyId: ports.regency.id,
        filedAt,
        month: localDate.slice(0, 7),
        subject: request.subject,
        message: request.message,
        ...(request.contact === undefined ? {} : { contact: request.contact }),
        ...(applicationId === undefined ? {} : { applicationId, trackingCode }),
      },
      { sequence, current },
      applicationId === undefined
        ? undefined
        : { applicationId, at: filedAt, type: 'complaint-filed', detail: { reference: taken } },
    );
    return taken;
  }, 50);
  const footer = `\n\n--\n${ports.regency.office.name}\nPesan ini dikirim otomatis oleh sistem perizinan satupintu.`;
  const contact = request.contact;
  const contactLines = [
    contact?.name === undefined ? undefined : `Nama: ${contact.name}`,
    contact?.email === undefined ? undefined : `E-mail: ${contact.email}`,
    contact?.mobileNumber === undefined ? undefined : `HP: ${contact.mobileNumber}`,
  ].filter((l): l is string => l !== undefined);
  await sendOnce(
    ports,
    outboxMail(`complaint:${reference}:office`, applicationId, {
      to: ports.regency.mail.administrators,
      subject: `[${reference}] Pengaduan baru: ${request.subject}`,
      text:
        `Pengaduan baru diterima pada ${ports.calendar.formatLocal(now)}.\n\n` +
        `Nomor pengaduan: ${reference}\n` +
        (trackingCode === undefined ? '' : `Nomor lacak permohonan: ${trackingCode}\n`) +
        `Perihal: ${request.subject}\n\n${request.message}\n\n` +
        (contactLines.length === 0
          ? 'Pengadu tidak meninggalkan kontak.'
          : `Kontak pengadu:\n${contactLines.join('\n')}`) +
        footer,
    }),
  );
  // The receipt goes to an address nobody confirmed: it echoes nothing the caller wrote (no subject,
  // no message), so the office's sender cannot be used to mail a stranger someone else's words.
  if (contact?.email !== undefined)
    await sendOnce(
      ports,
      outboxMail(`complaint:${reference}:receipt`, applicationId, {
        to: [contact.email],
        subject: `[${reference}] Pengaduan Anda telah kami terima`,
        text:
          `Terima kasih. Pengaduan Anda telah kami terima dengan nomor ${reference} dan akan ditindaklanjuti ` +
          `sesuai standar pelayanan ${ports.regency.office.name}.${footer}`,
      }),
    );
  ports.log('complaint filed', { reference, linked: applicationId !== undefined });
  return { reference, filedAt, ...(trackingCode === undefined ? {} : { trackingCode }) };
}
