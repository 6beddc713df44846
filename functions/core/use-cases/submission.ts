/**
 * Submitting, resubmitting after a return, and withdrawing. Submission checks the checklist against
 * the SOP (with its conditional requirements) and the applicant's places of practice against the
 * profession's maximum (use-cases/places.ts), freezes the document versions and starts the permit's
 * state machine with the application id as the execution name: Step Functions refuses a second
 * execution of that name, so a retried or concurrent submission can never start two.
 */

import { type Application, FINAL_STATUSES, type SubmittedDocument } from '../domain/application.ts';
import type { FieldError } from '../domain/field-error.ts';
import { noticeTexts } from '../domain/notices.ts';
import { conflict, unprocessable } from '../domain/request-errors.ts';
import { missingRequirements, requiredRequirements } from '../domain/requirements.ts';
import { STATUS_LABELS } from '../domain/status-labels.ts';
import { ConcurrentUpdateError, type Ports } from '../ports.ts';
import { latestVersions, submittedObjectKey } from './documents.ts';
import { loadApplication, permitOfApplication } from './lookups.ts';
import { deliver, mailId, outboxMail } from './mail.ts';
import { placeForSubmission } from './places.ts';
import { submitDecision } from './stage-waits.ts';

export interface SubmissionResult {
  application: Application;
  /** True when this request found the application already submitted (a retry). */
  alreadySubmitted: boolean;
}

const CONFLICT_RETRIES = 3;

/** Checks completeness and returns the versions to freeze (the latest of each required document). */
async function documentsToFreeze(ports: Ports, app: Application): Promise<Record<string, SubmittedDocument>> {
  const permit = permitOfApplication(ports.regency, app);
  const answers = app.answers ?? {};
  const latest = latestVersions(await ports.documents.listVersions(app.id));
  const missing = missingRequirements(permit, answers, (id) => latest.has(id));
  if (missing.length > 0)
    throw unprocessable(
      'documents-incomplete',
      'Dokumen persyaratan belum lengkap.',
      missing.map((r) => ({ field: `documents.${r.id}`, code: 'missing', message: `Unggah: ${r.label}.` })),
    );
  const frozen: Record<string, SubmittedDocument> = {};
  for (const requirement of requiredRequirements(permit, answers)) {
    const version = latest.get(requirement.id);
    if (version !== undefined) frozen[requirement.id] = version;
  }
  return frozen;
}

/**
 * The office examines copies outside `drafts/` (which the bucket's lifecycle expires): each frozen
 * version's checked copy is copied under `applications/`. Run after the state change is won, by the
 * winner or by a retry; copying again is harmless.
 */
async function copyFrozen(
  ports: Ports,
  app: Application,
  frozen: Record<string, SubmittedDocument>,
): Promise<Record<string, SubmittedDocument>> {
  const copied: Record<string, SubmittedDocument> = {};
  for (const [requirementId, version] of Object.entries(frozen)) {
    const objectKey = submittedObjectKey(app.id, requirementId, version.uploadId);
    if (version.objectKey !== objectKey) await ports.files.copy(version.objectKey, objectKey);
    copied[requirementId] = { ...version, objectKey };
  }
  return copied;
}

/** Where each frozen version will be once copied: what the application records at submission. */
const frozenKeys = (
  app: Application,
  frozen: Record<string, SubmittedDocument>,
): Record<string, SubmittedDocument> =>
  Object.fromEntries(
    Object.entries(frozen).map(([requirementId, v]) => [
      requirementId,
      { ...v, objectKey: submittedObjectKey(app.id, requirementId, v.uploadId) },
    ]),
  );

export async function submit(ports: Ports, id: string): Promise<SubmissionResult> {
  for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
    const app = await loadApplication(ports, id);
    if (app.status === 'submitted' || app.status === 'in-progress') {
      // A retry, or a request that lost the race to a concurrent submit. If the winner died between
      // its write and starting the workflow, this finishes its work; otherwise Step Functions answers
      // with the running execution.
      if (app.status === 'submitted' && attempt === 0) await finishSubmission(ports, app);
      return { application: app, alreadySubmitted: true };
    }
    if (app.status !== 'draft')
      throw conflict(
        'not-draft',
        `Permohonan berstatus "${STATUS_LABELS[app.status]}": hanya draf yang dapat diajukan.`,
      );
    const frozen = await documentsToFreeze(ports, app);
    const now = ports.now();
    const at = now.toISOString();
    // The place of practice is taken with the state change (or the submission is refused here).
    const places = await placeForSubmission(ports, app, permitOfApplication(ports.regency, app), now);
    const next: Application = {
      ...app,
      status: 'submitted',
      submittedAt: at,
      documents: frozenKeys(app, frozen),
      version: app.version + 1,
    };
    // Win the state change first (with its audit record): only the winner copies and starts.
    try {
      await ports.changes.commit(
        {
          application: next,
          places,
          audit: [{ applicationId: id, at, type: 'submitted', actor: 'applicant' }],
          mail: [
            outboxMail(mailId(id, 'received'), id, {
              to: [next.applicantEmail],
              ...noticeTexts(ports.regency, ports.calendar).received(next),
            }),
          ],
        },
        at,
      );
    } catch (e) {
      if (e instanceof ConcurrentUpdateError) continue;
      throw e;
    }
    await copyFrozen(ports, next, frozen);
    await startExecution(ports, next);
    await deliver(ports, [mailId(id, 'received')]);
    return { application: next, alreadySubmitted: false };
  }
  throw conflict('concurrent-update', 'Permohonan sedang diubah oleh permintaan lain; coba lagi.');
}

