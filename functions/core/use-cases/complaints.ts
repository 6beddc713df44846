/**
 * Complaints (pengaduan), a channel every public-service standard must offer (Permenpan RB 15/2014).
 * Anyone may complain, with or without an application; a complaint gets a reference
 * (`ADU-<year>-<nnnnn>`, per office and year) and the office's administrators are mailed at once.
 *
 * The route is anonymous and makes the office's sender mail an address the caller names, so it is
 * rate limited per complainant address and per source IP. An Idempotency-Key makes a retry answer
 * with the complaint already filed instead of filing (and mailing) it twice.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json.ts';
import { type RateLimit, rateLimit } from '../domain/rate-limit.ts';
import type { ComplaintRecord } from '../domain/records.ts';
import { unprocessable } from '../domain/request-errors.ts';
import { normaliseTrackingCode } from '../domain/tracking-code.ts';
import type { Ports } from '../ports.ts';
import { outboxMail, sendOnce } from './mail.ts';
import { takeRateLimits } from './rate-limits.ts';
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
  /** True when an Idempotency-Key matched an earlier request: nothing new was filed. */
  replayed: boolean;
}

/** Where the request came from, as the HTTP layer knows it. */
export interface ComplaintOrigin {
  idempotencyKey?: string;
  /** The caller's IP as API Gateway saw it; absent outside HTTP. */
  sourceIp?: string;
}

/**
 * Why these numbers: someone with a real grievance files one complaint, perhaps a follow-up or two on
 * the same day; more than 5 a day from one address is a flood (or someone mailing a stranger's
 * address through us), and the cap still leaves room for a person who mistyped twice. An IP is
 * shared: a village office's public PC, a campus or a mobile carrier's NAT put many people behind one
 * address, so its cap is higher and its window shorter (20 an hour), to stop a script without
 * stopping a queue at a kiosk.
 */
export const COMPLAINT_LIMITS = {
  perAddress: { limit: 5, windowSeconds: 24 * 60 * 60 },
  perSourceIp: { limit: 20, windowSeconds: 60 * 60 },
} as const;

/** How long a complaint's Idempotency-Key is remembered (as for drafts). */
export const COMPLAINT_IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Scoped so that one client key used for a draft and for a complaint names two different records. */
const idempotencyKeyHash = (key: string): string => sha256(`complaint:${key}`);

function complaintLimits(request: ComplaintRequest, origin: ComplaintOrigin): RateLimit[] {
  const { perAddress, perSourceIp } = COMPLAINT_LIMITS;
  const email = request.contact?.email?.trim().toLowerCase();
  return [
    ...(email === undefined
      ? []
      : [rateLimit('complaint-address', email, perAddress.limit, perAddress.windowSeconds)]),
    ...(origin.sourceIp === undefined
      ? []
      : [rateLimit('complaint-ip', origin.sourceIp, perSourceIp.limit, perSourceIp.windowSeconds)]),
  ];
}

function limitReached(ports: Pick<Ports, 'calendar'>) {
  return (limit: RateLimit, retryAt: Date): string =>
    limit.name === 'complaint-address'
      ? `Alamat e-mail ini sudah dipakai untuk ${limit.limit} pengaduan dalam 24 jam terakhir. ` +
        `Pengaduan berikutnya dapat dikirim setelah ${ports.calendar.formatLocal(retryAt)}.`
      : `Terlalu banyak pengaduan dikirim dari jaringan Anda (paling banyak ${limit.limit} per jam). ` +
        `Coba lagi setelah ${ports.calendar.formatLocal(retryAt)}.`;
}

