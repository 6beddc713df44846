/**
 * What the applicant sees of their application (GET /applications/{id}) and what anyone sees through
 * the public tracker (GET /track/{code}). Pure: built from the stored records; every time is given in
 * the office's local time with its zone.
 */
import type { Outcome, Permit, Regency } from '#config/regency-schema.ts';
import { latestVersions } from '../use-cases/documents.ts';
import type { ApplicantForm } from './applicant.ts';
import type {
  Application,
  ApplicationStatus,
  AuditEvent,
  AuditEventType,
  StageVisit,
  SubmittedDocument,
} from './application.ts';
import type { WorkingCalendar } from './calendar/calendar.ts';
import { type LocalTime, localTime } from './local-time.ts';
import { isRequired } from './requirements.ts';
import { STATUS_LABELS } from './status-labels.ts';

export const OUTCOME_LABELS: Readonly<Record<Outcome | 'resubmitted', string>> = {
  approve: 'Disetujui',
  returnForCompletion: 'Dikembalikan untuk dilengkapi',
  reject: 'Tidak disetujui',
  inspectionNeeded: 'Perlu pemeriksaan lapangan',
  inspectionNotNeeded: 'Tanpa pemeriksaan lapangan',
  revise: 'Dikembalikan untuk perbaikan draf',
  resubmitted: 'Dilengkapi pemohon',
};

/** The events an applicant is shown; the others (reminders, escalations, internal faults) are the office's. */
const EVENT_LABELS: Partial<Record<AuditEventType, string>> = {
  created: 'Draf permohonan dibuat',
  submitted: 'Permohonan diajukan',
  'execution-started': 'Berkas lengkap diterima; waktu layanan mulai berjalan',
  'returned-to-applicant': 'Berkas dikembalikan untuk dilengkapi',
  resubmitted: 'Berkas dilengkapi dan diajukan ulang',
  withdrawn: 'Permohonan ditarik oleh pemohon',
  lapsed: 'Permohonan gugur',
  'deemed-granted': 'Permohonan dianggap dikabulkan (batas waktu terlampaui)',
  issued: 'Dokumen keputusan terbit',
  'permit-superseded': 'Izin digantikan oleh izin perpanjangan',
  'survey-answered': 'Survei kepuasan diisi',
  'document-downloaded': 'Dokumen keputusan diunduh',
  'complaint-filed': 'Pengaduan diajukan',
  'access-token-reissued': 'Token akses baru dikirim ke e-mail pemohon',
};

export interface ViewContext {
  regency: Regency;
  calendar: Pick<WorkingCalendar, 'formatLocal'>;
  permit: Permit;
}

export interface DocumentVersionView {
  uploadId: string;
  mediaType: SubmittedDocument['mediaType'];
  sizeBytes: number;
  acceptedAt: LocalTime;
}

export interface ApplicationView {
  id: string;
  trackingCode: string;
  status: ApplicationStatus;
  statusLabel: string;
  permit: { code: string; name: string };
  createdAt: LocalTime;
  submittedAt?: LocalTime;
  withdrawnAt?: LocalTime;
  applicant: ApplicantForm;
  answers: Record<string, boolean>;
  renews?: { permitId: string; number: string };
  currentStage?: {
    stageId: string;
    name: string;
    role?: { id: string; label: string };
    enteredAt: LocalTime;
    deadline: LocalTime;
  };
  /** The office's overall deadline; paused while the file is with the applicant. */
  overallDeadline?: { deadline: LocalTime; paused: boolean };
  timeline: Array<{
    stageId: string;
    name: string;
    role?: { id: string; label: string };
    visit: number;
    enteredAt: LocalTime;
    deadline: LocalTime;
    decidedAt?: LocalTime;
    outcome?: Outcome;
    outcomeLabel?: string;
    late: boolean;
  }>;
  events: Array<{ type: AuditEventType; at: LocalTime; label: string }>;
  returned?: {
    at: LocalTime;
    deadline: LocalTime;
    note?: string;
    deficient: Array<{ requirementId: string; label: string }>;
  };
  documents: Array<{
    requirementId: string;
    label: string;
    required: boolean;
    mediaTypes: string[];
    maxSizeMb: number;
    /** The version the office examines (frozen at the last submission). */
    submitted?: DocumentVersionView;
    latest?: DocumentVersionView;
    versions: DocumentVersionView[];
  }>;
  decision?: {
    document: 'permit' | 'rejection-letter';
    number?: string;
    issuedAt: LocalTime;
    deemedGranted: boolean;
    /** Where to get it: the survey comes first when `survey.requiredBeforeDownload`. */
    downloadPath: string;
  };
  survey: { requiredBeforeDownload: boolean; answered: boolean };
}

const roleOf = (regency: Regency, roleId: string | undefined) => {
  const role = regency.roles.find((r) => r.id === roleId);
  return role === undefined ? undefined : { id: role.id, label: role.label };
};

