/**
 * The public verification page (Bahasa Indonesia), rendered on the server with Preact: every value is
 * escaped by the renderer, and the page runs no script. Served with a CSP that allows only its own
 * inline style (by hash): see `PAGE_HEADERS`.
 */
import { createHash } from 'node:crypto';
import { render } from 'preact-render-to-string';
import type { PermitVerification } from '#core/use-cases/verification.ts';

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24}
main{max-width:42rem;margin:0 auto;padding:1.5rem 1rem}
header p{margin:.1rem 0;color:#4a5260;font-size:.9rem}
h1{font-size:1.35rem;margin:.2rem 0 1rem}
.verdict{border-radius:.5rem;padding:1rem 1.2rem;margin:1rem 0;font-weight:600}
.genuine{background:#e3f5e8;border:2px solid #1f8a3b}
.revoked,.not-found{background:#fde8e8;border:2px solid #b42318}
.superseded,.expired{background:#fff4e0;border:2px solid #b26a00}
.verdict p{font-weight:400;margin:.4rem 0 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.45rem 1rem;background:#fff;padding:1rem 1.2rem;border-radius:.5rem}
dt{color:#4a5260}dd{margin:0;font-weight:600;overflow-wrap:anywhere}
code{font-size:.8rem;font-weight:400}
footer{font-size:.8rem;color:#4a5260;margin-top:1.2rem}
`;

/** The security headers of every verification page: no script, no framing, no referrer, no sniffing. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': [
    "default-src 'none'",
    `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export interface PageText {
  /** Dates already in words (`25 Februari 2026`, `Rabu, 25 Februari 2026 10.00 WIB`). */
  issuedOn: string;
  validUntil?: string;
  revokedAt?: string;
  supersededOn?: string;
}

function Page(props: { title: string; office: string; regency: string; children: unknown }) {
  return (
    <html lang="id">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{props.title}</title>
        <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <main>
          <header>
            <p>Pemerintah {props.regency}</p>
            <p>{props.office}</p>
          </header>
          <h1>Verifikasi Izin</h1>
          {props.children as never}
          <footer>
            Halaman ini tidak menampilkan NIK maupun tanggal lahir pemegang izin. Kode QR pada izin juga
            memuat tanda tangan digital (ES256) yang dapat diperiksa tanpa internet dengan kunci publik kantor
            di /.well-known/jwks.json.
          </footer>
        </main>
      </body>
    </html>
  );
}

const VERDICTS = {
  genuine: ['genuine', 'ASLI: izin ini diterbitkan oleh kantor kami dan berlaku.'],
  expired: ['expired', 'ASLI, TETAPI MASA BERLAKUNYA SUDAH HABIS.'],
  revoked: ['revoked', 'IZIN INI TELAH DICABUT.'],
  superseded: ['superseded', 'IZIN INI TELAH DIGANTIKAN oleh izin perpanjangan.'],
} as const;

export function verificationPage(v: PermitVerification, text: PageText): string {
  const [css, headline] =
    v.verdict === 'genuine' && v.permit.expired ? VERDICTS.expired : VERDICTS[v.verdict];
  return `<!doctype html>${render(
    <Page title={`Verifikasi izin ${v.permit.number}`} office={v.issuer.office} regency={v.issuer.regency}>
      <section class={`verdict ${css}`} aria-live="polite">
        {headline}
        {v.revoked !== undefined && (
          <p>
            Dicabut pada {text.revokedAt}. Alasan: {v.revoked.reason}
          </p>
        )}
        {v.superseded !== undefined && (
          <p>
            Sejak {text.supersededOn} digantikan oleh izin nomor{' '}
            <a href={`/verify/${encodeURIComponent(v.superseded.byId)}`}>{v.superseded.byNumber}</a>.
          </p>
        )}
      </section>
      <dl>
        <dt>Jenis izin</dt>
        <dd>{v.permit.type.name}</dd>
        <dt>Nomor</dt>
        <dd>{v.permit.number}</dd>
        <dt>Nama pemegang</dt>
        <dd>{v.permit.holderName}</dd>
        <dt>Tanggal terbit</dt>
        <dd>{text.issuedOn}</dd>
        <dt>Berlaku sampai</dt>
        <dd>{text.validUntil ?? 'selama STR pemegang izin masih berlaku'}</dd>
        {v.permit.supersedes !== undefined && (
          <>
            <dt>Perpanjangan dari</dt>
            <dd>
              Izin nomor{' '}
              <a href={`/verify/${encodeURIComponent(v.permit.supersedes.id)}`}>
                {v.permit.supersedes.number}
              </a>
            </dd>
          </>
        )}
        {v.permit.deemedGranted && (
          <>
            <dt>Keterangan</dt>
            <dd>Dianggap dikabulkan menurut hukum (fiktif positif)</dd>
          </>
        )}
        <dt>Sidik dokumen (SHA-256)</dt>
        <dd>
          <code>{v.permit.document.sha256}</code>
        </dd>
        <dt>Kunci penanda tangan</dt>
        <dd>
          <code>{v.permit.document.keyId}</code>
        </dd>
      </dl>
    </Page>,
  )}`;
}

export function notFoundPage(ref: string, office: string, regency: string): string {
  return `<!doctype html>${render(
    <Page title="Izin tidak ditemukan" office={office} regency={regency}>
      <section class="verdict not-found" aria-live="polite">
        TIDAK DITEMUKAN: tidak ada izin terbit dengan rujukan ini.
        <p>
          Rujukan: <code>{ref}</code>. Periksa kembali nomor izin, atau pindai ulang kode QR. Izin yang tidak
          ditemukan di sini bukan izin yang diterbitkan kantor kami.
        </p>
      </section>
    </Page>,
  )}`;
}
