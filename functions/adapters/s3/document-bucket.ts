/**
 * The DocumentFiles port over S3 (s3rver locally): presigned transfers, the server-side look at
 * uploads, and generated documents. Objects are private and server-side encrypted; keys hold no
 * personal data.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { StoredUpload } from '#core/domain/file-type.ts';
import type { DocumentFiles } from '#core/ports.ts';

const COPY_ATTEMPTS = 4;

const isMissing = (e: unknown): boolean => {
  const name = (e as { name?: string }).name;
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return name === 'NotFound' || name === 'NoSuchKey' || status === 404;
};

export class S3DocumentBucket implements DocumentFiles {
  /** `s3` must be configured with `requestChecksumCalculation: 'WHEN_REQUIRED'` (see runtime/clients.ts). */
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  presignUpload(
    key: string,
    contentType: string,
    expiresInSeconds: number,
    sizeBytes: number,
  ): Promise<string> {
    // Content-Type and Content-Length are signed headers: real S3 refuses a PUT with another type or
    // another size (so a URL for a 52-byte PDF cannot carry 5 GB). s3rver checks neither, which is
    // why confirmation reads the stored type and size back and compares them with the declared ones.
    return getSignedUrl(
      this.s3,
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ContentType: contentType,
        ContentLength: sizeBytes,
      }),
      {
        expiresIn: expiresInSeconds,
        signableHeaders: new Set(['content-type', 'content-length']),
      },
    );
  }

  presignDownload(
    key: string,
    fileName: string,
    expiresInSeconds: number,
    contentType?: string,
  ): Promise<string> {
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        // Always a download, never rendered by the browser in the product's origin or S3's; and the
        // exact type the server-side check found, whatever the uploader declared.
        ResponseContentDisposition: `attachment; filename="${fileName}"`,
        ...(contentType === undefined ? {} : { ResponseContentType: contentType }),
      }),
      { expiresIn: expiresInSeconds },
    );
  }

  async inspect(key: string, headBytes: number): Promise<StoredUpload | undefined> {
    let size: number;
    let contentType: string | undefined;
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      size = head.ContentLength ?? 0;
      contentType = head.ContentType;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
    if (size === 0 || headBytes === 0) return { sizeBytes: size, contentType, head: new Uint8Array() };
    // Only the first bytes: a 20 MB scan is never read into the function.
    const object = await this.s3.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${headBytes - 1}` }),
    );
    const bytes = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
    return { sizeBytes: size, contentType, head: bytes.slice(0, headBytes) };
  }

  /**
   * Server-side copy. Copying the same object onto the same key twice is harmless, so a failure is
   * tried again: s3rver fails one of two concurrent copies onto one key (S3 takes both).
   */
  async copy(fromKey: string, toKey: string): Promise<void> {
    const command = new CopyObjectCommand({
      Bucket: this.bucket,
      Key: toKey,
      CopySource: `${this.bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`,
    });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.s3.send(command);
        return;
      } catch (error) {
        if (attempt >= COPY_ATTEMPTS || isMissing(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

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
