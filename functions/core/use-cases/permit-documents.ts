/**
 * Gathers what the permit and the rejection letter print, from where each lives: the regency
 * configuration (letterhead, legal basis, validity rule, signatory), the applicant's form (name, place
 * and date of birth, STR, practice place), the permit record (number, id) and the stage visits (the
 * reasons the officials recorded for a refusal). Then renders, signs the QR token and the PDF.
 */
import { createHash } from 'node:crypto';
import type { Permit, Regency } from '#config/regency-schema.ts';
import type { Application } from '../domain/application.ts';
import {
  countInWords,
  indonesianDate,
  lastDayAfterYears,
  maskName,
  PROFESSION_LABELS,
  placeOfSigning,
  signatoryTitle,
} from '../domain/permit/indonesian.ts';
import type { Letterhead, SignatureBlock } from '../domain/permit/letter-layout.ts';
import { type PermitDocument, renderPermit, renderRejectionLetter } from '../domain/permit/permit-pdf.ts';
import type { PermitRecord, SignedDocument } from '../domain/permit/permit-record.ts';
import {
  compactJws,
  contentDigest,
  type PermitClaims,
  qrSigningInput,
  qrText,
  verifyUrl,
} from '../domain/permit/qr-token.ts';
import type { Ports } from '../ports.ts';
import { WorkflowError } from './workflow-steps.ts';

export function letterheadOf(regency: Regency): Letterhead {
  const { office } = regency;
  return {
    regencyName: regency.name,
    officeName: office.name,
    address: office.address,
    ...(office.phone === undefined ? {} : { phone: office.phone }),
    ...(office.website === undefined ? {} : { website: office.website }),
    ...(office.logoPngBase64 === undefined
      ? {}
      : { logoPng: new Uint8Array(Buffer.from(office.logoPngBase64, 'base64')) }),
  };
}

export function signatureOf(regency: Regency, localDate: string): SignatureBlock {
  const official = regency.officials.find((o) => o.id === regency.signatory);
  if (official === undefined) throw new Error(`signatory ${regency.signatory} is not an official`);
  return {
    place: placeOfSigning(regency),
    date: indonesianDate(localDate),
    title: signatoryTitle(regency),
    name: official.name,
    nip: official.nip,
  };
}

