/**
 * The officials' links against the shared stack's real API server, as link scanners and attackers
 * meet them: a scanner that fetches every link of every mail (GET and HEAD, following redirects or
 * not) and submits every form as served changes nothing; a second POST, a tampered link, a wrong
 * CSRF token and a cross-site POST are refused; untrusted text arrives escaped in the page and the
 * mail, and the page allows no inline script.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { applicantFixture } from '../../fixtures/application.ts';
import { addressedTo, type MailboxEmail, mailbox, stackEndpoints } from '../harness/index.ts';
import { createDraft, type Draft, StackRecords, submit, uploadChecklist } from './client.ts';

const RINA = 'rina@dpmptsp.bengkulukota.example';
const DEDI = 'dedi@dpmptsp.bengkulukota.example';
const SARI = 'sari@dinkes.bengkulukota.example';
const FIRST_STAGE = 'pemeriksaan-kelengkapan';
const LINK = /\/o\/[A-Za-z0-9_-]{43}/;

const records = new StackRecords();
afterAll(() => records.destroy());

/** A submitted application waiting at its first stage, with the mails of both front-office officials. */
async function waitingApplication(
  applicant: Record<string, unknown> = {},
): Promise<{ draft: Draft; rina: string; dedi: string }> {
  const draft = await createDraft({ applicant: { ...applicantFixture(), ...applicant } });
  await uploadChecklist(draft);
  expect((await submit(draft)).status).toBe(202);
  await records.waitingAt(draft.id, FIRST_STAGE);
  return {
    draft,
    rina: linkIn(await stageMail(draft, RINA)),
    dedi: linkIn(await stageMail(draft, DEDI)),
  };
}

const stageMail = (draft: Draft, to: string): Promise<MailboxEmail> =>
  mailbox().waitFor(
    (m) =>
      addressedTo(to)(m) &&
      m.subject.includes(`[${draft.trackingCode}]`) &&
      m.subject.includes('Menunggu tindakan'),
    { timeoutMs: 20_000 },
  );

function linkIn(mail: MailboxEmail): string {
  const path = LINK.exec(mail.body.text ?? '')?.[0];
  if (path === undefined) throw new Error(`no decision link in "${mail.subject}"`);
  return `${stackEndpoints().api.url}${path}`;
}

const mailsOf = async (draft: Draft): Promise<MailboxEmail[]> =>
  (await mailbox().list()).filter((m) => m.subject.includes(`[${draft.trackingCode}]`));

/** Every URL a mail carries, in its text and in its HTML (href and src attributes). */
function urlsIn(mail: MailboxEmail): string[] {
  const text = mail.body.text?.match(/https?:\/\/[^\s"'<>]+/g) ?? [];
  const html = [...(mail.body.html ?? '').matchAll(/(?:href|src)="([^"]+)"/g)].map((m) =>
    (m[1] as string).replaceAll('&amp;', '&'),
  );
  return [...new Set([...text, ...html])].filter((u) => /^https?:/.test(u));
}

const decodeEntities = (s: string): string =>
  s
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

interface ServedForm {
  action: string;
  method: string;
  enctype: string | undefined;
  /** The fields a form submits untouched: hidden inputs only (no choice, no text, no file). */
  hidden: Array<[string, string]>;
}

function formsIn(html: string, pageUrl: string): ServedForm[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map((m) => {
    const attrs = m[1] as string;
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)?.[1];
    const hidden = [...(m[2] as string).matchAll(/<input\b([^>]*)>/g)]
      .map((i) => i[1] as string)
      .filter((a) => /\btype="hidden"/.test(a))
      .map((a): [string, string] => [
        decodeEntities(/\bname="([^"]*)"/.exec(a)?.[1] ?? ''),
        decodeEntities(/\bvalue="([^"]*)"/.exec(a)?.[1] ?? ''),
      ]);
    return {
      action: new URL(decodeEntities(attr('action') ?? ''), pageUrl).href,
      method: (attr('method') ?? 'get').toUpperCase(),
      enctype: attr('enctype'),
      hidden,
    };
  });
}

