/**
 * The automatic stages: numbering the permit and issuing the final document (the permit with its
 * signed QR code, or the rejection letter with the officials' reasons), and revoking a permit.
 */
import type { Application } from '../domain/application.ts';
import { noticeTexts } from '../domain/notices.ts';
import { formatPermitNumber, sequenceName } from '../domain/permit/permit-number.ts';
import type { PermitRecord, SignedDocument } from '../domain/permit/permit-record.ts';
import { officeMinutesUsed } from '../domain/stage-clock.ts';
import type { Ports } from '../ports.ts';
import { loadApplication, permitOfApplication } from './lookups.ts';
import { deliver, mailId, outboxMail } from './mail.ts';
import { issuePermitFile, issueRejectionFile } from './permit-documents.ts';
import { retryOnConflict } from './retry.ts';
import { assertOpen, WorkflowError } from './workflow-steps.ts';

export { formatPermitNumber };

const load = (ports: Pick<Ports, 'applications'>, id: string): Promise<Application> =>
  loadApplication(
    ports,
    id,
    () => new WorkflowError('UnknownApplication', `application ${id} does not exist`),
  );

const unknownPermit = (message: string) => new WorkflowError('UnknownStage', message);

/**
 * Gives the permit its number: one per application, from the office's sequence per permit type (and
 * year), gap-free and never reused. One transaction writes the counter's increment (conditional on its
 * value), the new permit record and its number's reservation (both `attribute_not_exists`) and the
 * number on the application (conditional on its version): a crash leaves all or nothing, a concurrent
 * issuance that took the same number first makes this one read the counter again, and a retried step
 * finds its number on the application.
 */
export function numberPermit(ports: Ports, applicationId: string, at: Date): Promise<string> {
  return retryOnConflict(async () => {
    const app = await load(ports, applicationId);
    if (app.permitNumber !== undefined) return app.permitNumber;
    assertOpen(app);
    const permit = permitOfApplication(ports.regency, app, unknownPermit);
    const localDate = ports.calendar.localDate(at);
    const sequence = sequenceName(
      ports.regency.id,
      permit.code,
      Number(localDate.slice(0, 4)),
      permit.permitNumberSequence,
    );
    const current = await ports.sequences.current(sequence);
    const permitNumber = formatPermitNumber(permit.permitNumberTemplate, current + 1, localDate, permit.code);
    const permitId = ports.newId();
    const record: PermitRecord = {
      id: permitId,
      applicationId,
      regencyId: ports.regency.id,
      permitCode: permit.code,
      number: permitNumber,
      sequence,
      seq: current + 1,
      holderName: app.applicantName,
      status: 'numbered',
      numberedAt: at.toISOString(),
      version: 1,
    };
    await ports.changes.commit(
      {
        application: { ...app, permitNumber, permitId, version: app.version + 1 },
        takeNumber: { sequence, current },
        createPermit: record,
        audit: [
          { applicationId, at: at.toISOString(), type: 'numbered', detail: { permitNumber, permitId } },
        ],
      },
      at.toISOString(),
    );
    return permitNumber;
  }, 200);
}

/**
 * Issues the permit or the rejection letter, ends the application and tells the applicant. The file is
 * rendered, signed (ES256 over its SHA-256) and stored under a key named by its hash; then one
 * transaction ends the application, completes the permit record (hash, signature, key id, validity),
 * marks the permit a renewal replaces superseded (with an audit record on that permit's application),
 * registers the hash for the byte check, records the audit event and the mail. A retry, or a
 * concurrent duplicate of this step, that loses the race finds the issue recorded and writes nothing:
 * the file it stored under its own hash is never referenced, and the recorded file is never overwritten.
 */
export async function issueDocument(
  ports: Ports,
  applicationId: string,
  document: 'permit' | 'rejection-letter',
  at: Date,
): Promise<{ objectKey: string }> {
  const notice = mailId(applicationId, 'issued', document);
  const written = await retryOnConflict(() => recordIssue(ports, applicationId, document, at));
  await deliver(ports, [notice]);
  return { objectKey: written };
}

/**
 * The permit a renewal replaces, as superseded by `permit` (written in the issue's transaction), or
 * undefined when it is no longer in force: a permit revoked meanwhile stays revoked.
 */
