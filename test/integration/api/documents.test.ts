import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { documentVersionResponse, problemSchema, uploadGrantedResponse } from '#api/schemas.ts';
import { api, stackEndpoints } from '../harness/index.ts';
import {
  bearer,
  confirm,
  createDraft,
  EXECUTABLE,
  getApplication,
  json,
  PDF,
  put,
  requestUpload,
  StackRecords,
  uploadDocument,
} from './client.ts';

const records = new StackRecords();
afterAll(() => records.destroy());
const bucket = stackEndpoints().s3.bucket;

/** True while the object exists in the documents bucket. */
async function stored(key: string): Promise<boolean> {
  try {
    await records.clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (e) {
    if ((e as { name?: string }).name === 'NotFound') return false;
    throw e;
  }
}

const keyOf = (url: string): string =>
  decodeURIComponent(new URL(url).pathname.split('/').slice(2).join('/'));

describe('document uploads', () => {
  it('hands out a 5-minute presigned PUT under a key made of ids only', async () => {
    const draft = await createDraft();
    const response = await api(
      `/applications/${draft.id}/documents/ktp`,
      json({ mediaType: 'application/pdf', sizeBytes: 2048 }, bearer(draft.token)),
    );
    const granted = uploadGrantedResponse.parse(await response.json());

    expect(response.status).toBe(201);
    expect(keyOf(granted.url)).toBe(`drafts/${draft.id}/ktp/${granted.uploadId}`);
    const url = new URL(granted.url);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    // requestChecksumCalculation WHEN_REQUIRED: no checksum of an empty body in the URL (aws-sdk-js-v3#6994).
    expect(granted.url).not.toMatch(/checksum/i);
    expect(granted.headers).toEqual({ 'content-type': 'application/pdf' });
    expect(granted.maxSizeBytes).toBe(5 * 1024 * 1024);
  });

  it('accepts a real PDF after checking it on the server, and keeps earlier versions', async () => {
    const draft = await createDraft();
    const first = await uploadDocument(draft, 'ktp', PDF('versi 1'));
    const upload = await requestUpload(draft, 'ktp', 'application/pdf', PDF('versi 2').length);
    await put(upload, PDF('versi 2'));
    const response = await confirm(draft, upload);
    const version = documentVersionResponse.parse(await response.json());

    expect(response.status).toBe(200);
    expect(version).toMatchObject({
      requirementId: 'ktp',
      uploadId: upload.uploadId,
      mediaType: 'application/pdf',
    });
    expect(version.sizeBytes).toBe(PDF('versi 2').length);
    const ktp = ((await getApplication(draft)).documents as Array<Record<string, unknown>>).find(
      (d) => d.requirementId === 'ktp',
    ) as { latest: { uploadId: string }; versions: Array<{ uploadId: string }> };
    expect(ktp.versions.map((v) => v.uploadId)).toEqual([first, upload.uploadId]);
    expect(ktp.latest.uploadId).toBe(upload.uploadId);
    expect(await stored(keyOf(upload.url))).toBe(true);
  });

  it('answers a repeated confirmation with the same version', async () => {
    const draft = await createDraft();
    const upload = await requestUpload(draft, 'str', 'application/pdf', PDF().length);
    await put(upload, PDF());
    const one = documentVersionResponse.parse(await (await confirm(draft, upload)).json());
    const two = await confirm(draft, upload);
    expect(two.status).toBe(200);
    expect(documentVersionResponse.parse(await two.json())).toEqual(one);
  });

  it('rejects a PDF signature followed by HTML with 422 malformed-pdf, and deletes it', async () => {
    const draft = await createDraft();
    // Past the first kilobytes too: the whole file is read, not only its head.
    const lying = Buffer.from(`%PDF-1.7\n${'<p>berkas</p>'.repeat(5000)}<script>alert(1)</script>\n`);
    const upload = await requestUpload(draft, 'ijazah', 'application/pdf', lying.length);
    await put(upload, lying);

    const response = await confirm(draft, upload);
    const problem = problemSchema.parse(await response.json());

    expect(response.status).toBe(422);
    expect(problem.code).toBe('malformed-pdf');
    expect(problem.detail).toContain('bukan dokumen PDF yang utuh');
    expect(await stored(keyOf(upload.url))).toBe(false);
  });

  it('rejects a "PDF" that is really an executable with 422, and deletes it', async () => {
    const draft = await createDraft();
    const upload = await requestUpload(draft, 'ijazah', 'application/pdf', EXECUTABLE.length);
    await put(upload, EXECUTABLE);
    const response = await confirm(draft, upload);
    const problem = problemSchema.parse(await response.json());

    expect(response.status).toBe(422);
    expect(problem.code).toBe('unrecognised-content');
    expect(problem.errors).toEqual([
      expect.objectContaining({ field: 'file', code: 'unrecognised-content' }),
    ]);
    expect(await stored(keyOf(upload.url))).toBe(false);
    const view = await getApplication(draft);
    expect(
      (view.documents as Array<{ requirementId: string; versions: unknown[] }>).find(
        (d) => d.requirementId === 'ijazah',
      )?.versions,
    ).toEqual([]);
    // Confirming it again does not resurrect it.
    expect((await confirm(draft, upload)).status).toBe(422);
  });

  it('rejects an upload larger than declared and allowed (s3rver does not enforce sizes), and deletes it', async () => {
    const draft = await createDraft();
    const upload = await requestUpload(draft, 'str', 'application/pdf', 1000);
    const oversized = Buffer.concat([PDF(), Buffer.alloc(5 * 1024 * 1024)]);
    await put(upload, oversized);
    const response = await confirm(draft, upload);

    expect(response.status).toBe(422);
    expect(problemSchema.parse(await response.json()).code).toBe('too-large');
    expect(await stored(keyOf(upload.url))).toBe(false);
  });

  it('rejects a stored file whose size differs from the declared one (S3 refuses it at upload, s3rver does not), and deletes it', async () => {
    const draft = await createDraft();
    const declared = PDF('kecil');
    const upload = await requestUpload(draft, 'str', 'application/pdf', declared.length);
    const bigger = PDF('berkas lain yang lebih besar dari yang dinyatakan');
    await put(upload, bigger);
    const response = await confirm(draft, upload);

    expect(response.status).toBe(422);
    expect(problemSchema.parse(await response.json()).code).toBe('size-mismatch');
    expect(await stored(keyOf(upload.url))).toBe(false);
  });

  it('refuses to sign an upload declared over the limit or of a type the requirement does not take', async () => {
    const draft = await createDraft();
    const response = await api(
      `/applications/${draft.id}/documents/ktp`,
      json({ mediaType: 'application/pdf', sizeBytes: 5 * 1024 * 1024 + 1 }, bearer(draft.token)),
    );
    const problem = problemSchema.parse(await response.json());
    expect(response.status).toBe(422);
    expect(problem).toMatchObject({
      code: 'upload-not-allowed',
      errors: [expect.objectContaining({ field: 'sizeBytes' })],
    });

    const wrongType = await api(
      `/applications/${draft.id}/documents/ktp`,
      json({ mediaType: 'image/gif', sizeBytes: 10 }, bearer(draft.token)),
    );
    expect(wrongType.status).toBe(400);
  });

  it('rejects an object stored with another Content-Type than the signed one', async () => {
    const draft = await createDraft();
    const upload = await requestUpload(draft, 'ktp', 'image/png', PDF().length);
    await put(upload, PDF(), { 'content-type': 'application/pdf' });
    const response = await confirm(draft, upload);
    expect(response.status).toBe(422);
    expect(problemSchema.parse(await response.json()).code).toBe('content-type-mismatch');
  });

  it('answers 409 upload-missing when nothing was uploaded yet, and writes nothing', async () => {
    const draft = await createDraft();
    const upload = await requestUpload(draft, 'ktp', 'application/pdf', PDF().length);
    const response = await confirm(draft, upload);
    expect(response.status).toBe(409);
    expect(problemSchema.parse(await response.json()).code).toBe('upload-missing');
    // Still pending: the same upload can be completed afterwards.
    await put(upload, PDF());
    expect((await confirm(draft, upload)).status).toBe(200);
  });

  it('answers 404 for an unknown requirement and 422 for one the answers make unnecessary', async () => {
    const draft = await createDraft();
    const unknown = await api(
      `/applications/${draft.id}/documents/paspor`,
      json({ mediaType: 'application/pdf', sizeBytes: 10 }, bearer(draft.token)),
    );
    expect(unknown.status).toBe(404);
    expect(problemSchema.parse(await unknown.json()).code).toBe('requirement-not-found');

    const notNeeded = await api(
      `/applications/${draft.id}/documents/izin-pertama`,
      json({ mediaType: 'application/pdf', sizeBytes: 10 }, bearer(draft.token)),
    );
    expect(notNeeded.status).toBe(422);
    expect(problemSchema.parse(await notNeeded.json()).code).toBe('requirement-not-applicable');
  });

  it("does not let one applicant upload to another's application", async () => {
    const mine = await createDraft();
    const theirs = await createDraft();
    const response = await api(
      `/applications/${theirs.id}/documents/ktp`,
      json({ mediaType: 'application/pdf', sizeBytes: 10 }, bearer(mine.token)),
    );
    expect(response.status).toBe(403);
    const upload = await requestUpload(theirs, 'ktp');
    expect((await api(upload.confirmPath, { method: 'POST', headers: bearer(mine.token) })).status).toBe(403);
  });
});
