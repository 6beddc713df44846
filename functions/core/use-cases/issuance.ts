/**
 * The automatic stages: numbering the permit and issuing the final document. The permit's full
 * layout, QR verification and signature come with the permit-document work; this already issues a
 * real (minimal) PDF with the decision, its number and its legal basis.
 */
import type { Application } from '../domain/application.ts';
import { minimalPdf } from '../domain/minimal-pdf.ts';
import { noticeTexts } from '../domain/notices.ts';
import { officeMinutesUsed } from '../domain/stage-clock.ts';
import type { Ports } from '../ports.ts';
import { loadApplication, permitOf, permitOfApplication } from './lookups.ts';
import { deliver, mailId, outboxMail } from './mail.ts';
import { retryOnConflict } from './retry.ts';
import { assertOpen, WorkflowError } from './workflow-steps.ts';

/** Fills a permit-number template: {seq:N} zero-padded to N digits, {year}, {code}. */
export function formatPermitNumber(template: string, seq: number, year: number, code: string): string {
  return template
    .replace(/\{seq(?::(\d))?\}/g, (_, width?: string) => String(seq).padStart(Number(width ?? 1), '0'))
    .replace(/\{year\}/g, String(year))
    .replace(/\{code\}/g, code);
}

const load = (ports: Pick<Ports, 'applications'>, id: string): Promise<Application> =>
  loadApplication(
    ports,
    id,
    () => new WorkflowError('UnknownApplication', `application ${id} does not exist`),
  );

const unknownPermit = (message: string) => new WorkflowError('UnknownStage', message);

/**
 * Gives the permit its number: one per application, from the office's yearly sequence per permit
 * type, gap-free and never reused. The counter's increment and the number on the application are one
 * transaction (conditional on both), so a crash leaves either both or neither, and a concurrent
 * issuance that took the same number first makes this one read the counter again.
 */
export function numberPermit(ports: Ports, applicationId: string, at: Date): Promise<string> {
  return retryOnConflict(async () => {
    const app = await load(ports, applicationId);
    if (app.permitNumber !== undefined) return app.permitNumber;
    assertOpen(app);
    const permit = permitOfApplication(ports.regency, app, unknownPermit);
    const year = Number(ports.calendar.localDate(at).slice(0, 4));
    const sequence = `${ports.regency.id}#${permit.code}#${year}`;
    const current = await ports.sequences.current(sequence);
    const permitNumber = formatPermitNumber(permit.permitNumberTemplate, current + 1, year, permit.code);
    await ports.changes.commit(
      {
        application: { ...app, permitNumber, version: app.version + 1 },
        takeNumber: { sequence, current },
        audit: [{ applicationId, at: at.toISOString(), type: 'numbered', detail: { permitNumber } }],
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
  // The applicant is told why: the notes of the decisions that refused (an inspection's negative
  // recommendation, the head of office's rejection).
  const reasons =
    document === 'rejection-letter'
      ? (await ports.stages.listVisits(applicationId)).flatMap((v) =>
          v.outcome === 'reject' && v.note !== undefined ? [v.note] : [],
        )
      : [];
  await ports.changes.commit(
    {
      application: next,
      audit: [{ applicationId, at: at.toISOString(), type: 'issued', detail: { document } }],
      mail: [
        outboxMail(mailId(applicationId, 'issued', document), applicationId, {
          to: [app.applicantEmail],
          ...noticeTexts(ports.regency, ports.calendar).issued(next, document, {
            reasons,
            surveyFirst: permit?.surveyBeforeDownload === true,
          }),
        }),
      ],
    },
    at.toISOString(),
  );
  return objectKey;
}
