import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDurably } from '../journal/durable-file.ts';

/**
 * Task tokens: `<payload>.<mac>`, where the payload names the execution and the task attempt
 * (plus a random nonce) and the mac is an HMAC-SHA256 with a secret kept in the data directory.
 *
 * They are unguessable (the mac), survive restarts (the secret is on disk), and let the service
 * tell a token it issued for a task that is now closed (answer TaskTimedOut, as AWS does) from
 * a token it never issued (answer InvalidToken), without keeping every closed token.
 */

export interface TokenClaims {
  executionSeq: number;
  taskSeq: number;
}

/**
 * Random nonces are cut from a pool filled 6 KiB at a time: one call into the system's random
 * source per 512 tokens rather than one per token (which cost a tenth of the interpreter's time
 * with many callback tasks).
 */
const NONCE_BYTES = 12;
let noncePool = Buffer.alloc(0);
let nonceOffset = 0;

function nonce(): string {
  if (nonceOffset + NONCE_BYTES > noncePool.length) {
    noncePool = randomBytes(NONCE_BYTES * 512);
    nonceOffset = 0;
  }
  const text = noncePool.toString('base64url', nonceOffset, nonceOffset + NONCE_BYTES);
  nonceOffset += NONCE_BYTES;
  return text;
}

export class TokenIssuer {
  private constructor(private readonly secret: Buffer) {}

  static load(dataDir: string): TokenIssuer {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, 'task-token-secret');
    try {
      const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
      if (secret.length >= 32) return new TokenIssuer(secret);
    } catch {
      // First start on this data directory: create the secret below.
    }
    const secret = randomBytes(32);
    writeDurably(file, secret.toString('base64'), 0o600);
    return new TokenIssuer(secret);
  }

  issue(claims: TokenClaims): string {
    const payload = Buffer.from(`${claims.executionSeq}.${claims.taskSeq}.${nonce()}`).toString('base64url');
    return [payload, this.mac(payload)].join('.');
  }

  /** The claims of a token this service issued, or undefined for anything else. */
  verify(token: string): TokenClaims | undefined {
    // Base64url decoding skips stray characters: insist on the exact shape first.
    if (token.length > 2048 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return undefined;
    const dot = token.indexOf('.');
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const [executionSeq, taskSeq] = Buffer.from(payload, 'base64url').toString('utf8').split('.').map(Number);
    if (!Number.isInteger(executionSeq) || !Number.isInteger(taskSeq)) return undefined;
    return { executionSeq: executionSeq as number, taskSeq: taskSeq as number };
  }

  private mac(payload: string): string {
    // The first 24 bytes of the MAC: 32 base64url characters (24 is a multiple of 3, so the
    // prefix of the whole digest's encoding is exactly their encoding).
    return createHmac('sha256', this.secret).update(payload).digest('base64url').slice(0, 32);
  }
}
