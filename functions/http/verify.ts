/**
 * Public verification: GET /verify/{ref+} (HTML or JSON by Accept), POST /verify (a PDF's bytes) and
 * GET /.well-known/jwks.json. Reads the permit register and the signing key's public half only.
 */
import { dispatch, endpoint, json } from '#api/endpoint.ts';
import { notFoundPage, PAGE_HEADERS, verificationPage } from '#api/pages/verification-page.tsx';
import { indonesianDate } from '#core/domain/permit/indonesian.ts';
import { notFound, RequestError, unprocessable } from '#core/domain/request-errors.ts';
import { checkDocumentBytes, publicKeySet, verifyPermit } from '#core/use-cases/verification.ts';
import { container } from '#runtime/container.ts';

/** PDFs are sent as the body itself: a permit with a logo stays far below this. */
const MAX_PDF_BYTES = 2 * 1024 * 1024;

const wantsHtml = (accept: string | undefined): boolean => (accept ?? '').toLowerCase().includes('text/html');

const verifyRef = endpoint('GET /verify/{ref+}', async ({ params, event }) => {
  const ports = container();
  const html = wantsHtml(event.headers?.accept);
  const verification = await verifyPermit(ports, params.ref);
  const vary = { vary: 'Accept' };
  if (verification === undefined) {
    if (!html) throw notFound('permit-not-found', 'Tidak ada izin terbit dengan nomor atau kode ini.');
    return {
      status: 404,
      body: undefined,
      raw: notFoundPage(params.ref, ports.regency.office.name, ports.regency.name),
      headers: { ...PAGE_HEADERS, ...vary },
    };
  }
  if (!html) return json(200, verification, vary);
  const { permit, revoked, superseded } = verification;
  return {
    status: 200,
    body: undefined,
    raw: verificationPage(verification, {
      issuedOn: indonesianDate(ports.calendar.localDate(new Date(permit.issuedAt))),
      ...(permit.validUntil === undefined ? {} : { validUntil: indonesianDate(permit.validUntil) }),
      ...(revoked === undefined ? {} : { revokedAt: ports.calendar.formatLocal(new Date(revoked.at)) }),
      ...(superseded === undefined
        ? {}
        : { supersededOn: indonesianDate(ports.calendar.localDate(new Date(superseded.at))) }),
    }),
    headers: { ...PAGE_HEADERS, ...vary },
  };
});

const checkBytes = endpoint(
  'POST /verify',
  async ({ event }) => {
    const type = (event.headers?.['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/pdf' && type !== 'application/octet-stream')
      throw new RequestError(
        'unsupported-media-type',
        'unsupported-media-type',
        'Kirim berkas PDF sebagai isi permintaan dengan Content-Type: application/pdf.',
      );
    const bytes = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'latin1');
    if (!bytes.subarray(0, 5).equals(Buffer.from('%PDF-')))
      throw unprocessable('not-a-pdf', 'Isi permintaan bukan berkas PDF.');
    return json(200, await checkDocumentBytes(container(), bytes));
  },
  { maxBodyBytes: MAX_PDF_BYTES },
);

const jwks = endpoint('GET /.well-known/jwks.json', async () =>
  json(200, await publicKeySet(container()), { 'cache-control': 'public, max-age=3600' }),
);

export const handler = dispatch({
  'GET /verify/{ref+}': verifyRef,
  'POST /verify': checkBytes,
  'GET /.well-known/jwks.json': jwks,
});
