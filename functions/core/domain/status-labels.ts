/** What each status means to an applicant, in Bahasa Indonesia. */
import type { ApplicationStatus } from './application.ts';

export const STATUS_LABELS: Readonly<Record<ApplicationStatus, string>> = {
  draft: 'Draf (belum diajukan)',
  submitted: 'Diajukan',
  'in-progress': 'Sedang diproses',
  returned: 'Dikembalikan untuk dilengkapi',
  issued: 'Izin terbit',
  rejected: 'Ditolak',
  lapsed: 'Gugur (tidak dilengkapi tepat waktu)',
  withdrawn: 'Ditarik oleh pemohon',
  // An internal failure is the office's problem to solve; the applicant sees that it is being handled.
  'needs-attention': 'Sedang ditangani petugas',
};
