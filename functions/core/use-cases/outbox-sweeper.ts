/**
 * The outbox sweeper: what a step or a request left behind. Every mail is recorded before it is sent
 * (core/use-cases/mail.ts), so a mail can be left
 * - 'pending': its change was written, but the step died before delivering it, or the mail service
 *   refused it and nobody retried (an API request whose client gave up). The sweeper delivers it:
 *   `deliver` claims it first, so a sweep racing the original request still sends it once.
 * - 'sending': claimed by a step that died before it could mark it sent. Whether it left is unknowable,
 *   so it is never sent again; the administrators are told once, with what they need to check it.
 * Both are found through a sparse index (no Scan), oldest first, a bounded batch per sweep.
 */
import type { OutboxRecord, Ports } from '../ports.ts';
import { deliver, outboxMail } from './mail.ts';

/**
 * Why these delays: a request or step delivers its mail within seconds of recording it, and a step's
 * own retries (back-off up to about two minutes) deliver what it left pending; after 10 minutes nobody
 * else will. A claim is followed by one SES call that times out well within a minute; 15 minutes
 * 'sending' means the process that claimed it is gone.
 */
export const SWEEP_POLICY = {
  pendingAfterMinutes: 10,
  sendingAfterMinutes: 15,
  /** Mails looked at per kind and sweep: the next sweep takes the rest. */
  batch: 100,
} as const;

export interface SweepResult {
  /** Pending mails this sweep sent. */
  delivered: string[];
  /** Pending mails the mail service refused again (still pending: the next sweep tries again). */
  failed: string[];
  /** Mails stuck 'sending' reported to the administrators by this sweep. */
  reported: string[];
}

const minutesBefore = (now: Date, minutes: number): string =>
  new Date(now.getTime() - minutes * 60_000).toISOString();

export async function sweepOutbox(
  ports: Pick<Ports, 'outbox' | 'mailer' | 'regency' | 'calendar' | 'log' | 'links' | 'randomBytes'>,
  now: Date,
): Promise<SweepResult> {
  // Only what delivery needs: spreading `ports` would build every adapter of a lazy container. An
  // official's mail mints its link when it is sent, so the link store is part of delivery.
  const delivery = {
    outbox: ports.outbox,
    mailer: ports.mailer,
    now: () => now,
    links: ports.links,
    randomBytes: ports.randomBytes,
  };
  const result: SweepResult = { delivered: [], failed: [], reported: [] };

  const pending = await ports.outbox.listPending(
    minutesBefore(now, SWEEP_POLICY.pendingAfterMinutes),
    SWEEP_POLICY.batch,
  );
  for (const mail of pending) {
    try {
      await deliver(delivery, [mail.id]);
      if ((await ports.outbox.get(mail.id))?.status === 'sent') result.delivered.push(mail.id);
    } catch (error) {
      // One refused mail must not keep the others from going out.
      result.failed.push(mail.id);
      ports.log('outbox sweep: mail refused', { mailId: mail.id, error: (error as Error).name });
    }
  }

  const stuck = await ports.outbox.listStuckSending(
    minutesBefore(now, SWEEP_POLICY.sendingAfterMinutes),
    SWEEP_POLICY.batch,
  );
  const at = now.toISOString();
  for (const mail of stuck) {
    const report = stuckReport(ports, mail);
    if (!(await ports.outbox.reportStuck(mail.id, at, report))) continue;
    result.reported.push(mail.id);
    await deliver(delivery, [report.id]);
  }

  ports.log('outbox swept', {
    delivered: result.delivered.length,
    failed: result.failed.length,
    reported: result.reported.length,
  });
  return result;
}

/** The administrators' notice of one stuck mail: what identifies it, not its text. */
function stuckReport(ports: Pick<Ports, 'regency' | 'calendar'>, mail: OutboxRecord) {
  const claimed =
    mail.claimedAt === undefined ? 'tidak diketahui' : ports.calendar.formatLocal(new Date(mail.claimedAt));
  return outboxMail(`outbox-stuck:${mail.id}`, mail.applicationId, {
    to: ports.regency.mail.administrators,
    subject: `[satupintu] E-mail mungkin tidak terkirim: ${mail.subject}`,
    text:
      'Yth. Administrator,\n\n' +
      `Sistem mulai mengirim e-mail berikut pada ${claimed}, tetapi prosesnya terhenti sebelum pengiriman ` +
      'tercatat. Sistem tidak dapat memastikan apakah e-mail itu sampai, sehingga tidak mengirimnya ulang ' +
      'secara otomatis (agar penerima tidak menerimanya dua kali).\n\n' +
      `Id e-mail: ${mail.id}\n` +
      (mail.applicationId === undefined ? '' : `Id permohonan: ${mail.applicationId}\n`) +
      `Perihal: ${mail.subject}\n` +
      `Jumlah penerima: ${mail.to.length}\n\n` +
      'Periksa log pengiriman (SES) untuk id ini; bila e-mail belum terkirim, hubungi penerimanya.' +
      `\n\n--\n${ports.regency.office.name}\nPesan ini dikirim otomatis oleh sistem perizinan satupintu.`,
  });
}
