/**
 * The defects an adversarial pass found on the running stack, each reproduced here through the API
 * (and the emulators) as it was seen: a document swapped after its check, parallel submits answered
 * with 500, a second withdrawal refused. Each failed on the code before the exactly-once change.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { stackEndpoints } from '../harness/index.ts';
import {
  BENGKULU_ALWAYS_REQUIRED,
  confirm,
  createDraft,
  EXECUTABLE,
  PDF,
  put,
  requestUpload,
  StackRecords,
  submit,
  uploadChecklist,
} from './client.ts';

const records = new StackRecords();
afterAll(() => records.destroy());
const bucket = stackEndpoints().s3.bucket;

async function objectBytes(key: string): Promise<Buffer> {
  const object = await records.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from((await object.Body?.transformToByteArray()) ?? []);
}

describe('what an applicant uploads is what the office reads', () => {
  it('freezes the checked bytes even when the presigned URL is used again after confirmation', async () => {
    const draft = await createDraft();
    const [first, ...rest] = BENGKULU_ALWAYS_REQUIRED;
    const checked = PDF('the checked KTP');
    const upload = await requestUpload(draft, first, 'application/pdf', checked.length);
    await put(upload, checked);
    expect((await confirm(draft, upload)).status).toBe(200);

    // The URL still works for a few minutes: PUT an executable over the confirmed PDF.
    const swapped = Buffer.concat([EXECUTABLE, Buffer.alloc(4096)]);
    await put(upload, swapped);
    await uploadChecklist(draft, rest);
    expect((await submit(draft)).status).toBe(202);

    const app = await records.application(draft.id);
    const frozen = app.documents?.[first];
    expect(frozen?.objectKey).toMatch(/^applications\//);
    const office = await objectBytes(frozen?.objectKey ?? '');
    expect(office.equals(checked)).toBe(true);
    expect(frozen?.sizeBytes).toBe(checked.length);
  });
});

describe('concurrent requests have one effect and never a 5xx', () => {
  it('answers 20 parallel submits of one application with 202s, one of them the real submission', async () => {
    const draft = await createDraft();
    await uploadChecklist(draft);
    const responses = await Promise.all(Array.from({ length: 20 }, () => submit(draft)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(new Set(statuses)).toEqual(new Set([202]));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as Array<{
      alreadySubmitted: boolean;
    }>;
    expect(bodies.filter((b) => !b.alreadySubmitted)).toHaveLength(1);

    const audit = await records.audit(draft.id);
    expect(audit.filter((e) => e.type === 'submitted')).toHaveLength(1);
    const app = await records.application(draft.id);
    for (const version of Object.values(app.documents ?? {}))
      expect((await objectBytes(version.objectKey)).length).toBe(version.sizeBytes);
  });
});
