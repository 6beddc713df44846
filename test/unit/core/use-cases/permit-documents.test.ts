/**
 * The issued documents as a person reads them: the text of the PDF (pdftotext), page 1 rendered
 * (pdftoppm, kept under test-artifacts/ to look at) and its QR code decoded (jsQR) and checked offline.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApplicantForm } from '#core/domain/applicant.ts';
import type { Application, StageVisit } from '#core/domain/application.ts';
import { verifyPermitQr } from '#core/domain/permit/offline-verify.ts';
import { issueDocument, numberPermit } from '#core/use-cases/issuance.ts';
import { applicantFixture } from '../../../fixtures/application.ts';
import { decodeQr, pdfText, renderPage1 } from '../../../support/pdf.ts';
import { anApplication } from '../builders.ts';
import { type FakePorts, fakePorts, wib } from '../fakes.ts';

const decidedAt = wib('2026-02-25T10:00:00');
const BASE = 'http://127.0.0.1:4310';
const form = applicantFixture({
  fullName: 'Siti Rahmawati Ludiyanto',
  birthPlace: 'Curup',
  str: { number: 'STR-OT-1771-2020-000123', validUntil: 'lifetime' },
  practicePlace: {
    facilityName: 'RSUD Dr. M. Yunus',
    address: 'Jl. Bhayangkara, Kota Bengkulu',
    type: 'hospital',
  },
}) as ApplicantForm;

async function issuedPermit(ports: FakePorts = fakePorts({ publicApiBaseUrl: BASE })) {
  const app = anApplication({
    status: 'in-progress',
    version: 3,
    submittedAt: wib('2026-02-02T09:00:00').toISOString(),
  });
  ports.applications.put(app);
  ports.applications.applicants.set(app.id, {
    applicationId: app.id,
    applicant: form,
    createdAt: app.createdAt,
  });
  await numberPermit(ports, app.id, decidedAt);
  const { objectKey } = await issueDocument(ports, app.id, 'permit', decidedAt);
  const pdf = ports.files.objects.get(objectKey)?.body as Uint8Array;
  const stored = (await ports.applications.get(app.id)) as Application;
  const permit = await ports.permits.get(stored.permitId as string);
  return { ports, app, pdf, permit };
}

describe('the permit PDF', () => {
  let issued: Awaited<ReturnType<typeof issuedPermit>>;
  let text: string;
  let qr: string | undefined;
  beforeAll(async () => {
    issued = await issuedPermit();
    text = pdfText(issued.pdf);
    qr = decodeQr(renderPage1(issued.pdf, 'permit-sikot-kota-bengkulu'));
  });

  it('has the letterhead: the regency, the office, its address and contacts', () => {
    expect(text).toContain('PEMERINTAH KOTA BENGKULU');
    expect(text).toContain('DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU KOTA BENGKULU');
    expect(text).toContain('Jalan Basuki Rahmat No. 40 Ex Balai Kota');
    expect(text).toContain('Telepon (0736) 34973');
  });

  it("has the permit's title, its number and every legal basis of the configuration", () => {
    expect(text).toContain('SURAT IZIN KERJA OKUPASI TERAPIS (SIKOT)');
    expect(text).toContain('Nomor: 503/0001/SIKOT/DPMPTSP/2026');
    const permit = issued.ports.regency.permits.find((p) => p.code === 'SIKOT');
    for (const basis of permit?.legalBasis ?? []) expect(text).toContain(basis.replace(/\s+/g, ' '));
  });

  it("has the holder's name, place and date of birth, profession, STR, practice place and address", () => {
    for (const expected of [
      'Nama : Siti Rahmawati Ludiyanto',
      'Tempat, tanggal lahir : Curup, 15 Mei 1990',
      'Profesi : Okupasi Terapis',
      'Nomor STR : STR-OT-1771-2020-000123',
      'Tempat praktik : RSUD Dr. M. Yunus',
      'Alamat tempat praktik : Jl. Bhayangkara, Kota Bengkulu',
    ])
      expect(text).toContain(expected);
  });

  it('never prints the NIK', () => {
    expect(text).not.toContain(form.nik);
  });

  it('states the validity of the configured rule, the place and date, and the signatory with title and NIP', () => {
    expect(text).toContain('5 (lima) tahun sejak tanggal ditetapkan, sampai dengan 24 Februari 2031');
    expect(text).toContain('PP 28/2024');
    expect(text).toContain('Ditetapkan di Bengkulu pada tanggal 25 Februari 2026');
    expect(text).toContain('KEPALA DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU KOTA BENGKULU');
    expect(text).toContain('HENDRA GUNAWAN (CONTOH)');
    expect(text).toContain('NIP 197503181999031003');
  });

  it('carries a QR code that leads to the verification URL of this permit', () => {
    expect(qr?.split('#')[0]).toBe(`${BASE}/verify/${issued.permit?.id}`);
    expect(text).toContain(`${BASE}/verify/${issued.permit?.id}`);
  });

  it("whose signature verifies offline against the office's public keys", async () => {
    const verdict = await verifyPermitQr(qr ?? '', { keys: await issued.ports.signer.publicKeys() });

    expect(verdict).toMatchObject({
      valid: true,
      claims: {
        id: issued.permit?.id,
        no: '503/0001/SIKOT/DPMPTSP/2026',
        typ: 'SIKOT',
        nm: 'S*** R******** L********',
        iat: '2026-02-25',
        exp: '2031-02-24',
        iss: 'kota-bengkulu',
      },
    });
    expect(JSON.stringify(verdict)).not.toContain('1990-05-15');
  });

  it('is refused offline when the signature is tampered with, or checked against another key', async () => {
    const keys = await issued.ports.signer.publicKeys();
    const [url, token] = (qr ?? '').split('#') as [string, string];
    const [head, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const otherNumber = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
        no: '503/9999/SIKOT/DPMPTSP/2026',
      }),
    ).toString('base64url');

    expect(await verifyPermitQr(`${url}#${head}.${payload}.${flipped}`, { keys })).toMatchObject({
      valid: false,
      reason: 'bad-signature',
    });
    expect(await verifyPermitQr(`${url}#${head}.${otherNumber}.${signature}`, { keys })).toMatchObject({
      valid: false,
      reason: 'bad-signature',
    });
    expect(await verifyPermitQr(qr ?? '', { keys: await fakePorts().signer.publicKeys() })).toMatchObject({
      valid: false,
      reason: 'unknown-key',
    });
  });

  it('is refused offline when a genuine token is put under the link of another permit', async () => {
    const keys = await issued.ports.signer.publicKeys();
    const token = (qr ?? '').split('#')[1];

    expect(await verifyPermitQr(`${BASE}/verify/another-permit#${token}`, { keys })).toMatchObject({
      valid: false,
      reason: 'url-mismatch',
    });
  });

  it('records the SHA-256 of exactly the bytes stored', () => {
    expect(issued.permit?.document?.sha256).toBe(createHash('sha256').update(issued.pdf).digest('hex'));
  });
});

describe('the rejection letter', () => {
  it('lists the reasons the officials recorded when they refused, with the stage', async () => {
    const ports = fakePorts();
    const app = anApplication({
      status: 'in-progress',
      version: 3,
      visits: 2,
      submittedAt: wib('2026-02-02T09:00:00').toISOString(),
    });
    ports.applications.put(app);
    const visit = (n: number, stageId: string, outcome: StageVisit['outcome'], note?: string): StageVisit =>
      ({
        applicationId: app.id,
        visit: n,
        stageId,
        enteredAt: wib('2026-02-03T09:00:00').toISOString(),
        deadline: wib('2026-02-04T16:00:00').toISOString(),
        pendingActionId: `action-${n}`,
        breached: false,
        reminders: [],
        outcome,
        ...(note === undefined ? {} : { note }),
      }) as unknown as StageVisit;
    ports.stages.visits.set(`${app.id}#1`, visit(1, 'pemeriksaan-kelengkapan', 'approve', 'Lengkap'));
    ports.stages.visits.set(
      `${app.id}#2`,
      visit(
        2,
        'penetapan-kepala-dinas',
        'reject',
        'Tempat praktik belum memiliki izin operasional rumah sakit',
      ),
    );

    const { objectKey } = await issueDocument(ports, app.id, 'rejection-letter', decidedAt);

    const pdf = ports.files.objects.get(objectKey)?.body as Uint8Array;
    renderPage1(pdf, 'rejection-letter-sikot-kota-bengkulu');
    const text = pdfText(pdf);
    expect(text).toContain('SURAT PENOLAKAN PERMOHONAN IZIN');
    expect(text).toContain(`Nomor lacak permohonan: ${app.trackingCode}`);
    expect(text).toContain('Yth. Sdr./Sdri. Siti Rahmawati');
    expect(text).toContain('pada tanggal 2 Februari 2026');
    expect(text).toMatch(
      /1\. Penetapan [^:]*\(Kepala Dinas\): Tempat praktik belum memiliki izin operasional rumah sakit/,
    );
    expect(text).not.toContain('Lengkap');
    expect(text).toContain('Ditetapkan di Bengkulu pada tanggal 25 Februari 2026');
    expect(text).toContain('NIP 197503181999031003');
  });
});
