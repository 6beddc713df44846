import { describe, expect, it } from 'vitest';
import type { Application } from '#core/domain/application.ts';
import { resubmit, submit, withdraw } from '#core/use-cases/submission.ts';
import { BENGKULU_ALWAYS_REQUIRED } from '../../../fixtures/application.ts';
import { acceptedDocument, anApplication, refusal, storeApplicant } from '../builders.ts';
import { type FakePorts, fakePorts, wib } from '../fakes.ts';

const REQUIRED: readonly string[] = BENGKULU_ALWAYS_REQUIRED;
const uploadedAt = wib('2026-01-30T11:00:00');

async function arrange(overrides: Partial<Application> = {}, documents = REQUIRED) {
  const ports = fakePorts();
  const app = anApplication(overrides);
  ports.applications.put(app);
  storeApplicant(ports, app);
  for (const requirementId of documents) await acceptedDocument(ports, app.id, requirementId, uploadedAt);
  return { ports, app };
}

/** A concurrent request that saves a newer version (with `changes`) just before our next save. */
function concurrently(ports: FakePorts, id: string, changes: Partial<Application> = {}) {
  ports.applications.beforeNextWrite(async () => {
    const current = await ports.applications.get(id);
    if (current !== undefined)
      ports.applications.put({ ...current, ...changes, version: current.version + 1 });
  });
}

const stored = async (ports: FakePorts, id: string) => ports.applications.get(id);

describe('submit', () => {
  it('submits a complete draft at the current time', async () => {
    const { ports, app } = await arrange();

    const { application, alreadySubmitted } = await submit(ports, app.id);

    expect(application).toMatchObject({
      status: 'submitted',
      submittedAt: ports.now().toISOString(),
      version: 2,
    });
    expect(await stored(ports, app.id)).toEqual(application);
    expect(alreadySubmitted).toBe(false);
  });

  it('mails the applicant one receipt with the tracking code, however often it is submitted', async () => {
    const { ports, app } = await arrange();

    await submit(ports, app.id);
    await submit(ports, app.id);

    const receipts = ports.mailer.to(app.applicantEmail).filter((m) => m.subject.includes('diterima'));
    expect(receipts).toHaveLength(1);
    expect(receipts[0]?.text).toContain(app.trackingCode);
  });

  it('freezes a copy of the latest version of each required document outside drafts/', async () => {
    const { ports, app } = await arrange();
    const newer = await acceptedDocument(ports, app.id, 'ktp', wib('2026-01-31T09:00:00'));

    const { application } = await submit(ports, app.id);

    const frozen = application.documents?.ktp;
    expect(frozen).toEqual({ ...newer, objectKey: `applications/${app.id}/ktp/${newer.uploadId}` });
    expect(ports.files.objects.has(frozen?.objectKey ?? '')).toBe(true);
  });

  it("starts the permit's workflow under the application id and records the submission", async () => {
    const { ports, app } = await arrange();

    await submit(ports, app.id);

    expect(ports.workflows.starts).toEqual([{ permitCode: 'SIKOT', applicationId: app.id }]);
    expect(ports.audit.types(app.id)).toContain('submitted');
  });

  it('refuses an incomplete checklist, naming each missing document, and changes nothing', async () => {
    const { ports, app } = await arrange({}, ['ktp', 'ijazah', 'str', 'surat-keterangan-sehat']);

    const error = await refusal(submit(ports, app.id));

    expect([error.kind, error.code]).toEqual(['unprocessable', 'documents-incomplete']);
    expect(error.errors.map((e) => e.field)).toEqual([
      'documents.surat-keterangan-bekerja',
      'documents.rekomendasi-organisasi-profesi',
    ]);
    expect(await stored(ports, app.id)).toEqual(app);
  });

  it('requires the conditional document when the applicant answered yes', async () => {
    const { ports, app } = await arrange({ answers: { secondPermit: true } });

    const error = await refusal(submit(ports, app.id));

    expect(error.errors.map((e) => e.field)).toEqual(['documents.izin-pertama']);
  });

  it('finishes, when retried, a submission that died after winning its state change', async () => {
    const { ports, app } = await arrange();
    const copy = ports.files.copy;
    ports.files.copy = async () => {
      ports.files.copy = copy;
      throw new Error('bucket unavailable');
    };
    await expect(submit(ports, app.id)).rejects.toThrow('bucket unavailable');

    const { application, alreadySubmitted } = await submit(ports, app.id);

    expect(alreadySubmitted).toBe(true);
    expect(ports.workflows.starts).toEqual([{ permitCode: 'SIKOT', applicationId: app.id }]);
    expect(
      Object.values(application.documents ?? {}).map((d) => ports.files.objects.has(d.objectKey)),
    ).toEqual(REQUIRED.map(() => true));
  });

  it('answers a retry of an application in progress without starting anything', async () => {
    const { ports, app } = await arrange({ status: 'in-progress', version: 3 });

    const result = await submit(ports, app.id);

    expect(result).toEqual({ application: app, alreadySubmitted: true });
    expect(ports.workflows.starts).toEqual([]);
  });

  it('refuses an application that is no longer a draft', async () => {
    const { ports, app } = await arrange({ status: 'returned' });

    const error = await refusal(submit(ports, app.id));

    expect([error.kind, error.code]).toEqual(['conflict', 'not-draft']);
  });

  it('answers as a retry when a concurrent submission saved first', async () => {
    const { ports, app } = await arrange();
    concurrently(ports, app.id, { status: 'submitted' });

    const { alreadySubmitted } = await submit(ports, app.id);

    expect(alreadySubmitted).toBe(true);
    expect(ports.audit.types(app.id)).not.toContain('submitted');
  });

  it('gives up with a conflict after three concurrent updates in a row', async () => {
    const { ports, app } = await arrange();
    for (let i = 0; i < 3; i++) concurrently(ports, app.id);

    const error = await refusal(submit(ports, app.id));

    expect([error.kind, error.code]).toEqual(['conflict', 'concurrent-update']);
    expect(ports.workflows.starts).toEqual([]);
  });

  it('stops the workflow when a withdrawal landed between saving and starting it', async () => {
    const { ports, app } = await arrange();
    ports.workflows.beforeNextStart(async () => {
      const submitted = await stored(ports, app.id);
      if (submitted !== undefined) ports.applications.put({ ...submitted, status: 'withdrawn', version: 3 });
    });

    await submit(ports, app.id);

    expect(ports.workflows.stops).toEqual([expect.objectContaining({ applicationId: app.id })]);
  });

  it('accepts that the workflow of the application has already ended', async () => {
    const { ports, app } = await arrange();
    ports.workflows.end('SIKOT', app.id);

    const { application } = await submit(ports, app.id);

    expect(application.status).toBe('submitted');
    expect(ports.logs).toContainEqual(
      expect.objectContaining({ message: 'execution already ended at submission' }),
    );
  });
});

