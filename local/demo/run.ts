/**
 * `npm run demo`: for each permit of the running regency, one application walked through the real
 * system as people would: the applicant reads the catalogue, fills in the form, uploads every required
 * document as a real file (and one file that is not what it claims to be) and submits; then each
 * official finds the stage's mail in the local mailbox, opens its link and decides on the page
 * (./officials.ts), with a report file where the page asks for one and the mailed code at signing
 * stages, until the permit is issued; the applicant answers the survey and downloads the document.
 * The first application is returned once for completion and resubmitted by the applicant; a second
 * application of the first permit is rejected.
 *
 * Everything goes through the HTTP API, the presigned storage URLs, the decision pages and the
 * mailbox's JSON store. The only other thing read is the regency's configuration: for the region code
 * an applicant's NIK starts with, and for which stage's rejection ends the application (what the
 * official knows from the SOP).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import {
  applicationResponse,
  documentVersionResponse,
  downloadResponse,
  draftCreatedResponse,
  healthResponse,
  type localTimeSchema,
  permitsResponse,
  submissionResponse,
  surveyResponse,
  trackResponse,
  uploadGrantedResponse,
} from '#api/schemas.ts';
import { loadRegency } from '#config/load.ts';
import { SURVEY_ELEMENTS } from '#core/domain/survey.ts';
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
import {
  type Choice,
  type DecisionMade,
  type DecisionPage,
  decideFromMail,
  type MailboxReader,
  newMail,
} from './officials.ts';

type LocalTime = z.output<typeof localTimeSchema>;
type Permit = z.output<typeof permitsResponse>['permits'][number];
type Requirement = Permit['requirements'][number];
type ApplicationView = z.output<typeof applicationResponse>;

export interface DemoOptions {
  /** Where progress lines go (default: stdout). */
  print?: (line: string) => void;
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
  /** Every decision, in order, each made from an official's mail link. */
  decisions: DecisionMade[];
  /** Subjects of the applicant's mails the demo read (return, issued, rejected). */
  applicantMails: string[];
  /** Where the application ended. */
  final: { status: string; statusLabel: string };
  /** The requirements replaced after a return, when the file was returned. */
  resubmitted?: string[];
  /** True for the application the demo has rejected. */
  rejection?: boolean;
  download?: DownloadedDocument;
}

export interface DownloadedDocument {
  document: 'permit' | 'rejection-letter';
  number: string | undefined;
  fileName: string;
  bytes: number;
  /** Under the stack's data directory, `demo/`. */
  savedTo: string;
}

export interface DemoOutcome {
  regency: { id: string; name: string };
  /** One per permit, each issued (the first after a return and a resubmission). */
  applications: WalkedApplication[];
  /** A second application of the first permit, rejected. */
  rejection: WalkedApplication;
  badUpload: BadUpload | undefined;
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
  let badUpload: BadUpload | undefined;

  /** One application, from the form to its first stage and the officials' mail. */
  const walkToFirstStage = async (
    permit: Permit,
    heading: string,
  ): Promise<{ walked: WalkedApplication; token: string }> => {
    print('');
    print(heading);
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

    const walked: WalkedApplication = {
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
      decisions: [],
      applicantMails: [],
      final: { status: view.status, statusLabel: view.statusLabel },
    };
    return { walked, token };
  };

  const box: MailboxReader = {
    storeUrl: endpoints.mailbox.storeUrl,
    since: Math.floor(Date.now() / 1000) - 5,
    timeoutMs,
  };
  const used = new Set<string>();
  const reportFile = (walked: WalkedApplication) => (label: string) =>
    pdfDocument(`${label}-${walked.trackingCode}`, label, [
      `Nomor lacak: ${walked.trackingCode}`,
      'Dokumen contoh yang dibuat oleh npm run demo, bukan dokumen asli.',
    ]);

  const readApplication = (id: string, token: string) =>
    api.expect('following the application', 200, applicationResponse, 'GET', `/applications/${id}`, {
      token,
    });

  /** Waits until the application leaves the stage it was at (or the status it had). */
  const movedOn = (id: string, token: string, from: string) =>
    poll(
      `waiting for the workflow to move on from ${from}`,
      async () => {
        const view = await readApplication(id, token);
        if (view.status === 'needs-attention')
          throw new DemoError(`${view.trackingCode} needs an administrator's attention: the workflow failed`);
        const at =
          view.status === 'in-progress'
            ? `${view.currentStage?.stageId}@${view.currentStage?.enteredAt.utc}`
            : view.status;
        return at === from || (view.status === 'in-progress' && view.currentStage === undefined)
          ? undefined
          : view;
      },
      timeoutMs,
    );

