/**
 * The officials' side of the demo, as a person does it with nothing but their mail and a browser: find
 * the stage's mail in the mailbox, open the link in it (GET the page), read the form, choose, and send
 * it (POST the form as a browser would: its hidden fields, the choice, a note, a report file where the
 * page asks for one). At a signing stage the page answers with a code form: read the code in the mail
 * that just arrived, and send it. Nothing is decided behind the pages.
 */
import { DemoError, listMail, type Mail, poll, recipientsOf } from './client.ts';
import type { DemoFile } from './files.ts';

/** What the decision page's form asks, read from its HTML. */
export interface DecisionPage {
  /** The page's `<h1>`. */
  title: string;
  /** Where the form posts (absolute). */
  action: string;
  multipart: boolean;
  csrf: string;
  outcomes: Array<{ value: string; label: string }>;
  /** The requirements a return can name as deficient. */
  deficient: Array<{ id: string; label: string }>;
  /** The legend of the report file input, when the stage asks for one. */
  report: string | undefined;
}

const decode = (s: string): string =>
  s
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

/** The text of an HTML fragment: tags removed, entities decoded, spaces collapsed. */
export const textOf = (html: string): string =>
  decode(html.replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();

const attr = (tag: string, name: string): string | undefined => {
  const value = new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
  return value === undefined ? undefined : decode(value);
};

/** Reads a decision page: the first form that has outcome choices. */
export function readDecisionPage(html: string, pageUrl: string): DecisionPage {
  const title = textOf(/<h1>([\s\S]*?)<\/h1>/.exec(html)?.[1] ?? '');
  const form = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].find((m) =>
    (m[2] as string).includes('name="outcome"'),
  );
  if (form === undefined) throw new DemoError(`the page "${title}" at ${pageUrl} has no decision form`);
  const [, formTag = '', inner = ''] = form;
  const labels = [...inner.matchAll(/<label class="choice">([\s\S]*?)<\/label>/g)].map((m) => m[1] as string);
  const inputOf = (label: string) => /<input\b[^>]*>/.exec(label)?.[0] ?? '';
  const choices = (name: string) =>
    labels
      .filter((l) => attr(inputOf(l), 'name') === name)
      // The label without its hint ("(wajib disertai catatan)").
      .map((l) => ({
        value: attr(inputOf(l), 'value') ?? '',
        label: textOf(l.replace(/<span class="muted">[\s\S]*?<\/span>/g, '')),
      }));
  const csrfInput = /<input\b[^>]*name="csrf"[^>]*>/.exec(inner)?.[0] ?? '';
  const reportFieldset = /<fieldset><legend>([^<]*)<\/legend>(?:(?!<\/fieldset>)[\s\S])*?type="file"/.exec(
    inner,
  );
  return {
    title,
    action: new URL(attr(formTag, 'action') ?? '', pageUrl).href,
    multipart: attr(formTag, 'enctype') === 'multipart/form-data',
    csrf: attr(csrfInput, 'value') ?? '',
    outcomes: choices('outcome'),
    deficient: choices('deficient').map((c) => ({ id: c.value, label: c.label })),
    report: reportFieldset === null ? undefined : decode(reportFieldset[1] as string),
  };
}

export interface Choice {
  outcome: string;
  note?: string;
  deficient?: string[];
}

export interface DecisionMade {
  stageName: string;
  /** Who opened the link: the first addressee of the stage's mail. */
  official: string;
  subject: string;
  link: string;
  outcome: string;
  outcomeLabel: string;
  note: string | undefined;
  deficient: string[];
  report: string | undefined;
  /** The code mailed at a signing stage, as typed. */
  code: string | undefined;
  /** The answer page's title: "Keputusan tercatat". */
  answer: string;
}

export interface MailboxReader {
  storeUrl: string;
  since: number;
  timeoutMs: number;
}

const TOKEN_LINK = /https?:\/\/[^\s"<>]+\/o\/[A-Za-z0-9_-]{43}/;

/** The newest mail matching `match` that was not used before, waiting for it to arrive. */
export async function newMail(
  box: MailboxReader,
  what: string,
  match: (mail: Mail) => boolean,
  used: Set<string>,
): Promise<Mail> {
  const key = (m: Mail) => `${m.at}|${m.subject}|${recipientsOf(m).join(',')}`;
  const mail = await poll(
    what,
    async () =>
      (await listMail(box.storeUrl, box.since))
        .filter((m) => match(m) && !used.has(key(m)))
        .sort((a, b) => b.at - a.at)[0],
    box.timeoutMs,
  );
  used.add(key(mail));
  return mail;
}

async function fetchPage(url: string, init?: RequestInit): Promise<{ status: number; html: string }> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'manual', ...init });
  } catch (error) {
    throw new DemoError(`${init?.method ?? 'GET'} ${url}: no answer (${(error as Error).message})`);
  }
  return { status: response.status, html: await response.text() };
}