/** A submission whose request died after its write: copy what it froze, then start. */
async function finishSubmission(ports: Ports, app: Application): Promise<void> {
  const versions = latestVersions(await ports.documents.listVersions(app.id));
  const frozen = Object.fromEntries(
    Object.entries(app.documents ?? {}).flatMap(([requirementId, recorded]) => {
      const version = [...versions.values()].find((v) => v.uploadId === recorded.uploadId);
      return version === undefined ? [] : [[requirementId, version]];
    }),
  );
  await copyFrozen(ports, app, frozen);
  await startExecution(ports, app);
  await deliver(ports, [mailId(app.id, 'received')]);
}

async function startExecution(ports: Ports, app: Application): Promise<void> {
  const started = await ports.workflows.start(app.permitCode, app.id);
  if (started === 'already-ended')
    ports.log('execution already ended at submission', { applicationId: app.id });
  // A withdrawal may have landed between our write and the start: it could not stop an execution
  // that did not exist yet, so stop it now (its steps would also refuse the withdrawn application).
  const after = await ports.applications.get(app.id);
  if (after?.status === 'withdrawn')
    await ports.workflows.stop(app.permitCode, app.id, 'withdrawn by the applicant');
}

export async function resubmit(ports: Ports, id: string): Promise<Application> {
  for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
    const app = await loadApplication(ports, id);
    const returned = app.returned;
    if (app.status !== 'returned' || returned === undefined)
      throw conflict(
        'not-returned',
        `Permohonan berstatus "${STATUS_LABELS[app.status]}": hanya permohonan yang dikembalikan untuk dilengkapi dapat diajukan ulang.`,
      );
    const frozen = await documentsToFreeze(ports, app);
    const documents = frozenKeys(app, frozen);
    const permit = permitOfApplication(ports.regency, app);
    const notReplaced: FieldError[] = returned.deficient.flatMap((requirementId) => {
      const requirement = permit.requirements.find((r) => r.id === requirementId);
      const version = documents[requirementId];
      if (requirement === undefined || (version !== undefined && version.acceptedAt > returned.at)) return [];
      return [
        {
          field: `documents.${requirementId}`,
          code: 'not-replaced',
          message: `Ganti dokumen yang diminta petugas: ${requirement.label}.`,
        },
      ];
    });
    if (notReplaced.length > 0)
      throw unprocessable(
        'deficient-not-replaced',
        'Dokumen yang diminta petugas belum diganti.',
        notReplaced,
      );
    // A file whose completion deadline passed (the resubmission action closed) is refused before
    // anything is written.
    const action = await ports.stages.getAction(returned.pendingActionId);
    if (action?.status === 'decided') return app; // a repeated resubmission: the first one counts
    if (action?.status !== 'open') throw lateResubmission();
    const next: Application = { ...app, documents, version: app.version + 1 };
    try {
      await ports.changes.commit({ application: next }, ports.now().toISOString());
    } catch (e) {
      if (e instanceof ConcurrentUpdateError) continue;
      throw e;
    }
    await copyFrozen(ports, next, frozen);
    // The workflow resumes the office clock and records the resubmission (resumeAfterReturn).
    const result = await submitDecision(ports, returned.pendingActionId, {
      outcome: 'resubmitted',
      actor: 'applicant',
      decidedAt: ports.now().toISOString(),
    });
    if (result === 'closed') throw lateResubmission();
    return next;
  }
  throw conflict('concurrent-update', 'Permohonan sedang diubah oleh permintaan lain; coba lagi.');
}

/** Withdraws the application; withdrawing a withdrawn application answers as the first time did. */
export async function withdraw(ports: Ports, id: string, reason: string | undefined): Promise<Application> {
  const first = await loadApplication(ports, id);
  if (first.status === 'withdrawn') return first;
  if (FINAL_STATUSES.includes(first.status)) throw alreadyFinal(first);
  // Stop the workflow first: a step that runs after our write would find the application withdrawn
  // anyway (a final state is final) and end its execution, but a stopped one does nothing at all.
  if (first.status !== 'draft')
    await ports.workflows.stop(first.permitCode, id, 'withdrawn by the applicant');
  for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
    const app = attempt === 0 ? first : await loadApplication(ports, id);
    if (app.status === 'withdrawn') return app;
    if (FINAL_STATUSES.includes(app.status)) throw alreadyFinal(app);
    if (app.status !== 'draft' && first.status === 'draft')
      await ports.workflows.stop(app.permitCode, id, 'withdrawn by the applicant');
    const at = ports.now().toISOString();
    const { current, returned, ...rest } = app;
    const next: Application = { ...rest, status: 'withdrawn', withdrawnAt: at, version: app.version + 1 };
    const open = [current?.pendingActionId, returned?.pendingActionId].filter(
      (a): a is string => a !== undefined,
    );
    try {
      await ports.changes.commit(
        {
          application: next,
          closeActions: open,
          audit: [
            {
              applicationId: id,
              at,
              type: 'withdrawn',
              actor: 'applicant',
              ...(reason === undefined ? {} : { detail: { reason } }),
            },
          ],
        },
        at,
      );
    } catch (e) {
      if (e instanceof ConcurrentUpdateError) continue;
      throw e;
    }
    return next;
  }
  throw conflict('concurrent-update', 'Permohonan sedang diubah oleh permintaan lain; coba lagi.');
}

const lateResubmission = () =>
  conflict(
    'not-returned',
    'Batas waktu melengkapi berkas telah lewat; permohonan tidak dapat diajukan ulang.',
  );

const alreadyFinal = (app: Application) =>
  conflict(
    'already-final',
    `Permohonan sudah selesai ("${STATUS_LABELS[app.status]}") dan tidak dapat ditarik.`,
  );
