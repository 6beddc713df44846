import { describe, expect, it } from 'vitest';
import type { Application } from '#core/domain/application.ts';
import {
  confirmUpload,
  latestVersions,
  requestUpload,
  type UploadGranted,
} from '#core/use-cases/documents.ts';
import { anApplication, PDF_BYTES, refusal } from '../builders.ts';
import { type FakePorts, fakePorts, regency } from '../fakes.ts';

const PNG_BYTES = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const pdf = { mediaType: 'application/pdf', sizeBytes: PDF_BYTES.length } as const;

async function arrange(overrides: Partial<Application> = {}) {
  const ports = fakePorts();
  const app = anApplication(overrides);
  ports.applications.put(app);
  return { ports, app };
}

/** The applicant's browser PUTs `body` to the granted URL. */
async function uploadTo(
  ports: FakePorts,
  app: Application,
  granted: UploadGranted,
  body: Uint8Array,
  type: string,
) {
  const upload = await ports.documents.getUpload(app.id, granted.uploadId);
  if (upload === undefined) throw new Error('no upload record');
  await ports.files.put(upload.objectKey, body, type);
  return upload;
}

describe('requestUpload', () => {
  it('grants a presigned PUT of five minutes for a required document, signed with its type', async () => {
    const { ports, app } = await arrange();

    const granted = await requestUpload(ports, app, 'ktp', pdf);

    expect(granted).toEqual({
      uploadId: expect.any(String),
      requirementId: 'ktp',
      method: 'PUT',
      url: expect.stringContaining(`drafts/${app.id}/ktp/${granted.uploadId}`),
      headers: { 'content-type': 'application/pdf' },
      expiresAt: '2026-02-02T02:05:00.000Z',
      maxSizeBytes: 5 * 1024 * 1024,
    });
  });

  it('records a pending upload under a key of ids only', async () => {
    const { ports, app } = await arrange();

    const granted = await requestUpload(ports, app, 'ktp', pdf);

    expect(await ports.documents.getUpload(app.id, granted.uploadId)).toMatchObject({
      status: 'pending',
      requirementId: 'ktp',
      declaredType: 'application/pdf',
      objectKey: `drafts/${app.id}/ktp/${granted.uploadId}`,
    });
  });

  it('still accepts documents while the application is returned for completion', async () => {
    const { ports, app } = await arrange({ status: 'returned' });

    await expect(requestUpload(ports, app, 'ktp', pdf)).resolves.toMatchObject({ requirementId: 'ktp' });
  });

  it('refuses once the application has been submitted', async () => {
    const { ports, app } = await arrange({ status: 'submitted' });

    const error = await refusal(requestUpload(ports, app, 'ktp', pdf));

    expect([error.kind, error.code]).toEqual(['conflict', 'documents-frozen']);
  });

  it('refuses a requirement the permit does not have', async () => {
    const { ports, app } = await arrange();

    const error = await refusal(requestUpload(ports, app, 'paspor', pdf));

    expect([error.kind, error.code]).toEqual(['not-found', 'requirement-not-found']);
  });

  it('refuses a conditional requirement the answers make unnecessary', async () => {
    const { ports, app } = await arrange({ answers: { secondPermit: false } });

    const error = await refusal(requestUpload(ports, app, 'izin-pertama', pdf));

    expect([error.kind, error.code]).toEqual(['unprocessable', 'requirement-not-applicable']);
  });

  it('lists both a refused type and an oversized file, and records nothing', async () => {
    const ports = fakePorts({ regency: regency('kota-pekanbaru') });
    const app = anApplication({ regencyId: 'kota-pekanbaru', answers: {} });

    const error = await refusal(
      requestUpload(ports, app, 'pas-foto', { mediaType: 'application/pdf', sizeBytes: 1024 * 1024 + 1 }),
    );

    expect(error.errors.map((e) => [e.field, e.code])).toEqual([
      ['mediaType', 'type-not-accepted'],
      ['sizeBytes', 'too-large'],
    ]);
    expect(ports.documents.uploads.size).toBe(0);
  });
});

