/**
 * The automatic stages: numbering the permit and issuing the final document. The permit's full
 * layout, QR verification and signature come with the permit-document work; this already issues a
 * real (minimal) PDF with the decision, its number and its legal basis.
 */
import type { Application } from '../domain/application.ts';
import { minimalPdf } from '../domain/minimal-pdf.ts';
import { noticeTexts } from '../domain/notices.ts';
import { formatPermitNumber, sequenceName } from '../domain/permit/permit-number.ts';
import type { PermitRecord } from '../domain/permit/permit-record.ts';
import { officeMinutesUsed } from '../domain/stage-clock.ts';
import type { Ports } from '../ports.ts';
import { loadApplication, permitOf, permitOfApplication } from './lookups.ts';
import { deliver, mailId, outboxMail } from './mail.ts';
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

/** Issues the permit or the rejection letter, ends the application and tells the applicant. */
export async function issueDocument(
  ports: Ports,
  applicationId: string,
  document: 'permit' | 'rejection-letter',
  at: Date,
): Promise<{ objectKey: string }> {
  const notice = mailId(applicationId, 'issued', document);
  const objectKey = `issued/${applicationId}/${document}.pdf`;
  const written = await retryOnConflict(() => recordIssue(ports, applicationId, document, objectKey, at));
  await deliver(ports, [notice]);
  return { objectKey: written };
}

async function recordIssue(
  ports: Ports,
  applicationId: string,
  document: 'permit' | 'rejection-letter',
  objectKey: string,
  at: Date,
): Promise<string> {
  const app = await load(ports, applicationId);
  if (app.issued !== undefined) return app.issued.objectKey ?? objectKey;
  assertOpen(app);
  const permit = permitOf(ports.regency, app.permitCode);
  const title =
    document === 'permit' ? (permit?.product ?? app.permitCode) : 'Surat Penolakan Permohonan Izin';
  const lines = [
    ports.regency.office.name,
    '',
    title,
    ...(app.permitNumber !== undefined && document === 'permit' ? [`Nomor: ${app.permitNumber}`] : []),
    `Nomor lacak permohonan: ${app.trackingCode}`,
    `Atas nama: ${app.applicantName}`,
    `Ditetapkan: ${ports.calendar.formatLocal(at)}`,
    ...(app.deemedGranted !== undefined
      ? [`Dianggap dikabulkan berdasarkan ${app.deemedGranted.legalBasis}`]
      : []),
  ];
  await ports.files.put(objectKey, minimalPdf(title, lines), 'application/pdf');
  const { current: _, ...rest } = app;
  const issued = {
    document,
    issuedAt: at.toISOString(),
    objectKey,
    ...(app.permitNumber === undefined ? {} : { number: app.permitNumber }),
  };
  const sla =
    app.clock === undefined
      ? undefined
      : {
          officeMinutesUsed: Math.round(officeMinutesUsed(ports.calendar, app.clock, at)),
          deadline: app.clock.deadline,
          met: at <= new Date(app.clock.deadline),
        };
  if (sla !== undefined && !sla.met) ports.metric('OverallLimitExceeded', { permit: app.permitCode });
  const next: Application = {
    ...rest,
    status: document === 'permit' ? 'issued' : 'rejected',
    issued,
    ...(sla === undefined ? {} : { sla }),
    version: app.version + 1,
  };
  await ports.changes.commit(
    {
      application: next,
      audit: [{ applicationId, at: at.toISOString(), type: 'issued', detail: { document } }],
      mail: [
        outboxMail(mailId(applicationId, 'issued', document), applicationId, {
          to: [app.applicantEmail],
          ...noticeTexts(ports.regency, ports.calendar).issued(next, document),
        }),
      ],
    },
    at.toISOString(),
  );
  return objectKey;
}