/** The validity the configured rule gives a permit issued on `issuedOn` (local date). */
export function validityOf(
  permit: Permit,
  issuedOn: string,
  str: { validUntil: string },
): { validUntil?: string; text: string } {
  if (permit.validity.rule === 'fixed-years') {
    const validUntil = lastDayAfterYears(issuedOn, permit.validity.years);
    return {
      validUntil,
      text: `${countInWords(permit.validity.years)} tahun sejak tanggal ditetapkan, sampai dengan ${indonesianDate(validUntil)}`,
    };
  }
  if (str.validUntil === 'lifetime') return { text: 'selama STR pemegang izin masih berlaku' };
  return {
    validUntil: str.validUntil,
    text: `selama STR pemegang izin masih berlaku, sampai dengan ${indonesianDate(str.validUntil)}`,
  };
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function signDocument(ports: Pick<Ports, 'signer'>, pdf: Uint8Array, objectKey: string) {
  const { keyId, signature } = await ports.signer.sign(pdf);
  const signed: SignedDocument = {
    objectKey,
    sha256: sha256Hex(pdf),
    signature: Buffer.from(signature).toString('base64url'),
    keyId,
    algorithm: 'ES256',
    sizeBytes: pdf.length,
  };
  return signed;
}

/** The object key of an issued file: named by its hash, so racing retries never overwrite a recorded file. */
export const issuedObjectKey = (applicationId: string, document: string, sha256: string): string =>
  `issued/${applicationId}/${document}-${sha256.slice(0, 16)}.pdf`;

export interface IssuedPermitFile {
  pdf: Uint8Array;
  signed: SignedDocument;
  permit: PermitRecord;
}

/** Renders the permit with its signed QR code, signs the PDF, and gives the permit record as issued. */
export async function issuePermitFile(ports: Ports, app: Application, at: Date): Promise<IssuedPermitFile> {
  const { regency } = ports;
  const permitType = regency.permits.find((p) => p.code === app.permitCode);
  if (permitType === undefined)
    throw new WorkflowError('UnknownStage', `permit ${app.permitCode} is not configured`);
  const record = app.permitId === undefined ? undefined : await ports.permits.get(app.permitId);
  if (record === undefined)
    throw new WorkflowError(
      'UnknownApplication',
      `application ${app.id} has no permit record: number it first`,
    );
  const form = (await ports.applications.applicant(app.id))?.applicant;
  if (form === undefined)
    throw new WorkflowError('UnknownApplication', `application ${app.id} has no applicant form`);
  const issuedOn = ports.calendar.localDate(at);
  const validity = validityOf(permitType, issuedOn, form.str);
  const base = ports.publicApiBaseUrl ?? regency.mail.publicBaseUrl;
  const url = verifyUrl(base, record.id);
  const printed: Omit<PermitDocument, 'qrText' | 'verifyUrl' | 'letterhead'> = {
    title: permitType.product,
    number: record.number,
    legalBasis: permitType.legalBasis,
    holder: {
      name: form.fullName,
      birthPlace: form.birthPlace,
      birthDate: indonesianDate(form.birthDate),
      profession: PROFESSION_LABELS[permitType.profession],
      strNumber: form.str.number,
      practicePlace: form.practicePlace.facilityName,
      practiceAddress: form.practicePlace.address,
    },
    validity: validity.text,
    validityBasis: permitType.validity.basis,
    signature: signatureOf(regency, issuedOn),
    ...(app.deemedGranted === undefined
      ? {}
      : {
          deemedGranted: `Izin ini dianggap dikabulkan berdasarkan ${app.deemedGranted.legalBasis}, karena permohonan tidak diputus dalam batas waktu yang ditetapkan.`,
        }),
    ...(app.renews === undefined ? {} : { supersedes: app.renews.number }),
    at,
  };
  const claims: PermitClaims = {
    id: record.id,
    no: record.number,
    h: contentDigest({ id: record.id, ...printed, at: at.toISOString() }),
    typ: permitType.code,
    nm: maskName(form.fullName),
    iat: issuedOn,
    ...(validity.validUntil === undefined ? {} : { exp: validity.validUntil }),
    iss: regency.id,
  };
  const [jwk] = await ports.signer.publicKeys();
  if (jwk === undefined) throw new Error('the signer has no public key');
  const signingInput = qrSigningInput(claims, jwk.kid);
  const { signature } = await ports.signer.sign(new TextEncoder().encode(signingInput));
  const qrToken = compactJws(signingInput, signature);
  const pdf = await renderPermit({
    ...printed,
    letterhead: letterheadOf(regency),
    qrText: qrText(url, qrToken),
    verifyUrl: url,
  });
  const signed = await signDocument(ports, pdf, issuedObjectKey(app.id, 'permit', sha256Hex(pdf)));
  const permit: PermitRecord = {
    ...record,
    holderName: form.fullName,
    status: 'active',
    issuedAt: at.toISOString(),
    validFrom: issuedOn,
    ...(validity.validUntil === undefined ? {} : { validUntil: validity.validUntil }),
    validityBasis: permitType.validity.basis,
    document: signed,
    qrToken,
    ...(app.deemedGranted === undefined ? {} : { deemedGranted: true }),
    ...(app.renews === undefined
      ? {}
      : { supersedes: { id: app.renews.permitId, number: app.renews.number } }),
    version: record.version + 1,
  };
  return { pdf, signed, permit };
}

/** The reasons officials recorded when they refused: the notes of the visits decided `reject`, in order. */
export async function rejectionReasons(
  ports: Pick<Ports, 'stages' | 'regency'>,
  app: Application,
): Promise<string[]> {
  const permit = ports.regency.permits.find((p) => p.code === app.permitCode);
  const visits = await ports.stages.listVisits(app.id);
  return visits
    .filter((v) => v.outcome === 'reject' && v.note !== undefined && v.note.trim() !== '')
    .map((v) => {
      const stage = permit?.stages.find((s) => s.id === v.stageId);
      return stage === undefined ? (v.note as string) : `${stage.name}: ${v.note as string}`;
    });
}

export async function issueRejectionFile(
  ports: Ports,
  app: Application,
  at: Date,
): Promise<{ pdf: Uint8Array; signed: SignedDocument }> {
  const { regency } = ports;
  const permitType = regency.permits.find((p) => p.code === app.permitCode);
  const decidedOn = ports.calendar.localDate(at);
  const pdf = await renderRejectionLetter({
    letterhead: letterheadOf(regency),
    permitTitle: permitType?.product ?? app.permitCode,
    trackingCode: app.trackingCode,
    applicantName: app.applicantName,
    submittedOn: indonesianDate(ports.calendar.localDate(new Date(app.submittedAt ?? app.createdAt))),
    reasons: await rejectionReasons(ports, app),
    signature: signatureOf(regency, decidedOn),
    at,
  });
  const signed = await signDocument(ports, pdf, issuedObjectKey(app.id, 'rejection-letter', sha256Hex(pdf)));
  return { pdf, signed };
}
