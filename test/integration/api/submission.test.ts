import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { applicationResponse, problemSchema, statusResponse, submissionResponse } from '#api/schemas.ts';
import { addressedTo, api, mailbox, stackEndpoints } from '../harness/index.ts';
import {
  BENGKULU_ALWAYS_REQUIRED,
  bearer,
  createDraft,
  type Draft,
  json,
  requestUpload,
  StackRecords,
  submit,
  uploadChecklist,
  uploadDocument,
} from './client.ts';

const records = new StackRecords();
afterAll(() => records.destroy());
const sfn = records.clients.sfn;
const stateMachineArn = stackEndpoints().env.STATE_MACHINE_ARN_SIKOT ?? '';

async function executionsNamed(name: string): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn?.send(new ListExecutionsCommand({ stateMachineArn, nextToken, maxResults: 1000 }));
    arns.push(...(page?.executions ?? []).filter((e) => e.name === name).map((e) => e.executionArn ?? ''));
    nextToken = page?.nextToken;
  } while (nextToken !== undefined);
  return arns;
}

async function submittedDraft(): Promise<Draft> {
  const draft = await createDraft();
  await uploadChecklist(draft);
  const response = await submit(draft);
  expect(response.status).toBe(202);
  await records.waitingAt(draft.id, 'pemeriksaan-kelengkapan');
  return draft;
}

describe('POST /applications/{id}/submit', () => {
  it('refuses a file with missing documents, listing exactly the required ones', async () => {
    const draft = await createDraft();
    await uploadDocument(draft, 'ktp');
    const response = await submit(draft);
    const problem = problemSchema.parse(await response.json());

    expect(response.status).toBe(422);
    expect(problem.code).toBe('documents-incomplete');
    expect(problem.errors?.map((e) => e.field)).toEqual(
      BENGKULU_ALWAYS_REQUIRED.filter((id) => id !== 'ktp').map((id) => `documents.${id}`),
    );
    expect((await records.application(draft.id)).status).toBe('draft');
    expect(await executionsNamed(draft.id)).toEqual([]);
  });

  it('requires the conditional document when the answer says so', async () => {
    const draft = await createDraft({ answers: { secondPermit: true } });
    await uploadChecklist(draft);
    const response = await submit(draft);
    expect(response.status).toBe(422);
    expect(problemSchema.parse(await response.json()).errors?.map((e) => e.field)).toEqual([
      'documents.izin-pertama',
    ]);
  });

  it('freezes the versions, starts the execution named after the application and answers 202', async () => {
    const draft = await createDraft();
    await uploadChecklist(draft);
    const response = await submit(draft);
    const body = submissionResponse.parse(await response.json());

    expect(response.status).toBe(202);
    expect(body).toMatchObject({ id: draft.id, status: 'submitted', alreadySubmitted: false });
    const [arn] = await executionsNamed(draft.id);
    expect(arn).toBeDefined();
    const app = await records.waitingAt(draft.id, 'pemeriksaan-kelengkapan');
    expect(Object.keys(app.documents ?? {}).sort()).toEqual([...BENGKULU_ALWAYS_REQUIRED].sort());
    // The frozen versions are copies outside drafts/ (which the bucket's lifecycle expires).
    for (const [requirementId, doc] of Object.entries(app.documents ?? {})) {
      expect(doc.objectKey).toBe(`applications/${draft.id}/${requirementId}/${doc.uploadId}`);
      const head = await records.clients.s3.send(
        new HeadObjectCommand({ Bucket: stackEndpoints().s3.bucket, Key: doc.objectKey }),
      );
      expect(head.ContentLength).toBeGreaterThan(0);
    }
    const view = applicationResponse.parse(
      await (await api(`/applications/${draft.id}`, { headers: bearer(draft.token) })).json(),
    );
    expect(view.status).toBe('in-progress');
    expect(view.currentStage).toMatchObject({
      stageId: 'pemeriksaan-kelengkapan',
      role: { id: 'petugas', label: 'Petugas Pelayanan' },
    });
    expect(view.currentStage?.deadline.local).toMatch(/\+07:00$/);
    expect(view.currentStage?.deadline.text).toMatch(/WIB$/);
    expect(view.overallDeadline?.paused).toBe(false);
    expect(view.timeline).toEqual([
      expect.objectContaining({ stageId: 'pemeriksaan-kelengkapan', visit: 1, late: false }),
    ]);
    expect(view.documents.find((d) => d.requirementId === 'ktp')?.submitted).toBeDefined();
  });

  it('starts one execution for a double submit, and answers both', async () => {
    const draft = await createDraft();
    await uploadChecklist(draft);
    const [a, b] = await Promise.all([submit(draft), submit(draft)]);
    const bodies = [submissionResponse.parse(await a.json()), submissionResponse.parse(await b.json())];

    expect([a.status, b.status]).toEqual([202, 202]);
    expect(bodies.map((x) => x.alreadySubmitted).sort()).toEqual([false, true]);
    await records.waitingAt(draft.id, 'pemeriksaan-kelengkapan');
    const again = submissionResponse.parse(await (await submit(draft)).json());
    expect(again).toMatchObject({ status: 'in-progress', alreadySubmitted: true });
    expect(await executionsNamed(draft.id)).toHaveLength(1);
  });

  it('no longer accepts document changes once submitted', async () => {
    const draft = await submittedDraft();
    const response = await api(
      `/applications/${draft.id}/documents/ktp`,
      json({ mediaType: 'application/pdf', sizeBytes: 10 }, bearer(draft.token)),
    );
    expect(response.status).toBe(409);
    expect(problemSchema.parse(await response.json()).code).toBe('documents-frozen');
  });
});

