/**
 * Mail through the outbox. A use case records each mail in the same transaction as the change that
 * causes it, under an id derived from the event (`mailId`), then delivers it: claimed once (pending ->
 * sending), sent, marked sent. A retried or restarted step finds its mail by id and delivers what is
 * still pending, so no mail is lost to a crash after the change and none is sent twice: a mail claimed
 * by a step that died before the send stays 'sending', never sent again (operators see it in the
 * outbox), because we cannot know whether it left.
 */
import { LINK_PLACEHOLDER } from '../domain/mail-layout.tsx';
import { hashToken, LINK_TOKEN_BYTES, type MailLink } from '../domain/official-links.ts';
import type { MailMessage, OutboxMail, OutboxRecord, Ports } from '../ports.ts';

/** The outbox id of the mail about `applicationId` that event `parts` causes. */
export const mailId = (applicationId: string, ...parts: Array<string | number>): string =>
  [applicationId, ...parts].join(':');

export const outboxMail = (
  id: string,
  applicationId: string | undefined,
  message: MailMessage,
  link?: MailLink,
): OutboxMail => ({
  id,
  ...(applicationId === undefined ? {} : { applicationId }),
  to: [...new Set(message.to)],
  subject: message.subject,
  text: message.text,
  ...(message.html === undefined ? {} : { html: message.html }),
  ...(link === undefined ? {} : { link }),
});

/** A mail whose body carries a secret: the outbox erases the body once it is sent. */
export const secretMail = (mail: OutboxMail): OutboxMail => ({ ...mail, secret: true });

type DeliveryPorts = Pick<Ports, 'outbox' | 'mailer' | 'now'> & Partial<Pick<Ports, 'links' | 'randomBytes'>>;

/**
 * The message as it leaves: an official's mail gets its personal link here. The token exists only in
 * the mail itself; the table keeps its hash, so neither the outbox nor a table export can act.
 */
async function messageOf(ports: DeliveryPorts, mail: OutboxRecord, at: string): Promise<MailMessage> {
  const message: MailMessage = {
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.html === undefined ? {} : { html: mail.html }),
  };
  if (mail.link === undefined) return message;
  if (ports.links === undefined || ports.randomBytes === undefined)
    throw new Error(`mail ${mail.id} carries a link but no link store was given`);
  const token = Buffer.from(ports.randomBytes(LINK_TOKEN_BYTES)).toString('base64url');
  await ports.links.create({
    hash: hashToken(token),
    actionId: mail.link.actionId,
    applicationId: mail.applicationId ?? '',
    officialId: mail.link.officialId,
    purpose: mail.link.purpose,
    createdAt: at,
    expiresAt: mail.link.expiresAt,
    mailId: mail.id,
  });
  // base64url (A-Z a-z 0-9 - _): the token goes into the HTML as it is, nothing in it needs escaping.
  const withLink = (body: string) => body.split(LINK_PLACEHOLDER).join(token);
  return {
    ...message,
    text: withLink(message.text),
    ...(message.html === undefined ? {} : { html: withLink(message.html) }),
  };
}

/** Sends each recorded mail that is still pending; mail with no recipient is marked sent. */
export async function deliver(ports: DeliveryPorts, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const mail = await ports.outbox.get(id);
    if (mail === undefined || mail.status !== 'pending') continue;
    const at = ports.now().toISOString();
    if (!(await ports.outbox.claim(id, at))) continue;
    try {
      await ports.mailer.send(await messageOf(ports, mail, at));
    } catch (error) {
      // Refused by the mail service: not sent, so it may be tried again by the step's retry.
      await ports.outbox.release(id);
      throw error;
    }
    await ports.outbox.markSent(id, ports.now().toISOString(), mail.secret === true);
  }
}

/** Records mail outside a state change (a complaint's receipt) and delivers it, once per id. */
export async function sendOnce(ports: DeliveryPorts, mail: OutboxMail): Promise<void> {
  await ports.outbox.add(mail, ports.now().toISOString());
  await deliver(ports, [mail.id]);
}
