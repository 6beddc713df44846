/**
 * Officials act from their mail. A link (official-links.ts) opens a page that changes nothing; only a
 * POST with a human choice acts, once:
 *
 * - `openLink`: what the page shows (the application, its documents, the SOP's instruction, the
 *   history, exactly the outcomes the stage allows), or why the link cannot act any more;
 * - `viewDocument`: a short-lived download of a document, each view recorded;
 * - `decideByLink`: checks the CSRF token, the choice and its inputs (a note for a return, rejection
 *   or send-back; the deficient documents of a return; an inspection's report), asks for a mailed code
 *   at signing stages, then records the decision with who, when and from where in one conditional
 *   write with its audit record, and hands it to the workflow;
 * - `reassign`: an administrator hands a pending stage to an acting official (Plt/Plh): earlier links
 *   die at once and the new official is mailed their own.
 */
import { createHash } from 'node:crypto';
import {
  needsSigningCode,
  type Official,
  type Outcome,
  type Permit,
  type Stage,
} from '#config/regency-schema.ts';
import type {
  Application,
  AuditEvent,
  Decision,
  PendingAction,
  StageReport,
  StageVisit,
  Visitor,
} from '../domain/application.ts';
import { OUTCOME_LABELS } from '../domain/application-view.ts';
import type { FieldError } from '../domain/field-error.ts';
import { detectMediaType } from '../domain/file-type.ts';
import { noticeTexts, stageInstruction } from '../domain/notices.ts';
import {
  csrfMatches,
  csrfTokenFor,
  hashCode,
  hashToken,
  judgeLink,
  LINK_TOKEN_PATTERN,
  type LinkVerdict,
  type OfficialLink,
} from '../domain/official-links.ts';
import type { Ports } from '../ports.ts';
import { deliver, mailId, outboxMail } from './mail.ts';
import { addressees, officialMails, submitDecision } from './stage-waits.ts';
import { permitOfApp, stageIn } from './workflow-steps.ts';

/** A signing code lives 10 minutes, allows 5 attempts, and a link may have 5 codes mailed. */
export const SIGNING_CODE = { ttlMinutes: 10, maxAttempts: 5, maxIssued: 5 } as const;
/** An inspection report travels in the form: API Gateway and Lambda bound the whole request to 6 MB. */
export const MAX_REPORT_BYTES = 4 * 1024 * 1024;
export const MAX_NOTE_LENGTH = 2000;
/** How long a presigned document download works (the view itself is recorded). */
const DOCUMENT_URL_SECONDS = 120;

const NOTE_REQUIRED: readonly Outcome[] = ['returnForCompletion', 'reject', 'revise'];

export interface OutcomeChoice {
  value: Outcome;
  label: string;
  needsNote: boolean;
}

export interface DecisionPageData {
  token: string;
  csrf: string;
  official: { id: string; name: string; roleLabel?: string };
  app: {
    trackingCode: string;
    permitName: string;
    applicantName: string;
    submittedAt?: string;
    /** A renewal: the number of the permit it replaces. */
    renews?: string;
  };
  stage: {
    id: string;
    name: string;
    instruction: string;
    deadline: string;
    late: boolean;
    produces: Array<{ id: string; label: string; upload: boolean }>;
  };
  outcomes: OutcomeChoice[];
  /** For a return: the requirements the official may mark deficient. */
  requirements: Array<{ id: string; label: string }>;
  documents: Array<{ ref: string; label: string; mediaType: string; sizeBytes: number; href: string }>;
  history: Array<{ at: string; label: string; actor?: string; note?: string }>;
  /** The stage's report the official must upload with the decision (an inspection's BAP). */
  report?: { outputId: string; label: string; maxBytes: number };
  signing: boolean;
  /** Set while a mailed code waits for confirmation. */
  challenge?: { outcomeLabel: string; note?: string; validUntil: string };
}

export type LinkProblem = {
  verdict: Exclude<LinkVerdict, { kind: 'usable' }>;
  /** Who decided and when, in words (only for `decided`). */
  decidedBy?: { name: string; at: string };
  trackingCode?: string;
};