export async function fileComplaint(
  ports: Ports,
  request: ComplaintRequest,
  origin: ComplaintOrigin = {},
): Promise<ComplaintFiled> {
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
  const nowEpoch = Math.floor(now.getTime() / 1000);
  const idempotency =
    origin.idempotencyKey === undefined
      ? undefined
      : { keyHash: idempotencyKeyHash(origin.idempotencyKey), requestHash: sha256(canonicalJson(request)) };
  if (idempotency !== undefined) {
    const earlier = await ports.complaints.idempotency(idempotency.keyHash, nowEpoch);
    // A replay files nothing, so it counts against no limit.
    if (earlier !== undefined) return replay(ports, earlier, idempotency.requestHash);
  }
  await takeRateLimits(ports, complaintLimits(request, origin), limitReached(ports));

  const filedAt = now.toISOString();
  const localDate = ports.calendar.localDate(now);
  const year = localDate.slice(0, 4);
  const sequence = `complaint#${ports.regency.id}#${year}`;
  // The reference is taken with the complaint it numbers, so a failure leaves no gap.
  const filed = await retryOnConflict(async () => {
    const current = await ports.sequences.current(sequence);
    const complaint: ComplaintRecord = {
      reference: `ADU-${year}-${String(current + 1).padStart(5, '0')}`,
      regencyId: ports.regency.id,
      filedAt,
      month: localDate.slice(0, 7),
      subject: request.subject,
      message: request.message,
      ...(request.contact === undefined ? {} : { contact: request.contact }),
      ...(applicationId === undefined ? {} : { applicationId, trackingCode }),
    };
    const result = await ports.complaints.put(
      complaint,
      { sequence, current },
      applicationId === undefined
        ? undefined
        : { applicationId, at: filedAt, type: 'complaint-filed', detail: { reference: complaint.reference } },
      idempotency === undefined
        ? undefined
        : {
            ...idempotency,
            reference: complaint.reference,
            createdAt: filedAt,
            expiresAt: nowEpoch + COMPLAINT_IDEMPOTENCY_TTL_SECONDS,
          },
    );
    return result === 'filed' ? complaint : undefined;
  }, 50);
  if (filed === undefined && idempotency !== undefined) {
    // A concurrent request with the same key filed first: answer as its replay.
    const winner = await ports.complaints.idempotency(idempotency.keyHash, nowEpoch);
    if (winner !== undefined) return replay(ports, winner, idempotency.requestHash);
  }
  if (filed === undefined) throw new Error('complaint idempotency key taken, but no record found');
  await mailComplaint(ports, filed);
  ports.log('complaint filed', { reference: filed.reference, linked: applicationId !== undefined });
  return answer(filed, false);
}

const answer = (c: ComplaintRecord, replayed: boolean): ComplaintFiled => ({
  reference: c.reference,
  filedAt: c.filedAt,
  ...(c.trackingCode === undefined ? {} : { trackingCode: c.trackingCode }),
  replayed,
});

async function replay(
  ports: Ports,
  earlier: { requestHash: string; reference: string },
  requestHash: string,
): Promise<ComplaintFiled> {
  if (earlier.requestHash !== requestHash)
    throw unprocessable(
      'idempotency-key-reused',
      'Idempotency-Key ini sudah dipakai untuk pengaduan dengan isi yang berbeda. Gunakan kunci baru.',
    );
  const complaint = await ports.complaints.get(earlier.reference);
  if (complaint === undefined) throw new Error(`idempotency record points at missing ${earlier.reference}`);
  // The first request may have died after filing and before mailing: the outbox sends what is missing.
  await mailComplaint(ports, complaint);
  return answer(complaint, true);
}

/** The administrators' notice and the complainant's receipt, each recorded and sent once by its id. */
async function mailComplaint(ports: Ports, complaint: ComplaintRecord): Promise<void> {
  const { reference, applicationId, trackingCode, contact } = complaint;
  const footer = `\n\n--\n${ports.regency.office.name}\nPesan ini dikirim otomatis oleh sistem perizinan satupintu.`;
  const contactLines = [
    contact?.name === undefined ? undefined : `Nama: ${contact.name}`,
    contact?.email === undefined ? undefined : `E-mail: ${contact.email}`,
    contact?.mobileNumber === undefined ? undefined : `HP: ${contact.mobileNumber}`,
  ].filter((l): l is string => l !== undefined);
  await sendOnce(
    ports,
    outboxMail(`complaint:${reference}:office`, applicationId, {
      to: ports.regency.mail.administrators,
      subject: `[${reference}] Pengaduan baru: ${complaint.subject}`,
      text:
        `Pengaduan baru diterima pada ${ports.calendar.formatLocal(new Date(complaint.filedAt))}.\n\n` +
        `Nomor pengaduan: ${reference}\n` +
        (trackingCode === undefined ? '' : `Nomor lacak permohonan: ${trackingCode}\n`) +
        `Perihal: ${complaint.subject}\n\n${complaint.message}\n\n` +
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
}
