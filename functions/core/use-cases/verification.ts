/**
 * Public verification of permits (by id, number or the PDF's bytes), the office's public keys, and
 * revocation by an administrator. What verification shows is the permit register's record: the
 * holder's name masked, never the NIK or the date of birth (they are not even in the record).
 */
import { createHash } from 'node:crypto';
import { maskName } from '../domain/permit/indonesian.ts';
import type { PermitRecord } from '../domain/permit/permit-record.ts';
import { conflict, notFound } from '../domain/request-errors.ts';
import type { Ports, PublicJwk } from '../ports.ts';
import { retryOnConflict } from './retry.ts';

export type Verdict = 'genuine' | 'revoked' | 'superseded';

export interface PermitVerification {
  verdict: Verdict;
  permit: {
    id: string;
    number: string;
    type: { code: string; name: string };
    holderName: string;
    issuedAt: string;
    /** Local dates; `validUntil` absent: valid as long as the holder's STR. */
    validFrom: string;
    validUntil?: string;
    /** Past its last valid day (local date of the office). */
    expired: boolean;
    deemedGranted: boolean;
    document: { sha256: string; keyId: string; algorithm: 'ES256'; signature: string };
    /** A renewal: the number of the permit it replaced. */
    supersedes?: { id: string; number: string };
  };
  revoked?: { at: string; reason: string };
  /** Replaced by a renewal: when, and the permit that replaced it (its own verification is at /verify/<id>). */
  superseded?: { at: string; byId: string; byNumber: string };
  issuer: { regency: string; office: string };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A permit by id (what the QR code carries) or by number; only issued ones exist for the public. */
export async function findIssued(
  ports: Pick<Ports, 'permits'>,
  ref: string,
): Promise<PermitRecord | undefined> {
  const trimmed = ref.trim();
  const found = UUID.test(trimmed)
    ? await ports.permits.get(trimmed.toLowerCase())
    : await ports.permits.byNumber(trimmed);
  return found?.document === undefined || found.status === 'numbered' ? undefined : found;
}

function view(ports: Pick<Ports, 'regency' | 'calendar' | 'now'>, permit: PermitRecord): PermitVerification {
  const document = permit.document as NonNullable<PermitRecord['document']>;
  const type = ports.regency.permits.find((p) => p.code === permit.permitCode);
  const today = ports.calendar.localDate(ports.now());
  return {
    verdict:
      permit.status === 'revoked' ? 'revoked' : permit.status === 'superseded' ? 'superseded' : 'genuine',
    permit: {
      id: permit.id,
      number: permit.number,
      type: { code: permit.permitCode, name: type?.product ?? permit.permitCode },
      holderName: maskName(permit.holderName),
      issuedAt: permit.issuedAt ?? permit.numberedAt,
      validFrom: permit.validFrom ?? (permit.issuedAt ?? permit.numberedAt).slice(0, 10),
      ...(permit.validUntil === undefined ? {} : { validUntil: permit.validUntil }),
      expired: permit.validUntil !== undefined && permit.validUntil < today,
      deemedGranted: permit.deemedGranted === true,
      document: {
        sha256: document.sha256,
        keyId: document.keyId,
        algorithm: document.algorithm,
        signature: document.signature,
      },
      ...(permit.supersedes === undefined ? {} : { supersedes: permit.supersedes }),
    },
    ...(permit.revoked === undefined
      ? {}
      : { revoked: { at: permit.revoked.at, reason: permit.revoked.reason } }),
    ...(permit.superseded === undefined ? {} : { superseded: permit.superseded }),
    issuer: { regency: ports.regency.name, office: ports.regency.office.name },
  };
}

/** The verification of a permit by id or number; undefined when no issued permit has it. */
export async function verifyPermit(
  ports: Pick<Ports, 'permits' | 'regency' | 'calendar' | 'now'>,
  ref: string,
): Promise<PermitVerification | undefined> {
  const permit = await findIssued(ports, ref);
  return permit === undefined ? undefined : view(ports, permit);
}

export type ByteCheck =
  | { identical: true; sha256: string; document: 'permit'; verification: PermitVerification }
  | { identical: true; sha256: string; document: 'rejection-letter'; issuedAt: string }
  | { identical: false; sha256: string };

/** Whether `bytes` are exactly a document the office issued (lookup by SHA-256). */
export async function checkDocumentBytes(
  ports: Pick<Ports, 'permits' | 'regency' | 'calendar' | 'now'>,
  bytes: Uint8Array,
): Promise<ByteCheck> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const registered = await ports.permits.byDocumentHash(sha256);
  if (registered === undefined) return { identical: false, sha256 };
  if (registered.document === 'rejection-letter')
    return { identical: true, sha256, document: 'rejection-letter', issuedAt: registered.issuedAt };
  const permit = registered.permitId === undefined ? undefined : await ports.permits.get(registered.permitId);
  if (permit?.document === undefined) return { identical: false, sha256 };
  return { identical: true, sha256, document: 'permit', verification: view(ports, permit) };
}

/** The JWKS: the office's public key(s) that permits and their QR codes are signed with. */
export async function publicKeySet(ports: Pick<Ports, 'signer'>): Promise<{ keys: PublicJwk[] }> {
  return { keys: await ports.signer.publicKeys() };
}

export interface Revocation {
  /** Permit id or number. */
  ref: string;
  reason: string;
  /** Who revokes (an administrator's id or e-mail, as the admin command knows them). */
  actor: string;
  at: Date;
}

/**
 * Revokes an issued permit: the record's status, when, why and by whom, and the audit event of its
 * application, in one transaction (conditional on the record's version). Verification shows it at
 * once (it reads the record with a consistent read). Revoking a revoked permit changes nothing and
 * answers the revocation on record.
 */
export async function revokePermit(
  ports: Pick<Ports, 'permits' | 'changes' | 'regency' | 'calendar' | 'now'>,
  revocation: Revocation,
): Promise<{ revoked: 'now' | 'before'; permit: PermitVerification }> {
  const reason = revocation.reason.trim();
  if (reason === '') throw conflict('reason-required', 'Alasan pencabutan wajib diisi.');
  return retryOnConflict(async () => {
    const permit = await findIssued(ports, revocation.ref);
    if (permit === undefined) throw notFound('permit-not-found', `Izin ${revocation.ref} tidak ditemukan.`);
    if (permit.status === 'revoked') return { revoked: 'before' as const, permit: view(ports, permit) };
    const at = revocation.at.toISOString();
    const revoked: PermitRecord = {
      ...permit,
      status: 'revoked',
      revoked: { at, reason, actor: revocation.actor },
      version: permit.version + 1,
    };
    await ports.changes.commit(
      {
        updatePermit: revoked,
        audit: [
          {
            applicationId: permit.applicationId,
            at,
            type: 'permit-revoked',
            actor: revocation.actor,
            detail: { permitId: permit.id, permitNumber: permit.number, reason },
          },
        ],
      },
      at,
    );
    return { revoked: 'now' as const, permit: view(ports, revoked) };
  });
}
