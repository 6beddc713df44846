import { describe, expect, it } from 'vitest';
import type { Application } from '#core/domain/application.ts';
import type { PermitRecord } from '#core/domain/permit/permit-record.ts';
import {
  type ClaimState,
  claimPlace,
  claimState,
  type PlaceClaim,
  type PlaceRegister,
} from '#core/domain/places.ts';
import { anApplication } from '../builders.ts';

const TODAY = '2026-03-02';

const permit = (overrides: Partial<PermitRecord> = {}): PermitRecord => ({
  id: 'permit-1',
  applicationId: 'app-1',
  regencyId: 'kota-bengkulu',
  permitCode: 'SIKOT',
  number: '503/0001/SIKOT/DPMPTSP/2026',
  sequence: 'kota-bengkulu#SIKOT#2026',
  seq: 1,
  holderName: 'Siti Rahmawati',
  status: 'active',
  numberedAt: '2026-02-25T03:00:00.000Z',
  validUntil: '2031-02-24',
  version: 2,
  ...overrides,
});

const issuedApp = (overrides: Partial<Application> = {}) =>
  anApplication({ status: 'issued', permitId: 'permit-1', ...overrides });

describe('claimState', () => {
  it('counts an application still in progress as a place taken', () => {
    for (const status of ['submitted', 'in-progress', 'returned', 'needs-attention'] as const)
      expect(claimState(anApplication({ status }), undefined, TODAY)).toEqual({ kind: 'pending' });
  });

  it('frees the place of an application withdrawn, rejected or lapsed', () => {
    for (const status of ['withdrawn', 'rejected', 'lapsed'] as const)
      expect(claimState(anApplication({ status }), undefined, TODAY)).toEqual({ kind: 'ended', why: status });
  });

  it('counts an issued permit in force, through its last valid day', () => {
    expect(claimState(issuedApp(), permit({ validUntil: TODAY }), TODAY)).toEqual({
      kind: 'active',
      permitId: 'permit-1',
    });
    expect(claimState(issuedApp(), permit({ validUntil: undefined }), TODAY).kind).toBe('active');
  });

  it('frees the place of a permit expired, revoked or superseded', () => {
    expect(claimState(issuedApp(), permit({ validUntil: '2026-03-01' }), TODAY)).toEqual({
      kind: 'ended',
      why: 'expired',
    });
    expect(claimState(issuedApp(), permit({ status: 'revoked' }), TODAY)).toEqual({
      kind: 'ended',
      why: 'revoked',
    });
    expect(claimState(issuedApp(), permit({ status: 'superseded' }), TODAY)).toEqual({
      kind: 'ended',
      why: 'superseded',
    });
  });

  it('frees a claim whose application is gone', () => {
    expect(claimState(undefined, undefined, TODAY)).toEqual({ kind: 'ended', why: 'application-gone' });
  });
});

describe('claimPlace', () => {
  const claim = (applicationId: string, renews?: string): PlaceClaim => ({
    applicationId,
    permitCode: 'SIKOT',
    claimedAt: '2026-03-02T02:00:00.000Z',
    ...(renews === undefined ? {} : { renews }),
  });
  const register = (claims: PlaceClaim[], version = 3): PlaceRegister => ({
    profession: 'occupational-therapist',
    holderKey: 'ab'.repeat(32),
    claims,
    version,
  });
  const states = (entries: Record<string, ClaimState>) => new Map(Object.entries(entries));
  const active = (permitId: string): ClaimState => ({ kind: 'active', permitId });
  const pending: ClaimState = { kind: 'pending' };

  it('adds the claim to the live ones and moves the version on', () => {
    const decision = claimPlace(register([claim('a')]), states({ a: active('p-a') }), claim('new'), 3);

    expect(decision).toEqual({ ok: true, register: register([claim('a'), claim('new')], 4) });
  });

  it('refuses a place beyond the maximum, counting applications in progress', () => {
    const decision = claimPlace(
      register([claim('a'), claim('b'), claim('c')]),
      states({ a: active('p-a'), b: active('p-b'), c: pending }),
      claim('new'),
      3,
    );

    expect(decision).toEqual({ ok: false, refusal: 'max-places', held: 3, max: 3 });
  });

  it('drops ended claims (and claims it knows nothing of) and then has room', () => {
    const decision = claimPlace(
      register([claim('a'), claim('b'), claim('c'), claim('unknown')]),
      states({
        a: active('p-a'),
        b: { kind: 'ended', why: 'withdrawn' },
        c: { kind: 'ended', why: 'expired' },
      }),
      claim('new'),
      2,
    );

    expect(decision).toEqual({ ok: true, register: register([claim('a'), claim('new')], 4) });
  });

  it('lets a renewal take the place of the permit it replaces', () => {
    const decision = claimPlace(
      register([claim('a'), claim('b'), claim('c')]),
      states({ a: active('p-a'), b: active('p-b'), c: active('p-c') }),
      claim('new', 'p-b'),
      3,
    );

    expect(decision.ok).toBe(true);
  });

  it('refuses a second renewal of a permit while the first is in progress', () => {
    const decision = claimPlace(
      register([claim('a'), claim('first', 'p-a')]),
      states({ a: active('p-a'), first: pending }),
      claim('second', 'p-a'),
      3,
    );

    expect(decision).toEqual({ ok: false, refusal: 'renewal-in-progress', byApplicationId: 'first' });
  });

  it('replaces its own earlier claim instead of counting it twice', () => {
    const decision = claimPlace(
      register([claim('a'), claim('new')]),
      states({ a: active('p-a'), new: pending }),
      claim('new'),
      2,
    );

    expect(decision).toEqual({ ok: true, register: register([claim('a'), claim('new')], 4) });
  });
});
