/**
 * The local stack's keyed-hash key: 32 random bytes (hex) in a file of the local data directory
 * (`KEYED_HASH_KEY_FILE`), generated on first use with mode 0600 and kept (adapters/key-file.ts), so
 * the places registers written before a restart are found again.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { KeyedHash } from '#core/ports.ts';
import { keyFile } from '../key-file.ts';
import { hmacMessage } from './hmac-message.ts';

export class FileKeyKeyedHash implements KeyedHash {
  private readonly key: Buffer;

  constructor(file: string) {
    const text = keyFile(file, () => `${randomBytes(32).toString('hex')}\n`)
      .toString('utf8')
      .trim();
    if (!/^[0-9a-f]{64}$/.test(text)) throw new Error(`${file} does not hold a 32-byte hex key`);
    this.key = Buffer.from(text, 'hex');
  }

  async hash(purpose: string, value: string): Promise<string> {
    return createHmac('sha256', this.key).update(hmacMessage(purpose, value)).digest('hex');
  }
}