  const applicantMail = async (walked: WalkedApplication, subject: string): Promise<Mail> => {
    const mail = await newMail(
      box,
      `waiting for the applicant's mail "${subject}" (${walked.trackingCode})`,
      (m) => m.subject.startsWith(`[${walked.trackingCode}] ${subject}`),
      used,
    );
    walked.applicantMails.push(mail.subject);
    print(`  applicant's mail: "${mail.subject}"`);
    return mail;
  };

  /**
   * The officials decide every stage from their mail until the workflow ends. `plan` says where the
   * demo chooses something else than going forward: a return at the first stage that offers one, or
   * a rejection at the stage whose rejection ends in the rejection letter (the SOP says which).
   */
  const officialsDecide = async (
    walked: WalkedApplication,
    token: string,
    plan: { returnOnce?: boolean; reject?: boolean },
  ): Promise<ApplicationView> => {
    const permit = config.permits.find((p) => p.code === walked.permitCode);
    const rejectingStage = permit?.stages.find((s) => {
      const target = permit.stages.find((t) => t.id === s.outcomes.reject);
      return target?.kind === 'issue' && target.document === 'rejection-letter';
    });
    let returned = false;
    for (let step = 0; step < 60; step++) {
      const view = await readApplication(walked.applicationId, token);
      if (view.status === 'returned') {
        await resubmit(walked, token, view);
        continue;
      }
      const stage = view.currentStage;
      if (view.status !== 'in-progress' || stage === undefined) return view;
      const choose = (page: DecisionPage): Choice => {
        const offers = (value: string) => page.outcomes.some((o) => o.value === value);
        if (plan.returnOnce && !returned && offers('returnForCompletion')) {
          returned = true;
          const deficient = page.deficient.find((d) =>
            walked.documents.some((w) => w.requirementId === d.id),
          );
          return {
            outcome: 'returnForCompletion',
            note: 'Berkas kurang jelas: unggah ulang dokumen yang ditandai dengan hasil pindaian yang terbaca.',
            deficient: deficient === undefined ? [] : [deficient.id],
          };
        }
        if (plan.reject && stage.stageId === rejectingStage?.id && offers('reject'))
          return {
            outcome: 'reject',
            note: 'Tempat praktik belum memenuhi persyaratan sarana dan prasarana.',
          };
        for (const forward of ['approve', 'inspectionNeeded'])
          if (offers(forward)) return { outcome: forward };
        return { outcome: page.outcomes[0]?.value ?? '' };
      };
      const decision = await decideFromMail({
        box,
        used,
        trackingCode: walked.trackingCode,
        stageName: stage.name,
        enteredAt: new Date(stage.enteredAt.utc),
        choose,
        report: reportFile(walked),
      });
      walked.decisions.push(decision);
      print(
        `  "${stage.name}": ${decision.official} opens the link in "${decision.subject.replace(/^\[[^\]]+\] /, '')}"`,
      );
      print(
        `    GET ${new URL(decision.link).pathname.replace(/[A-Za-z0-9_-]{43}$/, '<token>')}: chooses "${decision.outcomeLabel}"${decision.note ? ` with the note "${decision.note}"` : ''}${decision.deficient.length ? `, deficient: ${decision.deficient.join(', ')}` : ''}${decision.report ? `, uploads ${decision.report}` : ''}`,
      );
      if (decision.code !== undefined)
        print(
          `    signing stage: the page asks for a code; "Kode konfirmasi ${decision.code}" arrives by mail and is typed in`,
        );
      print(`    POST: "${decision.answer}"`);
      await movedOn(walked.applicationId, token, `${stage.stageId}@${stage.enteredAt.utc}`);
    }
    throw new DemoError(`${walked.trackingCode} did not end within 60 decisions`);
  };

  /** The applicant reads the return mail, uploads new versions of the deficient documents and resubmits. */
  const resubmit = async (walked: WalkedApplication, token: string, view: ApplicationView): Promise<void> => {
    const returned = view.returned;
    if (returned === undefined) throw new DemoError(`${walked.trackingCode} is returned without the reasons`);
    await applicantMail(walked, 'Berkas permohonan dikembalikan');
    print(`  returned until ${returned.deadline.text}: "${returned.note ?? ''}"`);
    const permit = catalogue.permits.find((p) => p.code === walked.permitCode) as Permit;
    const applicant = applicantFor(permit, config);
    for (const deficient of returned.deficient) {
      const requirement = permit.requirements.find((r) => r.id === deficient.requirementId);
      if (requirement === undefined)
        throw new DemoError(`unknown deficient requirement ${deficient.requirementId}`);
      const file = fileFor(requirement, applicant, permit, catalogue.regency.name, { photoSent: true });
      const grant = await api.expect(
        `asking to upload a new ${requirement.id}`,
        201,
        uploadGrantedResponse,
        'POST',
        `/applications/${walked.applicationId}/documents/${requirement.id}`,
        { json: { mediaType: file.mediaType, sizeBytes: file.content.length }, token },
      );
      await putFile(grant.url, grant.headers, file.content);
      await api.expect(
        `confirming the new ${requirement.id}`,
        200,
        documentVersionResponse,
        'POST',
        grant.confirmPath,
        {
          token,
        },
      );
      print(
        `  the applicant uploads a new ${requirement.id} ("${deficient.label}"): ${file.fileName}, accepted`,
      );
    }
    const again = await api.request('POST', `/applications/${walked.applicationId}/resubmit`, { token });
    if (again.status !== 202)
      throw new DemoError(`resubmitting ${walked.trackingCode}: ${describeAnswer(again)}, expected 202`);
    walked.resubmitted = returned.deficient.map((d) => d.requirementId);
    print(`  POST /applications/${walked.applicationId}/resubmit: 202, back to the office`);
    await movedOn(walked.applicationId, token, 'returned');
  };

