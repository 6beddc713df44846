/**
 * What must hold after the crashes, read from everything the stack kept: the table (a Scan: this is
 * a test, the product never scans), the documents bucket, the Step Functions executions and the
 * durable mailbox. Each finding is classified: a duplicate (something happened twice), a loss
 * (something that happened left no trace, or never happened), or an inconsistency.
 */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { type ExecutionListItem, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type {
  Application,
  AuditEvent,
  PendingAction,
  StageVisit,
  SubmittedDocument,
} from '#core/domain/application.ts';
import { type AuditRecord, type ChainHead, GENESIS_HEAD, verifyTrail } from '#core/domain/audit-chain.ts';
import { LINK_PLACEHOLDER } from '#core/domain/mail-layout.tsx';
import type { OutboxRecord } from '#core/ports.ts';
import type { LocalClients } from '../../local/clients.ts';
import type { StackEndpoints } from '../../local/stack.ts';
import type { Applicant } from './driver.ts';

export type FindingKind = 'duplicate' | 'lost' | 'inconsistent';

export interface Finding {
  kind: FindingKind;
  applicationId?: string;
  what: string;
}

export interface MailboxMail {
  messageId: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

export interface Report {
  applications: number;
  events: number;
  eventsByType: Record<string, number>;
  outbox: number;
  mailsSent: number;
  mailsStuckSending: number;
  /** Of the mails stuck 'sending': how many reached the mailbox before the kill. */
  mailsStuckSendingDelivered: number;
  mailsPending: number;
  mailboxMessages: number;
  /** Visits whose wake-ups brought more than one reminder at once (a clock jump over two reminder points). */
  combinedReminders: number;
  statuses: Record<string, number>;
  documentsChecked: number;
  findings: Finding[];
  duplicates: number;
  lost: number;
  inconsistent: number;
}

export interface Item extends Record<string, unknown> {
  pk: string;
  sk: string;
}

const without = <T>(item: Item): T => {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, ...rest } = item;
  return rest as T;
};

export async function scan(clients: LocalClients, tableName: string): Promise<Item[]> {
  const doc = DynamoDBDocumentClient.from(clients.dynamodb);
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

export async function objectBytes(
  clients: LocalClients,
  bucket: string,
  key: string,
): Promise<Buffer | undefined> {
  try {
    const object = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from((await object.Body?.transformToByteArray()) ?? []);
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

async function listKeys(clients: LocalClients, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await clients.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key])));
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return keys;
}

async function executions(clients: LocalClients, endpoints: StackEndpoints): Promise<ExecutionListItem[]> {
  const all: ExecutionListItem[] = [];
  for (const arn of Object.values(endpoints.sfn?.stateMachines ?? {})) {
    let token: string | undefined;
    do {
      const page = await clients.sfn?.send(
        new ListExecutionsCommand({ stateMachineArn: arn, nextToken: token, maxResults: 1000 }),
      );
      all.push(...(page?.executions ?? []));
      token = page?.nextToken;
    } while (token !== undefined);
  }
  return all;
}

/**
 * What identifies a mail's content. An official's link is minted when the mail is sent, so the outbox
 * keeps the placeholder where the mailbox has the token: both are compared with the placeholder.
 */
const contentKey = (to: readonly string[], subject: string, text: string | undefined): string =>
  JSON.stringify([
    [...to].map((a) => a.toLowerCase()).sort(),
    subject,
    (text ?? '').replace(/\/o\/[A-Za-z0-9_-]{43}/g, `/o/${LINK_PLACEHOLDER}`),
  ]);

const count = <T>(items: readonly T[], key: (item: T) => string): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
};

