/** Test data of the use-case tests: applications and accepted documents, arranged through the fakes. */
import type { ApplicantForm } from '#core/domain/applicant.ts';
import type { Application, SubmittedDocument } from '#core/domain/application.ts';
import { minimalPdf } from '#core/domain/minimal-pdf.ts';
import type { UploadRecord } from '#core/domain/records.ts';
import { RequestError } from '#core/domain/request-errors.ts';
import { applicantFixture, nikFor } from '../../fixtures/application.ts';
import { type FakePorts, wib } from './fakes.ts';

/** A real one-page PDF (the product's own writer): it passes the magic bytes and pdf-lib's parse. */
export const PDF_BYTES = minimalPdf('Dokumen uji', ['a scanned document']);

/** An application of Kota Bengkulu's SIKOT, a draft unless `overrides` say otherwise. */
export function anApplication(overrides: Partial<Application> = {}): Application {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    regencyId: 'kota-bengkulu',
    permitCode: 'SIKOT',
    trackingCode: 'BNG-7K3M-Q9TX',
    status: 'draft',
    applicantEmail: 'siti@example.test',
    applicantName: 'Siti Rahmawati',
    createdAt: wib('2026-01-30T10:00:00').toISOString(),
    answers: { secondPermit: false },
    visits: 0,
    version: 1,
    ...overrides,
  };
}

/** Stores the applicant's form of `app` (the fixture's Siti Rahmawati, NIK serial 0001, unless `form` says otherwise). */
export function storeApplicant(
  ports: FakePorts,
  app: Application,
  form: Record<string, unknown> = {},
): ApplicantForm {
  const applicant = applicantFixture({ nik: nikFor('1990-05-15', 'female', 1), ...form }) as ApplicantForm;
  ports.applications.applicants.set(app.id, { applicationId: app.id, applicant, createdAt: app.createdAt });
  return applicant;
}

/** An accepted version of a requirement's document, and its file, as confirmUpload leaves them. */
export async function acceptedDocument(
  ports: FakePorts,
  applicationId: string,
  requirementId: string,
  acceptedAt: Date,
): Promise<SubmittedDocument> {
  const uploadId = ports.newId();
  const uploadKey = `drafts/${applicationId}/${requirementId}/${uploadId}`;
  const objectKey = `${uploadKey}.checked`;
  const at = acceptedAt.toISOString();
  const mediaType = 'application/pdf' as const;
  const upload: UploadRecord = {
    ...{
      applicationId,
      uploadId,
      requirementId,
      objectKey: uploadKey,
      declaredType: mediaType,
      status: 'pending',
    },
    ...{ declaredSizeBytes: PDF_BYTES.length, createdAt: at, urlExpiresAt: at },
  };
  const version = {
    requirementId,
    uploadId,
    objectKey,
    mediaType,
    sizeBytes: PDF_BYTES.length,
    acceptedAt: at,
  };
  await ports.files.put(objectKey, PDF_BYTES, mediaType);
  await ports.documents.createUpload(upload);
  await ports.documents.acceptUpload(upload, version, { applicationId, at, type: 'document-accepted' });
  return version;
}

/** The RequestError `promise` rejects with (a test fails on anything else). */
export async function refusal(promise: Promise<unknown>): Promise<RequestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RequestError)) throw new Error(`expected a RequestError, got ${String(error)}`);
  return error;
}
