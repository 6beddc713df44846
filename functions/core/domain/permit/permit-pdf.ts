/**
 * The permit (SIKOT, SIPOT, SIKO...) and the rejection letter (surat penolakan) as PDFs, in Bahasa
 * Indonesia with the layout of a regency's letter. Pure: every value comes in as data (see
 * use-cases/issuance.ts for where each is taken from).
 */
import { Letter, type Letterhead, type SignatureBlock } from './letter-layout.ts';

export interface PermitHolder {
  name: string;
  birthPlace: string;
  /** In words: `5 Mei 1990`. */
  birthDate: string;
  profession: string;
  strNumber: string;
  practicePlace: string;
  practiceAddress: string;
}

export interface PermitDocument {
  letterhead: Letterhead;
  /** The permit's product name, e.g. `Surat Izin Kerja Okupasi Terapis (SIKOT)`. */
  title: string;
  number: string;
  legalBasis: readonly string[];
  holder: PermitHolder;
  /** The validity sentence, e.g. `5 (lima) tahun, sampai dengan 24 Februari 2031`. */
  validity: string;
  validityBasis: string;
  signature: SignatureBlock;
  /** What the QR code encodes: the verification URL with the signed token. */
  qrText: string;
  /** The verification URL printed under the QR code (without the token). */
  verifyUrl: string;
  deemedGranted?: string;
  /** A renewal: the number of the permit this one replaces. */
  supersedes?: string;
  at: Date;
}

export async function renderPermit(permit: PermitDocument): Promise<Uint8Array> {
  const letter = await Letter.create({
    title: `${permit.title} ${permit.number}`,
    subject: permit.title,
    author: permit.letterhead.officeName,
    at: permit.at,
  });
  await letter.letterhead(permit.letterhead);
  letter.centred(permit.title.toUpperCase(), 13, { bold: true, underline: true });
  letter.centred(`Nomor: ${permit.number}`, 11);
  letter.space(10);
  letter.paragraph('Dasar hukum:', 10.5, { bold: true });
  letter.numbered(permit.legalBasis);
  letter.space(8);
  letter.paragraph(`${permit.signature.title} memberikan izin kepada:`);
  letter.space(4);
  const { holder } = permit;
  letter.fields([
    ['Nama', holder.name],
    ['Tempat, tanggal lahir', `${holder.birthPlace}, ${holder.birthDate}`],
    ['Profesi', holder.profession],
    ['Nomor STR', holder.strNumber],
    ['Tempat praktik', holder.practicePlace],
    ['Alamat tempat praktik', holder.practiceAddress],
  ]);
  letter.space(4);
  letter.paragraph(
    `untuk menjalankan pekerjaan/praktik sebagai ${holder.profession} di tempat praktik tersebut di atas. ` +
      `Izin ini berlaku ${permit.validity}, sesuai ${permit.validityBasis}, sepanjang pemegang izin memenuhi ` +
      'ketentuan peraturan perundang-undangan.',
  );
  if (permit.supersedes !== undefined) {
    letter.space(4);
    letter.paragraph(
      `Izin ini merupakan perpanjangan dan menggantikan izin nomor ${permit.supersedes}, yang sejak tanggal penetapan izin ini tidak berlaku lagi.`,
      9.5,
    );
  }
  if (permit.deemedGranted !== undefined) {
    letter.space(4);
    letter.paragraph(permit.deemedGranted, 9.5);
  }
  letter.space(18);
  letter.signature(permit.signature, {
    text: permit.qrText,
    caption: ['Pindai kode QR untuk memeriksa keaslian izin ini, atau buka:', permit.verifyUrl],
  });
  letter.footer([
    'Dokumen ini diterbitkan secara elektronik dan disegel dengan tanda tangan digital kantor (ECDSA P-256). ' +
      'Keaslian dan status izin (berlaku atau dicabut) dapat diperiksa pada alamat verifikasi di atas.',
  ]);
  return letter.save();
}

export interface RejectionLetterDocument {
  letterhead: Letterhead;
  /** e.g. `Surat Izin Kerja Okupasi Terapis (SIKOT)`. */
  permitTitle: string;
  trackingCode: string;
  applicantName: string;
  /** In words. */
  submittedOn: string;
  /** The reasons the officials recorded, in order. */
  reasons: readonly string[];
  signature: SignatureBlock;
  at: Date;
}

export async function renderRejectionLetter(letterData: RejectionLetterDocument): Promise<Uint8Array> {
  const letter = await Letter.create({
    title: `Surat Penolakan ${letterData.trackingCode}`,
    subject: `Penolakan permohonan ${letterData.permitTitle}`,
    author: letterData.letterhead.officeName,
    at: letterData.at,
  });
  await letter.letterhead(letterData.letterhead);
  letter.centred('SURAT PENOLAKAN PERMOHONAN IZIN', 13, { bold: true, underline: true });
  letter.centred(`Nomor lacak permohonan: ${letterData.trackingCode}`, 11);
  letter.space(12);
  letter.paragraph(`Yth. Sdr./Sdri. ${letterData.applicantName}`);
  letter.paragraph(`Perihal: Permohonan ${letterData.permitTitle}`);
  letter.space(8);
  letter.paragraph(
    `Berdasarkan hasil pemeriksaan atas permohonan ${letterData.permitTitle} yang Saudara/i ajukan pada ` +
      `tanggal ${letterData.submittedOn}, dengan ini kami sampaikan bahwa permohonan tersebut tidak dapat ` +
      'dikabulkan dengan alasan sebagai berikut:',
  );
  letter.space(4);
  letter.numbered(
    letterData.reasons.length > 0 ? letterData.reasons : ['Tidak memenuhi persyaratan yang ditetapkan.'],
    10.5,
  );
  letter.space(8);
  letter.paragraph(
    'Saudara/i dapat mengajukan permohonan baru setelah memenuhi persyaratan. Apabila Saudara/i keberatan ' +
      'atas keputusan ini, keberatan dapat diajukan secara tertulis kepada pejabat yang menandatangani surat ' +
      'ini paling lama 21 (dua puluh satu) hari kerja sejak keputusan ini diumumkan (UU 30/2014 Pasal 77).',
  );
  letter.space(4);
  letter.paragraph('Demikian disampaikan untuk menjadi perhatian.');
  letter.space(18);
  letter.signature(letterData.signature);
  return letter.save();
}