describe('resubmit', () => {
  const returnedAt = wib('2026-02-02T10:00:00');

  /** Returned with its KTP found deficient; the workflow waits on the resubmission action. */
  async function arrangeReturned() {
    const { ports, app } = await arrange({
      status: 'returned',
      version: 6,
      returned: {
        ...{ stageId: 'pemeriksaan-kelengkapan', at: returnedAt.toISOString(), deficient: ['ktp'] },
        ...{ deadline: wib('2026-02-16T16:00:00').toISOString(), pendingActionId: 'act-1' },
      },
    });
    ports.stages.addAction({
      ...{ id: 'act-1', applicationId: app.id, kind: 'resubmission', stageId: 'pemeriksaan-kelengkapan' },
      ...{ visit: 1, status: 'open', createdAt: returnedAt.toISOString(), taskToken: 'token-1' },
    });
    ports.clock.set(wib('2026-02-03T09:00:00'));
    return { ports, app };
  }

  it('freezes the replaced document and hands the resubmission to the waiting workflow', async () => {
    const { ports, app } = await arrangeReturned();
    const replaced = await acceptedDocument(ports, app.id, 'ktp', wib('2026-02-03T08:30:00'));

    const next = await resubmit(ports, app.id);

    expect(next.documents?.ktp?.uploadId).toBe(replaced.uploadId);
    expect(ports.tasks.delivered()).toEqual([
      {
        taskToken: 'token-1',
        output: { outcome: 'resubmitted', actor: 'applicant', decidedAt: ports.now().toISOString() },
      },
    ]);
  });

  it('refuses while a document the official found deficient has not been replaced', async () => {
    const { ports, app } = await arrangeReturned();
    await acceptedDocument(ports, app.id, 'ijazah', wib('2026-02-03T08:30:00'));

    const error = await refusal(resubmit(ports, app.id));

    expect([error.code, error.errors.map((e) => [e.field, e.code])]).toEqual([
      'deficient-not-replaced',
      [['documents.ktp', 'not-replaced']],
    ]);
    expect(ports.tasks.calls).toEqual([]);
  });

  it('refuses an application that was not returned', async () => {
    const { ports, app } = await arrange({ status: 'in-progress' });

    const error = await refusal(resubmit(ports, app.id));

    expect([error.kind, error.code]).toEqual(['conflict', 'not-returned']);
  });

  it("refuses once the applicant's deadline has closed the resubmission", async () => {
    const { ports, app } = await arrangeReturned();
    await acceptedDocument(ports, app.id, 'ktp', wib('2026-02-03T08:30:00'));
    ports.stages.close('act-1');

    const error = await refusal(resubmit(ports, app.id));

    expect([error.kind, error.code]).toEqual(['conflict', 'not-returned']);
    // Refused before anything is written: the application and its frozen documents are as they were.
    expect((await ports.applications.get(app.id))?.version).toBe(6);
    expect((await ports.applications.get(app.id))?.documents).toEqual(app.documents);
  });

  it('answers a repeated resubmission (a double click) without a second decision', async () => {
    const { ports, app } = await arrangeReturned();
    await acceptedDocument(ports, app.id, 'ktp', wib('2026-02-03T08:30:00'));
    await resubmit(ports, app.id);

    const again = await resubmit(ports, app.id);

    expect(again.status).toBe('returned');
    expect(ports.tasks.delivered()).toHaveLength(1);
  });
});

