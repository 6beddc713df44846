import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenerateMacCommand } from '@aws-sdk/client-kms';
import { afterEach, describe, expect, it } from 'vitest';
import { FileKeyKeyedHash } from '#adapters/keyed-hash/file-key-keyed-hash.ts';
import { KmsKeyedHash } from '#adapters/keyed-hash/kms-keyed-hash.ts';

const NIK = '1771015505900001';
const dirs: string[] = [];
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyed-hash-'));
  dirs.push(dir);
  return join(dir, 'data', 'keyed-hash.key');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('FileKeyKeyedHash', () => {
  it('creates a private 32-byte key on first use and hashes with it, the same after a restart', async () => {
    const file = tempFile();

    const first = await new FileKeyKeyedHash(file).hash('nik', NIK);
    const again = await new FileKeyKeyedHash(file).hash('nik', NIK);

    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    expect(key).toHaveLength(32);
    expect(first).toBe(createHmac('sha256', key).update(`nik\0${NIK}`).digest('hex'));
    expect(again).toBe(first);
  });

  it('gives another value for another purpose, and under another key', async () => {
    const hash = new FileKeyKeyedHash(tempFile());
    const other = new FileKeyKeyedHash(tempFile());

    expect(await hash.hash('rate', NIK)).not.toBe(await hash.hash('nik', NIK));
    expect(await other.hash('nik', NIK)).not.toBe(await hash.hash('nik', NIK));
  });

  it('refuses a key file that does not hold a key rather than hashing with it', () => {
    const file = tempFile();
    new FileKeyKeyedHash(file);
    writeFileSync(file, 'not a key\n');

    expect(() => new FileKeyKeyedHash(file)).toThrow(/does not hold a 32-byte hex key/);
  });
});

describe('KmsKeyedHash', () => {
  it('asks KMS for an HMAC_SHA_256 of the purpose and value and answers it in hex', async () => {
    const sent: GenerateMacCommand[] = [];
    const kms = {
      send: async (command: GenerateMacCommand) => {
        sent.push(command);
        return { Mac: Uint8Array.from([0xde, 0xad, 0xbe, 0xef]) };
      },
    } as never;

    const hash = await new KmsKeyedHash(kms, 'arn:aws:kms:ap-southeast-3:111122223333:key/k').hash(
      'nik',
      NIK,
    );

    expect(hash).toBe('deadbeef');
    expect(sent[0]).toBeInstanceOf(GenerateMacCommand);
    expect(sent[0]?.input).toEqual({
      KeyId: 'arn:aws:kms:ap-southeast-3:111122223333:key/k',
      MacAlgorithm: 'HMAC_SHA_256',
      Message: new TextEncoder().encode(`nik\0${NIK}`),
    });
  });
});
