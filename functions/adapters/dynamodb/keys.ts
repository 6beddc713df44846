/**
 * The single table: its key schema (shared with the CDK stack and the local stack, so both create the
 * same table), every key builder, and the catalogue of items. No other file spells a `pk` or an `sk`.
 *
 * Items (pk / sk), and the access pattern each serves (no Scan anywhere):
 *
 * The application aggregate, under `APP#<id>`:
 * - `APP`: the application record the workflow passes around; gsi1 `TRACK#<trackingCode>` / `APP`.
 *   Every change is a conditional write on its `version`.
 * - `APPLICANT`: the applicant's form (NIK, birth, address, phone, STR, practice place): personal data
 *   kept apart from the record above. GetItem by application id.
 * - `ACCESS`: SHA-256 of the applicant's access token (the token itself is never stored).
 * - `UPLOAD#<uploadId>`: a presigned upload handed out (pending, accepted or rejected, with the
 *   reason); pending ones carry `expiresAt` (TTL).
 * - `DOC#<requirementId>#<acceptedAt>#<uploadId>`: one accepted version of a document; every version
 *   is kept. Query `begins_with(sk, 'DOC#')` lists them by requirement, oldest first.
 * - `VISIT#<nnnn>`: one stage visit (deadline, reminders, decision, office time used).
 * - `SURVEY`: the satisfaction survey (one per application); gsi1 `SURVEY#<regency>#<yyyy-mm>` /
 *   `<answeredAt>#<id>`: an office's monthly IKM is one Query.
 * - `AUDIT#<seq>` (8 digits): the audit trail, append-only, a hash chain (core/domain/audit-chain.ts)
 *   in seq order; written in the same transaction as the change it records where there is one.
 * - `AUDITHEAD`: the chain's head `{seq, hash}` (its last record); every transaction that appends
 *   audit records moves it on the condition that it still holds the value read, so appends serialize.
 *
 * Beside it:
 * - `TRACK#<code>` / `TRACK`: reserves a tracking code (conditional put), maps it to the application.
 * - `IDEMPOTENCY#<sha256(key)>` / `IDEMPOTENCY`: a creation request's Idempotency-Key, the hash of
 *   its body and the draft it created (or, hashed with a `complaint:` scope, the complaint it filed);
 *   `expiresAt` (TTL) 24 h.
 * - `ACTION#<id>` / `ACTION`: a pending action (what a link points at), its current task token (never
 *   leaves the server), the officials it is assigned to and when links were last revoked.
 * - `LINK#<sha256(token)>` / `LINK`: an official's decision link: the action, the official, its purpose
 *   and expiry, and a pending signing challenge (the code's hash). The token itself is never stored.
 * - `COMPLAINT#<reference>` / `COMPLAINT`: a complaint; gsi1 `COMPLAINT#<regency>#<yyyy-mm>` /
 *   `<filedAt>#<reference>` (the office's monthly list) and, when linked to an application, gsi2
 *   `APP#<id>` / `COMPLAINT#<filedAt>`.
 * - `COUNTER#<key>` / `COUNTER`: gap-free sequences (permit numbers, complaint references).
 * - `RATE#<limit>#<sha256(subject)>#<windowStart>` / `RATE`: a fixed-window rate-limit counter (complaints,
 *   token recovery) per hashed address or IP, never the subject in clear; `expiresAt` (TTL) after its window.
 * - `OUTBOX#<mailId>` / `OUTBOX`: a mail recorded before it is sent (pending, sending, sent), its id
 *   derived from the event; written in the transaction of the change that causes it. Sparse gsi2
 *   `OUTBOX#pending` / `<createdAt>` while pending and `OUTBOX#sending` / `<claimedAt>` while sending
 *   (until reported stuck): the outbox sweeper's two Queries. A sent mail leaves the index.
 * - `PERMIT#<permitId>` / `PERMIT`: the permit register (number, holder's name, validity, the signed
 *   document's hash, revocation); created in the numbering transaction with the counter's increment.
 *   GetItem (verification by id, the QR code).
 * - `PERMITNO#<regencyId>#<number>` / `PERMITNO`: the number, reserved in that same transaction (so a
 *   number can never be held twice), pointing at the permit id: verification by number is two GetItems.
 * - `DOCSHA#<sha256>` / `DOCSHA`: an issued document's SHA-256 -> the permit or application: the
 *   byte-identity check of an uploaded PDF.
 * - `PLACES#<profession>#<hmac(nik)>` / `PLACES`: a person's places of practice in the regency
 *   (core/domain/places.ts): the applications that claimed one, written at submission in the
 *   submission's transaction, conditional on its version. Keyed by the keyed hash of the NIK (the
 *   `KeyedHash` port); the item holds application ids, permit codes and dates, never the NIK.
 *   GetItem at submission.
 */

