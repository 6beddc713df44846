/**
 * The permit as the office's register keeps it (`PERMIT#<id>` in the table): created with its number,
 * completed when the document is issued, and revoked or superseded later. Verification reads only this
 * record; it holds the holder's name (shown masked) and never the NIK or the date of birth.
 */

export type PermitStatus = 'numbered' | 'active' | 'revoked' | 'superseded';

/** The issued file and its signature (ECDSA P-256 over the file's SHA-256). */
export interface SignedDocument {
  objectKey: string;
  /** SHA-256 of the PDF's bytes, lower-case hex. */
  sha256: string;
  /** ES256 signature of the digest, r||s, base64url. */
  signature: string;
  /** The signing key's id: its JWK thumbprint (RFC 7638), as published at /.well-known/jwks.json. */
  keyId: string;
  algorithm: 'ES256';
  sizeBytes: number;
}

export interface PermitRecord {
  /** A random id (UUID): what the QR code and the verification link carry. */
  id: string;
  applicationId: string;
  regencyId: string;
  permitCode: string;
  number: string;
  /** The sequence the number was drawn from and its place in it. */
  sequence: string;
  seq: number;
  holderName: string;
  status: PermitStatus;
  numberedAt: string;
  issuedAt?: string;
  /** Local dates (YYYY-MM-DD). `validUntil` absent: valid as long as the holder's STR (for life). */
  validFrom?: string;
  validUntil?: string;
  /** The configured rule's legal basis, as printed. */
  validityBasis?: string;
  document?: SignedDocument;
  /** The compact JWS the QR code carries (offline verification). */
  qrToken?: string;
  deemedGranted?: boolean;
  revoked?: { at: string; reason: string; actor: string };
  /** A renewal: the permit this one replaces. */
  supersedes?: { id: string; number: string };
  /** Replaced by a renewal issued on `at` (status `superseded`). */
  superseded?: { at: string; byId: string; byNumber: string };
  version: number;
}

/** Where an issued document's SHA-256 leads (`DOCSHA#<sha256>`): the byte-identity check. */
export interface DocumentHashRecord {
  sha256: string;
  document: 'permit' | 'rejection-letter';
  applicationId: string;
  permitId?: string;
  issuedAt: string;
}