export async function checkEverything(input: {
  clients: LocalClients;
  endpoints: StackEndpoints;
  applicants: readonly Applicant[];
  mailbox: readonly MailboxMail[];
}): Promise<Report> {
  const { clients, endpoints, applicants, mailbox } = input;
  const findings: Finding[] = [];
  const find = (kind: FindingKind, applicationId: string | undefined, what: string): void => {
    findings.push({ kind, ...(applicationId === undefined ? {} : { applicationId }), what });
  };
  const items = await scan(clients, endpoints.dynamodb.tableName);
  const byPk = new Map<string, Item[]>();
  for (const item of items) byPk.set(item.pk, [...(byPk.get(item.pk) ?? []), item]);
  const actions = items.filter((i) => i.pk.startsWith('ACTION#')).map((i) => without<PendingAction>(i));
  const outbox = items.filter((i) => i.pk.startsWith('OUTBOX#')).map((i) => without<OutboxRecord>(i));
  const outboxById = new Map(outbox.map((m) => [m.id, m]));
  const runs = await executions(clients, endpoints);
  const bucket = endpoints.s3.bucket;

  let events = 0;
  const eventsByType: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  let combinedReminders = 0;
  let documentsChecked = 0;

  for (const applicant of applicants) {
    const id = applicant.id;
    if (id === undefined) {
      find('lost', undefined, `applicant ${applicant.index} never got an application`);
      continue;
    }
    const own = byPk.get(`APP#${id}`) ?? [];
    const appItem = own.find((i) => i.sk === 'APP');
    if (appItem === undefined) {
      find('lost', id, 'the application record is missing');
      continue;
    }
    const app = without<Application>(appItem);
    statuses[app.status] = (statuses[app.status] ?? 0) + 1;
    const visits = own
      .filter((i) => i.sk.startsWith('VISIT#'))
      .map((i) => without<StageVisit>(i))
      .sort((a, b) => a.visit - b.visit);
    const audit = own
      .filter((i) => i.sk.startsWith('AUDIT#'))
      .map((i) => without<AuditRecord>(i))
      .sort((a, b) => a.seq - b.seq);
    const headItem = own.find((i) => i.sk === 'AUDITHEAD');
    const chain = verifyTrail(audit, headItem === undefined ? GENESIS_HEAD : without<ChainHead>(headItem));
    if (!chain.valid) find('inconsistent', id, `the audit chain is broken: ${JSON.stringify(chain.problem)}`);
    const docs = own.filter((i) => i.sk.startsWith('DOC#')).map((i) => without<SubmittedDocument>(i));
    const appActions = actions.filter((a) => a.applicationId === id);
    const mails = outbox.filter((m) => m.applicationId === id);
    events += audit.length;
    for (const e of audit) eventsByType[e.type] = (eventsByType[e.type] ?? 0) + 1;
    const ofType = (type: AuditEvent['type']) => audit.filter((e) => e.type === type);
    const exactly = (type: AuditEvent['type'], expected: number, why: string): void => {
      const n = ofType(type).length;
      if (n > expected) find('duplicate', id, `${n} '${type}' audit records, expected ${expected} (${why})`);
      if (n < expected) find('lost', id, `${n} '${type}' audit records, expected ${expected} (${why})`);
    };

    // --- the state: final, or waiting at exactly one open pending action
    const final = ['issued', 'rejected', 'lapsed', 'withdrawn'].includes(app.status);
    const open = appActions.filter((a) => a.status === 'open');
    const decidedUnclosed = appActions.filter((a) => a.status === 'decided');
    if (!final && app.status !== 'in-progress' && app.status !== 'returned')
      find('inconsistent', id, `status '${app.status}' is neither final nor waiting`);
    if (app.status !== applicant.plan.expect.status)
      find(
        'inconsistent',
        id,
        `plan '${applicant.plan.name}' should end '${applicant.plan.expect.status}', the application is '${app.status}'`,
      );
    if (final && open.length > 0)
      find('inconsistent', id, `final (${app.status}) with ${open.length} open actions`);
    if (!final && open.length !== 1)
      find('inconsistent', id, `${app.status} with ${open.length} open pending actions (expected exactly 1)`);
    if (decidedUnclosed.length > 0)
      find(
        'inconsistent',
        id,
        `decision recorded but never acted on: ${decidedUnclosed.map((a) => `${a.kind} visit ${a.visit} (${a.stageId})`).join(', ')}`,
      );
    if (app.status === 'in-progress') {
      const current = app.current;
      const action = appActions.find((a) => a.id === current?.pendingActionId);
      if (current === undefined) find('inconsistent', id, 'in progress without a current stage');
      else {
        if (action === undefined)
          find('lost', id, `current.pendingActionId ${current.pendingActionId} has no action`);
        else if (action.status !== 'open' || action.kind !== 'decision')
          find('inconsistent', id, `current action is ${action.kind}/${action.status}`);
        else if (action.notifiedAt === undefined)
          find('lost', id, `the officials were never told of the open action at ${current.stageId}`);
        if (current.visit !== app.visits)
          find('inconsistent', id, `current.visit ${current.visit} != visits ${app.visits}`);
        if (applicant.plan.expect.stageId !== undefined && current.stageId !== applicant.plan.expect.stageId)
          find('inconsistent', id, `waits at ${current.stageId}, planned ${applicant.plan.expect.stageId}`);
      }
    }
    if (app.status === 'returned') {
      const action = appActions.find((a) => a.id === app.returned?.pendingActionId);
      if (app.current !== undefined) find('inconsistent', id, 'returned but still has a current stage');
      if (action?.status !== 'open' || action.kind !== 'resubmission')
        find('inconsistent', id, `returned, its action is ${action?.kind}/${action?.status}`);
    }

    // --- visits: 1..k without gaps, one per stage entry
    visits.forEach((v, i) => {
      if (v.visit !== i + 1)
        find('inconsistent', id, `visit numbers ${visits.map((x) => x.visit).join(',')} have a gap`);
    });
    if (app.visits !== visits.length)
      find('inconsistent', id, `application.visits = ${app.visits}, ${visits.length} VISIT items`);
    visits.forEach((v, i) => {
      if (i < visits.length - 1 && v.decidedAt === undefined)
        find(
          'inconsistent',
          id,
          `visit ${v.visit} (${v.stageId}) was left undecided and a later visit exists`,
        );
      const decisionActions = appActions.filter((a) => a.kind === 'decision' && a.visit === v.visit);
      if (decisionActions.length !== 1)
        find(
          decisionActions.length > 1 ? 'duplicate' : 'lost',
          id,
          `visit ${v.visit} has ${decisionActions.length} decision actions`,
        );
    });
    if (final && app.status !== 'withdrawn' && visits.some((v) => v.decidedAt === undefined))
      find('inconsistent', id, `${app.status} with an undecided visit`);

    // --- one audit record per event
    exactly('created', 1, 'one draft');
    exactly('submitted', 1, 'one submission');
    exactly('execution-started', 1, 'one execution');
    exactly('stage-entered', visits.length, 'one per visit');
    exactly('stage-decided', visits.filter((v) => v.decidedAt !== undefined).length, 'one per decided visit');
    exactly('document-accepted', docs.length, 'one per accepted version');
    const returns = visits.filter((v) => v.outcome === 'returnForCompletion').length;
    exactly('returned-to-applicant', returns, 'one per return');
    exactly(
      'resubmitted',
      appActions.filter(
        (a) => a.kind === 'resubmission' && a.decision?.outcome === 'resubmitted' && a.status === 'closed',
      ).length,
      'one per completed resubmission',
    );
    const resubmissionActions = appActions.filter((a) => a.kind === 'resubmission').length;
    if (resubmissionActions !== returns)
      find(
        resubmissionActions > returns ? 'duplicate' : 'lost',
        id,
        `${returns} returns, ${resubmissionActions} resubmission actions`,
      );
    exactly('lapsed', app.status === 'lapsed' ? 1 : 0, 'lapsed once or never');
    exactly('issued', app.status === 'issued' || app.status === 'rejected' ? 1 : 0, 'one document issued');
    exactly('numbered', app.status === 'issued' ? 1 : 0, 'one permit number');
    exactly('needs-attention', 0, 'no step failed beyond its retries');
    for (const v of visits) {
      const entered = audit.filter((e) => e.type === 'stage-entered' && e.at === v.enteredAt);
      if (entered.length !== 1 || entered[0]?.stageId !== v.stageId)
        find(
          entered.length > 1 ? 'duplicate' : 'lost',
          id,
          `visit ${v.visit}: ${entered.length} 'stage-entered' at its entry`,
        );
      if (v.decidedAt !== undefined) {
        const decided = audit.filter((e) => e.type === 'stage-decided' && e.at === v.decidedAt);
        if (decided.length !== 1)
          find(
            decided.length > 1 ? 'duplicate' : 'lost',
            id,
            `visit ${v.visit}: ${decided.length} 'stage-decided' at its decision`,
          );
      }
      const inVisit = (e: AuditEvent) =>
        e.stageId === v.stageId && e.at >= v.enteredAt && (v.decidedAt === undefined || e.at <= v.decidedAt);
      const reminders = audit.filter((e) => e.type === 'reminder-sent' && inVisit(e));
      // One reminder event mails each addressed official: ids `<app>:reminder:<visit>:<n>:<official>`.
      const reminderNumbers = [
        ...new Set(
          mails
            .filter((m) => m.id.startsWith(`${id}:reminder:${v.visit}:`))
            .map((m) => Number(m.id.split(':')[3])),
        ),
      ];
      if (reminders.length !== reminderNumbers.length)
        find(
          reminders.length > reminderNumbers.length ? 'duplicate' : 'lost',
          id,
          `visit ${v.visit}: ${reminders.length} 'reminder-sent' records, ${reminderNumbers.length} reminder mailings`,
        );
      const highest = Math.max(0, ...reminderNumbers);
      if (highest !== v.remindersSent)
        find(
          'inconsistent',
          id,
          `visit ${v.visit}: remindersSent ${v.remindersSent}, last reminder mail #${highest}`,
        );
      if (reminders.length > v.remindersSent)
        find(
          'duplicate',
          id,
          `visit ${v.visit}: ${reminders.length} 'reminder-sent' > remindersSent ${v.remindersSent}`,
        );
      if (reminders.length < v.remindersSent) combinedReminders += 1;
      const breached = audit.filter((e) => e.type === 'stage-breached' && inVisit(e)).length;
      const expectedBreach = v.breachedAt === undefined ? 0 : 1;
      if (breached !== expectedBreach)
        find(
          breached > expectedBreach ? 'duplicate' : 'lost',
          id,
          `visit ${v.visit}: ${breached} 'stage-breached', expected ${expectedBreach}`,
        );
      const escalated = audit.filter((e) => e.type === 'escalated' && inVisit(e)).length;
      if (escalated !== v.escalationLevel)
        find(
          escalated > v.escalationLevel ? 'duplicate' : 'lost',
          id,
          `visit ${v.visit}: ${escalated} 'escalated', escalationLevel ${v.escalationLevel}`,
        );
      for (let level = 1; level <= v.escalationLevel; level++)
        for (const kind of ['escalation', 'escalation-reminder'])
          if (!mails.some((m) => m.id.startsWith(`${id}:${kind}:${v.visit}:${level}:`)))
            find('lost', id, `visit ${v.visit}: no ${kind} mail for level ${level}`);
    }

    // --- the mail each event causes was recorded, and nothing was left pending
    const expectedMail = [
      `${id}:draft-created`,
      `${id}:received`,
      ...appActions.filter((a) => a.notifiedAt !== undefined).map((a) => `${id}:pending:${a.id}`),
      ...(app.status === 'lapsed' ? [`${id}:lapsed`] : []),
      ...(app.status === 'issued' ? [`${id}:issued:permit`] : []),
      ...(app.status === 'rejected' ? [`${id}:issued:rejection-letter`] : []),
    ];
    // Officials' notices are one mail per official: `<id>:pending:<action>:<official>`.
    for (const mailId of expectedMail)
      if (!outboxById.has(mailId) && !mails.some((m) => m.id.startsWith(`${mailId}:`)))
        find('lost', id, `no outbox mail ${mailId}`);
    for (const m of mails)
      if (m.status === 'pending') find('lost', id, `mail ${m.id} is still pending: never sent`);

    // --- one execution per application, in the state the application says
    const own_runs = runs.filter((r) => r.name === id);
    if (own_runs.length !== 1)
      find(own_runs.length > 1 ? 'duplicate' : 'lost', id, `${own_runs.length} executions`);
    const run = own_runs[0];
    if (run !== undefined) {
      const expected = final ? 'SUCCEEDED' : 'RUNNING';
      if (run.status !== expected)
        find('inconsistent', id, `execution ${run.status}, application ${app.status}`);
    }

    // --- documents: what the office reads is what was checked
    const frozenKeys = await listKeys(clients, bucket, `applications/${id}/`);
    for (const [requirementId, version] of Object.entries(app.documents ?? {}))
      if (!frozenKeys.includes(version.objectKey))
        find('lost', id, `frozen ${requirementId} (${version.objectKey}) is not in the bucket`);
    for (const key of frozenKeys) {
      documentsChecked += 1;
      const [, , requirementId, uploadId] = key.split('/');
      const version = docs.find((d) => d.uploadId === uploadId && d.requirementId === requirementId);
      if (version === undefined) {
        find('inconsistent', id, `${key} is no accepted version`);
        continue;
      }
      const [frozen, checked] = await Promise.all([
        objectBytes(clients, bucket, key),
        objectBytes(clients, bucket, version.objectKey),
      ]);
      const sent = applicant.uploads.get(uploadId ?? '');
      if (frozen === undefined || checked === undefined) {
        find(
          'lost',
          id,
          `${key}: frozen ${frozen?.length ?? 'missing'}, checked copy ${checked?.length ?? 'missing'}`,
        );
        continue;
      }
      if (!frozen.equals(checked))
        find('inconsistent', id, `${key} differs from its checked copy ${version.objectKey}`);
      if (frozen.length !== version.sizeBytes)
        find(
          'inconsistent',
          id,
          `${key} has ${frozen.length} bytes, the version records ${version.sizeBytes}`,
        );
      if (sent === undefined || !checked.equals(sent))
        find('inconsistent', id, `${version.objectKey} is not what the applicant sent for ${uploadId}`);
    }
  }

  // --- the mailbox: every mail marked sent arrived exactly once, nothing arrived twice
  const deliverable = outbox.filter((m) => m.to.length > 0);
  const sent = deliverable.filter((m) => m.status === 'sent');
  const sending = deliverable.filter((m) => m.status === 'sending');
  const sentByContent = count(sent, (m) => contentKey(m.to, m.subject, m.text));
  const sendingByContent = count(sending, (m) => contentKey(m.to, m.subject, m.text));
  // A mail that carried a secret (a reissued access token) has its body erased from the outbox once
  // sent: it is matched by recipients and subject alone.
  const erased = new Set(
    deliverable.filter((m) => m.text === undefined).map((m) => contentKey(m.to, m.subject, undefined)),
  );
  const inbox = count(mailbox, (m) => {
    const bare = contentKey(m.destination.to, m.subject, undefined);
    return erased.has(bare) ? bare : contentKey(m.destination.to, m.subject, m.body.text);
  });
  let stuckDelivered = 0;
  for (const [key, n] of inbox) {
    const marked = sentByContent.get(key) ?? 0;
    const claimed = sendingByContent.get(key) ?? 0;
    const [to, subject] = JSON.parse(key) as [string[], string];
    if (marked + claimed === 0)
      find('inconsistent', undefined, `mailbox has ${n} × "${subject}" to ${to} with no outbox record`);
    else if (n > marked + claimed)
      find(
        'duplicate',
        undefined,
        `mailbox has ${n} × "${subject}" to ${to}; outbox: ${marked} sent, ${claimed} sending`,
      );
    else stuckDelivered += Math.max(0, n - marked);
  }
  for (const [key, n] of sentByContent) {
    const arrived = inbox.get(key) ?? 0;
    if (arrived < n) {
      const [to, subject] = JSON.parse(key) as [string[], string];
      const ids = sent.filter((m) => contentKey(m.to, m.subject, m.text) === key).map((m) => m.id);
      find(
        'lost',
        undefined,
        `${n} outbox mails marked sent (${ids.join(', ')}), ${arrived} in the mailbox: "${subject}" to ${to}`,
      );
    }
  }

  const tally = (kind: FindingKind) => findings.filter((f) => f.kind === kind).length;
  return {
    applications: applicants.length,
    events,
    eventsByType,
    outbox: outbox.length,
    mailsSent: outbox.filter((m) => m.status === 'sent').length,
    mailsStuckSending: outbox.filter((m) => m.status === 'sending').length,
    mailsStuckSendingDelivered: stuckDelivered,
    mailsPending: outbox.filter((m) => m.status === 'pending').length,
    mailboxMessages: mailbox.length,
    combinedReminders,
    statuses,
    documentsChecked,
    findings,
    duplicates: tally('duplicate'),
    lost: tally('lost'),
    inconsistent: tally('inconsistent'),
  };
}
