/**
 * Creating a draft application: validate the applicant against the permit, then write the draft, its
 * personal data, its token hash, its tracking code and (with an Idempotency-Key) the key's record in
 * one transaction.
 *
 * A retried request with the same key and body creates nothing. The token is stored only as a hash,
 * so a replay cannot show the first response's token again, and it must not mint another one: that
 * would void the token the first caller may well have received (20 parallel retries left 19 dead
 * tokens). A replay therefore answers 409 idempotent-replay naming the draft and the way to a token
 * (POST /applications/recover mails a new one to the applicant's address); the first token keeps working.
 */
import { createHash } from 'node:crypto';
import type { Permit } from '#config/regency-schema.ts';
import { hashAccessToken, newAccessToken } from '../domain/access-token.ts';
import { type ApplicantForm, checkApplicant } from '../domain/applicant.ts';
import type { Application } from '../domain/application.ts';
import { canonicalJson } from '../domain/canonical-json.ts';
import { noticeTexts } from '../domain/notices.ts';
import { conflict, invalidRequest, unprocessable } from '../domain/request-errors.ts';
import { checkAnswers } from '../domain/requirements.ts';
import { generateTrackingCode, trackingPrefix } from '../domain/tracking-code.ts';
import type { Ports } from '../ports.ts';
import { permitOf } from './lookups.ts';
import { deliver, mailId, outboxMail } from './mail.ts';
import { renewablePermit } from './places.ts';

export interface DraftRequest {
  permitCode: string;
  applicant: ApplicantForm;
  answers: Record<string, boolean>;
  personalDataConsent: true;
  /** A renewal: the number (as printed) or id of the applicant's permit this application replaces. */
  renews?: string;
}

export interface DraftCreated {
  application: Application;
  /** Shown once; only its hash is stored. */
  accessToken: string;
}

/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
const TRACKING_CODE_ATTEMPTS = 5;

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Field checks that need the configuration and today's date; throws a 400 listing every problem. */
export function validateDraft(
  ports: Pick<Ports, 'regency' | 'calendar' | 'now'>,
  request: DraftRequest,
): Permit {
  const permit = permitOf(ports.regency, request.permitCode);
  if (permit === undefined)
    throw invalidRequest([
      {
        field: 'permitCode',
        code: 'unknown-permit',
        message: `Jenis izin ${request.permitCode} tidak dilayani di ${ports.regency.name}.`,
      },
    ]);
  const today = ports.calendar.localDate(ports.now());
  const errors = [
    ...checkApplicant(request.applicant, permit, today),
    ...checkAnswers(permit, request.answers),
  ];
  if (errors.length > 0) throw invalidRequest(errors);
  return permit;
}

export async function createDraft(
  ports: Ports,
  request: DraftRequest,
  idempotencyKey: string | undefined,
): Promise<DraftCreated> {
  const permit = validateDraft(ports, request);
  const renewed =
    request.renews === undefined
      ? undefined
      : await renewablePermit(ports, request.renews, permit, request.applicant.nik);
  const now = ports.now();
  const idempotency =
    idempotencyKey === undefined
      ? undefined
      : { keyHash: sha256(idempotencyKey), requestHash: sha256(canonicalJson(request)) };
  if (idempotency !== undefined) {
    const earlier = await ports.applications.idempotency(
      idempotency.keyHash,
      Math.floor(now.getTime() / 1000),
    );
    if (earlier !== undefined) return replay(ports, earlier, idempotency.requestHash);
  }

  const id = ports.newId();
  const accessToken = newAccessToken(ports.randomBytes);
  const createdAt = now.toISOString();
  for (let attempt = 0; attempt < TRACKING_CODE_ATTEMPTS; attempt++) {
    const application: Application = {
      id,
      regencyId: ports.regency.id,
      permitCode: permit.code,
      trackingCode: generateTrackingCode(trackingPrefix(ports.regency), ports.randomBytes),
      status: 'draft',
      applicantEmail: request.applicant.email,
      applicantName: request.applicant.fullName,
      answers: request.answers,
      ...(renewed === undefined ? {} : { renews: { permitId: renewed.id, number: renewed.number } }),
      createdAt,
      visits: 0,
      version: 1,
    };
    const result = await ports.applications.createDraft({
      application,
      applicant: { applicationId: id, applicant: request.applicant, createdAt },
      tokenHash: hashAccessToken(accessToken),
      ...(idempotency === undefined
        ? {}
        : {
            idempotency: {
              ...idempotency,
              applicationId: id,
              createdAt,
              expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
            },
          }),
      audit: { applicationId: id, at: createdAt, type: 'created', actor: 'applicant' },
      mail: outboxMail(mailId(id, 'draft-created'), id, {
        to: [application.applicantEmail],
        ...noticeTexts(ports.regency, ports.calendar).draftCreated(application),
      }),
    });
    if (result === 'created') {
      await deliver(ports, [mailId(id, 'draft-created')]);
      return { application, accessToken };
    }
    if (result === 'idempotency-key-taken' && idempotency !== undefined) {
      // A concurrent request with the same key won the race: answer as its replay.
      const winner = await ports.applications.idempotency(
        idempotency.keyHash,
        Math.floor(now.getTime() / 1000),
      );
      if (winner !== undefined) return replay(ports, winner, idempotency.requestHash);
    }
    // 'tracking-code-taken': 40 random bits collided; draw another code.
  }
  throw new Error(`no free tracking code after ${TRACKING_CODE_ATTEMPTS} attempts`);
}

/** A request whose Idempotency-Key created a draft before: refused, naming the draft; nothing changes. */
async function replay(
  ports: Ports,
  earlier: { requestHash: string; applicationId: string },
  requestHash: string,
): Promise<never> {
  if (earlier.requestHash !== requestHash)
    throw unprocessable(
      'idempotency-key-reused',
      'Idempotency-Key ini sudah dipakai untuk permintaan dengan isi yang berbeda. Gunakan kunci baru.',
    );
  const application = await ports.applications.get(earlier.applicationId);
  if (application === undefined)
    throw new Error(`idempotency record points at missing ${earlier.applicationId}`);
  // The first request may have died after its transaction and before sending: send what is pending.
  await deliver(ports, [mailId(application.id, 'draft-created')]);
  throw conflict(
    'idempotent-replay',
    `Permohonan untuk Idempotency-Key ini sudah dibuat dengan nomor lacak ${application.trackingCode}. ` +
      'Token akses hanya ditampilkan sekali, pada jawaban permintaan pertama, dan tetap berlaku. ' +
      'Bila token itu tidak Anda terima, minta token baru melalui POST /applications/recover dengan nomor lacak ' +
      'dan alamat e-mail pemohon; token baru dikirim ke alamat e-mail tersebut (nomor lacak juga ada di e-mail ' +
      'pemberitahuan draf).',
    [],
    { members: { applicationId: application.id, trackingCode: application.trackingCode } },
  );
}
