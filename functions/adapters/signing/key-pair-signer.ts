/**
 * ES256 with a private key held by this process: the local stack's signer (file-key-signer.ts loads
 * the key) and the unit tests'. The cloud uses KMS (kms-signer.ts), where the key never leaves AWS.
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { DigestSignature, PublicJwk, Signer } from '#core/ports.ts';
import { publicJwk } from './jwk.ts';

export class KeyPairSigner implements Signer {
  readonly jwk: PublicJwk;

  constructor(private readonly privateKey: KeyObject) {
    this.jwk = publicJwk(privateKey);
  }

  static generate(): KeyPairSigner {
    return new KeyPairSigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  }

  async sign(message: Uint8Array): Promise<DigestSignature> {
    const signature = sign('sha256', message, { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return { keyId: this.jwk.kid, signature: new Uint8Array(signature) };
  }

  async publicKeys(): Promise<PublicJwk[]> {
    return [this.jwk];
  }
}