export type LinkPage = { kind: 'page'; data: DecisionPageData } | { kind: 'problem'; problem: LinkProblem };

interface Resolved {
  link: OfficialLink;
  action: PendingAction;
  app: Application;
  permit: Permit;
  stage: Stage;
  official: Official;
}

type Resolution = { ok: true; r: Resolved } | { ok: false; problem: LinkProblem };

async function resolve(ports: Ports, token: string, at: Date): Promise<Resolution> {
  const unknown: Resolution = { ok: false, problem: { verdict: { kind: 'unknown' } } };
  if (!LINK_TOKEN_PATTERN.test(token)) return unknown;
  const link = await ports.links.get(hashToken(token));
  const action = link === undefined ? undefined : await ports.stages.getAction(link.actionId);
  const app = action === undefined ? undefined : await ports.applications.get(action.applicationId);
  const official = ports.regency.officials.find((o) => o.id === link?.officialId);
  if (link === undefined || action === undefined || app === undefined || official === undefined)
    return unknown;
  const verdict = judgeLink(link, action, at);
  if (verdict.kind !== 'usable') return { ok: false, problem: problemOf(ports, verdict, app) };
  const permit = permitOfApp(ports, app);
  return { ok: true, r: { link, action, app, permit, stage: stageIn(permit, action.stageId), official } };
}

const nameOf = (ports: Pick<Ports, 'regency'>, officialId: string): string =>
  ports.regency.officials.find((o) => o.id === officialId)?.name ?? officialId;

/** Why a link cannot act, with who decided and when in words when it was decided. */
function problemOf(
  ports: Pick<Ports, 'regency' | 'calendar'>,
  verdict: LinkProblem['verdict'],
  app: Application,
): LinkProblem {
  const decided = verdict.kind === 'decided' ? verdict.decision : undefined;
  return {
    verdict,
    trackingCode: app.trackingCode,
    ...(decided === undefined
      ? {}
      : {
          decidedBy: {
            name: decided.actorName ?? nameOf(ports, decided.actor),
            at: ports.calendar.formatLocal(new Date(decided.decidedAt)),
          },
        }),
  };
}

/** An audit record of something the link's official did at the stage, with where it came from. */
const officialEvent = (
  r: Pick<Resolved, 'app' | 'stage' | 'official'>,
  at: Date,
  type: AuditEvent['type'],
  visitor: Visitor,
  detail: Record<string, unknown>,
): AuditEvent => ({
  applicationId: r.app.id,
  at: at.toISOString(),
  type,
  stageId: r.stage.id,
  actor: r.official.id,
  ...(r.stage.role === undefined ? {} : { role: r.stage.role }),
  from: visitor,
  detail,
});

/** The words on each choice: an inspection recommends, a signing stage decides. */
export function outcomeLabel(stage: Stage, outcome: Outcome, permit: Permit): string {
  const target = permit.stages.find((s) => s.id === stage.outcomes[outcome]);
  switch (outcome) {
    case 'approve':
      if (stage.kind === 'inspection') return 'Memenuhi syarat (rekomendasi positif)';
      if (stage.kind === 'sign') return 'Setujui dan tetapkan';
      if (stage.kind === 'initial') return 'Paraf dan teruskan';
      return 'Setujui dan teruskan ke tahap berikutnya';
    case 'reject':
      if (stage.kind === 'inspection') return 'Tidak memenuhi syarat (rekomendasi negatif)';
      return 'Tolak permohonan';
    case 'returnForCompletion':
      return 'Kembalikan kepada pemohon untuk dilengkapi';
    case 'revise':
      return `Kembalikan draf untuk diperbaiki (ke tahap "${target?.name ?? stage.outcomes.revise}")`;
    default:
      return OUTCOME_LABELS[outcome];
  }
}

