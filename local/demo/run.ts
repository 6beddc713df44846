/**
 * `npm run demo`: for each permit of the running regency, one application walked through the real
 * system as a person would: read the catalogue, fill in the form, upload every required document as a
 * real file (and one file that is not what it claims to be), submit, follow the application, and read
 * the officials' mail in the local mailbox. It goes as far as the product goes and then says where it
 * stops and why (./stopping-point.ts).
 *
 * Everything goes through the HTTP API, the presigned storage URLs and the mailbox's JSON store. The
 * only other thing read is the regency's configuration, for the one fact a real applicant knows and
 * the API does not publish: the region code their NIK starts with.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { routes as productRoutes, type RouteDefinition } from '#api/routes.ts';
import {
  applicationResponse,
  documentVersionResponse,
  draftCreatedResponse,
  healthResponse,
  type localTimeSchema,
  permitsResponse,
  submissionResponse,
  trackResponse,
  uploadGrantedResponse,
} from '#api/schemas.ts';
import { loadRegency } from '#config/load.ts';
import type { StackEndpoints } from '../stack.ts';
import { applicantFor, type DemoApplicant, maskNik } from './applicant.ts';
import {
  ApiClient,
  DemoError,
  describeAnswer,
  linksIn,
  listMail,
  type Mail,
  poll,
  putFile,
  recipientsOf,
} from './client.ts';
import { type DemoFile, imageDocument, pdfDocument, windowsExecutable } from './files.ts';
import { type NoticeSeen, type StoppingPoint, stoppingPoint } from './stopping-point.ts';

type LocalTime = z.output<typeof localTimeSchema>;
type Permit = z.output<typeof permitsResponse>['permits'][number];
type Requirement = Permit['requirements'][number];

export interface DemoOptions {
  /** Where progress lines go (default: stdout). */
  print?: (line: string) => void;
  /** The route table the stopping point is decided from (default: functions/api/routes.ts). */
  routes?: readonly RouteDefinition[];
  /** How long to wait for the workflow and for mail, per wait (default 30 s). */
  timeoutMs?: number;
}

export interface UploadedDocument {
  requirementId: string;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  uploadId: string;
}

export interface BadUpload {
  permitCode: string;
  applicationId: string;
  requirementId: string;
  fileName: string;
  uploadId: string;
  /** What the storage answered to the PUT (it stores whatever it is given). */
  storageStatus: number;
  /** What the API answered to the confirmation. */
  status: number;
  code: string | undefined;
  detail: string;
  /** Versions of the requirement the application showed right after the rejection. */
  versionsAfterRejection: number;
}

export interface WalkedApplication {
  permitCode: string;
  applicationId: string;
  trackingCode: string;
  answers: Record<string, boolean>;
  documents: UploadedDocument[];
  submittedStatus: string;
  status: string;
  statusLabel: string;
  currentStage: { stageId: string; name: string; roleLabel: string | undefined; deadline: LocalTime };
  overallDeadline: LocalTime | undefined;
  tracker: { statusLabel: string; stageName: string | undefined };
  officialsNotice: {
    to: string[];
    subject: string;
    /** The "Batas waktu" line of the mail, as the official reads it. */
    deadlineInMail: string | undefined;
    links: string[];
  };
}

export interface DemoOutcome {
  regency: { id: string; name: string };
  applications: WalkedApplication[];
  badUpload: BadUpload | undefined;
  stop: StoppingPoint;
}

const describeTime = (t: LocalTime): string => `${t.text} (${t.local}, ${t.timeZone})`;
const kind = (mediaType: string): string =>
  ({ 'application/pdf': 'PDF', 'image/jpeg': 'JPEG', 'image/png': 'PNG' })[mediaType] ?? mediaType;

/** Answers every question "yes", so that the conditional requirements are shown too. */
const answersFor = (permit: Permit): Record<string, boolean> =>
  Object.fromEntries(permit.questions.map((q) => [q.id, true]));

