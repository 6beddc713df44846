/**
 * One layout for every mail the product sends: the same content as an HTML part (rendered by Preact,
 * which escapes every interpolated value) and a plain-text part. Names, notes and other untrusted text
 * are passed as values, never as markup, so a name like `<script>` arrives as text.
 *
 * A mail with a personal link carries LINK_PLACEHOLDER where the URL goes: the link's secret is minted
 * only when the mail leaves the outbox (use-cases/mail.ts), so it is never stored in clear.
 */
import { renderToStaticMarkup } from 'preact-render-to-string';

/** Replaced by the official's own link when the mail is sent. */
export const LINK_PLACEHOLDER = '{{tautan-pribadi}}';

export interface MailContent {
  subject: string;
  greeting: string;
  paragraphs: string[];
  /** Label and value rows (tracking code, permit, deadline). */
  facts?: Array<[string, string]>;
  /** A list under the paragraphs (deficient documents, reasons). */
  list?: { title: string; items: string[] };
  action?: { label: string; url: string; note?: string };
  /** The office's name, signed at the end. */
  office: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const AUTOMATIC = 'Pesan ini dikirim otomatis oleh sistem perizinan satupintu. Jangan membalas e-mail ini.';

function MailBody({ c }: { c: MailContent }) {
  return (
    <html lang="id">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{c.subject}</title>
      </head>
      <body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;background:#f4f5f7">
        <div style="max-width:600px;margin:0 auto;background:#ffffff;padding:20px;border-radius:6px">
          <p>{c.greeting}</p>
          {c.paragraphs.map((p) => (
            <p key={p}>{p}</p>
          ))}
          {c.facts !== undefined && c.facts.length > 0 ? (
            <table style="border-collapse:collapse;margin:12px 0" role="presentation">
              <tbody>
                {c.facts.map(([label, value]) => (
                  <tr key={label}>
                    <td style="padding:4px 12px 4px 0;color:#555;vertical-align:top">{label}</td>
                    <td style="padding:4px 0;font-weight:bold">{value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {c.list !== undefined && c.list.items.length > 0 ? (
            <div>
              <p style="margin-bottom:4px">{c.list.title}</p>
              <ul style="margin-top:0">
                {c.list.items.map((item) => (
                  <li key={item}>{item}</li>
                ))}
              </ul>
            </div>
          ) : null}
          {c.action !== undefined ? (
            <p style="margin:20px 0">
              {/* A new tab, as mail clients open links: the page refuses to be framed (CSP
                  frame-ancestors 'none'), and a web mailbox shows the HTML part in a frame. */}
              <a
                href={c.action.url}
                target="_blank"
                rel="noopener noreferrer"
                style="display:inline-block;background:#0b5394;color:#ffffff;padding:12px 20px;border-radius:4px;text-decoration:none;font-weight:bold"
              >
                {c.action.label}
              </a>
              {c.action.note === undefined ? null : (
                <span style="display:block;margin-top:8px;font-size:14px;color:#555">{c.action.note}</span>
              )}
            </p>
          ) : null}
          <p style="margin-top:24px;border-top:1px solid #ddd;padding-top:12px;font-size:14px;color:#555">
            {c.office}
            <br />
            {AUTOMATIC}
          </p>
        </div>
      </body>
    </html>
  );
}

function plainText(c: MailContent): string {
  const lines: string[] = [c.greeting, '', ...c.paragraphs.flatMap((p) => [p, ''])];
  if (c.facts !== undefined && c.facts.length > 0) {
    for (const [label, value] of c.facts) lines.push(`${label}: ${value}`);
    lines.push('');
  }
  if (c.list !== undefined && c.list.items.length > 0) {
    lines.push(c.list.title, ...c.list.items.map((i) => `- ${i}`), '');
  }
  if (c.action !== undefined) {
    lines.push(`${c.action.label}:`, c.action.url);
    if (c.action.note !== undefined) lines.push(c.action.note);
    lines.push('');
  }
  lines.push('--', c.office, AUTOMATIC);
  return lines.join('\n');
}

export function renderMail(c: MailContent): RenderedMail {
  return {
    subject: c.subject,
    text: plainText(c),
    html: `<!DOCTYPE html>${renderToStaticMarkup(<MailBody c={c} />)}`,
  };
}