export const tableDesign = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Items that may expire (drafts abandoned, idempotency records) carry epoch seconds here. */
  ttlAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
} as const;

export interface ItemKey {
  pk: string;
  sk: string;
}

const appPk = (id: string): string => `APP#${id}`;
const key = (pk: string, sk: string): ItemKey => ({ pk, sk });

export const keys = {
  application: (id: string) => key(appPk(id), 'APP'),
  applicant: (id: string) => key(appPk(id), 'APPLICANT'),
  access: (id: string) => key(appPk(id), 'ACCESS'),
  upload: (id: string, uploadId: string) => key(appPk(id), `UPLOAD#${uploadId}`),
  document: (id: string, requirementId: string, acceptedAt: string, uploadId: string) =>
    key(appPk(id), `DOC#${requirementId}#${acceptedAt}#${uploadId}`),
  visit: (id: string, visit: number) => key(appPk(id), `VISIT#${String(visit).padStart(4, '0')}`),
  survey: (id: string) => key(appPk(id), 'SURVEY'),
  audit: (id: string, seq: number) => key(appPk(id), `AUDIT#${String(seq).padStart(8, '0')}`),
  auditHead: (id: string) => key(appPk(id), 'AUDITHEAD'),
  track: (code: string) => key(`TRACK#${code}`, 'TRACK'),
  idempotency: (keyHash: string) => key(`IDEMPOTENCY#${keyHash}`, 'IDEMPOTENCY'),
  action: (id: string) => key(`ACTION#${id}`, 'ACTION'),
  link: (hash: string) => key(`LINK#${hash}`, 'LINK'),
  complaint: (reference: string) => key(`COMPLAINT#${reference}`, 'COMPLAINT'),
  counter: (name: string) => key(`COUNTER#${name}`, 'COUNTER'),
  outbox: (mailId: string) => key(`OUTBOX#${mailId}`, 'OUTBOX'),
  rateWindow: (limit: string, subjectHash: string, windowStart: number) =>
    key(`RATE#${limit}#${subjectHash}#${windowStart}`, 'RATE'),
  permit: (permitId: string) => key(`PERMIT#${permitId}`, 'PERMIT'),
  permitNumber: (regencyId: string, number: string) => key(`PERMITNO#${regencyId}#${number}`, 'PERMITNO'),
  documentHash: (sha256: string) => key(`DOCSHA#${sha256}`, 'DOCSHA'),
  places: (profession: string, holderKey: string) => key(`PLACES#${profession}#${holderKey}`, 'PLACES'),
};

/** Sort-key prefixes of the collections inside an application's partition. */
export const collections = {
  documents: (id: string) => ({ pk: appPk(id), prefix: 'DOC#' }),
  visits: (id: string) => ({ pk: appPk(id), prefix: 'VISIT#' }),
  audit: (id: string) => ({ pk: appPk(id), prefix: 'AUDIT#' }),
};

export const OUTBOX_PENDING = 'OUTBOX#pending';
export const OUTBOX_SENDING = 'OUTBOX#sending';

/** Secondary-index keys, by the item they index. */
export const indexKeys = {
  application: (trackingCode: string) => ({ gsi1pk: `TRACK#${trackingCode}`, gsi1sk: 'APP' }),
  survey: (regencyId: string, month: string, answeredAt: string, applicationId: string) => ({
    gsi1pk: `SURVEY#${regencyId}#${month}`,
    gsi1sk: `${answeredAt}#${applicationId}`,
  }),
  /** The outbox sweeper's sparse index: only mails pending, or sending and not reported stuck. */
  outboxPending: (createdAt: string) => ({ gsi2pk: OUTBOX_PENDING, gsi2sk: createdAt }),
  complaint: (c: {
    regencyId: string;
    month: string;
    filedAt: string;
    reference: string;
    applicationId?: string;
  }) => ({
    gsi1pk: `COMPLAINT#${c.regencyId}#${c.month}`,
    gsi1sk: `${c.filedAt}#${c.reference}`,
    ...(c.applicationId === undefined
      ? {}
      : { gsi2pk: appPk(c.applicationId), gsi2sk: `COMPLAINT#${c.filedAt}` }),
  }),
};

/** An item as the domain sees it: without its keys. */
export function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (item === undefined) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, ...rest } = item;
  return rest as T;
}
