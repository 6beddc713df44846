/**
 * Mail through the outbox. A use case records each mail in the same transaction as the change that
 * causes it, under an id derived from the event (`mailId`), then delivers it: claimed once (pending ->
 * sending), sent, marked sent. A retried or restarted step finds its mail by id and delivers what is
 * still pending, so no mail is lost to a crash after the change and none is sent twice: a mail claimed
 * by a step that died before the send stays 'sending', never sent again (operators see it in the
 * outbox), because we cannot know whether it left.
 */
import type { MailMessage, OutboxMail, Ports } from '../ports.ts';

/** The outbox id of the mail about `applicationId` that event `parts` causes. */
export const mailId = (applicationId: string, ...parts: Array<string | number>): string =>
  [applicationId, ...parts].join(':');

export const outboxMail = (
  id: string,
  applicationId: string | undefined,
  message: MailMessage,
): OutboxMail => ({
  id,
  ...(applicationId === undefined ? {} : { applicationId }),
  to: [...new Set(message.to)],
  subject: message.subject,
  text: message.text,
});

/** Sends each recorded mail that is still pending; mail with no recipient is marked sent. */
export async function deliver(
  ports: Pick<Ports, 'outbox' | 'mailer' | 'now'>,
  ids: readonly string[],
): Promise<void> {
  for (const id of ids) {
    const mail = await ports.outbox.get(id);
    if (mail === undefined || mail.status !== 'pending') continue;
    if (!(await ports.outbox.claim(id, ports.now().toISOString()))) continue;
    try {
      await ports.mailer.send({ to: mail.to, subject: mail.subject, text: mail.text });
    } catch (error) {
      // Refused by the mail service: not sent, so it may be tried again by the step's retry.
      await ports.outbox.release(id);
      throw error;
    }
    await ports.outbox.markSent(id, ports.now().toISOString());
  }
}

/** Records mail outside a state change (a complaint's receipt) and delivers it, once per id. */
export async function sendOnce(
  ports: Pick<Ports, 'outbox' | 'mailer' | 'now'>,
  mail: OutboxMail,
): Promise<void> {
  await ports.outbox.add(mail, ports.now().toISOString());
  await deliver(ports, [mail.id]);
}