describe('withdraw', () => {
  it('withdraws a draft without touching any workflow', async () => {
    const { ports, app } = await arrange();

    const withdrawn = await withdraw(ports, app.id, undefined);

    expect(withdrawn).toMatchObject({
      status: 'withdrawn',
      withdrawnAt: ports.now().toISOString(),
      version: 2,
    });
    expect(ports.workflows.stops).toEqual([]);
  });

  /** In progress at the completeness check, whose officials' action 'act-1' is open. */
  async function arrangeInProgress() {
    const stage = { stageId: 'pemeriksaan-kelengkapan', visit: 1, enteredAt: '', deadline: '' };
    const arranged = await arrange({
      status: 'in-progress',
      current: { ...stage, pendingActionId: 'act-1' },
    });
    arranged.ports.stages.addAction({
      ...{ id: 'act-1', applicationId: arranged.app.id, kind: 'decision', stageId: stage.stageId },
      ...{ visit: 1, status: 'open', createdAt: '' },
    });
    return arranged;
  }

  it('stops the workflow of an application in progress', async () => {
    const { ports, app } = await arrangeInProgress();

    await withdraw(ports, app.id, undefined);

    expect(ports.workflows.stops).toEqual([
      { permitCode: 'SIKOT', applicationId: app.id, cause: 'withdrawn by the applicant' },
    ]);
  });

  it("closes the pending action of the application's current stage", async () => {
    const { ports, app } = await arrangeInProgress();

    const withdrawn = await withdraw(ports, app.id, undefined);

    expect((await ports.stages.getAction('act-1'))?.status).toBe('closed');
    expect(withdrawn.current).toBeUndefined();
  });

  it("records the applicant's reason in the audit trail", async () => {
    const { ports, app } = await arrange();

    await withdraw(ports, app.id, 'pindah tempat kerja');

    expect((await ports.audit.list(app.id)).at(-1)).toMatchObject({
      type: 'withdrawn',
      detail: { reason: 'pindah tempat kerja' },
    });
  });

  it('answers a repeated withdrawal as the first one did', async () => {
    const { ports, app } = await arrange();
    const first = await withdraw(ports, app.id, undefined);
    ports.clock.advanceMinutes(1);

    const again = await withdraw(ports, app.id, undefined);

    expect(again).toEqual(first);
    expect(ports.audit.types(app.id).filter((t) => t === 'withdrawn')).toHaveLength(1);
  });

  it('refuses an application that has already ended', async () => {
    const { ports, app } = await arrange({ status: 'issued' });

    const error = await refusal(withdraw(ports, app.id, undefined));

    expect([error.kind, error.code]).toEqual(['conflict', 'already-final']);
  });

  it('retries on a concurrent update and withdraws the newer version', async () => {
    const { ports, app } = await arrange();
    concurrently(ports, app.id, { applicantName: 'Siti R.' });

    const withdrawn = await withdraw(ports, app.id, undefined);

    expect(withdrawn).toMatchObject({ status: 'withdrawn', applicantName: 'Siti R.', version: 3 });
  });

  it('answers with the withdrawal a concurrent request saved first', async () => {
    const { ports, app } = await arrange();
    concurrently(ports, app.id, { status: 'withdrawn', withdrawnAt: 'earlier' });

    const withdrawn = await withdraw(ports, app.id, undefined);

    expect(withdrawn).toMatchObject({ status: 'withdrawn', withdrawnAt: 'earlier' });
  });

  it('stops the workflow of a draft that a concurrent request submitted', async () => {
    const { ports, app } = await arrange();
    concurrently(ports, app.id, { status: 'submitted' });

    await withdraw(ports, app.id, undefined);

    expect(ports.workflows.stops).toEqual([expect.objectContaining({ applicationId: app.id })]);
  });
});
