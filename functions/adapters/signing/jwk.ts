/** Public keys as JWKs, their RFC 7638 thumbprints, and DER ECDSA signatures as JOSE's r||s. */
import { createHash, type KeyObject } from 'node:crypto';
import type { PublicJwk } from '#core/ports.ts';

/** The JWK of a P-256 public key, `kid` = its RFC 7638 thumbprint (base64url SHA-256 of the canonical members). */
export function publicJwk(publicKey: KeyObject): PublicJwk {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || jwk.x === undefined || jwk.y === undefined)
    throw new Error('the signing key is not an ECDSA P-256 key');
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  const kid = createHash('sha256').update(canonical).digest('base64url');
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid, alg: 'ES256', use: 'sig' };
}

/** An ASN.1 DER ECDSA signature (what KMS returns) as the 64-byte r||s JOSE uses. */
export function derToJose(der: Uint8Array): Uint8Array {
  const bytes = Buffer.from(der);
  let offset = 0;
  const expect = (tag: number) => {
    if (bytes[offset] !== tag) throw new Error('not a DER ECDSA signature');
    offset += 1;
  };
  const length = (): number => {
    const first = bytes[offset++] ?? 0;
    if (first < 0x80) return first;
    let n = 0;
    for (let i = 0; i < (first & 0x7f); i++) n = (n << 8) | (bytes[offset++] ?? 0);
    return n;
  };
  expect(0x30);
  length();
  const integer = (): Buffer => {
    expect(0x02);
    const n = length();
    const value = bytes.subarray(offset, offset + n);
    offset += n;
    const trimmed = value.subarray(
      value.findIndex((b) => b !== 0) === -1 ? value.length : value.findIndex((b) => b !== 0),
    );
    if (trimmed.length > 32) throw new Error('DER integer longer than 32 bytes');
    return Buffer.concat([Buffer.alloc(32 - trimmed.length), trimmed]);
  };
  const r = integer();
  const s = integer();
  return new Uint8Array(Buffer.concat([r, s]));
}
