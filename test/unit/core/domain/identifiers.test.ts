import { describe, expect, it } from 'vitest';
import {
  bearerToken,
  hashAccessToken,
  isApplicationId,
  newAccessToken,
  tokenMatches,
} from '#core/domain/access-token.ts';
import { normaliseMobileNumber } from '#core/domain/mobile-number.ts';
import {
  generateTrackingCode,
  normaliseTrackingCode,
  TRACKING_ALPHABET,
  TRACKING_CODE_PATTERN,
  trackingPrefix,
} from '#core/domain/tracking-code.ts';

describe('normaliseMobileNumber', () => {
  it.each([
    ['081234567890', '+6281234567890'],
    ['6281234567890', '+6281234567890'],
    ['+6281234567890', '+6281234567890'],
    ['0812-3456-7890', '+6281234567890'],
    ['0812 3456 7890', '+6281234567890'],
    ['(0812) 3456.7890', '+6281234567890'],
    ['085612345', '+6285612345'],
  ])('normalises %s to %s', (input, expected) => {
    expect(normaliseMobileNumber(input)).toBe(expected);
  });

  it.each([
    ['a landline', '0736349730'],
    ['an 80 prefix', '08012345678'],
    ['too short', '0812345'],
    ['too long', '081234567890123'],
    ['letters', '0812abc45678'],
    ['another country', '+6591234567'],
    ['empty', ''],
  ])('rejects %s', (_what, input) => {
    expect(normaliseMobileNumber(input)).toBeUndefined();
  });
});

describe('tracking codes', () => {
  it('derives a three-letter prefix without I or O from the regency id', () => {
    expect(trackingPrefix({ id: 'kota-bengkulu' })).toBe('BNG');
    expect(trackingPrefix({ id: 'kota-pekanbaru' })).toBe('PKN');
    expect(trackingPrefix({ id: 'kabupaten-pasuruan' })).toBe('PSR');
    expect(trackingPrefix({ id: 'kota-ia' })).toBe('XXX');
  });

  it('has no look-alike characters in its alphabet', () => {
    expect(TRACKING_ALPHABET).toHaveLength(32);
    expect(TRACKING_ALPHABET).not.toMatch(/[01IO]/);
  });

  it('formats 8 random characters in two groups after the prefix', () => {
    const bytes = Uint8Array.from([0, 1, 2, 3, 28, 29, 30, 31]);
    expect(generateTrackingCode('BNG', () => bytes)).toBe('BNG-2345-WXYZ');
  });

  it('generates codes matching the documented pattern', () => {
    for (let i = 0; i < 200; i++) {
      const code = generateTrackingCode('BNG', (n) => crypto.getRandomValues(new Uint8Array(n)));
      expect(code).toMatch(TRACKING_CODE_PATTERN);
    }
  });

  it('forgives case, spaces and missing hyphens when a person types a code', () => {
    expect(normaliseTrackingCode('bng-7k3m-q9tx')).toBe('BNG-7K3M-Q9TX');
    expect(normaliseTrackingCode(' BNG 7K3M Q9TX ')).toBe('BNG-7K3M-Q9TX');
    expect(normaliseTrackingCode('BNG7K3MQ9TX')).toBe('BNG-7K3M-Q9TX');
  });

  it('refuses what cannot be a code', () => {
    expect(normaliseTrackingCode('BNG-7K3M-Q9T0')).toBeUndefined();
    expect(normaliseTrackingCode('BNG-7K3M')).toBeUndefined();
    expect(normaliseTrackingCode('../../etc')).toBeUndefined();
  });
});

describe('access tokens', () => {
  it('are 32 random bytes in base64url', () => {
    const token = newAccessToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(newAccessToken()).not.toBe(token);
  });

  it('match only their own hash', () => {
    const token = newAccessToken();
    expect(tokenMatches(token, hashAccessToken(token))).toBe(true);
    expect(tokenMatches(newAccessToken(), hashAccessToken(token))).toBe(false);
  });

  it('never match a missing hash, even the dummy compared against', () => {
    expect(tokenMatches('no application has this token', undefined)).toBe(false);
  });

  it('are read from a Bearer authorization header only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('belong to ids that are UUIDs v4 in lower case', () => {
    expect(isApplicationId('3f2b8c1e-9d4a-4b7e-8a1c-2d3e4f5a6b7c')).toBe(true);
    expect(isApplicationId('3F2B8C1E-9D4A-4B7E-8A1C-2D3E4F5A6B7C')).toBe(false);
    expect(isApplicationId('../APP')).toBe(false);
  });
});
