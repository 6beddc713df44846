/**
 * Helpers for integration and end-to-end tests running against the shared local stack started by
 * global-setup.ts. Tests share one stack, so each test uses its own ids (`uniqueId`, `uniqueEmail`)
 * and never clears shared state (the mailbox store, tables).
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { type LocalClients, localClients } from '../../../local/clients.ts';
import type { StackEndpoints } from './provided-context.ts';

export type { StackEndpoints };

/** The shared stack's endpoints; fails with a hint when the test runs without the integration globalSetup. */
export function stackEndpoints(): StackEndpoints {
  const endpoints = inject('localStack');
  if (endpoints === undefined) {
    throw new Error(
      'No local stack: run integration tests in the vitest project whose globalSetup is test/integration/harness/global-setup.ts',
    );
  }
  return endpoints;
}

/** SDK clients pointed at the stack (path-style S3, checksums only when required). Call `destroy()` in afterAll. */
export function stackClients(endpoints: StackEndpoints = stackEndpoints()): LocalClients {
  return localClients({
    dynamodb: endpoints.dynamodb.url,
    s3: endpoints.s3.url,
    ses: endpoints.mailbox.url,
    ...(endpoints.sfn === null ? {} : { sfn: endpoints.sfn.url }),
  });
}

/** `prefix-` and 12 random hex digits: unique across tests, files and runs. */
export function uniqueId(prefix = 't'): string {
  return `${prefix}-${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/** An address no other test uses, under a domain that can never receive real mail (RFC 2606). */
export function uniqueEmail(prefix = 'person'): string {
  return `${uniqueId(prefix)}@example.test`;
}

/** A request to the stack's HTTP API; `path` starts with `/`. */
export function api(
  path: string,
  init?: RequestInit,
  endpoints: StackEndpoints = stackEndpoints(),
): Promise<Response> {
  return fetch(`${endpoints.api.url}${path}`, init);
}

/** A mail as aws-ses-v2-local keeps it (the fields tests use). */
export interface MailboxEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  /** Epoch seconds. */
  at: number;
}

export interface Mailbox {
  /** Every mail received since `sinceEpochSeconds` (default: all). */
  list(sinceEpochSeconds?: number): Promise<MailboxEmail[]>;
  /**
   * The first mail matching `predicate`, waiting for it to arrive. The emulator has no push API, so this
   * polls its `/store` every 100 ms until `timeoutMs` (default 10 s), then fails naming what it saw.
   */
  waitFor(
    predicate: (mail: MailboxEmail) => boolean,
    options?: { timeoutMs?: number },
  ): Promise<MailboxEmail>;
  /** Mails to one address (case-insensitive), convenient with `uniqueEmail()`. */
  to(address: string): Promise<MailboxEmail[]>;
}

export function mailbox(endpoints: StackEndpoints = stackEndpoints()): Mailbox {
  const list = async (since?: number): Promise<MailboxEmail[]> => {
    const url =
      since === undefined ? endpoints.mailbox.storeUrl : `${endpoints.mailbox.storeUrl}?since=${since}`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`mailbox store answered ${response.status}`);
    return ((await response.json()) as { emails: MailboxEmail[] }).emails;
  };
  return {
    list,
    async waitFor(predicate, options = {}) {
      const deadline = Date.now() + (options.timeoutMs ?? 10_000);
      let seen = 0;
      for (;;) {
        const mails = await list();
        seen = mails.length;
        const hit = mails.find(predicate);
        if (hit) return hit;
        if (Date.now() > deadline) {
          throw new Error(
            `no matching mail within ${options.timeoutMs ?? 10_000} ms (${seen} mails in the mailbox)`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async to(address) {
      return (await list()).filter(addressedTo(address));
    },
  };
}

/** True when the mail is addressed (to, cc or bcc) to `address`. */
export function addressedTo(address: string): (mail: MailboxEmail) => boolean {
  return (mail) =>
    [...mail.destination.to, ...mail.destination.cc, ...mail.destination.bcc].some(
      (a) =>
        a.toLowerCase() === address.toLowerCase() || a.toLowerCase().endsWith(`<${address.toLowerCase()}>`),
    );
}
