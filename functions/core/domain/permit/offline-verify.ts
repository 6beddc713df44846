/**
 * Offline verification of a permit's QR code: the text a scanner reads (`<verify URL>#<compact JWS>`)
 * against the office's published keys (`GET /.well-known/jwks.json`, fetched once and kept). No
 * network is used here: an inspector's phone can check a permit in a place without signal.
 *
 * Uses `jose` only (no Node APIs), so the same function runs in a browser or a mobile web view.
 * What it cannot know offline: whether the permit was revoked since. Opening the URL tells that.
 */
import { compactVerify, createLocalJWKSet, errors, type JSONWebKeySet } from 'jose';
import { type PermitClaims, QR_TOKEN_TYPE } from './qr-token.ts';

export type OfflineVerdict =
  | { valid: true; claims: PermitClaims; url: string; keyId: string }
  | { valid: false; reason: 'malformed' | 'unknown-key' | 'bad-signature' | 'url-mismatch'; url?: string };

export async function verifyPermitQr(text: string, jwks: JSONWebKeySet): Promise<OfflineVerdict> {
  const hash = text.indexOf('#');
  if (hash === -1) return { valid: false, reason: 'malformed' };
  const url = text.slice(0, hash);
  const token = text.slice(hash + 1);
  try {
    const { payload, protectedHeader } = await compactVerify(token, createLocalJWKSet(jwks), {
      algorithms: ['ES256'],
    });
    if (protectedHeader.typ !== QR_TOKEN_TYPE) return { valid: false, reason: 'malformed', url };
    const claims = JSON.parse(new TextDecoder().decode(payload)) as PermitClaims;
    // The token is bound to the URL it came with: a genuine token pasted under another link is refused.
    const path = new URL(url).pathname;
    if (decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) !== claims.id)
      return { valid: false, reason: 'url-mismatch', url };
    return { valid: true, claims, url, keyId: protectedHeader.kid ?? '' };
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey) return { valid: false, reason: 'unknown-key', url };
    if (error instanceof errors.JWSSignatureVerificationFailed)
      return { valid: false, reason: 'bad-signature', url };
    return { valid: false, reason: 'malformed', url };
  }
}
