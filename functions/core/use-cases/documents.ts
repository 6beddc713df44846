/**
 * The checklist's documents. The API never carries file bytes: it hands out a presigned PUT for one
 * requirement (5 minutes), the applicant's client uploads straight to the bucket, then asks the API to
 * confirm. Only then does the server look at what was stored (size, stored Content-Type, magic bytes,
 * and for a PDF its whole structure) and accept it as a new version of that requirement's document, or delete it and say why. Every
 * accepted version is kept; submission freezes which ones the office examines.
 */

import type { Application, SubmittedDocument } from '../domain/application.ts';
import {
  checkPdfStructure,
  checkUpload,
  MAGIC_BYTES_LENGTH,
  type MediaType,
  maxBytes,
  UPLOAD_REJECTION_MESSAGES,
} from '../domain/file-type.ts';
import { conflict, notFound, unprocessable } from '../domain/request-errors.ts';
import { isRequired } from '../domain/requirements.ts';
import type { Ports } from '../ports.ts';
import { permitOfApplication } from './lookups.ts';

/** Presigned URLs (upload and download) live this long. */
export const PRESIGNED_URL_SECONDS = 300;
/** A pending upload record is forgotten (TTL) after a day. */
const PENDING_UPLOAD_TTL_SECONDS = 24 * 60 * 60;

/**
 * Object keys: ids only, never personal data or the client's file name. Uploads land under `drafts/`
 * and submission copies the frozen versions under `applications/`; the bucket's lifecycle rules
 * (infra/constructs/data-stores.ts, DOCUMENT_PREFIXES) expire `drafts/`, so the files of abandoned
 * drafts and superseded uploads are deleted on their own while submitted files are kept.
 */
export const DOCUMENT_KEY_PREFIX = 'drafts/';
export const SUBMITTED_KEY_PREFIX = 'applications/';
export const documentObjectKey = (applicationId: string, requirementId: string, uploadId: string): string =>
  `${DOCUMENT_KEY_PREFIX}${applicationId}/${requirementId}/${uploadId}`;
/** The copy an upload's checks ran on: no presigned URL is ever signed for this key. */
export const checkedObjectKey = (uploadKey: string): string => `${uploadKey}.checked`;
export const submittedObjectKey = (applicationId: string, requirementId: string, uploadId: string): string =>
  `${SUBMITTED_KEY_PREFIX}${applicationId}/${requirementId}/${uploadId}`;

const EDITABLE: ReadonlyArray<Application['status']> = ['draft', 'returned'];

export function assertDocumentsEditable(app: Application): void {
  if (!EDITABLE.includes(app.status))
    throw conflict(
      'documents-frozen',
      'Dokumen hanya dapat diunggah atau diganti selama permohonan masih draf atau dikembalikan untuk dilengkapi.',
    );
}

export interface UploadRequest {
  mediaType: MediaType;
  sizeBytes: number;
}

export interface UploadGranted {
  uploadId: string;
  requirementId: string;
  method: 'PUT';
  url: string;
  /** Headers the upload must carry: the Content-Type is part of the signature. */
  headers: { 'content-type': MediaType };
  expiresAt: string;
  maxSizeBytes: number;
}

export async function requestUpload(
  ports: Ports,
  app: Application,
  requirementId: string,
  request: UploadRequest,
): Promise<UploadGranted> {
  assertDocumentsEditable(app);
  const permit = permitOfApplication(ports.regency, app);
  const requirement = permit.requirements.find((r) => r.id === requirementId);
  if (requirement === undefined)
    throw notFound(
      'requirement-not-found',
      `Persyaratan "${requirementId}" tidak ada pada izin ${permit.code}.`,
    );
  if (!isRequired(requirement, app.answers ?? {}))
    throw unprocessable(
      'requirement-not-applicable',
      `Persyaratan "${requirement.label}" tidak diperlukan menurut jawaban permohonan ini.`,
    );
  const errors = [];
  if (!requirement.mediaTypes.includes(request.mediaType))
    errors.push({
      field: 'mediaType',
      code: 'type-not-accepted',
      message: `Jenis berkas yang diterima: ${requirement.mediaTypes.join(', ')}.`,
    });
  const limit = maxBytes(requirement.maxSizeMb);
  if (request.sizeBytes > limit)
    errors.push({
      field: 'sizeBytes',
      code: 'too-large',
      message: `Ukuran berkas paling besar ${requirement.maxSizeMb} MB.`,
    });
  if (errors.length > 0)
    throw unprocessable('upload-not-allowed', 'Berkas ini tidak dapat diterima.', errors);

  const now = ports.now();
  const uploadId = ports.newId();
  const objectKey = documentObjectKey(app.id, requirement.id, uploadId);
  const url = await ports.files.presignUpload(
    objectKey,
    request.mediaType,
    PRESIGNED_URL_SECONDS,
    request.sizeBytes,
  );
  const expiresAt = new Date(now.getTime() + PRESIGNED_URL_SECONDS * 1000).toISOString();
  await ports.documents.createUpload({
    applicationId: app.id,
    uploadId,
    requirementId: requirement.id,
    objectKey,
    declaredType: request.mediaType,
    declaredSizeBytes: request.sizeBytes,
    status: 'pending',
    createdAt: now.toISOString(),
    urlExpiresAt: expiresAt,
    expiresAt: Math.floor(now.getTime() / 1000) + PENDING_UPLOAD_TTL_SECONDS,
  });
  return {
    uploadId,
    requirementId: requirement.id,
    method: 'PUT',
    url,
    headers: { 'content-type': request.mediaType },
    expiresAt,
    maxSizeBytes: limit,
  };
}

