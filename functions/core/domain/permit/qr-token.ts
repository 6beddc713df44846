/**
 * What the permit's QR code carries: the verification URL, and after `#` a compact JWS (RFC 7515,
 * ES256) signed with the office's key. Anyone holding the office's public key (JWKS at
 * `/.well-known/jwks.json`) can check it without a network: offline-verify.ts.
 *
 * The signature covers the permit id, its number and `h`, the SHA-256 of the permit's printed content
 * (canonical JSON of every printed field). It cannot cover the PDF's own bytes: the QR code is part of
 * those bytes. The PDF's SHA-256 is signed separately and recorded on the permit record, shown on the
 * verification page and checked by `POST /verify`. The masked name, the permit type and the validity
 * are in the token too, so an offline check can be compared with the paper in hand; never the NIK or
 * the date of birth.
 *
 * The token is in the URL's fragment, which browsers do not send: opening the link shows the online
 * verification page, and the server never logs the token.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';

export const QR_TOKEN_TYPE = 'satupintu-permit+jws';

export interface PermitClaims {
  /** Permit id. */
  id: string;
  /** Permit number. */
  no: string;
  /** SHA-256 of the printed content (canonical JSON), base64url. */
  h: string;
  /** Permit type code. */
  typ: string;
  /** Holder's name, masked. */
  nm: string;
  /** Issue date and last valid date (local, YYYY-MM-DD); `exp` absent: valid as long as the STR. */
  iat: string;
  exp?: string;
  /** Regency id: whose key signed. */
  iss: string;
}

const b64u = (bytes: Uint8Array | string): string =>
  Buffer.from(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes).toString('base64url');

/** SHA-256 of the canonical JSON of the printed content, base64url. */
export const contentDigest = (printed: unknown): string =>
  createHash('sha256').update(canonicalJson(printed)).digest('base64url');

/** The JWS signing input (`header.payload`), to be signed as ES256. */
export function qrSigningInput(claims: PermitClaims, keyId: string): string {
  return `${b64u(JSON.stringify({ alg: 'ES256', kid: keyId, typ: QR_TOKEN_TYPE }))}.${b64u(JSON.stringify(claims))}`;
}

/** The compact JWS from its signing input and the ES256 signature (r||s). */
export const compactJws = (signingInput: string, signature: Uint8Array): string =>
  `${signingInput}.${b64u(signature)}`;

/** The verification URL of a permit: `<base>/verify/<id>`. */
export const verifyUrl = (baseUrl: string, permitId: string): string =>
  `${baseUrl.replace(/\/+$/, '')}/verify/${encodeURIComponent(permitId)}`;

/** What the QR code encodes. */
export const qrText = (url: string, jws: string): string => `${url}#${jws}`;