export function outcomeChoices(stage: Stage, permit: Permit): OutcomeChoice[] {
  return (Object.entries(stage.outcomes) as Array<[Outcome, string | undefined]>)
    .filter(([, target]) => target !== undefined)
    .map(([value]) => ({
      value,
      label: outcomeLabel(stage, value, permit),
      // An inspection's negative recommendation is not a refusal, but it still says why.
      needsNote: NOTE_REQUIRED.includes(value),
    }));
}

const reportOutput = (stage: Stage) => stage.produces.find((p) => p.upload);

async function pageData(ports: Ports, token: string, r: Resolved, at: Date): Promise<DecisionPageData> {
  const { app, permit, stage, official, link } = r;
  const visits = await ports.stages.listVisits(app.id);
  const role = ports.regency.roles.find((x) => x.id === stage.role);
  const deadline = new Date(app.current?.deadline ?? at.toISOString());
  const requirementLabel = (id: string) => permit.requirements.find((q) => q.id === id)?.label ?? id;
  const documents = Object.values(app.documents ?? {}).map((d) => ({
    ref: d.requirementId,
    label: requirementLabel(d.requirementId),
    mediaType: d.mediaType,
    sizeBytes: d.sizeBytes,
    href: `/o/${token}/documents/${encodeURIComponent(d.requirementId)}`,
  }));
  for (const visit of visits)
    for (const report of visit.reports ?? [])
      documents.push({
        ref: reportRef(visit.visit, report.outputId),
        label: `${stageIn(permit, visit.stageId).produces.find((p) => p.id === report.outputId)?.label ?? report.outputId} (${stageIn(permit, visit.stageId).name})`,
        mediaType: report.mediaType,
        sizeBytes: report.sizeBytes,
        href: `/o/${token}/documents/${encodeURIComponent(reportRef(visit.visit, report.outputId))}`,
      });
  const output = reportOutput(stage);
  const challenge = link.signing;
  const challengeLive = challenge !== undefined && challenge.expiresAt > at.toISOString();
  return {
    token,
    csrf: csrfTokenFor(token),
    official: { id: official.id, name: official.name, ...(role ? { roleLabel: role.label } : {}) },
    app: {
      trackingCode: app.trackingCode,
      permitName: permit.name,
      applicantName: app.applicantName,
      ...(app.submittedAt ? { submittedAt: ports.calendar.formatLocal(new Date(app.submittedAt)) } : {}),
      ...(app.renews === undefined ? {} : { renews: app.renews.number }),
    },
    stage: {
      id: stage.id,
      name: stage.name,
      instruction: stageInstruction(stage),
      deadline: ports.calendar.formatLocal(deadline),
      late: at > deadline,
      produces: stage.produces.map((p) => ({ id: p.id, label: p.label, upload: p.upload })),
    },
    outcomes: outcomeChoices(stage, permit),
    requirements: permit.requirements.map((q) => ({ id: q.id, label: q.label })),
    documents,
    history: history(ports, permit, visits),
    ...(output === undefined
      ? {}
      : { report: { outputId: output.id, label: output.label, maxBytes: MAX_REPORT_BYTES } }),
    signing: needsSigningCode(stage),
    ...(challengeLive && challenge !== undefined
      ? {
          challenge: {
            outcomeLabel: outcomeLabel(stage, challenge.outcome as Outcome, permit),
            ...(challenge.note === undefined ? {} : { note: challenge.note }),
            validUntil: ports.calendar.formatLocal(new Date(challenge.expiresAt)),
          },
        }
      : {}),
  };
}

const reportRef = (visit: number, outputId: string): string => `laporan-${visit}-${outputId}`;

function history(ports: Ports, permit: Permit, visits: StageVisit[]): DecisionPageData['history'] {
  const rows: DecisionPageData['history'] = [];
  for (const v of visits) {
    const stage = stageIn(permit, v.stageId);
    rows.push({
      at: ports.calendar.formatLocal(new Date(v.enteredAt)),
      label: `Masuk tahap "${stage.name}"`,
    });
    if (v.decidedAt !== undefined && v.outcome !== undefined)
      rows.push({
        at: ports.calendar.formatLocal(new Date(v.decidedAt)),
        label: `${stage.name}: ${outcomeLabel(stage, v.outcome, permit)}`,
        ...(v.decidedBy === undefined ? {} : { actor: nameOf(ports, v.decidedBy) }),
        ...(v.note === undefined ? {} : { note: v.note }),
      });
  }
  return rows;
}

