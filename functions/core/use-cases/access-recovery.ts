/**
 * Recovering a lost access token. The token is shown once (POST /applications) and stored only as a
 * hash, so it cannot be shown again: the applicant gives the tracking code and the e-mail address
 * the application was made with, and a new token is mailed to that address (never to the caller).
 *
 * The answer is the same whatever happened, so the route cannot be used to learn whether an address
 * has applications, or which; only the mailbox of the address learns the new token. Like complaints,
 * the route makes the office's sender mail someone, so it is rate limited per address and per IP.
 */
import { hashAccessToken, newAccessToken } from '../domain/access-token.ts';
import { noticeTexts } from '../domain/notices.ts';
import { type RateLimit, rateLimit } from '../domain/rate-limit.ts';
import { invalidRequest } from '../domain/request-errors.ts';
import { normaliseTrackingCode } from '../domain/tracking-code.ts';
import type { Ports } from '../ports.ts';
import { deliver, mailId, outboxMail, secretMail } from './mail.ts';
import { takeRateLimits } from './rate-limits.ts';

export interface RecoveryRequest {
  trackingCode: string;
  email: string;
}

/**
 * Why these numbers: a person who lost the token asks once, perhaps again if the mail is slow; 5 a day
 * per address is plenty and stops anyone from flooding an applicant's mailbox (each request also
 * voids the token before). The IP cap matches complaints' (shared NATs, kiosks).
 */
export const RECOVERY_LIMITS = {
  perAddress: { limit: 5, windowSeconds: 24 * 60 * 60 },
  perSourceIp: { limit: 20, windowSeconds: 60 * 60 },
} as const;

/** What every recovery request is told, whatever happened. */
export const RECOVERY_ANSWER =
  'Jika nomor lacak dan alamat e-mail tersebut cocok dengan permohonan yang masih berjalan, token akses baru telah dikirim ke alamat e-mail itu dan token sebelumnya tidak berlaku lagi. Periksa kotak masuk (dan folder spam) Anda.';

const normaliseEmail = (email: string): string => email.trim().toLowerCase();

function recoveryLimits(email: string, sourceIp: string | undefined): RateLimit[] {
  const { perAddress, perSourceIp } = RECOVERY_LIMITS;
  return [
    rateLimit('recovery-address', email, perAddress.limit, perAddress.windowSeconds),
    ...(sourceIp === undefined
      ? []
      : [rateLimit('recovery-ip', sourceIp, perSourceIp.limit, perSourceIp.windowSeconds)]),
  ];
}

/**
 * Mails a new access token when the tracking code names an application that is not final and whose
 * applicant address is `email` (case-insensitive). Returns nothing: the caller must not learn which.
 */
export async function recoverAccess(
  ports: Ports,
  request: RecoveryRequest,
  origin: { sourceIp?: string } = {},
): Promise<void> {
  const trackingCode = normaliseTrackingCode(request.trackingCode);
  // The format alone says nothing about any application, so a malformed code may be named as such.
  if (trackingCode === undefined)
    throw invalidRequest([
      {
        field: 'trackingCode',
        code: 'invalid-tracking-code',
        message: 'Nomor lacak tidak valid (contoh: BNG-7K3M-Q9TX).',
      },
    ]);
  const email = normaliseEmail(request.email);
  await takeRateLimits(ports, recoveryLimits(email, origin.sourceIp), (limit, retryAt) =>
    limit.name === 'recovery-address'
      ? `Token akses untuk alamat e-mail ini sudah diminta ${limit.limit} kali dalam 24 jam terakhir. ` +
        `Coba lagi setelah ${ports.calendar.formatLocal(retryAt)}.`
      : `Terlalu banyak permintaan token dari jaringan Anda (paling banyak ${limit.limit} per jam). ` +
        `Coba lagi setelah ${ports.calendar.formatLocal(retryAt)}.`,
  );

  const id = await ports.applications.idForTrackingCode(trackingCode);
  const application = id === undefined ? undefined : await ports.applications.get(id);
  if (application === undefined || normaliseEmail(application.applicantEmail) !== email) {
    ports.log('access recovery: no match');
    return;
  }
  const at = ports.now().toISOString();
  const accessToken = newAccessToken(ports.randomBytes);
  // One mail per reissue, named by its instant: a retried request is another reissue with another token.
  const mail = mailId(application.id, 'access-token', at);
  const rotated = await ports.applications.rotateAccessToken({
    applicationId: application.id,
    tokenHash: hashAccessToken(accessToken),
    at,
    audit: { applicationId: application.id, at, type: 'access-token-reissued', actor: 'applicant' },
    // The token is in the body: erased from the outbox once the mail is sent.
    mail: secretMail(
      outboxMail(mail, application.id, {
        to: [application.applicantEmail],
        ...noticeTexts(ports.regency, ports.calendar).accessRecovered(application, accessToken),
      }),
    ),
  });
  if (!rotated) {
    ports.log('access recovery: application final', { applicationId: application.id });
    return;
  }
  await deliver(ports, [mail]);
  ports.log('access token reissued', { applicationId: application.id });
}
