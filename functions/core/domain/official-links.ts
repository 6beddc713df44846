/**
 * Officials' decision links. Each addressed official gets their own link per mail: a capability of 256
 * random bits, stored only as its SHA-256, bound to that official and one pending action. What a link
 * may still do is decided here, from the link and the action as stored, at the moment it is used:
 *
 * - the action was decided       -> "already decided by <name> at <time>" (never "expired");
 * - the stage closed otherwise   -> the stage has moved on;
 * - a reassignment came after it -> revoked;
 * - past its lifetime            -> expired (each reminder mails a fresh link, so a late stage still
 *                                    accepts a decision);
 * - otherwise                    -> usable by that official.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Decision, PendingAction } from './application.ts';

/** 32 random bytes, base64url: 43 characters. */
export const LINK_TOKEN_BYTES = 32;
export const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type LinkPurpose = 'pending' | 'reminder' | 'escalation' | 'reassigned';

/** A pending signing confirmation: the choice waits for the mailed code. */
export interface SigningChallenge {
  codeHash: string;
  expiresAt: string;
  attempts: number;
  /** How many codes this link has had mailed (each one a new outbox mail). */
  issued: number;
  outcome: string;
  note?: string;
  deficient?: string[];
}

export interface OfficialLink {
  /** SHA-256 (base64url) of the token: the only form in which the token is stored. */
  hash: string;
  actionId: string;
  applicationId: string;
  officialId: string;
  purpose: LinkPurpose;
  createdAt: string;
  expiresAt: string;
  /** The outbox mail that carried it. */
  mailId: string;
  signing?: SigningChallenge;
}

/** What an official's link carries to the outbox: the token is minted when the mail is sent. */
export interface MailLink {
  actionId: string;
  officialId: string;
  purpose: LinkPurpose;
  expiresAt: string;
}

export const hashToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('base64url');

/**
 * The form's CSRF token: derived from the link's secret, so it is bound to that official and that
 * action, and nobody without the link can produce it. No server-side secret is needed.
 */
export const csrfTokenFor = (token: string): string =>
  createHash('sha256').update(`csrf|${token}`, 'utf8').digest('base64url');

export function csrfMatches(token: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const want = Buffer.from(csrfTokenFor(token));
  const got = Buffer.from(presented);
  return want.length === got.length && timingSafeEqual(want, got);
}

export const hashCode = (linkHash: string, code: string): string =>
  createHash('sha256').update(`${linkHash}|${code}`, 'utf8').digest('base64url');

export type LinkVerdict =
  | { kind: 'usable' }
  | { kind: 'unknown' }
  | { kind: 'expired'; at: string }
  | { kind: 'revoked'; at: string }
  | { kind: 'decided'; decision: Decision }
  | { kind: 'moved-on' };

/** HTTP status of each verdict's page. */
export const VERDICT_STATUS: Readonly<Record<LinkVerdict['kind'], number>> = {
  usable: 200,
  unknown: 404,
  expired: 410,
  revoked: 403,
  decided: 409,
  'moved-on': 410,
};

export function judgeLink(
  link: OfficialLink | undefined,
  action: PendingAction | undefined,
  now: Date,
): LinkVerdict {
  if (link === undefined || action === undefined || action.kind !== 'decision') return { kind: 'unknown' };
  if (action.decision !== undefined && action.decision.outcome !== 'resubmitted')
    return { kind: 'decided', decision: action.decision };
  if (action.status !== 'open') return { kind: 'moved-on' };
  if (action.linksValidFrom !== undefined && link.createdAt < action.linksValidFrom)
    return { kind: 'revoked', at: action.linksValidFrom };
  const assigned = action.assignees === undefined || action.assignees.includes(link.officialId);
  if (!assigned && link.purpose !== 'escalation') return { kind: 'revoked', at: action.linksValidFrom ?? '' };
  if (now.toISOString() > link.expiresAt) return { kind: 'expired', at: link.expiresAt };
  return { kind: 'usable' };
}