/** Submits a form as served: its hidden fields, its encoding, no Origin header (as a scanner may). */
function submitAsServed(form: ServedForm): Promise<Response> {
  let body: URLSearchParams | FormData;
  if (form.enctype === 'multipart/form-data') {
    body = new FormData();
    for (const [name, value] of form.hidden) body.append(name, value);
  } else body = new URLSearchParams(form.hidden);
  return fetch(form.action, { method: form.method, body, redirect: 'manual' });
}

const csrfOf = (html: string): string => decodeEntities(/name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '');

async function openPage(link: string): Promise<{ html: string; csrf: string }> {
  const page = await fetch(link);
  const html = await page.text();
  expect(page.status, html.slice(0, 300)).toBe(200);
  return { html, csrf: csrfOf(html) };
}

const post = (link: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(link, {
    method: 'POST',
    body: new URLSearchParams(fields),
    headers: { origin: new URL(link).origin, ...headers },
    redirect: 'manual',
  });

const decisions = async (id: string) =>
  (await records.audit(id)).filter((e) => e.type === 'decision-recorded');

describe('officials decision links against scanners and attackers', () => {
  it('changes nothing when a scanner fetches every link of every mail and submits every form as served', async () => {
    // GIVEN an application waiting for the front office, whose two officials each got their mail
    const { draft } = await waitingApplication();
    const before = await records.application(draft.id);
    const actionId = before.current?.pendingActionId as string;
    const mailsBefore = await mailsOf(draft);
    // What this machine can reach: the stack's API (an office website in a mail is not the product's).
    const urls = [...new Set(mailsBefore.flatMap(urlsIn))].filter((u) =>
      u.startsWith(stackEndpoints().api.url),
    );
    expect(urls.filter((u) => LINK.test(u))).toHaveLength(2);

    // WHEN a scanner GETs and HEADs every URL, following redirects and not, then POSTs every form
    const pages: Array<{ url: string; html: string }> = [];
    for (const url of urls) {
      for (const method of ['GET', 'HEAD'] as const) {
        for (const redirect of ['follow', 'manual'] as const) {
          const response = await fetch(url, { method, redirect });
          const body = await response.text();
          if (method === 'GET' && redirect === 'follow' && response.ok) pages.push({ url, html: body });
        }
      }
    }
    const forms = pages.flatMap((p) => formsIn(p.html, p.url));
    expect(forms.length).toBeGreaterThanOrEqual(2);
    for (const form of forms) {
      const answer = await submitAsServed(form);
      const html = await answer.text();
      expect(answer.status, html.slice(0, 200)).toBeGreaterThanOrEqual(400);
      expect(html).not.toContain('Keputusan tercatat');
    }

    // THEN the stage still waits under the same open action, nothing was decided and no stage mail left
    const after = await records.application(draft.id);
    expect(after.current).toEqual(before.current);
    expect(after.version).toBe(before.version);
    expect((await records.stages.getAction(actionId))?.status).toBe('open');
    expect(await decisions(draft.id)).toEqual([]);
    const mailsAfter = await mailsOf(draft);
    expect(mailsAfter.map((m) => m.subject)).toEqual(mailsBefore.map((m) => m.subject));
  });

  it('records one decision for a double POST, and the second answer names who decided', async () => {
    const { draft, rina, dedi } = await waitingApplication();
    const { csrf } = await openPage(rina);

    const answers = await Promise.all([
      post(rina, { csrf, outcome: 'approve' }),
      post(rina, { csrf, outcome: 'approve' }),
    ]);

    const pages = await Promise.all(answers.map(async (a) => ({ status: a.status, html: await a.text() })));
    expect(pages.map((p) => p.status).sort()).toEqual([200, 409]);
    expect(pages.find((p) => p.status === 200)?.html).toContain('Keputusan tercatat');
    expect(pages.find((p) => p.status === 409)?.html).toContain('sudah diputuskan oleh Rina Marlina');
    expect(await decisions(draft.id)).toHaveLength(1);
    // The other official's own link says the same, instead of "expired".
    const other = await fetch(dedi);
    expect(other.status).toBe(409);
    expect(await other.text()).toContain('sudah diputuskan oleh Rina Marlina');
    await stageMail(draft, SARI);
  });

  it('answers 404 to a tampered link, on GET and on POST', async () => {
    const { draft, rina } = await waitingApplication();
    const { csrf } = await openPage(rina);
    const last = rina.at(-1) === 'A' ? 'B' : 'A';
    const tampered = `${rina.slice(0, -1)}${last}`;

    const get = await fetch(tampered);
    const posted = await post(tampered, { csrf, outcome: 'approve' });

    expect(get.status).toBe(404);
    const html = await get.text();
    expect(html).toContain('Tautan tidak dikenal');
    expect(html).not.toContain(draft.trackingCode);
    expect(posted.status).toBe(404);
    expect(await decisions(draft.id)).toEqual([]);
  });

  it('refuses a POST with a wrong CSRF token (403) and a cross-site POST (403), deciding nothing', async () => {
    const { draft, rina, dedi } = await waitingApplication();
    const { csrf } = await openPage(rina);
    const dedisCsrf = (await openPage(dedi)).csrf;
    expect(dedisCsrf).not.toBe(csrf);

    const wrong = await post(rina, { csrf: `${csrf.slice(0, -2)}xx`, outcome: 'approve' });
    const another = await post(rina, { csrf: dedisCsrf, outcome: 'approve' });
    const crossOrigin = await post(rina, { csrf, outcome: 'approve' }, { origin: 'https://evil.example' });
    const crossFetch = await post(
      rina,
      { csrf, outcome: 'approve' },
      { origin: new URL(rina).origin, 'sec-fetch-site': 'cross-site' },
    );

    expect(wrong.status).toBe(403);
    expect(another.status).toBe(403);
    expect(crossOrigin.status).toBe(403);
    expect(await crossOrigin.text()).toContain('Permintaan ditolak');
    expect(crossFetch.status).toBe(403);
    expect(await decisions(draft.id)).toEqual([]);
    expect((await records.application(draft.id)).current?.stageId).toBe(FIRST_STAGE);
  });

  it('shows untrusted names and notes escaped in the page and the mail, under a CSP without inline script', async () => {
    const name = '<script>alert(1)</script>';
    const note = '<img src=x onerror=alert(1)>';
    const { draft, rina } = await waitingApplication({ fullName: name });
    const mail = await stageMail(draft, RINA);
    expect(mail.body.html).toContain('&lt;script>alert(1)&lt;/script>');
    expect(mail.body.html).not.toContain(name);

    const page = await fetch(rina);
    const csp = page.headers.get('content-security-policy') ?? '';
    const html = await page.text();
    // Preact escapes `<` and `&` in text (what can open markup); `>` alone cannot.
    expect(html).toContain('&lt;script>alert(1)&lt;/script>');
    expect(html).not.toContain('<script');
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toMatch(/script-src/);

    // The front office returns the file with the note: the applicant's mail shows it as text.
    const answer = await post(rina, {
      csrf: csrfOf(html),
      outcome: 'returnForCompletion',
      note,
      deficient: 'ktp',
    });
    expect(answer.status, (await answer.text()).slice(0, 300)).toBe(200);
    const returned = await mailbox().waitFor(
      (m) =>
        addressedTo(draft.email)(m) &&
        m.subject.includes(`[${draft.trackingCode}] Berkas permohonan dikembalikan`),
    );
    expect(returned.body.html).toContain('&lt;img src=x onerror=alert(1)>');
    expect(returned.body.html).not.toContain(note);
  });

  it("shows an earlier official's note escaped in the next official's page history", async () => {
    const note = '<img src=x onerror=alert(1)>';
    const { draft, rina } = await waitingApplication();
    const { csrf } = await openPage(rina);
    const decided = await post(rina, { csrf, outcome: 'approve', note });
    expect(decided.status).toBe(200);

    const next = await openPage(linkIn(await stageMail(draft, SARI)));

    expect(next.html).toContain('&lt;img src=x onerror=alert(1)>');
    expect(next.html).not.toContain('<img');
  });
});
