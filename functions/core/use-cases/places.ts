/**
 * The rules of the profession that span applications: renewals (an application that replaces the
 * applicant's permit, superseded when the new one is issued) and the maximum of places of practice
 * per profession and person (core/domain/places.ts), checked at submission by the keyed hash of the NIK.
 */
import type { Permit } from '#config/regency-schema.ts';
import type { Application } from '../domain/application.ts';
import type { PermitRecord } from '../domain/permit/permit-record.ts';
import { type ClaimState, claimPlace, claimState, type PlaceRegister } from '../domain/places.ts';
import { conflict, invalidRequest, unprocessable } from '../domain/request-errors.ts';
import type { Ports } from '../ports.ts';
import { permitOf } from './lookups.ts';
import { findIssued } from './verification.ts';

/** The hash purpose of the places register: the same NIK hashed for another use gives another value. */
export const NIK_PURPOSE = 'nik';

const renewsError = (code: string, message: string) => invalidRequest([{ field: 'renews', code, message }]);

/**
 * The permit a renewal replaces, by its number as printed (or its id): it must be an issued permit of
 * the same profession in this regency, held by the person with this NIK, and still in force (not
 * revoked, not already replaced). A permit that does not exist and one held by someone else give the
 * same answer, so numbers cannot be matched to people through this check.
 */
export async function renewablePermit(
  ports: Pick<Ports, 'permits' | 'applications' | 'regency'>,
  ref: string,
  permit: Permit,
  nik: string,
): Promise<PermitRecord> {
  const trimmed = ref.trim();
  // By id or number, issued permits only: the lookup public verification makes.
  const found = await findIssued(ports, trimmed);
  const holder = found === undefined ? undefined : await ports.applications.applicant(found.applicationId);
  if (found === undefined || holder?.applicant.nik.trim() !== nik.trim())
    throw renewsError(
      'renewed-permit-not-found',
      `Izin nomor ${trimmed} tidak ditemukan atas NIK pemohon di ${ports.regency.name}. Periksa nomor izin seperti tercetak.`,
    );
  if (permitOf(ports.regency, found.permitCode)?.profession !== permit.profession)
    throw renewsError(
      'renewed-permit-other-profession',
      `Izin nomor ${found.number} adalah izin profesi lain; perpanjangan harus untuk profesi yang sama.`,
    );
  if (found.status === 'revoked')
    throw renewsError(
      'renewed-permit-revoked',
      `Izin nomor ${found.number} telah dicabut dan tidak dapat diperpanjang; ajukan permohonan baru.`,
    );
  if (found.status === 'superseded')
    throw renewsError(
      'renewed-permit-superseded',
      `Izin nomor ${found.number} sudah digantikan oleh izin nomor ${found.superseded?.byNumber ?? '-'}.`,
    );
  return found;
}

/** What each claim of the register stands for today: its application and, once issued, its permit. */
async function claimStates(
  ports: Pick<Ports, 'applications' | 'permits'>,
  register: PlaceRegister,
  today: string,
): Promise<Map<string, ClaimState>> {
  const states = await Promise.all(
    register.claims.map(async (claim) => {
      const app = await ports.applications.get(claim.applicationId);
      const permit = app?.permitId === undefined ? undefined : await ports.permits.get(app.permitId);
      return [claim.applicationId, claimState(app, permit, today)] as const;
    }),
  );
  return new Map(states);
}

/**
 * The places register a submission writes with its state change: the application's claim added to
 * the claims still live. Refuses, before anything is written, a submission that would give the person
 * more active permits of this profession than the configuration allows (applications in progress
 * count, since each may end in a permit), and a renewal of a permit another application is renewing.
 */
export async function placeForSubmission(
  ports: Pick<Ports, 'applications' | 'permits' | 'keyedHash' | 'calendar' | 'regency'>,
  app: Application,
  permit: Permit,
  at: Date,
): Promise<PlaceRegister> {
  const applicant = await ports.applications.applicant(app.id);
  if (applicant === undefined) throw new Error(`application ${app.id} has no applicant record`);
  if (app.renews !== undefined)
    await renewablePermit(ports, app.renews.permitId, permit, applicant.applicant.nik);
  const holderKey = await ports.keyedHash.hash(NIK_PURPOSE, applicant.applicant.nik.trim());
  const register = (await ports.permits.places(permit.profession, holderKey)) ?? {
    profession: permit.profession,
    holderKey,
    claims: [],
    version: 0,
  };
  const today = ports.calendar.localDate(at);
  const decision = claimPlace(
    register,
    await claimStates(ports, register, today),
    {
      applicationId: app.id,
      permitCode: app.permitCode,
      claimedAt: at.toISOString(),
      ...(app.renews === undefined ? {} : { renews: app.renews.permitId }),
    },
    permit.maxPlaces.count,
  );
  if (decision.ok) return decision.register;
  if (decision.refusal === 'renewal-in-progress')
    throw conflict(
      'renewal-in-progress',
      `Perpanjangan izin nomor ${app.renews?.number ?? ''} sudah diajukan dalam permohonan lain yang sedang diproses.`,
    );
  throw unprocessable(
    'max-places-reached',
    `Pemohon dengan NIK ini sudah memiliki ${decision.held} izin praktik aktif atau dalam proses untuk profesi ini di ${ports.regency.name}. ` +
      `Paling banyak ${decision.max} tempat praktik (${permit.maxPlaces.basis}). ` +
      'Permohonan baru dapat diajukan setelah salah satu izin berakhir atau dicabut, atau ajukan sebagai perpanjangan izin yang ada.',
    [
      {
        field: 'applicant.nik',
        code: 'max-places-reached',
        message: `Paling banyak ${decision.max} izin praktik aktif per profesi.`,
      },
    ],
  );
}
