/**
 * The notices of the product, in Bahasa Indonesia, each an HTML part and a plain-text part rendered
 * from one content (mail-layout.tsx). Officials' notices carry their own decision link (a placeholder
 * until the mail is sent); no notice ever contains the applicant's NIK, birth date or documents.
 */
import type { Permit, Regency, Stage, StageKind } from '#config/regency-schema.ts';
import type { Application } from './application.ts';
import type { WorkingCalendar } from './calendar/calendar.ts';
import { LINK_PLACEHOLDER, type MailContent, type RenderedMail, renderMail } from './mail-layout.tsx';

export type Notice = RenderedMail;

const KIND_INSTRUCTIONS: Readonly<Record<StageKind, string>> = {
  'completeness-check': 'Periksa kelengkapan dokumen persyaratan permohonan.',
  verification: 'Verifikasi kebenaran data dan dokumen permohonan.',
  'decide-inspection': 'Putuskan apakah permohonan memerlukan pemeriksaan lapangan.',
  'schedule-inspection': 'Jadwalkan pemeriksaan lapangan.',
  inspection: 'Lakukan pemeriksaan lapangan, lalu unggah berita acaranya bersama keputusan.',
  draft: 'Susun draf dokumen keputusan.',
  initial: 'Periksa dan paraf draf dokumen keputusan.',
  sign: 'Periksa dan tetapkan (tanda tangani) dokumen keputusan.',
  number: 'Penomoran dokumen (otomatis).',
  issue: 'Penerbitan dokumen (otomatis).',
};

/** What the acting official is asked to do at a stage (the SOP's own words when configured). */
export const stageInstruction = (stage: Stage): string => stage.instruction ?? KIND_INSTRUCTIONS[stage.kind];

/** The link in an official's notice: their own, minted when the mail is sent. */
export const decisionLinkUrl = (baseUrl: string): string =>
  `${baseUrl.replace(/\/+$/, '')}/o/${LINK_PLACEHOLDER}`;