/** GET and HEAD of a link: reads only. */
export async function openLink(ports: Ports, token: string, at: Date): Promise<LinkPage> {
  const resolved = await resolve(ports, token, at);
  if (!resolved.ok) return { kind: 'problem', problem: resolved.problem };
  return { kind: 'page', data: await pageData(ports, token, resolved.r, at) };
}

/** A document on the decision page: a short-lived download, the view recorded (who, when, from where). */
export async function viewDocument(
  ports: Ports,
  token: string,
  ref: string,
  visitor: Visitor,
  at: Date,
): Promise<{ kind: 'url'; url: string } | { kind: 'problem'; problem: LinkProblem } | { kind: 'not-found' }> {
  const resolved = await resolve(ports, token, at);
  if (!resolved.ok) return { kind: 'problem', problem: resolved.problem };
  const { app } = resolved.r;
  let found: { key: string; fileName: string; mediaType: string } | undefined;
  const document = app.documents?.[ref];
  if (document !== undefined)
    found = {
      key: document.objectKey,
      fileName: `${app.trackingCode}-${ref}${extension(document.mediaType)}`,
      mediaType: document.mediaType,
    };
  const report = /^laporan-(\d+)-(.+)$/.exec(ref);
  if (found === undefined && report !== null) {
    const visit = await ports.stages.getVisit(app.id, Number(report[1]));
    const stored = visit?.reports?.find((x) => x.outputId === report[2]);
    if (stored !== undefined)
      found = {
        key: stored.objectKey,
        fileName: `${app.trackingCode}-${ref}${extension(stored.mediaType)}`,
        mediaType: stored.mediaType,
      };
  }
  if (found === undefined) return { kind: 'not-found' };
  await ports.audit.append(officialEvent(resolved.r, at, 'document-viewed', visitor, { document: ref }));
  return {
    kind: 'url',
    url: await ports.files.presignDownload(found.key, found.fileName, DOCUMENT_URL_SECONDS, found.mediaType),
  };
}

const extension = (mediaType: string): string =>
  mediaType === 'application/pdf' ? '.pdf' : mediaType === 'image/png' ? '.png' : '.jpg';

export interface DecisionForm {
  csrf?: string;
  outcome?: string;
  note?: string;
  deficient?: string[];
  code?: string;
  /** Ask for a new code (the previous one expired or was lost). */
  resendCode?: boolean;
  report?: { bytes: Uint8Array; fileName: string };
}

export type DecideOutcome =
  | { kind: 'decided'; decision: Decision; stageName: string; outcomeLabel: string; trackingCode: string }
  | { kind: 'code-sent'; data: DecisionPageData }
  | { kind: 'invalid'; errors: FieldError[]; data: DecisionPageData; form: DecisionForm }
  | { kind: 'forbidden' }
  | { kind: 'problem'; problem: LinkProblem };

