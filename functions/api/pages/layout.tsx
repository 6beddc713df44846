/**
 * The frame of every HTML page the product serves (officials' decision pages): one stylesheet,
 * inline and allowed by its hash, and a Content-Security-Policy that loads nothing else from
 * anywhere: no script at all, no frame, forms only to this origin. Preact escapes every value.
 */
import { createHash } from 'node:crypto';
import type { ComponentChildren } from 'preact';
import { renderToStaticMarkup } from 'preact-render-to-string';

const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;background:#f4f5f7}
header{background:#0b5394;color:#fff;padding:12px max(16px,calc(50% - 368px))}
header p{margin:0;font-size:14px;opacity:.9}
header h1{margin:2px 0 0;font-size:20px;line-height:1.3}
main{max-width:760px;margin:0 auto;padding:8px}
section{background:#fff;border-radius:6px;padding:12px;margin:8px 0;border:1px solid #dde1e6}
section>:first-child,fieldset>legend+*{margin-top:0}
section>:last-child{margin-bottom:0}
h2{font-size:18px;line-height:1.3;margin:0 0 8px}
dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:4px 16px;margin:8px 0}
dt{color:#555}
dd{margin:0;font-weight:600;overflow-wrap:anywhere}
ul{padding-left:20px;margin:4px 0}
li{margin:6px 0;overflow-wrap:anywhere}
li>.muted:first-child{display:block}
a{color:#0b5394}
.late{color:#a61b1b;font-weight:700}
.muted{color:#555;font-size:14px}
.errors{border:2px solid #a61b1b;background:#fdf0f0}
.errors li{color:#a61b1b}
.notice{border:2px solid #0b5394;background:#eef4fb}
fieldset{border:1px solid #dde1e6;border-radius:6px;margin:12px 0;padding:4px 8px 8px;min-width:0}
legend{font-weight:700;padding:0 4px}
label{display:block;font-weight:600;margin:12px 0 4px}
label.choice{display:flex;gap:10px;align-items:flex-start;margin:0;padding:10px 4px;border-bottom:1px solid #eef0f3;font-weight:400;cursor:pointer}
label.choice:last-child{border-bottom:0}
label.choice input{margin-top:2px;width:20px;height:20px;flex:none}
textarea,input[type=text],input[type=file]{width:100%;font:inherit;padding:8px;border:1px solid #8a9099;border-radius:4px;background:#fff}
input[name=code]{font-size:24px;letter-spacing:.3em;max-width:10em}
textarea{min-height:110px}
.field-error{color:#a61b1b;font-weight:600;margin:4px 0}
button{font:inherit;font-weight:700;background:#0b5394;color:#fff;border:0;border-radius:4px;padding:12px 20px;min-height:44px;cursor:pointer;width:100%}
button.secondary{background:#fff;color:#0b5394;border:2px solid #0b5394}
footer{max-width:760px;margin:0 auto;padding:8px 12px 24px;color:#555;font-size:13px}
@media (min-width:700px){
main{padding:12px}
section{padding:16px 20px;margin:12px 0}
fieldset{padding:4px 12px 12px}
button{width:auto}
}
`;

const STYLE_HASH = createHash('sha256').update(CSS, 'utf8').digest('base64');

/** The page's security headers. No script is allowed anywhere; the one stylesheet is allowed by hash. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'x-content-type-options': 'nosniff',
  // The capability is in the URL: it must never leave in a Referer header (to S3, to a linked site).
  // 'same-origin' rather than 'no-referrer': under 'no-referrer' browsers send `Origin: null` with the
  // page's own form POST, which then cannot be told from a cross-site one (seen in Chromium).
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'x-robots-tag': 'noindex, nofollow',
};

export function Page(props: { title: string; office: string; children: ComponentChildren }) {
  return (
    <html lang="id">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>{`${props.title} · ${props.office}`}</title>
        <style>{CSS}</style>
      </head>
      <body>
        <header>
          <p>{props.office}</p>
          <h1>{props.title}</h1>
        </header>
        <main>{props.children}</main>
        <footer>
          Sistem perizinan satupintu. Halaman ini tidak memuat skrip dan tidak mengubah apa pun sampai Anda
          menekan tombol.
        </footer>
      </body>
    </html>
  );
}

export const renderPage = (node: preact.VNode): string => `<!DOCTYPE html>${renderToStaticMarkup(node)}`;
