/**
 * The local stack's signing key: a PKCS#8 PEM file in the local data directory (`SIGNING_KEY_FILE`),
 * generated on first use with mode 0600 and kept, so permits issued before a restart still verify.
 * Two processes (the API and the Step Functions service) may start at once: the file is created with
 * the exclusive flag, and the loser reads the winner's key.
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KeyPairSigner } from './key-pair-signer.ts';

export function fileKeySigner(file: string): KeyPairSigner {
  mkdirSync(dirname(file), { recursive: true });
  try {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  chmodSync(file, 0o600);
  return new KeyPairSigner(createPrivateKey(readFileSync(file)));
}
