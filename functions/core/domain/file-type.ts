/**
 * What an uploaded file really is. Object storage believes whatever the uploader declared (s3rver does
 * not even check the signed content type), so the product reads the first bytes itself and accepts a
 * document only when its magic bytes, its declared type and the requirement's allowed types agree.
 *
 * Magic bytes prove little: `%PDF-` followed by HTML passes them, and the office opens documents in a
 * browser. A PDF is therefore also parsed whole (`checkPdfStructure`, with pdf-lib): only a file that
 * has a PDF's structure (cross-reference data, a catalog with pages) is accepted as one.
 */
import { PDFDocument } from 'pdf-lib';
import type { MEDIA_TYPES } from '#config/regency-schema.ts';

export type MediaType = (typeof MEDIA_TYPES)[number];

/** How many leading bytes `detectMediaType` needs. */
export const MAGIC_BYTES_LENGTH = 8;

const SIGNATURES: ReadonlyArray<{ type: MediaType; bytes: readonly number[] }> = [
  { type: 'application/pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
];

export function detectMediaType(head: Uint8Array): MediaType | undefined {
  return SIGNATURES.find((s) => s.bytes.every((b, i) => head[i] === b))?.type;
}

export type UploadRejection =
  | 'empty'
  | 'too-large'
  | 'content-type-mismatch'
  | 'unrecognised-content'
  | 'declared-type-mismatch'
  | 'type-not-accepted'
  | 'malformed-pdf'
  | 'size-mismatch';

export interface StoredUpload {
  sizeBytes: number;
  /** The Content-Type the object was stored with. */
  contentType: string | undefined;
  /** Its first `MAGIC_BYTES_LENGTH` bytes (fewer for a shorter file). */
  head: Uint8Array;
}

export interface UploadRules {
  declaredType: MediaType;
  /** The size the applicant declared when asking for the upload (S3 is told to accept only that). */
  declaredSizeBytes?: number;
  acceptedTypes: readonly MediaType[];
  maxSizeMb: number;
}

export type UploadCheck = { ok: true; mediaType: MediaType } | { ok: false; reason: UploadRejection };

export const maxBytes = (maxSizeMb: number): number => Math.floor(maxSizeMb * 1024 * 1024);

/** The order matters only for which reason is reported: the cheapest, most certain fact first. */
export function checkUpload(stored: StoredUpload, rules: UploadRules): UploadCheck {
  if (stored.sizeBytes === 0) return { ok: false, reason: 'empty' };
  if (stored.sizeBytes > maxBytes(rules.maxSizeMb)) return { ok: false, reason: 'too-large' };
  const declared = stored.contentType?.split(';')[0]?.trim().toLowerCase();
  if (declared !== rules.declaredType) return { ok: false, reason: 'content-type-mismatch' };
  const detected = detectMediaType(stored.head);
  if (detected === undefined) return { ok: false, reason: 'unrecognised-content' };
  if (detected !== rules.declaredType) return { ok: false, reason: 'declared-type-mismatch' };
  if (!rules.acceptedTypes.includes(detected)) return { ok: false, reason: 'type-not-accepted' };
  // Real S3 refuses a body of another size (the URL signs Content-Length); s3rver does not.
  if (rules.declaredSizeBytes !== undefined && stored.sizeBytes !== rules.declaredSizeBytes)
    return { ok: false, reason: 'size-mismatch' };
  return { ok: true, mediaType: detected };
}

export const UPLOAD_REJECTION_MESSAGES: Readonly<Record<UploadRejection, string>> = {
  empty: 'Berkas kosong.',
  'too-large': 'Ukuran berkas melebihi batas untuk persyaratan ini.',
  'content-type-mismatch': 'Jenis berkas saat diunggah (Content-Type) berbeda dengan yang dinyatakan.',
  'unrecognised-content': 'Isi berkas bukan PDF, JPEG atau PNG.',
  'declared-type-mismatch': 'Isi berkas tidak sesuai dengan jenis berkas yang dinyatakan.',
  'type-not-accepted': 'Jenis berkas ini tidak diterima untuk persyaratan ini.',
  'size-mismatch': 'Ukuran berkas yang diunggah berbeda dengan ukuran yang dinyatakan saat meminta unggahan.',
  'malformed-pdf':
    'Berkas diawali tanda PDF, tetapi isinya bukan dokumen PDF yang utuh (rusak, terpotong, atau berkas lain yang diberi nama .pdf). Simpan atau pindai ulang dokumen sebagai PDF, lalu unggah kembali.',
};

/**
 * Whether `bytes` (a whole file whose magic bytes say PDF) parse as a PDF document with at least one
 * page. Metadata is left as it is (`updateMetadata: false`); a PDF encrypted with an owner password only
 * (printing or copying restricted, common for certificates issued as PDF) still opens for the office,
 * so its encryption is not a reason to refuse it.
 */
export async function checkPdfStructure(bytes: Uint8Array): Promise<UploadCheck> {
  try {
    const pdf = await PDFDocument.load(bytes, { updateMetadata: false, ignoreEncryption: true });
    if (pdf.getPageCount() > 0) return { ok: true, mediaType: 'application/pdf' };
  } catch {
    // pdf-lib throws parse errors and, for a file without a catalog, a TypeError: either way, no PDF.
  }
  return { ok: false, reason: 'malformed-pdf' };
}