async function supersededByRenewal(
  ports: Pick<Ports, 'permits'>,
  app: Application,
  permit: PermitRecord,
  at: Date,
): Promise<PermitRecord | undefined> {
  if (app.renews === undefined) return undefined;
  const old = await ports.permits.get(app.renews.permitId);
  if (old?.status !== 'active') return undefined;
  return {
    ...old,
    status: 'superseded',
    superseded: { at: at.toISOString(), byId: permit.id, byNumber: permit.number },
    version: old.version + 1,
  };
}

async function recordIssue(
  ports: Ports,
  applicationId: string,
  document: 'permit' | 'rejection-letter',
  at: Date,
): Promise<string> {
  const app = await load(ports, applicationId);
  if (app.issued?.objectKey !== undefined) return app.issued.objectKey;
  assertOpen(app);
  const file: { pdf: Uint8Array; signed: SignedDocument; permit?: PermitRecord } =
    document === 'permit' ? await issuePermitFile(ports, app, at) : await issueRejectionFile(ports, app, at);
  const { signed, permit } = file;
  await ports.files.put(signed.objectKey, file.pdf, 'application/pdf');
  const { current: _, ...rest } = app;
  const issued = {
    document,
    issuedAt: at.toISOString(),
    objectKey: signed.objectKey,
    sha256: signed.sha256,
    ...(app.permitNumber === undefined || document !== 'permit' ? {} : { number: app.permitNumber }),
  };
  const sla =
    app.clock === undefined
      ? undefined
      : {
          officeMinutesUsed: Math.round(officeMinutesUsed(ports.calendar, app.clock, at)),
          deadline: app.clock.deadline,
          met: at <= new Date(app.clock.deadline),
        };
  const next: Application = {
    ...rest,
    status: document === 'permit' ? 'issued' : 'rejected',
    issued,
    ...(sla === undefined ? {} : { sla }),
    version: app.version + 1,
  };
  // The applicant is told why: the notes of the decisions that refused (an inspection's negative
  // recommendation, the head of office's rejection).
  const replaced = permit === undefined ? undefined : await supersededByRenewal(ports, app, permit, at);
  const reasons =
    document === 'rejection-letter'
      ? (await ports.stages.listVisits(applicationId)).flatMap((v) =>
          v.outcome === 'reject' && v.note !== undefined ? [v.note] : [],
        )
      : [];
  await ports.changes.commit(
    {
      application: next,
      ...(permit === undefined ? {} : { updatePermit: permit }),
      ...(replaced === undefined ? {} : { supersedePermit: replaced }),
      registerDocument: {
        sha256: signed.sha256,
        document,
        applicationId,
        ...(permit === undefined ? {} : { permitId: permit.id }),
        issuedAt: at.toISOString(),
      },
      audit: [
        {
          applicationId,
          at: at.toISOString(),
          type: 'issued',
          detail: {
            document,
            sha256: signed.sha256,
            keyId: signed.keyId,
            ...(permit === undefined ? {} : { permitId: permit.id }),
          },
        },
        ...(replaced === undefined || permit === undefined
          ? []
          : [
              {
                applicationId: replaced.applicationId,
                at: at.toISOString(),
                type: 'permit-superseded' as const,
                actor: 'system',
                detail: {
                  permitId: replaced.id,
                  permitNumber: replaced.number,
                  byPermitId: permit.id,
                  byPermitNumber: permit.number,
                  byApplicationId: applicationId,
                },
              },
            ]),
      ],
      mail: [
        outboxMail(mailId(applicationId, 'issued', document), applicationId, {
          to: [app.applicantEmail],
          ...noticeTexts(ports.regency, ports.calendar).issued(next, document, {
            reasons,
            surveyFirst:
              ports.regency.permits.find((p) => p.code === app.permitCode)?.surveyBeforeDownload === true,
          }),
        }),
      ],
    },
    at.toISOString(),
  );
  // Only the writer of the issue raises the alarm (a retry that lost the race does not count twice).
  if (sla !== undefined && !sla.met) ports.metric('OverallLimitExceeded', { permit: app.permitCode });
  return signed.objectKey;
}
