/**
 * ES256 with an AWS KMS key (key spec ECC_NIST_P256, usage SIGN_VERIFY), created by the regency's stack
 * and granted only to the issuing function (kms:Sign) and the verification function
 * (kms:GetPublicKey). The document is hashed here; KMS gets only the SHA-256 digest
 * (`MessageType: DIGEST`) and answers a DER signature, converted to JOSE's r||s.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { DigestSignature, PublicJwk, Signer } from '#core/ports.ts';
import { derToJose, publicJwk } from './jwk.ts';

export class KmsSigner implements Signer {
  private jwk: Promise<PublicJwk> | undefined;

  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  private publicJwk(): Promise<PublicJwk> {
    this.jwk ??= this.kms.send(new GetPublicKeyCommand({ KeyId: this.keyId })).then(({ PublicKey }) => {
      if (PublicKey === undefined) throw new Error('KMS returned no public key');
      return publicJwk(createPublicKey({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' }));
    });
    return this.jwk;
  }

  async sign(message: Uint8Array): Promise<DigestSignature> {
    const digest = createHash('sha256').update(message).digest();
    const [{ Signature }, jwk] = await Promise.all([
      this.kms.send(
        new SignCommand({
          KeyId: this.keyId,
          Message: digest,
          MessageType: 'DIGEST',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      ),
      this.publicJwk(),
    ]);
    if (Signature === undefined) throw new Error('KMS returned no signature');
    return { keyId: jwk.kid, signature: derToJose(Signature) };
  }

  async publicKeys(): Promise<PublicJwk[]> {
    return [await this.publicJwk()];
  }
}