  /** The survey where the SOP asks for it first, then the document itself. */
  const download = async (
    walked: WalkedApplication,
    token: string,
    view: ApplicationView,
  ): Promise<DownloadedDocument> => {
    if (view.survey.requiredBeforeDownload && !view.survey.answered) {
      const scores = Object.fromEntries(SURVEY_ELEMENTS.map((e) => [e.id, 4]));
      const survey = await api.expect(
        'answering the survey',
        201,
        surveyResponse,
        'POST',
        `/applications/${walked.applicationId}/survey`,
        {
          json: { scores, comment: 'Pelayanan cepat dan jelas.' },
          token,
        },
      );
      print(
        `  POST /applications/${walked.applicationId}/survey (asked before the download): recorded, IKM ${survey.index.ikm.toFixed(2)} (${survey.index.bandLabel})`,
      );
    }
    const grant = await api.expect(
      'asking for the document',
      200,
      downloadResponse,
      'GET',
      `/applications/${walked.applicationId}/permit`,
      { token },
    );
    const response = await fetch(grant.url);
    const bytes = Buffer.from(await response.arrayBuffer());
    if (response.status !== 200 || bytes.subarray(0, 5).toString('latin1') !== '%PDF-')
      throw new DemoError(
        `downloading ${grant.fileName}: ${response.status}, ${bytes.length} bytes that are not a PDF`,
      );
    const dir = join(endpoints.dataDir, 'demo');
    mkdirSync(dir, { recursive: true });
    const savedTo = join(dir, grant.fileName);
    writeFileSync(savedTo, bytes);
    print(
      `  GET /applications/${walked.applicationId}/permit: ${grant.document}${grant.number ? ` ${grant.number}` : ''}, a ${bytes.length}-byte PDF saved to ${savedTo}`,
    );
    return {
      document: grant.document,
      number: grant.number,
      fileName: grant.fileName,
      bytes: bytes.length,
      savedTo,
    };
  };

  const finish = async (walked: WalkedApplication, token: string, view: ApplicationView): Promise<void> => {
    walked.final = { status: view.status, statusLabel: view.statusLabel };
    print(`  status: ${view.statusLabel} (${view.status})`);
    if (view.status === 'issued') await applicantMail(walked, 'Izin Anda telah terbit');
    if (view.status === 'rejected') await applicantMail(walked, 'Keputusan atas permohonan');
    if (view.decision !== undefined) walked.download = await download(walked, token, view);
  };

  for (const [index, permit] of catalogue.permits.entries()) {
    const { walked, token } = await walkToFirstStage(
      permit,
      `[${index + 1}/${catalogue.permits.length}] ${permit.code}: ${permit.name}`,
    );
    applications.push(walked);
    print(
      `  the officials decide from their mail${index === 0 ? ' (the first stage returns the file once)' : ''}:`,
    );
    await finish(walked, token, await officialsDecide(walked, token, { returnOnce: index === 0 }));
  }

  const first = catalogue.permits[0] as Permit;
  const rejected = await walkToFirstStage(first, `[rejection] ${first.code}: a second application, rejected`);
  rejected.walked.rejection = true;
  print('  the officials decide from their mail (one of them rejects it):');
  await finish(
    rejected.walked,
    rejected.token,
    await officialsDecide(rejected.walked, rejected.token, { reject: true }),
  );

  print('');
  print('Done');
  for (const a of [...applications, rejected.walked])
    print(
      `  ${a.permitCode} ${a.trackingCode}: ${a.final.statusLabel} after ${a.decisions.length} decision(s) from mail links${a.resubmitted ? `, one return and resubmission` : ''}${a.download ? `; ${a.download.fileName} downloaded` : ''}`,
    );
  print(`  every mail is in the mailbox: ${endpoints.mailbox.url}`);
  print(
    '  Not shown yet: the full permit PDF with its verification page (today a minimal PDF with the number and the decision).',
  );
  return {
    regency: { id: catalogue.regency.id, name: catalogue.regency.name },
    applications,
    rejection: rejected.walked,
    badUpload,
  };
}
