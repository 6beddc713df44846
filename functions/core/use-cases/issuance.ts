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
import { WorkflowError } from './workflow-steps.ts';

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

/** Gives the permit its number: one per application, from the office's yearly sequence per permit type. */
export async function numberPermit(ports: Ports, applicationId: string, at: Date): Promise<string> {
  const app = await load(ports, applicationId);
  if (app.permitNumber !== undefined) return app.permitNumber;
  const permit = permitOfApplication(ports.regency, app, unknownPermit);
  const year = Number(ports.calendar.localDate(at).slice(0, 4));
  const seq = await ports.sequences.next(`${ports.regency.id}#${permit.code}#${year}`);
  const permitNumber = formatPermitNumber(permit.permitNumberTemplate, seq, year, permit.code);
  await ports.applications.save({ ...app, permitNumber, version: app.version + 1 });
  await ports.audit.append({
    applicationId,
    at: at.toISOString(),
    type: 'numbered',
    detail: { permitNumber },
  });
  return permitNumber;
}

/** Issues the permit or the rejection letter, ends the application and tells the applicant. */
export async function issueDocument(
  ports: Ports,
  applicationId: string,
  document: 'permit' | 'rejection-letter',
  at: Date,
): Promise<{ objectKey: string }> {
  const app = await load(ports, applicationId);
  const objectKey = `issued/${applicationId}/${document}.pdf`;
  if (app.issued !== undefined) return { objectKey: app.issued.objectKey ?? objectKey };
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
  await ports.applications.save(next);
  await ports.audit.append({
    applicationId,
    at: at.toISOString(),
    type: 'issued',
    detail: { document },
  });
  await ports.mailer.send({
    to: [app.applicantEmail],
    ...noticeTexts(ports.regency, ports.calendar).issued(next, document),
  });
  return { objectKey };
}