/** POST of a link: the one place an official's choice becomes a decision. */
export async function decideByLink(
  ports: Ports,
  token: string,
  form: DecisionForm,
  visitor: Visitor,
  at: Date,
): Promise<DecideOutcome> {
  const resolved = await resolve(ports, token, at);
  if (!resolved.ok) return { kind: 'problem', problem: resolved.problem };
  if (!csrfMatches(token, form.csrf)) return { kind: 'forbidden' };
  const r = resolved.r;
  const invalid = async (errors: FieldError[]): Promise<DecideOutcome> => ({
    kind: 'invalid',
    errors,
    data: await pageData(ports, token, r, at),
    form,
  });
  if (form.code !== undefined || form.resendCode === true)
    return confirmCode(ports, token, form, visitor, at, r, invalid);

  const errors: FieldError[] = [];
  const choices = outcomeChoices(r.stage, r.permit);
  const choice = choices.find((c) => c.value === form.outcome);
  if (choice === undefined)
    errors.push({
      field: 'outcome',
      code: 'invalid',
      message:
        form.outcome === undefined || form.outcome === ''
          ? 'Pilih salah satu keputusan.'
          : 'Keputusan ini tidak tersedia pada tahap ini.',
    });
  const note = form.note?.trim() ?? '';
  if (note.length > MAX_NOTE_LENGTH)
    errors.push({
      field: 'note',
      code: 'invalid',
      message: `Catatan paling banyak ${MAX_NOTE_LENGTH} karakter.`,
    });
  if (choice?.needsNote === true && note === '')
    errors.push({
      field: 'note',
      code: 'invalid',
      message: 'Tuliskan alasan atau catatan untuk keputusan ini.',
    });
  const deficient = [...new Set(form.deficient ?? [])];
  if (choice?.value === 'returnForCompletion') {
    if (deficient.length === 0)
      errors.push({
        field: 'deficient',
        code: 'invalid',
        message: 'Pilih dokumen yang perlu diperbaiki pemohon.',
      });
    for (const id of deficient)
      if (!r.permit.requirements.some((q) => q.id === id))
        errors.push({ field: 'deficient', code: 'invalid', message: `Persyaratan '${id}' tidak dikenal.` });
  }
  const output = reportOutput(r.stage);
  let reportBytes: { bytes: Uint8Array; mediaType: StageReport['mediaType'] } | undefined;
  if (output !== undefined) {
    const file = form.report;
    const mediaType = file === undefined ? undefined : detectMediaType(file.bytes.subarray(0, 8));
    if (file === undefined || file.bytes.length === 0)
      errors.push({ field: 'report', code: 'invalid', message: `Unggah ${output.label}.` });
    else if (file.bytes.length > MAX_REPORT_BYTES)
      errors.push({ field: 'report', code: 'invalid', message: 'Berkas laporan melebihi 4 MB.' });
    else if (mediaType === undefined)
      errors.push({ field: 'report', code: 'invalid', message: 'Berkas laporan harus PDF, JPEG atau PNG.' });
    else reportBytes = { bytes: file.bytes, mediaType };
  }
  if (errors.length > 0 || choice === undefined) return invalid(errors);

  if (needsSigningCode(r.stage)) {
    return sendCode(ports, token, r, { outcome: choice.value, note, deficient }, visitor, at);
  }
  const reports =
    output === undefined || reportBytes === undefined
      ? []
      : [await storeReport(ports, r, output.id, reportBytes, token)];
  return record(ports, r, { outcome: choice.value, note, deficient, reports }, visitor, at);
}

async function storeReport(
  ports: Ports,
  r: Resolved,
  outputId: string,
  file: { bytes: Uint8Array; mediaType: StageReport['mediaType'] },
  token: string,
): Promise<StageReport> {
  const sha256 = createHash('sha256').update(file.bytes).digest('hex');
  // Keyed by the link and the content: a double click stores one object; another official's upload another.
  const objectKey = `applications/${r.app.id}/reports/${r.action.visit}/${outputId}-${hashToken(token).slice(0, 12)}-${sha256.slice(0, 16)}${extension(file.mediaType)}`;
  await ports.files.put(objectKey, file.bytes, file.mediaType);
  return { outputId, objectKey, mediaType: file.mediaType, sizeBytes: file.bytes.length, sha256 };
}