interface FileChoice {
  /** One document per application is sent as a phone photo (JPEG) where the requirement allows it. */
  photoSent: boolean;
}

function fileFor(
  requirement: Pick<Requirement, 'id' | 'label' | 'mediaTypes'>,
  applicant: DemoApplicant,
  permit: Permit,
  regencyName: string,
  choice: FileChoice,
): DemoFile {
  const accepts = (type: string) => requirement.mediaTypes.some((t) => t === type);
  const base = `${requirement.id}-${applicant.fullName}`;
  const image = accepts('image/jpeg') ? 'image/jpeg' : 'image/png';
  if (!accepts('application/pdf')) return imageDocument(base, image, true);
  if (!choice.photoSent && (accepts('image/jpeg') || accepts('image/png'))) {
    choice.photoSent = true;
    return imageDocument(base, image, false);
  }
  return pdfDocument(base, requirement.label, [
    `${permit.name} - ${regencyName}`,
    `Pemohon: ${applicant.fullName}`,
    `Persyaratan: ${requirement.label}`,
    '',
    'Dokumen contoh yang dibuat oleh npm run demo, bukan dokumen asli.',
  ]);
}

export async function runDemo(endpoints: StackEndpoints, options: DemoOptions = {}): Promise<DemoOutcome> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const timeoutMs = options.timeoutMs ?? 30_000;
  const api = new ApiClient(endpoints.api.url);

  await api.expect('checking the stack', 200, healthResponse, 'GET', '/health');
  if (endpoints.sfn === null)
    throw new DemoError(
      `the stack runs without the Step Functions service (${endpoints.notes.join('; ')}): a submission cannot start its workflow`,
    );
  const config = loadRegency(endpoints.regency).regency;

  const catalogue = await api.expect('reading the catalogue', 200, permitsResponse, 'GET', '/permits');
  print(`satupintu demo: ${catalogue.regency.name} (${catalogue.regency.id}), ${catalogue.office.name}`);
  print(`  API ${endpoints.api.url}   mailbox (open it in a browser) ${endpoints.mailbox.url}`);
  print(
    `  GET /permits: ${catalogue.permits.length} permit(s): ${catalogue.permits.map((p) => `${p.code} ${p.name}`).join('; ')}`,
  );

  const applications: WalkedApplication[] = [];
  const notices: NoticeSeen[] = [];
  let badUpload: BadUpload | undefined;

  for (const [index, permit] of catalogue.permits.entries()) {
    print('');
    print(`[${index + 1}/${catalogue.permits.length}] ${permit.code}: ${permit.name}`);
    const human = permit.stages.filter((s) => !s.automatic).length;
    const limit = [
      permit.limit.workingDays ? `${permit.limit.workingDays} working days` : '',
      permit.limit.officeMinutes ? `${permit.limit.officeMinutes} office minutes` : '',
    ]
      .filter(Boolean)
      .join(' ');
    print(
      `  SOP: ${permit.requirements.length} requirement(s), ${permit.stages.length} stages (${human} by officials), limit ${limit}`,
    );

    // ---- the form
    const applicant = applicantFor(permit, config);
    const answers = answersFor(permit);
    print(
      `  applicant: ${applicant.fullName}, NIK ${maskNik(applicant.nik)}, HP ${applicant.mobileNumber}, ${applicant.practicePlace.facilityName}`,
    );
    for (const question of permit.questions) {
      const unlocks = permit.requirements
        .filter((r) => r.requiredWhen?.answer === question.id)
        .map((r) => r.id);
      print(
        `  question "${question.label}": ya${unlocks.length ? ` (so ${unlocks.join(', ')} is required too)` : ''}`,
      );
    }
    const draft = await api.expect('creating the draft', 201, draftCreatedResponse, 'POST', '/applications', {
      json: { permitCode: permit.code, applicant, answers, personalDataConsent: true },
      headers: { 'idempotency-key': randomUUID() },
    });
    const token = draft.accessToken;
    print(
      `  POST /applications: 201 draft ${draft.trackingCode} (id ${draft.id}), ${draft.requirements.length} document(s) to upload`,
    );

    // ---- one file that is not what it claims to be, on the first application only
    if (badUpload === undefined) {
      const target = draft.requirements.find((r) => r.mediaTypes.includes('application/pdf'));
      const requirement = target ?? draft.requirements[0];
      if (requirement !== undefined) {
        const declared =
          target === undefined ? (requirement.mediaTypes[0] ?? 'application/pdf') : 'application/pdf';
        const content = windowsExecutable();
        const fileName = `${requirement.id}.${declared === 'application/pdf' ? 'pdf' : 'jpg'}`;
        print(
          `  deliberately bad upload for ${requirement.id}: a Windows program (MZ/PE header, ${content.length} bytes) renamed ${fileName}, declared ${declared}`,
        );
        const grant = await api.expect(
          'asking to upload the bad file',
          201,
          uploadGrantedResponse,
          'POST',
          `/applications/${draft.id}/documents/${requirement.id}`,
          { json: { mediaType: declared, sizeBytes: content.length }, token },
        );
        const storageStatus = await putFile(grant.url, grant.headers, content);
        print(`    PUT to the presigned URL: ${storageStatus} (storage keeps whatever it is given)`);
        const answer = await api.request('POST', grant.confirmPath, { token });
        if (answer.status === 200)
          throw new DemoError(
            `the server accepted an executable as ${requirement.id}: ${JSON.stringify(answer.body)}`,
          );
        const view = await api.expect(
          'reading the application after the rejection',
          200,
          applicationResponse,
          'GET',
          `/applications/${draft.id}`,
          { token },
        );
        const versions = view.documents.find((d) => d.requirementId === requirement.id)?.versions.length ?? 0;
        const problem = answer.body as { code?: string; detail?: string };
        badUpload = {
          permitCode: permit.code,
          applicationId: draft.id,
          requirementId: requirement.id,
          fileName,
          uploadId: grant.uploadId,
          storageStatus,
          status: answer.status,
          code: problem.code,
          detail: problem.detail ?? '',
          versionsAfterRejection: versions,
        };
        print(`    confirm: rejected by the server-side check: ${describeAnswer(answer)}`);
        print(
          `    the application shows ${versions} version(s) of ${requirement.id}: nothing of it was kept`,
        );
      }
    }

    // ---- every required document, as a real file
    const documents: UploadedDocument[] = [];
    const choice: FileChoice = { photoSent: false };
    for (const requirement of draft.requirements) {
      const file = fileFor(requirement, applicant, permit, catalogue.regency.name, choice);
      const grant = await api.expect(
        `asking to upload ${requirement.id}`,
        201,
        uploadGrantedResponse,
        'POST',
        `/applications/${draft.id}/documents/${requirement.id}`,
        { json: { mediaType: file.mediaType, sizeBytes: file.content.length }, token },
      );
      const storageStatus = await putFile(grant.url, grant.headers, file.content);
      if (storageStatus !== 200)
        throw new DemoError(`uploading ${requirement.id}: the storage answered ${storageStatus} to the PUT`);
      const version = await api.expect(
        `confirming ${requirement.id}`,
        200,
        documentVersionResponse,
        'POST',
        grant.confirmPath,
        { token },
      );
      documents.push({
        requirementId: requirement.id,
        fileName: file.fileName,
        mediaType: version.mediaType,
        sizeBytes: version.sizeBytes,
        uploadId: version.uploadId,
      });
      print(
        `  uploaded ${requirement.id} ("${requirement.label}"): ${file.fileName}, ${kind(version.mediaType)} ${version.sizeBytes} bytes, accepted`,
      );
    }

    // ---- submit, and follow it
    const mailSince = Math.floor(Date.now() / 1000) - 5;
    const submitted = await api.expect(
      'submitting',
      202,
      submissionResponse,
      'POST',
      `/applications/${draft.id}/submit`,
      { token },
    );
    print(
      `  POST /applications/${draft.id}/submit: 202 ${submitted.statusLabel}${submitted.submittedAt ? ` at ${describeTime(submitted.submittedAt)}` : ''}`,
    );
    const view = await poll(
      `waiting for ${draft.trackingCode} to reach its first stage`,
      async () => {
        const current = await api.expect(
          'following the application',
          200,
          applicationResponse,
          'GET',
          `/applications/${draft.id}`,
          {
            token,
          },
        );
        if (current.status === 'needs-attention')
          throw new DemoError(
            `${draft.trackingCode} needs an administrator's attention: the workflow failed`,
          );
        return current.currentStage === undefined ? undefined : current;
      },
      timeoutMs,
    );
    const stage = view.currentStage;
    if (stage === undefined) throw new DemoError('unreachable: polled until a current stage');
    print(
      `  status: ${view.statusLabel} (${view.status}); the mobile number was stored as ${view.applicant.mobileNumber}`,
    );
    print(`  stage: "${stage.name}"${stage.role ? `, by ${stage.role.label}` : ''}`);
    print(`    entered ${describeTime(stage.enteredAt)}`);
    print(`    deadline ${describeTime(stage.deadline)}`);
    if (view.overallDeadline)
      print(`  overall deadline of the office: ${describeTime(view.overallDeadline.deadline)}`);
    for (const event of view.events) print(`    ${event.at.text}  ${event.label}`);

    const tracker = await api.expect(
      'reading the public tracker',
      200,
      trackResponse,
      'GET',
      `/track/${encodeURIComponent(draft.trackingCode)}`,
    );
    print(
      `  GET /track/${draft.trackingCode} (public, no personal data): ${tracker.statusLabel}${tracker.currentStage ? `, "${tracker.currentStage.name}" until ${tracker.currentStage.deadline.text}` : ''}`,
    );

    // ---- the officials' mail
    const mail = await poll<Mail>(
      `waiting for the officials' notice of ${draft.trackingCode} in the mailbox`,
      async () =>
        (await listMail(endpoints.mailbox.storeUrl, mailSince))
          .filter((m) => m.subject.includes(`[${draft.trackingCode}]`) && m.subject.includes(stage.name))
          .sort((a, b) => a.at - b.at)[0],
      timeoutMs,
    );
    const deadlineInMail = /^Batas waktu[^:]*:\s*(.+)$/m.exec(mail.body.text ?? '')?.[1]?.trim();
    const links = linksIn(mail);
    const to = recipientsOf(mail);
    print(`  officials' notice in the mailbox, to ${to.join(', ')}:`);
    print(`    subject: ${mail.subject}`);
    print(
      `    "Batas waktu: ${deadlineInMail ?? '(no deadline line)'}"${deadlineInMail === stage.deadline.text ? ', the same deadline the applicant sees' : ''}`,
    );
    print(`    links in it: ${links.length === 0 ? 'none' : links.join(', ')}`);

    notices.push({
      permitCode: permit.code,
      trackingCode: draft.trackingCode,
      stageName: stage.name,
      roleLabel: stage.role?.label,
      to,
      links,
    });
    applications.push({
      permitCode: permit.code,
      applicationId: draft.id,
      trackingCode: draft.trackingCode,
      answers,
      documents,
      submittedStatus: submitted.status,
      status: view.status,
      statusLabel: view.statusLabel,
      currentStage: {
        stageId: stage.stageId,
        name: stage.name,
        roleLabel: stage.role?.label,
        deadline: stage.deadline,
      },
      overallDeadline: view.overallDeadline?.deadline,
      tracker: { statusLabel: tracker.statusLabel, stageName: tracker.currentStage?.name },
      officialsNotice: { to, subject: mail.subject, deadlineInMail, links },
    });
  }

  const stop = stoppingPoint(options.routes ?? productRoutes, notices);
  print('');
  for (const line of stop.lines) print(line);
  return {
    regency: { id: catalogue.regency.id, name: catalogue.regency.name },
    applications,
    badUpload,
    stop,
  };
}