export function noticeTexts(regency: Regency, cal: WorkingCalendar) {
  const office = regency.office.name;
  const permitName = (app: Application): string =>
    regency.permits.find((p: Permit) => p.code === app.permitCode)?.name ?? app.permitCode;
  const ref = (app: Application): Array<[string, string]> => [
    ['Nomor lacak', app.trackingCode],
    ['Jenis izin', permitName(app)],
  ];
  const mail = (c: Omit<MailContent, 'office'>): Notice => renderMail({ ...c, office });
  const officialFacts = (app: Application, stage: Stage, deadline: Date): Array<[string, string]> => [
    ...ref(app),
    ['Pemohon', app.applicantName],
    ['Tahap', stage.name],
    ['Batas waktu', cal.formatLocal(deadline)],
  ];
  const decisionAction = (baseUrl: string) => ({
    label: 'Buka halaman keputusan',
    url: decisionLinkUrl(baseUrl),
    note: 'Tautan ini khusus untuk Anda: jangan diteruskan. Membuka tautan tidak mengubah apa pun; keputusan baru tercatat setelah Anda memilih dan mengonfirmasi.',
  });
  return {
    // The applicant's address is not confirmed yet: these two echo nothing the caller wrote (not even
    // the name), so the office's sender cannot carry someone else's words to a stranger.
    draftCreated: (app: Application): Notice =>
      mail({
        subject: `[${app.trackingCode}] Draf permohonan izin dibuat`,
        greeting: 'Yth. Pemohon,',
        paragraphs: [
          'Draf permohonan izin telah dibuat. Unggah dokumen persyaratan, lalu ajukan permohonan. Simpan nomor lacak ini untuk mengikuti permohonan Anda.',
          'Jika Anda tidak membuat permohonan ini, abaikan pesan ini.',
        ],
        facts: ref(app),
      }),
    /** Goes only to the address the application was made with, and names nothing the caller wrote. */
    accessRecovered: (app: Application, accessToken: string): Notice =>
      mail({
        subject: `[${app.trackingCode}] Token akses baru permohonan izin`,
        greeting: 'Yth. Pemohon,',
        paragraphs: [
          'Kami menerima permintaan token akses baru untuk permohonan berikut. Token akses Anda yang baru:',
          accessToken,
          'Gunakan token ini sebagai pengganti token sebelumnya; token sebelumnya tidak berlaku lagi. Jangan berikan token ini kepada siapa pun: dengan token ini permohonan Anda dapat dilihat, dilengkapi dan ditarik.',
          'Jika Anda tidak meminta token baru, simpan token ini dan abaikan pesan ini; bila berulang, hubungi kantor.',
        ],
        facts: ref(app),
      }),
    received: (app: Application): Notice =>
      mail({
        subject: `[${app.trackingCode}] Permohonan izin diterima`,
        greeting: 'Yth. Pemohon,',
        paragraphs: [
          `Permohonan izin Anda telah kami terima${app.submittedAt ? ` pada ${cal.formatLocal(new Date(app.submittedAt))}` : ''} dan akan diproses sesuai standar pelayanan. Anda akan menerima e-mail setiap kali permohonan memerlukan tindakan Anda atau telah diputuskan.`,
        ],
        facts: ref(app),
      }),
    stagePending: (app: Application, stage: Stage, deadline: Date, baseUrl: string): Notice =>
      mail({
        subject: `[${app.trackingCode}] Menunggu tindakan Anda: ${stage.name}`,
        greeting: 'Yth. Bapak/Ibu,',
        paragraphs: [`Permohonan berikut menunggu tindakan Anda. ${stageInstruction(stage)}`],
        facts: officialFacts(app, stage, deadline),
        action: decisionAction(baseUrl),
      }),
    reminder: (app: Application, stage: Stage, deadline: Date, baseUrl: string): Notice =>
      mail({
        subject: `[${app.trackingCode}] Pengingat: ${stage.name}`,
        greeting: 'Yth. Bapak/Ibu,',
        paragraphs: [
          `Pengingat: permohonan berikut masih menunggu tindakan Anda. ${stageInstruction(stage)}`,
        ],
        facts: officialFacts(app, stage, deadline),
        action: decisionAction(baseUrl),
      }),
    /** To the supervisor (with their own link: they may decide in the official's place). */
    escalation: (app: Application, stage: Stage, deadline: Date, level: number, baseUrl: string): Notice =>
      mail({
        subject: `[${app.trackingCode}] Eskalasi tingkat ${level}: batas waktu tahap "${stage.name}" terlampaui`,
        greeting: 'Yth. Bapak/Ibu,',
        paragraphs: [
          `Batas waktu tahap "${stage.name}" telah terlampaui dan permohonan belum diproses. Mohon tindak lanjut: ingatkan pejabat yang bertugas, ambil alih keputusan melalui tautan di bawah, atau minta administrator menugaskan pelaksana tugas (Plt/Plh).`,
        ],
        facts: officialFacts(app, stage, deadline),
        action: decisionAction(baseUrl),
      }),
    /** To the administrators, past the head of office: they reassign, they do not decide. */
    escalationToAdministrators: (app: Application, stage: Stage, deadline: Date, level: number): Notice =>
      mail({
        subject: `[${app.trackingCode}] Eskalasi tingkat ${level}: batas waktu tahap "${stage.name}" terlampaui`,
        greeting: 'Yth. Administrator,',
        paragraphs: [
          `Batas waktu tahap "${stage.name}" telah terlampaui dan eskalasi sudah sampai pimpinan tertinggi kantor. Tugaskan pelaksana tugas (Plt/Plh) untuk tahap ini dengan perintah operator: npm run admin -- reassign ${app.trackingCode} ${stage.id} <id pejabat>.`,
        ],
        facts: officialFacts(app, stage, deadline),
      }),
    reassigned: (app: Application, stage: Stage, deadline: Date, baseUrl: string): Notice =>
      mail({
        subject: `[${app.trackingCode}] Penugasan: ${stage.name}`,
        greeting: 'Yth. Bapak/Ibu,',
        paragraphs: [
          `Administrator menugaskan Anda sebagai pelaksana tugas untuk tahap berikut. ${stageInstruction(stage)}`,
        ],
        facts: officialFacts(app, stage, deadline),
        action: decisionAction(baseUrl),
      }),
    signingCode: (app: Application, stage: Stage, code: string, validUntil: Date): Notice =>
      mail({
        subject: `[${app.trackingCode}] Kode konfirmasi ${code}`,
        greeting: 'Yth. Bapak/Ibu,',
        paragraphs: [
          `Kode konfirmasi keputusan Anda pada tahap "${stage.name}": ${code}`,
          `Kode berlaku sampai ${cal.formatLocal(validUntil)} dan hanya untuk keputusan yang baru saja Anda pilih. Jika Anda tidak sedang mengambil keputusan, abaikan pesan ini dan beri tahu administrator.`,
        ],
        facts: ref(app),
      }),
    returned: (app: Application, deadline: Date, deficientLabels: string[]): Notice =>
      mail({
        subject: `[${app.trackingCode}] Berkas permohonan dikembalikan untuk dilengkapi`,
        greeting: `Yth. ${app.applicantName},`,
        paragraphs: [
          'Berkas permohonan Anda dikembalikan untuk dilengkapi.',
          ...(app.returned?.note ? [`Catatan petugas: ${app.returned.note}`] : []),
          `Lengkapi berkas paling lambat ${cal.formatLocal(deadline)} dengan mengunggah dokumen yang diperbaiki lalu mengajukan ulang permohonan. Setelah batas waktu itu permohonan dinyatakan gugur.`,
        ],
        list: { title: 'Dokumen yang perlu diperbaiki:', items: deficientLabels },
        facts: ref(app),
      }),
    lapsed: (app: Application): Notice =>
      mail({
        subject: `[${app.trackingCode}] Permohonan gugur`,
        greeting: `Yth. ${app.applicantName},`,
        paragraphs: [
          'Permohonan Anda dinyatakan gugur karena berkas tidak dilengkapi sampai batas waktu. Anda dapat mengajukan permohonan baru.',
        ],
        facts: ref(app),
      }),
    issued: (
      app: Application,
      document: 'permit' | 'rejection-letter',
      extras: { reasons?: string[]; surveyFirst?: boolean } = {},
    ): Notice =>
      document === 'permit'
        ? mail({
            subject: `[${app.trackingCode}] Izin Anda telah terbit`,
            greeting: `Yth. ${app.applicantName},`,
            paragraphs: [
              `Izin Anda telah terbit${app.permitNumber ? ` dengan nomor ${app.permitNumber}` : ''}${app.deemedGranted ? ` (dianggap dikabulkan menurut ${app.deemedGranted.legalBasis})` : ''}.`,
              extras.surveyFirst
                ? `Cara mengunduh: isi survei kepuasan masyarakat terlebih dahulu (POST /applications/${app.id}/survey), lalu unduh dokumen melalui GET /applications/${app.id}/permit dengan token akses Anda.`
                : `Cara mengunduh: unduh dokumen melalui GET /applications/${app.id}/permit dengan token akses Anda.`,
            ],
            facts: ref(app),
          })
        : mail({
            subject: `[${app.trackingCode}] Keputusan atas permohonan Anda`,
            greeting: `Yth. ${app.applicantName},`,
            paragraphs: [
              `Permohonan Anda tidak dapat dikabulkan. Surat penolakan beserta alasannya dapat diunduh melalui GET /applications/${app.id}/permit dengan token akses Anda.`,
            ],
            list: { title: 'Alasan penolakan:', items: extras.reasons ?? [] },
            facts: ref(app),
          }),
    attention: (app: Application, error: string): Notice =>
      mail({
        subject: `[${app.trackingCode}] Perlu penanganan administrator`,
        greeting: 'Yth. Administrator,',
        paragraphs: [
          `Proses permohonan ${app.trackingCode} (${app.permitCode}) berhenti karena galat: ${error}. Periksa riwayat eksekusi dan catatan permohonan.`,
        ],
      }),
  };
}