/** Server-side check of an upload; accepted uploads become a new document version. Safe to repeat. */
export async function confirmUpload(
  ports: Ports,
  app: Application,
  requirementId: string,
  uploadId: string,
): Promise<SubmittedDocument> {
  assertDocumentsEditable(app);
  const upload = await ports.documents.getUpload(app.id, uploadId);
  if (upload === undefined || upload.requirementId !== requirementId)
    throw notFound('upload-not-found', 'Unggahan tidak ditemukan untuk persyaratan ini.');
  if (upload.status === 'accepted') {
    const version = (await ports.documents.listVersions(app.id)).find((v) => v.uploadId === uploadId);
    if (version !== undefined) return version;
  }
  if (upload.status === 'rejected')
    throw unprocessable(
      upload.reason ?? 'upload-rejected',
      `Unggahan ini sudah ditolak: ${UPLOAD_REJECTION_MESSAGES[upload.reason ?? 'unrecognised-content']} Minta URL unggah baru.`,
    );
  const permit = permitOfApplication(ports.regency, app);
  const requirement = permit.requirements.find((r) => r.id === requirementId);
  if (requirement === undefined) throw notFound('requirement-not-found', 'Persyaratan tidak ditemukan.');

  if ((await ports.files.inspect(upload.objectKey, 0)) === undefined)
    throw conflict(
      'upload-missing',
      'Berkas belum diunggah. Unggah dengan PUT ke URL yang diberikan, lalu konfirmasi.',
    );
  // Pin what is checked: the presigned URL may still write the upload's key, so the checks run on a
  // copy under a key no URL was ever signed for, and that copy is what the office will read.
  const checkedKey = checkedObjectKey(upload.objectKey);
  await ports.files.copy(upload.objectKey, checkedKey);
  const stored = await ports.files.inspect(checkedKey, MAGIC_BYTES_LENGTH);
  if (stored === undefined) throw new Error(`the checked copy of upload ${uploadId} is missing`);
  const at = ports.now().toISOString();
  let check = checkUpload(stored, {
    declaredType: upload.declaredType,
    declaredSizeBytes: upload.declaredSizeBytes,
    acceptedTypes: requirement.mediaTypes,
    maxSizeMb: requirement.maxSizeMb,
  });
  if (check.ok && check.mediaType === 'application/pdf') {
    // The whole file, which checkUpload bounded by the requirement's maxSizeMb (at most 20 MB).
    const whole = await ports.files.inspect(checkedKey, stored.sizeBytes);
    if (whole === undefined) throw new Error(`the checked copy of upload ${uploadId} is missing`);
    check = await checkPdfStructure(whole.head);
  }
  if (!check.ok) {
    // What is not accepted is not kept: it may be anything, and it may be personal data. A failed
    // delete must not hide the verdict from the applicant: the upload is still marked rejected (never
    // used), and the operator sees the log line.
    try {
      await ports.files.delete(checkedKey);
      await ports.files.delete(upload.objectKey);
    } catch (e) {
      ports.log('rejected upload not deleted', { applicationId: app.id, uploadId, error: (e as Error).name });
    }
    await ports.documents.rejectUpload(upload, check.reason, {
      applicationId: app.id,
      at,
      type: 'document-rejected',
      actor: 'applicant',
      detail: { requirementId, uploadId, reason: check.reason },
    });
    ports.log('upload rejected', { applicationId: app.id, requirementId, reason: check.reason });
    throw unprocessable(check.reason, UPLOAD_REJECTION_MESSAGES[check.reason], [
      { field: 'file', code: check.reason, message: UPLOAD_REJECTION_MESSAGES[check.reason] },
    ]);
  }
  const version: SubmittedDocument = {
    requirementId,
    uploadId,
    objectKey: checkedKey,
    mediaType: check.mediaType,
    sizeBytes: stored.sizeBytes,
    acceptedAt: at,
  };
  const accepted = await ports.documents.acceptUpload(upload, version, {
    applicationId: app.id,
    at,
    type: 'document-accepted',
    actor: 'applicant',
    detail: { requirementId, uploadId },
  });
  if (!accepted) {
    // A concurrent confirmation decided first: answer with what it decided.
    const again = await ports.documents.getUpload(app.id, uploadId);
    if (again?.status === 'accepted') {
      const existing = (await ports.documents.listVersions(app.id)).find((v) => v.uploadId === uploadId);
      if (existing !== undefined) return existing;
    }
    throw conflict('upload-decided', 'Unggahan ini sudah diproses oleh permintaan lain.');
  }
  return version;
}

/** The latest accepted version per requirement. */
export function latestVersions(versions: readonly SubmittedDocument[]): Map<string, SubmittedDocument> {
  const latest = new Map<string, SubmittedDocument>();
  for (const v of versions) {
    const current = latest.get(v.requirementId);
    if (current === undefined || v.acceptedAt >= current.acceptedAt) latest.set(v.requirementId, v);
  }
  return latest;
}
