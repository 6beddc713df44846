/**
 * A Kota Bengkulu SIKOT issued through the local stack, then verified as the public would: the QR code
 * read off the rendered PDF, followed to the verification page (JSON and HTML), checked offline against
 * the JWKS, the PDF's bytes checked by POST /verify, and the permit revoked by an administrator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadResponse } from '#api/schemas.ts';
import { verificationSchema } from '#api/verification-schemas.ts';
import { verifyPermitQr } from '#core/domain/permit/offline-verify.ts';
import { revokePermit } from '#core/use-cases/verification.ts';
import { buildContainer, type Container } from '#runtime/container.ts';
import { parseEnv } from '#runtime/env.ts';
import { decodeQr, pdfText, renderPage1 } from '../../support/pdf.ts';
import { api, stackEndpoints } from '../harness/index.ts';
import { bearer, createDraft, type Draft, json, StackRecords, submit, uploadChecklist } from './client.ts';

const records = new StackRecords();
let ports: Container;
let draft: Draft;
let pdf: Buffer;
let qr: string;

const scores = {
  ...{ requirements: 4, procedure: 4, completionTime: 4, cost: 4, product: 4 },
  ...{ staffCompetence: 4, staffBehaviour: 4, complaintHandling: 4, facilities: 4 },
};

beforeAll(async () => {
  const endpoints = stackEndpoints();
  // The product's own environment against the stack (same table, bucket and signing key file).
  Object.assign(process.env, endpoints.env);
  ports = buildContainer(parseEnv(endpoints.env));
  draft = await createDraft();
  await uploadChecklist(draft);
  expect((await submit(draft)).status).toBe(202);
  for (let i = 0; i < 5; i++) await records.decide(draft.id, 'approve');
  await records.until(draft.id, (a) => a.issued !== undefined, 'was issued');
  await api(`/applications/${draft.id}/survey`, {
    ...json({ scores }),
    headers: { ...bearer(draft.token), 'content-type': 'application/json' },
  });
  const link = downloadResponse.parse(
    await (await api(`/applications/${draft.id}/permit`, { headers: bearer(draft.token) })).json(),
  );
  pdf = Buffer.from(await (await fetch(link.url)).arrayBuffer());
  qr = decodeQr(renderPage1(pdf, 'integration-permit-kota-bengkulu')) ?? '';
}, 120_000);
afterAll(() => {
  records.destroy();
  ports?.clients.dynamo().destroy();
});

const verify = (url: string, accept = 'application/json') => fetch(url, { headers: { accept } });

describe('an issued permit', () => {
  it("has a QR code leading to the local API's verification page, which says genuine", async () => {
    const [url] = qr.split('#') as [string];
    expect(url).toMatch(new RegExp(`^${stackEndpoints().api.url}/verify/[0-9a-f-]{36}$`));

    const response = await verify(url);

    expect(response.status).toBe(200);
    const body = verificationSchema.parse(await response.json());
    const app = await records.application(draft.id);
    expect(body).toMatchObject({
      verdict: 'genuine',
      permit: {
        number: app.permitNumber,
        type: { code: 'SIKOT' },
        holderName: 'S*** R********',
        expired: false,
      },
    });
    expect(pdfText(pdf)).toContain(`Nomor: ${app.permitNumber}`);
  });

  it('is found by its number too, URL-encoded or not, and never shows the NIK or the date of birth', async () => {
    const app = await records.application(draft.id);
    const applicant = await records.applications.applicant(draft.id);
    for (const path of [encodeURIComponent(app.permitNumber ?? ''), app.permitNumber ?? '']) {
      const response = await api(`/verify/${path}`, { headers: { accept: 'application/json' } });
      const text = await response.text();
      expect(response.status, path).toBe(200);
      expect(text).not.toContain(applicant?.applicant.nik);
      expect(text).not.toContain(applicant?.applicant.birthDate);
    }
  });

  it('verifies offline against the JWKS the API publishes', async () => {
    const jwks = await (await api('/.well-known/jwks.json')).json();

    const verdict = await verifyPermitQr(qr, jwks);

    expect(verdict).toMatchObject({
      valid: true,
      claims: { no: (await records.application(draft.id)).permitNumber },
    });
  });

  it('is recognised byte for byte by POST /verify, and one changed byte is not', async () => {
    const post = (body: Buffer) =>
      api('/verify', {
        method: 'POST',
        body: new Uint8Array(body),
        headers: { 'content-type': 'application/pdf' },
      });
    const tampered = Buffer.from(pdf);
    tampered[tampered.length - 20] = (tampered[tampered.length - 20] ?? 0) ^ 0x01;

    const genuine = await (await post(pdf)).json();
    const changed = await (await post(tampered)).json();

    expect(genuine).toMatchObject({
      identical: true,
      document: 'permit',
      verification: { verdict: 'genuine' },
    });
    expect(changed).toMatchObject({ identical: false });
  });

  it('answers an HTML page in Indonesian with a strict CSP', async () => {
    const [url] = qr.split('#') as [string];

    const response = await verify(url, 'text/html');

    const html = await response.text();
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'.*style-src 'sha256-/);
    expect(html).toContain('ASLI: izin ini diterbitkan oleh kantor kami dan berlaku.');
    expect(html).not.toContain('<script');
  });

  it('shows as revoked at once after an administrator revokes it, with the date and the reason', async () => {
    const [url] = qr.split('#') as [string];
    const number = (await records.application(draft.id)).permitNumber ?? '';

    const result = await revokePermit(ports, {
      ref: number,
      reason: 'STR dicabut oleh konsil <b>',
      actor: 'admin@dpmptsp.bengkulukota.example',
      at: new Date(),
    });

    expect(result.revoked).toBe('now');
    expect(verificationSchema.parse(await (await verify(url)).json())).toMatchObject({
      verdict: 'revoked',
      revoked: { reason: 'STR dicabut oleh konsil <b>' },
    });
    const html = await (await verify(url, 'text/html')).text();
    expect(html).toContain('IZIN INI TELAH DICABUT.');
    expect(html).toContain('STR dicabut oleh konsil &lt;b>');
    expect((await records.audit(draft.id)).map((e) => e.type)).toContain('permit-revoked');
  });

  it('answers 404 for a permit that does not exist', async () => {
    const response = await api('/verify/503%2F9999%2FSIKOT%2FDPMPTSP%2F2026', {
      headers: { accept: 'application/json' },
    });
    expect(response.status).toBe(404);
    expect((await response.json()).code).toBe('permit-not-found');
    const page = await api('/verify/tidak-ada', { headers: { accept: 'text/html' } });
    expect([page.status, await page.text()]).toEqual([404, expect.stringContaining('TIDAK DITEMUKAN')]);
  });
});