async function record(
  ports: Ports,
  r: Resolved,
  choice: { outcome: Outcome; note: string; deficient: string[]; reports: StageReport[] },
  visitor: Visitor,
  at: Date,
): Promise<DecideOutcome> {
  const decision: Decision = {
    outcome: choice.outcome,
    actor: r.official.id,
    actorName: r.official.name,
    decidedAt: at.toISOString(),
    ...(choice.note === '' ? {} : { note: choice.note }),
    ...(choice.outcome === 'returnForCompletion' ? { deficient: choice.deficient } : {}),
    ...(choice.reports.length === 0 ? {} : { reports: choice.reports }),
  };
  const audit = officialEvent(r, at, 'decision-recorded', visitor, {
    outcome: choice.outcome,
    visit: r.action.visit,
    link: r.link.purpose,
    ...(choice.reports.length === 0 ? {} : { reports: choice.reports.map((x) => x.sha256) }),
  });
  const result = await submitDecision(ports, r.action.id, decision, {
    audit,
    linkCreatedAt: r.link.createdAt,
  });
  if (result === 'accepted')
    return {
      kind: 'decided',
      decision,
      stageName: r.stage.name,
      outcomeLabel: outcomeLabel(r.stage, choice.outcome, r.permit),
      trackingCode: r.app.trackingCode,
    };
  // Lost a race: another official (or another click) decided first, or a reassignment came first.
  const action = await ports.stages.getAction(r.action.id);
  const verdict = judgeLink(r.link, action, at);
  return {
    kind: 'problem',
    problem: problemOf(ports, verdict.kind === 'usable' ? { kind: 'moved-on' } : verdict, r.app),
  };
}

