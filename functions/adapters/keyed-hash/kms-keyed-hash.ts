/**
 * HMAC-SHA-256 with an AWS KMS HMAC key (key spec HMAC_256, usage GENERATE_VERIFY_MAC), created by the
 * regency's stack and granted (kms:GenerateMac) only to the function that looks people up by NIK. The
 * key never leaves KMS, so a copy of the table alone cannot be searched for a NIK.
 */
import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { KeyedHash } from '#core/ports.ts';
import { hmacMessage } from './hmac-message.ts';

export class KmsKeyedHash implements KeyedHash {
  constructor(
    private readonly kms: Pick<KMSClient, 'send'>,
    private readonly keyId: string,
  ) {}

  async hash(purpose: string, value: string): Promise<string> {
    const { Mac } = await this.kms.send(
      new GenerateMacCommand({
        KeyId: this.keyId,
        MacAlgorithm: 'HMAC_SHA_256',
        Message: hmacMessage(purpose, value),
      }),
    );
    if (Mac === undefined) throw new Error('KMS returned no MAC');
    return Buffer.from(Mac).toString('hex');
  }
}