describe('confirmUpload of a file of another size than declared', () => {
  it('refuses it (real S3 would have refused the PUT) and deletes it', async () => {
    const { ports, app } = await arrange();
    const granted = await requestUpload(ports, app, 'ktp', { ...pdf, sizeBytes: PDF_BYTES.length + 1 });
    const upload = await uploadTo(ports, app, granted, PDF_BYTES, 'application/pdf');

    const error = await refusal(confirmUpload(ports, app, 'ktp', granted.uploadId));

    expect([error.kind, error.code]).toEqual(['unprocessable', 'size-mismatch']);
    expect(ports.files.objects.has(upload.objectKey)).toBe(false);
  });
});

describe('confirmUpload', () => {
  it('accepts a PDF whose bytes, stored type and declared type agree, as a new version', async () => {
    const { ports, app } = await arrange();
    const granted = await requestUpload(ports, app, 'ktp', pdf);
    const upload = await uploadTo(ports, app, granted, PDF_BYTES, 'application/pdf');
    ports.clock.advanceMinutes(2);

    const version = await confirmUpload(ports, app, 'ktp', granted.uploadId);

    expect(version).toEqual({
      requirementId: 'ktp',
      uploadId: granted.uploadId,
      objectKey: `${upload.objectKey}.checked`,
      mediaType: 'application/pdf',
      sizeBytes: PDF_BYTES.length,
      acceptedAt: ports.now().toISOString(),
    });
    expect(await ports.documents.listVersions(app.id)).toEqual([version]);
  });

  it('keeps the checked file when another is put through the still-valid URL afterwards', async () => {
    const { ports, app } = await arrange();
    const granted = await requestUpload(ports, app, 'ktp', pdf);
    await uploadTo(ports, app, granted, PDF_BYTES, 'application/pdf');
    const version = await confirmUpload(ports, app, 'ktp', granted.uploadId);

    await uploadTo(ports, app, granted, PNG_BYTES, 'application/pdf');

    expect(ports.files.objects.get(version.objectKey)?.body).toEqual(PDF_BYTES);
  });

  it('answers a repeated confirmation with the same version, recorded once', async () => {
    const { ports, app } = await arrange();
    const granted = await requestUpload(ports, app, 'ktp', pdf);
    await uploadTo(ports, app, granted, PDF_BYTES, 'application/pdf');
    const first = await confirmUpload(ports, app, 'ktp', granted.uploadId);
    ports.clock.advanceMinutes(1);

    const again = await confirmUpload(ports, app, 'ktp', granted.uploadId);

    expect(again).toEqual(first);
    expect(ports.audit.types(app.id)).toEqual(['document-accepted']);
  });

  it('answers with the version a concurrent confirmation accepted first', async () => {
    const { ports, app } = await arrange();
    const granted = await requestUpload(ports, app, 'ktp', pdf);
    await uploadTo(ports, app, granted, PDF_BYTES, 'application/pdf');
    let concurrent: unknown;
    ports.documents.beforeNextDecision(async () => {
      concurrent = await confirmUpload(ports, app, 'ktp', granted.uploadId);
    });

    const version = await confirmUpload(ports, app, 'ktp', granted.uploadId);

    expect(version).toEqual(concurrent);
    expect(await ports.documents.listVersions(app.id)).toHaveLength(1);
  });

  it('refuses a file whose content is not the declared type, naming the file field', async () => {
    const { ports, app } = await arrange();
    const granted = await requestUpload(ports, app, 'ktp', pdf);
    await uploadTo(ports, app, granted, PNG_BYTES, 'application/pdf');

    const error = await refusal(confirmUpload(ports, app, 'ktp', granted.uploadId));

    expect([error.kind, error.code]).toEqual(['unprocessable', 'declared-type-mismatch']);
    expect(error.errors).toEqual([
      expect.objectContaining({ field: 'file', code: 'declared-type-mismatch' }),
    ]);
  });

  it('refuses a PDF signature followed by HTML, reading the whole file, and deletes it', async () => {
    const { ports, app } = await arrange();
    const html = new TextEncoder().encode(
      `%PDF-1.7\n<html>${'<p>isi</p>'.repeat(2000)}<script>alert(1)</script></html>`,
    );
    const granted = await requestUpload(ports, app, 'ktp', { ...pdf, sizeBytes: html.length });
    const upload = await uploadTo(ports, app, granted, html, 'application/pdf');

    const error = await refusal(confirmUpload(ports, app, 'ktp', granted.uploadId));

    expect([error.kind, error.code]).toEqual(['unprocessable', 'malformed-pdf']);
    expect(error.errors).toEqual([
      expect.objectContaining({
        field: 'file',
        code: 'malformed-pdf',
        message: expect.stringContaining('bukan dokumen PDF'),
      }),
    ]);
    expect(ports.files.objects.has(upload.objectKey)).toBe(false);
    expect((await ports.documents.getUpload(app.id, granted.uploadId))?.reason).toBe('malformed-pdf');
  });

  it('deletes a refused file and marks its upload rejected with the reason', async () => {
    const { ports, app } = await arrange();
    const granted = await requestUpload(ports, app, 'ktp', pdf);
    const upload = await uploadTo(ports, app, granted, PDF_BYTES, 'image/png');

    await refusal(confirmUpload(ports, app, 'ktp', granted.uploadId));

    expect(ports.files.objects.has(upload.objectKey)).toBe(false);
    expect(await ports.documents.getUpload(app.id, granted.uploadId)).toMatchObject({
      status: 'rejected',
      reason: 'content-type-mismatch',
    });
  });

  it('still rejects the upload when deleting the refused file fails', async () => {
    const { ports, app } = await arrange();
    const granted = await requestUpload(ports, app, 'ktp', pdf);
    await uploadTo(ports, app, granted, new Uint8Array(), 'application/pdf');
    ports.files.delete = async () => {
      throw new Error('bucket unavailable');
    };

    const error = await refusal(confirmUpload(ports, app, 'ktp', granted.uploadId));

    expect(error.code).toBe('empty');
    expect((await ports.documents.getUpload(app.id, granted.uploadId))?.status).toBe('rejected');
  });

  it('repeats the verdict on a rejected upload without looking at the bucket again', async () => {
    const { ports, app } = await arrange();
    const granted = await requestUpload(ports, app, 'ktp', pdf);
    await uploadTo(ports, app, granted, PNG_BYTES, 'application/pdf');
    await refusal(confirmUpload(ports, app, 'ktp', granted.uploadId));
    await uploadTo(ports, app, granted, PDF_BYTES, 'application/pdf');

    const error = await refusal(confirmUpload(ports, app, 'ktp', granted.uploadId));

    expect([error.kind, error.code]).toEqual(['unprocessable', 'declared-type-mismatch']);
  });

  it('asks for the file when nothing was uploaded, leaving the upload pending', async () => {
    const { ports, app } = await arrange();
    const granted = await requestUpload(ports, app, 'ktp', pdf);

    const error = await refusal(confirmUpload(ports, app, 'ktp', granted.uploadId));

    expect([error.kind, error.code]).toEqual(['conflict', 'upload-missing']);
    expect((await ports.documents.getUpload(app.id, granted.uploadId))?.status).toBe('pending');
  });

  it('does not find an upload under another requirement', async () => {
    const { ports, app } = await arrange();
    const granted = await requestUpload(ports, app, 'ktp', pdf);
    await uploadTo(ports, app, granted, PDF_BYTES, 'application/pdf');

    const error = await refusal(confirmUpload(ports, app, 'ijazah', granted.uploadId));

    expect([error.kind, error.code]).toEqual(['not-found', 'upload-not-found']);
  });

  it('refuses to confirm once the application has been submitted', async () => {
    const { ports, app } = await arrange();
    const granted = await requestUpload(ports, app, 'ktp', pdf);
    await uploadTo(ports, app, granted, PDF_BYTES, 'application/pdf');

    const error = await refusal(
      confirmUpload(ports, { ...app, status: 'submitted' }, 'ktp', granted.uploadId),
    );

    expect(error.code).toBe('documents-frozen');
    expect(await ports.documents.listVersions(app.id)).toEqual([]);
  });
});

describe('latestVersions', () => {
  it('keeps the most recently accepted version of each requirement', () => {
    const version = (requirementId: string, uploadId: string, acceptedAt: string) => ({
      requirementId,
      uploadId,
      objectKey: uploadId,
      mediaType: 'application/pdf' as const,
      sizeBytes: 1,
      acceptedAt,
    });
    const newer = version('ktp', 'b', '2026-02-02T03:00:00.000Z');
    const str = version('str', 'c', '2026-02-02T01:00:00.000Z');

    const latest = latestVersions([newer, version('ktp', 'a', '2026-02-02T02:00:00.000Z'), str]);

    expect(Object.fromEntries(latest)).toEqual({ ktp: newer, str });
  });
});