/** Six digits from the port's random source (uniform enough: 2^32 mod 10^6 bias is below 0.03 %). */
function sixDigits(ports: Pick<Ports, 'randomBytes'>): string {
  const b = ports.randomBytes(4);
  const n = (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
  return String(n % 1_000_000).padStart(6, '0');
}

async function sendCode(
  ports: Ports,
  token: string,
  r: Resolved,
  choice: { outcome: Outcome; note: string; deficient: string[] },
  visitor: Visitor,
  at: Date,
): Promise<DecideOutcome> {
  const issued = (r.link.signing?.issued ?? 0) + 1;
  if (issued > SIGNING_CODE.maxIssued)
    return {
      kind: 'invalid',
      errors: [
        {
          field: 'code',
          code: 'invalid',
          message: 'Terlalu banyak kode diminta untuk tautan ini. Hubungi administrator.',
        },
      ],
      data: await pageData(ports, token, r, at),
      form: {},
    };
  const code = sixDigits(ports);
  const validUntil = new Date(at.getTime() + SIGNING_CODE.ttlMinutes * 60_000);
  await ports.links.setSigning(r.link.hash, {
    codeHash: hashCode(r.link.hash, code),
    expiresAt: validUntil.toISOString(),
    attempts: 0,
    issued,
    outcome: choice.outcome,
    ...(choice.note === '' ? {} : { note: choice.note }),
    ...(choice.deficient.length === 0 ? {} : { deficient: choice.deficient }),
  });
  // To the address the office has for this official, never to whoever holds the link.
  const id = mailId(r.app.id, 'signing-code', r.link.hash.slice(0, 16), issued);
  await ports.changes.commit(
    {
      audit: [officialEvent(r, at, 'signing-code-sent', visitor, { outcome: choice.outcome, n: issued })],
      mail: [
        outboxMail(id, r.app.id, {
          to: [r.official.email],
          ...noticeTexts(ports.regency, ports.calendar).signingCode(r.app, r.stage, code, validUntil),
        }),
      ],
    },
    at.toISOString(),
  );
  await deliver(ports, [id]);
  const link = await ports.links.get(r.link.hash);
  return { kind: 'code-sent', data: await pageData(ports, token, { ...r, link: link ?? r.link }, at) };
}

async function confirmCode(
  ports: Ports,
  token: string,
  form: DecisionForm,
  visitor: Visitor,
  at: Date,
  r: Resolved,
  invalid: (errors: FieldError[]) => Promise<DecideOutcome>,
): Promise<DecideOutcome> {
  const challenge = r.link.signing;
  if (challenge === undefined)
    return invalid([
      {
        field: 'code',
        code: 'invalid',
        message: 'Tidak ada kode yang menunggu konfirmasi. Pilih keputusan lagi.',
      },
    ]);
  if (form.resendCode === true)
    return sendCode(
      ports,
      token,
      r,
      {
        outcome: challenge.outcome as Outcome,
        note: challenge.note ?? '',
        deficient: challenge.deficient ?? [],
      },
      visitor,
      at,
    );
  if (challenge.expiresAt <= at.toISOString())
    return invalid([{ field: 'code', code: 'invalid', message: 'Kode sudah kedaluwarsa. Minta kode baru.' }]);
  if (!(await ports.links.countAttempt(r.link.hash, SIGNING_CODE.maxAttempts)))
    return invalid([
      { field: 'code', code: 'invalid', message: 'Terlalu banyak percobaan. Minta kode baru.' },
    ]);
  const code = (form.code ?? '').replace(/\s+/g, '');
  if (!/^\d{6}$/.test(code) || hashCode(r.link.hash, code) !== challenge.codeHash) {
    const left = SIGNING_CODE.maxAttempts - challenge.attempts - 1;
    return invalid([
      {
        field: 'code',
        code: 'invalid',
        message: left > 0 ? `Kode salah. Sisa percobaan: ${left}.` : 'Kode salah. Minta kode baru.',
      },
    ]);
  }
  return record(
    ports,
    r,
    {
      outcome: challenge.outcome as Outcome,
      note: challenge.note ?? '',
      deficient: challenge.deficient ?? [],
      reports: [],
    },
    visitor,
    at,
  );
}

export type ReassignResult =
  | { kind: 'reassigned'; actionId: string; mailIds: string[] }
  | { kind: 'unknown-application' }
  | { kind: 'not-pending'; currentStage?: string }
  | { kind: 'unknown-official' };

/**
 * An administrator hands a pending stage to an acting official (Plt/Plh). Links minted before this
 * instant die at once (the action records the instant; a decision through an older link fails its
 * condition even if it raced this). The new official is mailed their own link.
 */
export async function reassign(
  ports: Ports,
  input: {
    trackingCode: string;
    stageId: string;
    officialId: string;
    actor: string;
    at: Date;
    from?: Visitor;
  },
): Promise<ReassignResult> {
  const id = await ports.applications.idForTrackingCode(input.trackingCode);
  const app = id === undefined ? undefined : await ports.applications.get(id);
  if (app === undefined) return { kind: 'unknown-application' };
  const official = ports.regency.officials.find((o) => o.id === input.officialId);
  if (official === undefined) return { kind: 'unknown-official' };
  const current = app.current;
  if (current === undefined || current.stageId !== input.stageId)
    return { kind: 'not-pending', ...(current ? { currentStage: current.stageId } : {}) };
  const action = await ports.stages.getAction(current.pendingActionId);
  if (action === undefined || action.status !== 'open')
    return { kind: 'not-pending', currentStage: current.stageId };
  const permit = permitOfApp(ports, app);
  const stage = stageIn(permit, current.stageId);
  const previous = addressees(ports, action, stage).map((o) => o.id);
  const at = input.at.toISOString();
  const done = await ports.stages.reassign(action.id, [official.id], at, {
    applicationId: app.id,
    at,
    type: 'reassigned',
    stageId: stage.id,
    actor: input.actor,
    ...(input.from === undefined ? {} : { from: input.from }),
    detail: { from: previous, to: official.id, visit: action.visit },
  });
  if (!done) return { kind: 'not-pending', currentStage: current.stageId };
  const deadline = new Date(current.deadline);
  const mail = officialMails(ports, {
    app,
    action: { ...action, assignees: [official.id] },
    officials: [official],
    purpose: 'reassigned',
    idParts: ['reassigned', action.id, at],
    deadline,
    at: input.at,
    notice: noticeTexts(ports.regency, ports.calendar).reassigned(app, stage, deadline, ports.publicBaseUrl),
  });
  await ports.changes.commit({ mail }, at);
  const ids = mail.map((m) => m.id);
  await deliver(ports, ids);
  return { kind: 'reassigned', actionId: action.id, mailIds: ids };
}
