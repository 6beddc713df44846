/**
 * What must hold after the issuance kill test, read from what the stack kept: the table (a Scan: this
 * is a test, the product never scans), the documents bucket and the durable mailbox. The data
 * directory is the test's own, so everything numbered in it was numbered by the test.
 */
import { createHash } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Application, AuditEvent } from '#core/domain/application.ts';
import type { DocumentHashRecord, PermitRecord } from '#core/domain/permit/permit-record.ts';
import type { OutboxRecord } from '#core/ports.ts';
import { mailId } from '#core/use-cases/mail.ts';
import type { LocalClients } from '../../local/clients.ts';
import type { StackEndpoints } from '../../local/stack.ts';
import { type Item, type MailboxMail, objectBytes, scan } from './checks.ts';

export type IssuanceFindingKind = 'gap' | 'duplicate' | 'lost' | 'inconsistent';

export interface IssuanceFinding {
  kind: IssuanceFindingKind;
  applicationId?: string;
  what: string;
}

export interface IssuanceReport {
  /** The sequence every permit was numbered from, and its counter's value. */
  sequence: string | undefined;
  counter: number | undefined;
  permits: number;
  /** Numbers of the sequence (1..counter) that no permit holds. */
  gaps: number[];
  /** Numbers held by more than one permit, applications holding more than one permit. */
  duplicates: number;
  documentsChecked: number;
  /** PDFs stored by a run killed before its issue transaction: never referenced, by design. */
  unreferencedFiles: number;
  mailsSent: number;
  /** Notices claimed by a run killed before it marked them sent: never sent again, by design (mail.ts). */
  mailsStuckSending: number;
  /** Of those: how many reached the mailbox before the kill. */
  mailsStuckSendingDelivered: number;
  findings: IssuanceFinding[];
}

const PERMIT_NOTICE = (id: string) => mailId(id, 'issued', 'permit');

/** Permits in the table, as the numbering and issue transactions left them. */
export async function permitRecords(clients: LocalClients, tableName: string): Promise<PermitRecord[]> {
  return (await scan(clients, tableName)).filter((i) => i.sk === 'PERMIT') as unknown as PermitRecord[];
}

async function issuedObjectKeys(clients: LocalClients, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await clients.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'issued/', ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key])));
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return keys;
}

