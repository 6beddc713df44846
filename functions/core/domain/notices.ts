/**
 * The plain-text notices of the workflow, in Bahasa Indonesia. Officials' decision links and the
 * full HTML mail come with the decision pages; these notices already say what is pending, where and
 * until when, and never contain the applicant's NIK or documents.
 */
import type { Regency, Stage } from '#config/regency-schema.ts';
import type { Application } from './application.ts';
import type { WorkingCalendar } from './calendar/calendar.ts';

type Notice = { subject: string; text: string };

export function noticeTexts(regency: Regency, cal: WorkingCalendar) {
  const footer = `\n\n--\n${regency.office.name}\nPesan ini dikirim otomatis oleh sistem perizinan satupintu.`;
  const ref = (app: Application): string => `Nomor lacak: ${app.trackingCode}\nJenis izin: ${app.permitCode}`;
  return {
    // The applicant's address is not confirmed yet: these two echo nothing the caller wrote (not even
    // the name), so the office's sender cannot carry someone else's words to a stranger.
    draftCreated: (app: Application): Notice => ({
      subject: `[${app.trackingCode}] Draf permohonan izin dibuat`,
      text: `Yth. Pemohon,\n\nDraf permohonan izin telah dibuat. Unggah dokumen persyaratan, lalu ajukan permohonan. Simpan nomor lacak ini untuk mengikuti permohonan Anda.\n\n${ref(app)}\n\nJika Anda tidak membuat permohonan ini, abaikan pesan ini.${footer}`,
    }),
    /** Goes only to the address the application was made with, and names nothing the caller wrote. */
    accessRecovered: (app: Application, accessToken: string): Notice => ({
      subject: `[${app.trackingCode}] Token akses baru permohonan izin`,
      text: `Yth. Pemohon,\n\nKami menerima permintaan token akses baru untuk permohonan berikut. Token akses Anda yang baru:\n\n${accessToken}\n\nGunakan token ini sebagai pengganti token sebelumnya; token sebelumnya tidak berlaku lagi. Jangan berikan token ini kepada siapa pun: dengan token ini permohonan Anda dapat dilihat, dilengkapi dan ditarik.\n\n${ref(app)}\n\nJika Anda tidak meminta token baru, simpan token ini dan abaikan pesan ini; bila berulang, hubungi kantor.${footer}`,
    }),
    received: (app: Application): Notice => ({
      subject: `[${app.trackingCode}] Permohonan izin diterima`,
      text: `Yth. Pemohon,\n\nPermohonan izin Anda telah kami terima${app.submittedAt ? ` pada ${cal.formatLocal(new Date(app.submittedAt))}` : ''} dan akan diproses sesuai standar pelayanan. Anda akan menerima e-mail setiap kali permohonan memerlukan tindakan Anda atau telah diputuskan.\n\n${ref(app)}${footer}`,
    }),
    stagePending: (app: Application, stage: Stage, deadline: Date): Notice => ({
      subject: `[${app.trackingCode}] Menunggu tindakan: ${stage.name}`,
      text: `Yth. Bapak/Ibu,\n\nPermohonan berikut menunggu tindakan Anda pada tahap "${stage.name}".\n\n${ref(app)}\nBatas waktu: ${cal.formatLocal(deadline)}${footer}`,
    }),
    reminder: (app: Application, stage: Stage, deadline: Date): Notice => ({
      subject: `[${app.trackingCode}] Pengingat: ${stage.name}`,
      text: `Yth. Bapak/Ibu,\n\nPengingat: permohonan berikut masih menunggu tindakan Anda pada tahap "${stage.name}".\n\n${ref(app)}\nBatas waktu: ${cal.formatLocal(deadline)}${footer}`,
    }),
    escalation: (app: Application, stage: Stage, deadline: Date, level: number): Notice => ({
      subject: `[${app.trackingCode}] Eskalasi tingkat ${level}: batas waktu tahap "${stage.name}" terlampaui`,
      text: `Yth. Bapak/Ibu,\n\nBatas waktu tahap "${stage.name}" telah terlampaui dan permohonan belum diproses. Mohon tindak lanjut.\n\n${ref(app)}\nBatas waktu tahap: ${cal.formatLocal(deadline)}${footer}`,
    }),
    returned: (app: Application, deadline: Date): Notice => ({
      subject: `[${app.trackingCode}] Berkas permohonan dikembalikan untuk dilengkapi`,
      text: `Yth. ${app.applicantName},\n\nBerkas permohonan Anda dikembalikan untuk dilengkapi${app.returned?.deficient.length ? `: ${app.returned.deficient.join(', ')}` : ''}.${app.returned?.note ? `\nCatatan petugas: ${app.returned.note}` : ''}\n\nLengkapi berkas paling lambat ${cal.formatLocal(deadline)}. Setelah batas waktu itu permohonan dinyatakan gugur.\n\n${ref(app)}${footer}`,
    }),
    lapsed: (app: Application): Notice => ({
      subject: `[${app.trackingCode}] Permohonan gugur`,
      text: `Yth. ${app.applicantName},\n\nPermohonan Anda dinyatakan gugur karena berkas tidak dilengkapi sampai batas waktu. Anda dapat mengajukan permohonan baru.\n\n${ref(app)}${footer}`,
    }),
    issued: (app: Application, document: 'permit' | 'rejection-letter'): Notice => ({
      subject:
        document === 'permit'
          ? `[${app.trackingCode}] Izin Anda telah terbit`
          : `[${app.trackingCode}] Keputusan atas permohonan Anda`,
      text:
        document === 'permit'
          ? `Yth. ${app.applicantName},\n\nIzin Anda telah terbit${app.permitNumber ? ` dengan nomor ${app.permitNumber}` : ''}${app.deemedGranted ? ` (dianggap dikabulkan menurut ${app.deemedGranted.legalBasis})` : ''}. Dokumen dapat diunduh melalui aplikasi.\n\n${ref(app)}${footer}`
          : `Yth. ${app.applicantName},\n\nPermohonan Anda tidak dapat dikabulkan. Surat penolakan beserta alasannya dapat diunduh melalui aplikasi.\n\n${ref(app)}${footer}`,
    }),
    attention: (app: Application, error: string): Notice => ({
      subject: `[${app.trackingCode}] Perlu penanganan administrator`,
      text: `Proses permohonan ${app.trackingCode} (${app.permitCode}) berhenti karena galat: ${error}.\nPeriksa riwayat eksekusi dan catatan permohonan.${footer}`,
    }),
  };
}
