/**
 * The places of practice a person holds in the regency, per profession: the rule that a health worker
 * may hold at most a configured number of practice permits (SIP) at once (Permenkes 13/2025: three
 * places), checked when an application is submitted, not when the permit would be issued.
 *
 * The register is keyed by a keyed hash (HMAC) of the NIK and the profession, never the NIK itself
 * (adapters/dynamodb/keys.ts `PLACES#...`). It lists the applications that claimed a place. A claim is
 * written only at submission, in the submission's transaction and conditional on the register's
 * version, so two submissions of one person cannot both take the last place. A claim ends without a
 * write of its own: what it stands for is read again at each submission (an application withdrawn,
 * rejected or lapsed; a permit revoked, superseded or expired frees the place), and ended claims are
 * dropped from the register the next time it is written.
 */
import type { Application } from './application.ts';
import { FINAL_STATUSES } from './application.ts';
import type { PermitRecord } from './permit/permit-record.ts';

/** One application that took a place. */
export interface PlaceClaim {
  applicationId: string;
  permitCode: string;
  claimedAt: string;
  /** The permit id a renewal replaces: it holds the same place, so it is not counted twice. */
  renews?: string;
}

export interface PlaceRegister {
  profession: string;
  /** HMAC-SHA-256 of the NIK (hex) under the regency's key: never the NIK. */
  holderKey: string;
  claims: PlaceClaim[];
  /** 0: not stored yet. Written only if the stored version is still `version - 1`. */
  version: number;
}

/** What a claim stands for today. */
export type ClaimState =
  | { kind: 'pending' }
  | { kind: 'active'; permitId: string }
  | { kind: 'ended'; why: string };

/**
 * The state of a claim, from its application and (once issued) its permit. `today` is the office's
 * local date: a permit is active through its last valid day.
 */
export function claimState(
  app: Application | undefined,
  permit: PermitRecord | undefined,
  today: string,
): ClaimState {
  if (app === undefined) return { kind: 'ended', why: 'application-gone' };
  if (!FINAL_STATUSES.includes(app.status)) return { kind: 'pending' };
  if (app.status !== 'issued') return { kind: 'ended', why: app.status };
  if (permit === undefined) return { kind: 'ended', why: 'permit-gone' };
  if (permit.status !== 'active') return { kind: 'ended', why: permit.status };
  if (permit.validUntil !== undefined && permit.validUntil < today) return { kind: 'ended', why: 'expired' };
  return { kind: 'active', permitId: permit.id };
}

export type PlaceDecision =
  | { ok: true; register: PlaceRegister }
  | { ok: false; refusal: 'max-places'; held: number; max: number }
  | { ok: false; refusal: 'renewal-in-progress'; byApplicationId: string };

/**
 * Whether `claim` may take a place: the claims still live (not ended) other than its own, less the
 * permit it renews, must leave room under `max`; and no other live application may be renewing the
 * same permit. On success, the register to write: the live claims and the new one, version + 1.
 */
export function claimPlace(
  register: PlaceRegister,
  states: ReadonlyMap<string, ClaimState>,
  claim: PlaceClaim,
  max: number,
): PlaceDecision {
  const live = register.claims.filter(
    (c) =>
      c.applicationId !== claim.applicationId && (states.get(c.applicationId)?.kind ?? 'ended') !== 'ended',
  );
  if (claim.renews !== undefined) {
    const rival = live.find(
      (c) => c.renews === claim.renews && states.get(c.applicationId)?.kind === 'pending',
    );
    if (rival !== undefined)
      return { ok: false, refusal: 'renewal-in-progress', byApplicationId: rival.applicationId };
  }
  const held = live.filter((c) => {
    const state = states.get(c.applicationId);
    return !(state?.kind === 'active' && state.permitId === claim.renews);
  }).length;
  if (held >= max) return { ok: false, refusal: 'max-places', held, max };
  return { ok: true, register: { ...register, claims: [...live, claim], version: register.version + 1 } };
}
