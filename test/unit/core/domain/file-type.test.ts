import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import {
  checkPdfStructure,
  checkUpload,
  detectMediaType,
  maxBytes,
  type StoredUpload,
  type UploadRules,
} from '#core/domain/file-type.ts';
import { minimalPdf } from '#core/domain/minimal-pdf.ts';

const PDF = Uint8Array.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]);
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const EXE = Uint8Array.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]); // MZ: a Windows executable
const ELF = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);

describe('detectMediaType', () => {
  it('recognises PDF, JPEG and PNG by their magic bytes', () => {
    expect(detectMediaType(PDF)).toBe('application/pdf');
    expect(detectMediaType(JPEG)).toBe('image/jpeg');
    expect(detectMediaType(PNG)).toBe('image/png');
  });

  it('recognises nothing else', () => {
    expect(detectMediaType(EXE)).toBeUndefined();
    expect(detectMediaType(ELF)).toBeUndefined();
    expect(detectMediaType(new Uint8Array())).toBeUndefined();
    expect(detectMediaType(PNG.slice(0, 7))).toBeUndefined();
  });
});

describe('checkUpload', () => {
  const rules: UploadRules = {
    declaredType: 'application/pdf',
    acceptedTypes: ['application/pdf', 'image/png'],
    maxSizeMb: 5,
  };
  const stored = (over: Partial<StoredUpload> = {}): StoredUpload => ({
    sizeBytes: 1000,
    contentType: 'application/pdf',
    head: PDF,
    ...over,
  });

  it('accepts a PDF declared and stored as a PDF', () => {
    expect(checkUpload(stored(), rules)).toEqual({ ok: true, mediaType: 'application/pdf' });
  });

  it('ignores Content-Type parameters and case', () => {
    expect(checkUpload(stored({ contentType: 'Application/PDF; charset=binary' }), rules).ok).toBe(true);
  });

  it('refuses a "PDF" that is really an executable', () => {
    expect(checkUpload(stored({ head: EXE }), rules)).toEqual({ ok: false, reason: 'unrecognised-content' });
  });

  it('refuses a PNG declared as a PDF', () => {
    expect(checkUpload(stored({ head: PNG }), rules)).toEqual({
      ok: false,
      reason: 'declared-type-mismatch',
    });
  });

  it('refuses an object stored with another Content-Type than declared', () => {
    expect(checkUpload(stored({ contentType: 'application/octet-stream' }), rules)).toEqual({
      ok: false,
      reason: 'content-type-mismatch',
    });
    expect(checkUpload(stored({ contentType: undefined }), rules).ok).toBe(false);
  });

  it('refuses a type the requirement does not accept', () => {
    const jpeg = { ...rules, declaredType: 'image/jpeg' as const };
    expect(checkUpload(stored({ contentType: 'image/jpeg', head: JPEG }), jpeg)).toEqual({
      ok: false,
      reason: 'type-not-accepted',
    });
  });

  it('refuses a file over the limit but accepts one exactly at it', () => {
    expect(checkUpload(stored({ sizeBytes: maxBytes(5) + 1 }), rules)).toEqual({
      ok: false,
      reason: 'too-large',
    });
    expect(checkUpload(stored({ sizeBytes: maxBytes(5) }), rules).ok).toBe(true);
  });

  it('refuses an empty file', () => {
    expect(checkUpload(stored({ sizeBytes: 0, head: new Uint8Array() }), rules)).toEqual({
      ok: false,
      reason: 'empty',
    });
  });
});

describe('checkPdfStructure', () => {
  const text = (t: string) => new TextEncoder().encode(t);

  it('accepts a real PDF', async () => {
    expect(await checkPdfStructure(minimalPdf('KTP', ['Siti Rahmawati']))).toEqual({
      ok: true,
      mediaType: 'application/pdf',
    });
  });

  it('accepts a PDF written by another producer (pdf-lib), encrypted or not', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();

    expect((await checkPdfStructure(await doc.save())).ok).toBe(true);
  });

  it('refuses a PDF signature followed by HTML', async () => {
    const lying = text('%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>\n');

    expect(await checkPdfStructure(lying)).toEqual({ ok: false, reason: 'malformed-pdf' });
  });

  it('refuses a PDF cut off halfway', async () => {
    const whole = minimalPdf('KTP', ['Siti Rahmawati']);

    expect((await checkPdfStructure(whole.slice(0, Math.floor(whole.length / 2)))).ok).toBe(false);
  });

  it('refuses a header with objects but no catalog', async () => {
    const bare = text('%PDF-1.4\n% dokumen\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

    expect((await checkPdfStructure(bare)).ok).toBe(false);
  });
});