/**
 * One official's decision on the stage named `stageName` of `trackingCode`: from the mail to the
 * answer page. `choose` picks from what the page offers; `report` makes the file a page asks for.
 */
export async function decideFromMail(input: {
  box: MailboxReader;
  used: Set<string>;
  trackingCode: string;
  stageName: string;
  /** When this visit of the stage began: mails of an earlier visit (before a return) are stale. */
  enteredAt: Date;
  choose: (page: DecisionPage) => Choice;
  report: (label: string) => DemoFile;
}): Promise<DecisionMade> {
  const { box, used, trackingCode, stageName } = input;
  const since = Math.floor(input.enteredAt.getTime() / 1000);
  // A mail of this stage may be stale: one of an earlier visit delivered late (the outbox retries), or
  // a colleague's whose action was decided. Its page says so (409 decided, 410 moved on); a person
  // would then open the next mail, and so does the demo.
  for (let stale = 0; ; stale++) {
    const mail = await newMail(
      box,
      `waiting for the mail of "${stageName}" (${trackingCode})`,
      (m) =>
        m.at >= since &&
        m.subject === `[${trackingCode}] Menunggu tindakan Anda: ${stageName}` &&
        TOKEN_LINK.test(m.body.text ?? ''),
      used,
    );
    const link = TOKEN_LINK.exec(mail.body.text ?? '')?.[0] as string;
    const opened = await fetchPage(link);
    if ((opened.status === 409 || opened.status === 410) && stale < 5) continue;
    if (opened.status !== 200)
      throw new DemoError(`GET ${link} answered ${opened.status}: ${textOf(opened.html).slice(0, 300)}`);
    return decideOnPage(input, mail, link, opened.html);
  }
}

async function decideOnPage(
  input: Parameters<typeof decideFromMail>[0],
  mail: Mail,
  link: string,
  html: string,
): Promise<DecisionMade> {
  const { box, used, trackingCode, stageName } = input;
  const official = recipientsOf(mail)[0] ?? '';
  const opened = { html };
  const page = readDecisionPage(opened.html, link);
  const choice = input.choose(page);
  const label = page.outcomes.find((o) => o.value === choice.outcome)?.label;
  if (label === undefined)
    throw new DemoError(
      `the page of "${stageName}" offers ${page.outcomes.map((o) => o.value).join(', ')}, not ${choice.outcome}`,
    );
  const file = page.report === undefined ? undefined : input.report(page.report);
  const fields: Array<[string, string]> = [
    ['csrf', page.csrf],
    ['outcome', choice.outcome],
    ['note', choice.note ?? ''],
    ...(choice.deficient ?? []).map((d): [string, string] => ['deficient', d]),
  ];
  let body: URLSearchParams | FormData;
  if (page.multipart) {
    const form = new FormData();
    for (const [name, value] of fields) form.append(name, value);
    if (file !== undefined)
      form.append(
        'report',
        new Blob([new Uint8Array(file.content)], { type: file.mediaType }),
        file.fileName,
      );
    body = form;
  } else body = new URLSearchParams(fields);
  // A browser sends the page's own origin with the form.
  const origin = new URL(page.action).origin;
  let answer = await fetchPage(page.action, { method: 'POST', body, headers: { origin } });
  let code: string | undefined;
  if (answer.status === 202) {
    // A signing stage: a 6-digit code went to this official's own address.
    const codeMail = await newMail(
      box,
      `waiting for the confirmation code of ${official}`,
      (m) =>
        m.subject.startsWith(`[${trackingCode}] Kode konfirmasi`) &&
        recipientsOf(m).some((r) => r.includes(official)),
      used,
    );
    code = /Kode konfirmasi ([0-9]{6})/.exec(codeMail.subject)?.[1];
    if (code === undefined) throw new DemoError(`no code in "${codeMail.subject}"`);
    const csrf = attr(/<input\b[^>]*name="csrf"[^>]*>/.exec(answer.html)?.[0] ?? '', 'value') ?? '';
    answer = await fetchPage(page.action, {
      method: 'POST',
      body: new URLSearchParams({ csrf, code }),
      headers: { origin },
    });
  }
  const answerTitle = textOf(/<h1>([\s\S]*?)<\/h1>/.exec(answer.html)?.[1] ?? '');
  if (answer.status !== 200 || answerTitle !== 'Keputusan tercatat')
    throw new DemoError(
      `deciding "${stageName}" answered ${answer.status} "${answerTitle}": ${textOf(answer.html).slice(0, 400)}`,
    );
  return {
    stageName,
    official,
    subject: mail.subject,
    link,
    outcome: choice.outcome,
    outcomeLabel: label,
    note: choice.note,
    deficient: choice.deficient ?? [],
    report: file?.fileName,
    code,
    answer: answerTitle,
  };
}