export function applicationView(
  ctx: ViewContext,
  records: {
    app: Application;
    applicant: ApplicantForm;
    visits: readonly StageVisit[];
    audit: readonly AuditEvent[];
    versions: readonly SubmittedDocument[];
    surveyAnswered: boolean;
  },
): ApplicationView {
  const { regency, permit } = ctx;
  const { app } = records;
  const t = (at: string | Date): LocalTime => localTime(at, regency.timeZone, ctx.calendar);
  const stageName = (id: string) => permit.stages.find((s) => s.id === id)?.name ?? id;
  const versionView = (v: SubmittedDocument): DocumentVersionView => ({
    uploadId: v.uploadId,
    mediaType: v.mediaType,
    sizeBytes: v.sizeBytes,
    acceptedAt: t(v.acceptedAt),
  });
  const latest = latestVersions(records.versions);
  const answers = app.answers ?? {};
  const currentRole = roleOf(regency, app.current?.role);
  return {
    id: app.id,
    trackingCode: app.trackingCode,
    status: app.status,
    statusLabel: STATUS_LABELS[app.status],
    permit: { code: permit.code, name: permit.name },
    createdAt: t(app.createdAt),
    ...(app.submittedAt === undefined ? {} : { submittedAt: t(app.submittedAt) }),
    ...(app.withdrawnAt === undefined ? {} : { withdrawnAt: t(app.withdrawnAt) }),
    applicant: records.applicant,
    answers,
    ...(app.renews === undefined ? {} : { renews: app.renews }),
    ...(app.current === undefined
      ? {}
      : {
          currentStage: {
            stageId: app.current.stageId,
            name: stageName(app.current.stageId),
            ...(currentRole === undefined ? {} : { role: currentRole }),
            enteredAt: t(app.current.enteredAt),
            deadline: t(app.current.deadline),
          },
        }),
    ...(app.clock === undefined
      ? {}
      : { overallDeadline: { deadline: t(app.clock.deadline), paused: app.clock.pausedAt !== undefined } }),
    timeline: [...records.visits]
      .sort((a, b) => a.visit - b.visit)
      .map((v) => {
        const role = roleOf(regency, v.role);
        return {
          stageId: v.stageId,
          name: stageName(v.stageId),
          ...(role === undefined ? {} : { role }),
          visit: v.visit,
          enteredAt: t(v.enteredAt),
          deadline: t(v.deadline),
          ...(v.decidedAt === undefined ? {} : { decidedAt: t(v.decidedAt) }),
          ...(v.outcome === undefined ? {} : { outcome: v.outcome, outcomeLabel: OUTCOME_LABELS[v.outcome] }),
          late: v.breached,
        };
      }),
    events: records.audit.flatMap((e) => {
      const label = EVENT_LABELS[e.type];
      return label === undefined ? [] : [{ type: e.type, at: t(e.at), label }];
    }),
    ...(app.returned === undefined
      ? {}
      : {
          returned: {
            at: t(app.returned.at),
            deadline: t(app.returned.deadline),
            ...(app.returned.note === undefined ? {} : { note: app.returned.note }),
            deficient: app.returned.deficient.map((id) => ({
              requirementId: id,
              label: permit.requirements.find((r) => r.id === id)?.label ?? id,
            })),
          },
        }),
    documents: permit.requirements.map((r) => {
      const submitted = app.documents?.[r.id];
      const current = latest.get(r.id);
      return {
        requirementId: r.id,
        label: r.label,
        required: isRequired(r, answers),
        mediaTypes: [...r.mediaTypes],
        maxSizeMb: r.maxSizeMb,
        ...(submitted === undefined ? {} : { submitted: versionView(submitted) }),
        ...(current === undefined ? {} : { latest: versionView(current) }),
        versions: records.versions.filter((v) => v.requirementId === r.id).map(versionView),
      };
    }),
    ...(app.issued === undefined
      ? {}
      : {
          decision: {
            document: app.issued.document,
            ...(app.issued.number === undefined ? {} : { number: app.issued.number }),
            issuedAt: t(app.issued.issuedAt),
            deemedGranted: app.deemedGranted !== undefined,
            downloadPath: `/applications/${app.id}/permit`,
          },
        }),
    survey: { requiredBeforeDownload: permit.surveyBeforeDownload, answered: records.surveyAnswered },
  };
}

export interface TrackView {
  trackingCode: string;
  permit: { code: string; name: string };
  status: ApplicationStatus;
  statusLabel: string;
  submittedAt?: LocalTime;
  currentStage?: { name: string; deadline: LocalTime };
  returnedUntil?: LocalTime;
  decidedAt?: LocalTime;
}

/** The public tracker: status and dates only; nothing that identifies the applicant. */
export function trackView(ctx: ViewContext, app: Application): TrackView {
  const t = (at: string): LocalTime => localTime(at, ctx.regency.timeZone, ctx.calendar);
  const stage =
    app.current === undefined ? undefined : ctx.permit.stages.find((s) => s.id === app.current?.stageId);
  return {
    trackingCode: app.trackingCode,
    permit: { code: ctx.permit.code, name: ctx.permit.name },
    status: app.status,
    statusLabel: STATUS_LABELS[app.status],
    ...(app.submittedAt === undefined ? {} : { submittedAt: t(app.submittedAt) }),
    ...(app.current === undefined
      ? {}
      : { currentStage: { name: stage?.name ?? app.current.stageId, deadline: t(app.current.deadline) } }),
    ...(app.returned === undefined ? {} : { returnedUntil: t(app.returned.deadline) }),
    ...(app.issued === undefined ? {} : { decidedAt: t(app.issued.issuedAt) }),
  };
}
