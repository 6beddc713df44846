/**
 * The automatic stages: numbering the permit and issuing the final document. The permit's full
 * layout, QR verification and signature come with the permit-document work; this already issues a
 * real (minimal) PDF with the decision, its number and its legal basis.
 */
import type { Application } from '../domain/application.ts';
import { minimalPdf } from '../domain/minimal-pdf.ts';
import { noticeTexts } from '../domain/notices.ts';
import { officeMinutesUsed } from '../domain/stage-clock.ts';
import type { WorkflowPorts } from './workflow-steps.ts';
import { WorkflowError } from './workflow-steps.ts';

/** The storage of generated documents (S3 on AWS, s3rver locally). */
export interface DocumentStore {
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
}

export type IssuancePorts = WorkflowPorts & { documents: DocumentStore };

/** Fills a permit-number template: {seq:N} zero-padded to N digits, {year}, {code}. */
export function formatPermitNumber(template: string, seq: number, year: number, code: string): string {
  return template
    .replace(/\{seq(?::(\d))?\}/g, (_, width?: string) => String(seq).padStart(Number(width ?? 1), '0'))
    .replace(/\{year\}/g, String(year))
    .replace(/\{code\}/g, code);
}

async function load(ports: IssuancePorts, id: string): Promise<Application> {
  const app = await ports.store.getApplication(id);
  if (app === undefined) throw new WorkflowError('UnknownApplication', `application ${id} does not exist`);
  return app;
}

/** Gives the permit its number: one per application, from the office's yearly sequence per permit type. */
export async function numberPermit(ports: IssuancePorts, applicationId: string, at: Date): Promise<string> {
  const app = await load(ports, applicationId);
  if (app.permitNumber !== undefined) return app.permitNumber;
  const permit = ports.regency.permits.find((p) => p.code === app.permitCode);
  if (permit === undefined)
    throw new WorkflowError('UnknownStage', `permit ${app.permitCode} is not configured`);
  const year = Number(ports.calendar.localDate(at).slice(0, 4));
  const seq = await ports.store.nextInSequence(`${ports.regency.id}#${permit.code}#${year}`);
  const permitNumber = formatPermitNumber(permit.permitNumberTemplate, seq, year, permit.code);
  await ports.store.saveApplication({ ...app, permitNumber, version: app.version + 1 });
  await ports.store.appendAudit({
    applicationId,
    at: at.toISOString(),
    type: 'numbered',
    detail: { permitNumber },
  });
  return permitNumber;
}

/** Issues the permit or the rejection letter, ends the application and tells the applicant. */
export async function issueDocument(
  ports: IssuancePorts,
  applicationId: string,
  document: 'permit' | 'rejection-letter',
  at: Date,
): Promise<{ objectKey: string }> {
  const app = await load(ports, applicationId);
  const objectKey = `issued/${applicationId}/${document}.pdf`;
  if (app.issued !== undefined) return { objectKey: app.issued.objectKey ?? objectKey };
  const permit = ports.regency.permits.find((p) => p.code === app.permitCode);
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
  await ports.documents.put(objectKey, minimalPdf(title, lines), 'application/pdf');
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
  await ports.store.saveApplication(next);
  await ports.store.appendAudit({
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
