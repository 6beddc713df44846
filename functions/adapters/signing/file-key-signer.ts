/**
 * The local stack's signing key: a PKCS#8 PEM file in the local data directory (`SIGNING_KEY_FILE`),
 * generated on first use with mode 0600 and kept (adapters/key-file.ts), so permits issued before a
 * restart still verify.
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { keyFile } from '../key-file.ts';
import { KeyPairSigner } from './key-pair-signer.ts';

export function fileKeySigner(file: string): KeyPairSigner {
  const pem = keyFile(file, () =>
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
  );
  return new KeyPairSigner(createPrivateKey(pem));
}
