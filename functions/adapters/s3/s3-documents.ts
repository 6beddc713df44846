/** The DocumentStore port over S3: private objects, server-side encrypted, keys without personal data. */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DocumentStore } from '#core/use-cases/issuance.ts';

export class S3DocumentStore implements DocumentStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        ServerSideEncryption: 'AES256',
      }),
    );
  }
}