export async function checkIssuance(input: {
  clients: LocalClients;
  endpoints: StackEndpoints;
  applicationIds: readonly string[];
  mailbox: readonly MailboxMail[];
}): Promise<IssuanceReport> {
  const { clients, endpoints, applicationIds, mailbox } = input;
  const findings: IssuanceFinding[] = [];
  const find = (kind: IssuanceFindingKind, applicationId: string | undefined, what: string): void => {
    findings.push({ kind, ...(applicationId === undefined ? {} : { applicationId }), what });
  };
  const items = await scan(clients, endpoints.dynamodb.tableName);
  const bySk = (sk: string) => items.filter((i) => i.sk === sk);
  const permits = bySk('PERMIT') as unknown as PermitRecord[];
  const reservations = bySk('PERMITNO') as Array<Item & { permitId: string; number: string }>;
  const hashes = bySk('DOCSHA') as unknown as DocumentHashRecord[];
  const counters = bySk('COUNTER') as Array<Item & { value: number }>;
  const outbox = new Map(
    (bySk('OUTBOX') as unknown as OutboxRecord[]).map((m): [string, OutboxRecord] => [m.id, m]),
  );

  // --- the sequence: one counter, at N, and its numbers 1..N each held by exactly one permit
  const sequences = [...new Set(permits.map((p) => p.sequence))];
  if (sequences.length > 1) find('inconsistent', undefined, `permits from ${sequences.length} sequences`);
  const sequence = sequences[0];
  const counterItem = counters.find((c) => c.pk === `COUNTER#${sequence}`);
  if (counters.length !== 1)
    find('inconsistent', undefined, `${counters.length} counters: ${counters.map((c) => c.pk).join(', ')}`);
  const counter = counterItem?.value;
  if (counter !== applicationIds.length)
    find(
      counter === undefined || counter < applicationIds.length ? 'lost' : 'inconsistent',
      undefined,
      `the counter ${sequence} is at ${counter}, ${applicationIds.length} permits were numbered`,
    );
  const holders = new Map<number, PermitRecord[]>();
  for (const p of permits) holders.set(p.seq, [...(holders.get(p.seq) ?? []), p]);
  const top = Math.max(counter ?? 0, ...permits.map((p) => p.seq));
  const gaps = Array.from({ length: top }, (_, i) => i + 1).filter((seq) => !holders.has(seq));
  for (const seq of gaps) find('gap', undefined, `no permit holds number ${seq} of ${sequence}`);
  for (const [seq, held] of holders) {
    if (held.length > 1)
      find('duplicate', undefined, `number ${seq} is held by ${held.map((p) => p.applicationId).join(', ')}`);
    if (seq < 1 || seq > (counter ?? 0)) find('inconsistent', undefined, `seq ${seq} is beyond the counter`);
  }
  const byNumber = new Map<string, number>();
  for (const p of permits) byNumber.set(p.number, (byNumber.get(p.number) ?? 0) + 1);
  for (const [number, n] of byNumber)
    if (n > 1) find('duplicate', undefined, `${n} permits numbered ${number}`);

  // --- every reservation points at its permit, every permit has its reservation
  const permitById = new Map(permits.map((p) => [p.id, p]));
  for (const r of reservations) {
    const permit = permitById.get(r.permitId);
    if (permit === undefined) find('lost', undefined, `reservation ${r.number} points at no permit`);
    else if (permit.number !== r.number || r.pk !== `PERMITNO#${permit.regencyId}#${permit.number}`)
      find('inconsistent', permit.applicationId, `reservation ${r.pk} points at permit ${permit.number}`);
  }
  for (const p of permits)
    if (!reservations.some((r) => r.permitId === p.id && r.number === p.number))
      find('lost', p.applicationId, `permit ${p.number} has no reservation`);
  if (hashes.length !== permits.length)
    find('inconsistent', undefined, `${hashes.length} registered document hashes, ${permits.length} permits`);

  // --- each application: issued, with exactly one permit, its document stored as recorded, its notice once
  const mailboxCount = new Map<string, number>();
  for (const m of mailbox)
    for (const to of m.destination.to) {
      const key = JSON.stringify([to.toLowerCase(), m.subject]);
      mailboxCount.set(key, (mailboxCount.get(key) ?? 0) + 1);
    }
  let documentsChecked = 0;
  let mailsSent = 0;
  let mailsStuckSending = 0;
  let mailsStuckSendingDelivered = 0;
  for (const id of applicationIds) {
    const app = items.find((i) => i.pk === `APP#${id}` && i.sk === 'APP') as Application | undefined;
    if (app === undefined) {
      find('lost', id, 'the application record is missing');
      continue;
    }
    if (app.status !== 'issued') find('lost', id, `status '${app.status}', expected 'issued'`);
    const own = permits.filter((p) => p.applicationId === id);
    if (own.length !== 1)
      find(own.length > 1 ? 'duplicate' : 'lost', id, `${own.length} permit records reference it`);
    const audit = items.filter(
      (i) => i.pk === `APP#${id}` && i.sk.startsWith('AUDIT#'),
    ) as unknown as AuditEvent[];
    for (const type of ['numbered', 'issued'] as const) {
      const n = audit.filter((e) => e.type === type).length;
      if (n !== 1) find(n > 1 ? 'duplicate' : 'lost', id, `${n} '${type}' audit records`);
    }
    const permit = own[0];
    if (permit === undefined) continue;
    if (app.permitNumber !== permit.number || app.permitId !== permit.id)
      find(
        'inconsistent',
        id,
        `application holds ${app.permitNumber} (${app.permitId}), its permit is ${permit.number} (${permit.id})`,
      );
    if (permit.status !== 'active') find('inconsistent', id, `permit ${permit.number} is '${permit.status}'`);
    const recorded = permit.document;
    if (recorded?.sha256 === undefined) {
      find('lost', id, `permit ${permit.number} has no document hash`);
      continue;
    }
    if (
      app.issued?.sha256 !== recorded.sha256 ||
      app.issued.objectKey !== recorded.objectKey ||
      app.issued.number !== permit.number
    )
      find('inconsistent', id, `application's issued ${JSON.stringify(app.issued)} is not its permit's`);
    const registered = hashes.find((h) => h.sha256 === recorded.sha256);
    if (registered?.permitId !== permit.id || registered.applicationId !== id)
      find(
        'inconsistent',
        id,
        `document hash ${recorded.sha256} registered as ${JSON.stringify(registered)}`,
      );
    const bytes = await objectBytes(clients, endpoints.s3.bucket, recorded.objectKey);
    documentsChecked += 1;
    if (bytes === undefined) find('lost', id, `${recorded.objectKey} is not in the bucket`);
    else if (createHash('sha256').update(bytes).digest('hex') !== recorded.sha256)
      find('inconsistent', id, `${recorded.objectKey} does not have the recorded SHA-256`);

    const notice = outbox.get(PERMIT_NOTICE(id));
    if (notice === undefined) {
      find('lost', id, 'no issued notice in the outbox');
      continue;
    }
    const extra = [...outbox.keys()].filter((k) => k.startsWith(`${id}:issued`) && k !== notice.id);
    if (extra.length > 0) find('duplicate', id, `more issued notices: ${extra.join(', ')}`);
    const arrived = mailboxCount.get(JSON.stringify([app.applicantEmail.toLowerCase(), notice.subject])) ?? 0;
    if (notice.status === 'pending') find('lost', id, 'the issued notice is still pending: never sent');
    if (notice.status === 'sent') {
      mailsSent += 1;
      if (arrived !== 1)
        find(arrived > 1 ? 'duplicate' : 'lost', id, `notice marked sent, ${arrived} in the mailbox`);
    }
    if (notice.status === 'sending') {
      mailsStuckSending += 1;
      mailsStuckSendingDelivered += arrived;
      if (arrived > 1) find('duplicate', id, `notice claimed once, ${arrived} in the mailbox`);
    }
  }

  const referenced = new Set(permits.map((p) => p.document?.objectKey));
  const unreferencedFiles = (await issuedObjectKeys(clients, endpoints.s3.bucket)).filter(
    (key) => !referenced.has(key),
  ).length;
  return {
    sequence,
    counter,
    permits: permits.length,
    gaps,
    duplicates: findings.filter((f) => f.kind === 'duplicate').length,
    documentsChecked,
    unreferencedFiles,
    mailsSent,
    mailsStuckSending,
    mailsStuckSendingDelivered,
    findings,
  };
}
