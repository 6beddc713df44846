/**
 * A secret key kept in a file of the local stack's data directory (the signing key, the keyed-hash
 * key): generated on first use with mode 0600 and kept, so what was signed or hashed before a restart
 * still matches. Several processes (the API and the Step Functions service) may start at once: the key
 * is written whole to a file of its own, then linked into place, which fails if a key is there; the
 * loser reads the winner's key, never a half-written one.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function keyFile(file: string, generate: () => string | Uint8Array): Buffer {
  mkdirSync(dirname(file), { recursive: true });
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(draft, generate(), { flag: 'wx', mode: 0o600 });
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  chmodSync(file, 0o600);
  return readFileSync(file);
}
