/**
 * What the applicant does once the office has decided: answer the satisfaction survey, download the
 * permit or the rejection letter. Where the SOP says so (`surveyBeforeDownload`), the survey comes
 * first (e.g. Kota Bengkulu step 7: "mengisi survey kepuasan masyarakat ... kemudian ... mengunduh").
 */

import type { Application, ApplicationStatus } from '../domain/application.ts';
import { conflict } from '../domain/request-errors.ts';
import { type SurveyIndex, type SurveyScores, surveyIndex } from '../domain/survey.ts';
import type { Ports } from '../ports.ts';
import { PRESIGNED_URL_SECONDS } from './documents.ts';
import { permitOfApplication } from './lookups.ts';

const DECIDED: readonly ApplicationStatus[] = ['issued', 'rejected'];

export interface SurveyAnswer {
  scores: SurveyScores;
  comment?: string;
}

export interface SurveyRecorded {
  answeredAt: string;
  /** This respondent's own index (the office's IKM averages all respondents). */
  index: SurveyIndex;
}

export async function answerSurvey(
  ports: Ports,
  app: Application,
  answer: SurveyAnswer,
): Promise<SurveyRecorded> {
  // The survey rates a service that has been delivered: it opens once the office has decided (the
  // permit or the rejection letter is issued). A withdrawn or lapsed application received no decision,
  // and its answers would distort the office's monthly index.
  if (!DECIDED.includes(app.status))
    throw conflict('survey-not-open', 'Survei dapat diisi setelah permohonan selesai diputuskan.');
  const now = ports.now();
  const answeredAt = now.toISOString();
  const stored = await ports.surveys.put(
    {
      applicationId: app.id,
      regencyId: ports.regency.id,
      permitCode: app.permitCode,
      scores: answer.scores,
      ...(answer.comment === undefined ? {} : { comment: answer.comment }),
      answeredAt,
      month: ports.calendar.localDate(now).slice(0, 7),
    },
    { applicationId: app.id, at: answeredAt, type: 'survey-answered', actor: 'applicant' },
  );
  if (!stored) throw conflict('survey-already-answered', 'Survei untuk permohonan ini sudah diisi.');
  const index = surveyIndex([answer.scores]);
  if (index === undefined) throw new Error('an index of one response is always defined');
  return { answeredAt, index };
}

export interface DocumentDownload {
  document: 'permit' | 'rejection-letter';
  number?: string;
  issuedAt: string;
  url: string;
  expiresAt: string;
  fileName: string;
}

/** A file name without personal data: the document kind and its number. */
export function downloadFileName(
  document: 'permit' | 'rejection-letter',
  number: string | undefined,
  trackingCode: string,
): string {
  const base = document === 'permit' ? `izin-${number ?? trackingCode}` : `surat-penolakan-${trackingCode}`;
  return `${base.replace(/[^A-Za-z0-9.-]+/g, '-')}.pdf`;
}

export async function permitDownload(ports: Ports, app: Application): Promise<DocumentDownload> {
  const issued = app.issued;
  if (issued?.objectKey === undefined)
    throw conflict('not-issued', 'Dokumen izin atau surat keputusan belum terbit.');
  const permit = permitOfApplication(ports.regency, app);
  if (permit.surveyBeforeDownload && (await ports.surveys.get(app.id)) === undefined)
    throw conflict(
      'survey-required',
      'Isi survei kepuasan masyarakat terlebih dahulu (POST /applications/{id}/survey), lalu unduh dokumen.',
    );
  const now = ports.now();
  const fileName = downloadFileName(issued.document, issued.number, app.trackingCode);
  const url = await ports.files.presignDownload(
    issued.objectKey,
    fileName,
    PRESIGNED_URL_SECONDS,
    'application/pdf',
  );
  // Who saw what: downloads of personal documents are part of the audit trail (UU 27/2022).
  await ports.audit.append({
    applicationId: app.id,
    at: now.toISOString(),
    type: 'document-downloaded',
    actor: 'applicant',
    detail: { document: issued.document },
  });
  return {
    document: issued.document,
    ...(issued.number === undefined ? {} : { number: issued.number }),
    issuedAt: issued.issuedAt,
    url,
    expiresAt: new Date(now.getTime() + PRESIGNED_URL_SECONDS * 1000).toISOString(),
    fileName,
  };
}
