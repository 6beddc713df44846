import type { Official, Outcome, Stage } from '#config/regency-schema.ts';
import { startInProcessApi } from '../harness/in-process-api.ts';
import { addressedTo, type MailboxEmail, mailbox } from '../harness/index.ts';
import type { WorkflowDriver } from './driver.ts';

/** A one-page PDF-looking report: the page checks the magic bytes, as for applicants' uploads. */
export const REPORT_PDF = Buffer.from('%PDF-1.7\n% berita acara\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

const TOKEN = /\/o\/([A-Za-z0-9_-]{43})/;

export interface DecideByMail {
  note?: string;
  deficient?: string[];
  /** Who acts: by default the first official the stage's mail went to. */
  official?: string;
}

export interface OfficialsByMail {
  baseUrl: string;
  /** The latest decision link mailed to `official` about application `id`'s current stage. */
  linkFor(id: string, official: Official): Promise<string>;
  /** Decides the current stage of `id` through its mail link; waits until the workflow moved on. */
  decide(id: string, outcome: Outcome, options?: DecideByMail): Promise<{ official: Official; stage: Stage }>;
  close(): Promise<void>;
}

export async function officialsByMail(wf: WorkflowDriver): Promise<OfficialsByMail> {
  // The pages judge link lifetimes by the container's clock: make it the workflow's manual clock.
  wf.ports.now = () => new Date(wf.clock.now());
  const api = await startInProcessApi();
  const baseUrl = api.baseUrl;
  const box = mailbox();

  const newest = async (predicate: (m: MailboxEmail) => boolean): Promise<MailboxEmail> => {
    await box.waitFor(predicate);
    const all = (await box.list()).filter(predicate);
    return all[all.length - 1] as MailboxEmail;
  };

  const linkFor = async (id: string, official: Official): Promise<string> => {
    const app = await wf.application(id);
    const mail = await newest(
      (m) =>
        addressedTo(official.email)(m) &&
        m.subject.includes(`[${app.trackingCode}]`) &&
        TOKEN.test(m.body.text ?? ''),
    );
    return TOKEN.exec(mail.body.text ?? '')?.[1] as string;
  };

  const post = async (token: string, body: URLSearchParams | FormData): Promise<Response> =>
    fetch(`${baseUrl}/o/${token}`, {
      method: 'POST',
      body,
      headers: { origin: baseUrl },
      redirect: 'manual',
    });

  return {
    baseUrl,
    linkFor,
    async decide(id, outcome, options = {}) {
      const app = await wf.application(id);
      const current = app.current;
      if (current === undefined) throw new Error(`application ${id} is not waiting for an official`);
      const permit = wf.regency.permits.find((p) => p.code === app.permitCode);
      const stage = permit?.stages.find((s) => s.id === current.stageId) as Stage;
      const action = await wf.ports.stages.getAction(current.pendingActionId);
      const officials = wf.regency.officials.filter((o) =>
        (action?.assignees ?? []).length > 0
          ? action?.assignees?.includes(o.id)
          : o.roles.includes(stage.role ?? ''),
      );
      const official = officials.find((o) => o.id === (options.official ?? officials[0]?.id));
      if (official === undefined) throw new Error(`no official for stage ${stage.id}`);
      // A person takes a minute to read and decide (and a stage re-entered after a send-back is then
      // entered at a later instant than its first visit, as it always is in real time).
      await wf.advanceTo(id, new Date(wf.clock.now() + 60_000));
      const token = await linkFor(id, official);
      const page = await fetch(`${baseUrl}/o/${token}`);
      const html = await page.text();
      if (page.status !== 200)
        throw new Error(`decision page answered ${page.status}: ${html.slice(0, 300)}`);
      const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
      const before = (await wf.history(id)).length;
      const report = stage.produces.some((p) => p.upload);
      let body: URLSearchParams | FormData;
      if (report) {
        const form = new FormData();
        form.set('csrf', csrf);
        form.set('outcome', outcome);
        if (options.note !== undefined) form.set('note', options.note);
        for (const d of options.deficient ?? []) form.append('deficient', d);
        form.set('report', new Blob([new Uint8Array(REPORT_PDF)], { type: 'application/pdf' }), 'bap.pdf');
        body = form;
      } else {
        body = new URLSearchParams({
          csrf,
          outcome,
          ...(options.note === undefined ? {} : { note: options.note }),
        });
        for (const d of options.deficient ?? []) body.append('deficient', d);
      }
      let answer = await post(token, body);
      if (answer.status === 202) {
        // A signing stage: the code went to the official's own address.
        const codeMail = await newest(
          (m) =>
            addressedTo(official.email)(m) &&
            m.subject.includes(`[${app.trackingCode}]`) &&
            m.subject.includes('Kode konfirmasi'),
        );
        const code = /Kode konfirmasi ([0-9]{6})/.exec(codeMail.subject)?.[1] ?? '';
        await answer.text();
        answer = await post(token, new URLSearchParams({ csrf, code }));
      }
      const text = await answer.text();
      if (answer.status !== 200 || !text.includes('Keputusan tercatat'))
        throw new Error(`decision answered ${answer.status}: ${text.replace(/<[^>]+>/g, ' ').slice(0, 400)}`);
      await wf.settleAfter(id, before);
      return { official, stage };
    },
    close: () => api.close(),
  };
}