describe('POST /applications/{id}/resubmit', () => {
  it('answers 409 not-returned when the application was not returned', async () => {
    const draft = await createDraft();
    const response = await api(`/applications/${draft.id}/resubmit`, {
      method: 'POST',
      headers: bearer(draft.token),
    });
    expect(response.status).toBe(409);
    expect(problemSchema.parse(await response.json()).code).toBe('not-returned');
  });

  it('continues a returned application once the deficient document is replaced', async () => {
    const draft = await submittedDraft();
    await records.decide(draft.id, 'returnForCompletion', { deficient: ['ktp'], note: 'KTP buram' });
    await records.until(draft.id, (a) => a.status === 'returned', 'was returned');
    await mailbox().waitFor(addressedTo(draft.email));

    const returned = applicationResponse.parse(
      await (await api(`/applications/${draft.id}`, { headers: bearer(draft.token) })).json(),
    );
    expect(returned.status).toBe('returned');
    expect(returned.returned).toMatchObject({
      note: 'KTP buram',
      deficient: [{ requirementId: 'ktp', label: 'Scan asli KTP' }],
    });
    expect(returned.overallDeadline?.paused).toBe(true);

    const early = await api(`/applications/${draft.id}/resubmit`, {
      method: 'POST',
      headers: bearer(draft.token),
    });
    expect(early.status).toBe(422);
    expect(problemSchema.parse(await early.json())).toMatchObject({
      code: 'deficient-not-replaced',
      errors: [expect.objectContaining({ field: 'documents.ktp', code: 'not-replaced' })],
    });

    const replacement = await uploadDocument(draft, 'ktp');
    const response = await api(`/applications/${draft.id}/resubmit`, {
      method: 'POST',
      headers: bearer(draft.token),
    });
    expect(response.status).toBe(202);
    const resumed = await records.until(
      draft.id,
      (a) => a.status === 'in-progress' && a.current !== undefined,
      'resumed',
    );
    expect(resumed.documents?.ktp?.uploadId).toBe(replacement);
    expect(resumed.current?.stageId).toBe('pemeriksaan-kelengkapan');
    expect(resumed.clock?.pausedAt).toBeUndefined();

    const again = await api(`/applications/${draft.id}/resubmit`, {
      method: 'POST',
      headers: bearer(draft.token),
    });
    expect(again.status).toBe(409);
  });
});

describe('POST /applications/{id}/withdraw', () => {
  it('withdraws a draft', async () => {
    const draft = await createDraft();
    const response = await api(
      `/applications/${draft.id}/withdraw`,
      json({ reason: 'Salah jenis izin' }, bearer(draft.token)),
    );
    expect(response.status).toBe(200);
    expect(statusResponse.parse(await response.json())).toMatchObject({
      status: 'withdrawn',
      statusLabel: 'Ditarik oleh pemohon',
    });
    expect((await submit(draft)).status).toBe(409);
  });

  it('stops the workflow of a submitted application and closes its pending action', async () => {
    const draft = await submittedDraft();
    const before = await records.application(draft.id);
    const response = await api(`/applications/${draft.id}/withdraw`, {
      method: 'POST',
      headers: bearer(draft.token),
    });

    expect(response.status).toBe(200);
    const firstBody = await response.json();
    const [arn] = await executionsNamed(draft.id);
    const execution = await sfn?.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(execution?.status).toBe('ABORTED');
    const after = await records.application(draft.id);
    expect(after).toMatchObject({ status: 'withdrawn' });
    expect(after.current).toBeUndefined();
    expect((await records.stages.getAction(before.current?.pendingActionId ?? ''))?.status).toBe('closed');

    const twice = await api(`/applications/${draft.id}/withdraw`, {
      method: 'POST',
      headers: bearer(draft.token),
    });
    // Withdrawing again (a double click, a retry) has no second effect and answers the same.
    expect(twice.status).toBe(200);
    expect(await twice.json()).toEqual(firstBody);
    const upload = await api(
      `/applications/${draft.id}/documents/ktp`,
      json({ mediaType: 'application/pdf', sizeBytes: 10 }, bearer(draft.token)),
    );
    expect(upload.status).toBe(409);
  });

  it('rejects a body with unknown fields', async () => {
    const draft = await createDraft();
    const response = await api(`/applications/${draft.id}/withdraw`, json({ why: 'x' }, bearer(draft.token)));
    expect(response.status).toBe(400);
    expect((await records.application(draft.id)).status).toBe('draft');
    await requestUpload(draft, 'ktp');
  });
});
