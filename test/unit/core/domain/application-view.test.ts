import { describe, expect, it } from 'vitest';
import { loadRegency } from '#config/load.ts';
import { applicantSchema } from '#core/domain/applicant.ts';
import type { Application, AuditEvent, StageVisit, SubmittedDocument } from '#core/domain/application.ts';
import { applicationView, trackView } from '#core/domain/application-view.ts';
import { createCalendar } from '#core/domain/calendar/calendar.ts';
import { localIso } from '#core/domain/local-time.ts';
import { applicantFixture } from '../../../fixtures/application.ts';

const regency = loadRegency('kota-bengkulu').regency;
const permit = regency.permits[0];
if (permit === undefined) throw new Error('SIKOT');
const calendar = createCalendar(regency);
const ctx = { regency, calendar, permit };

const version = (requirementId: string, uploadId: string, acceptedAt: string): SubmittedDocument => ({
  requirementId,
  uploadId,
  objectKey: `documents/app/${requirementId}/${uploadId}`,
  mediaType: 'application/pdf',
  sizeBytes: 100,
  acceptedAt,
});

const app: Application = {
  id: 'app-1',
  regencyId: regency.id,
  permitCode: 'SIKOT',
  trackingCode: 'BNG-2345-WXYZ',
  status: 'returned',
  applicantEmail: 'siti@example.test',
  applicantName: 'Siti Rahmawati',
  createdAt: '2026-03-16T02:00:00.000Z',
  submittedAt: '2026-03-17T03:00:00.000Z',
  answers: { secondPermit: false },
  documents: { ktp: version('ktp', 'u1', '2026-03-16T03:00:00.000Z') },
  clock: {
    startedAt: '2026-03-17T03:00:00.000Z',
    deadline: '2026-04-15T09:00:00.000Z',
    pausedAt: '2026-03-25T04:00:00.000Z',
    pauses: [],
  },
  returned: {
    stageId: 'pemeriksaan-kelengkapan',
    at: '2026-03-25T04:00:00.000Z',
    deadline: '2026-04-08T09:00:00.000Z',
    pendingActionId: 'pa-2',
    deficient: ['ktp'],
    note: 'KTP buram',
  },
  visits: 1,
  version: 5,
};

const visits: StageVisit[] = [
  {
    applicationId: 'app-1',
    visit: 1,
    stageId: 'pemeriksaan-kelengkapan',
    role: 'petugas',
    enteredAt: '2026-03-17T03:00:00.000Z',
    pendingActionId: 'pa-1',
    deadline: '2026-03-25T09:00:00.000Z',
    reminders: [],
    remindersSent: 0,
    escalationLevel: 0,
    decidedAt: '2026-03-25T04:00:00.000Z',
    outcome: 'returnForCompletion',
    breached: false,
  },
];

const audit: AuditEvent[] = [
  { applicationId: 'app-1', at: '2026-03-16T02:00:00.000Z', type: 'created' },
  { applicationId: 'app-1', at: '2026-03-17T03:00:00.000Z', type: 'submitted' },
  { applicationId: 'app-1', at: '2026-03-17T03:00:01.000Z', type: 'stage-entered' },
  { applicationId: 'app-1', at: '2026-03-24T03:00:00.000Z', type: 'reminder-sent' },
  { applicationId: 'app-1', at: '2026-03-25T04:00:00.000Z', type: 'returned-to-applicant' },
];

describe('localIso', () => {
  it('gives the instant in the office zone with its fixed offset', () => {
    expect(localIso(new Date('2026-03-25T09:00:00Z'), 'Asia/Jakarta')).toBe('2026-03-25T16:00:00+07:00');
    expect(localIso(new Date('2026-03-25T09:00:00Z'), 'Asia/Makassar')).toBe('2026-03-25T17:00:00+08:00');
    expect(localIso(new Date('2026-03-31T20:30:00Z'), 'Asia/Jayapura')).toBe('2026-04-01T05:30:00+09:00');
  });
});

describe("applicationView of an official's decision", () => {
  it('shows the decision on the timeline, never where the official acted from', () => {
    const decided: AuditEvent = {
      applicationId: 'app-1',
      at: '2026-03-25T04:00:00.000Z',
      type: 'decision-recorded',
      stageId: 'pemeriksaan-kelengkapan',
      actor: 'rina-petugas',
      role: 'petugas',
      from: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (Android)' },
      detail: { outcome: 'returnForCompletion' },
    };
    const view = applicationView(ctx, {
      app,
      applicant: applicantSchema.parse(applicantFixture()),
      visits,
      audit: [...audit, decided],
      versions: [],
      surveyAnswered: false,
    });

    expect(view.timeline[0]).toMatchObject({
      outcome: 'returnForCompletion',
      outcomeLabel: 'Dikembalikan untuk dilengkapi',
    });
    const json = JSON.stringify(view);
    expect(json).not.toContain('203.0.113.7');
    expect(json).not.toContain('Mozilla');
  });
});

describe('applicationView', () => {
  const view = applicationView(ctx, {
    app,
    applicant: applicantSchema.parse(applicantFixture()),
    visits,
    audit,
    versions: [
      version('ktp', 'u1', '2026-03-16T03:00:00.000Z'),
      version('ktp', 'u2', '2026-03-26T03:00:00.000Z'),
    ],
    surveyAnswered: false,
  });

  it('gives the return with its reasons, labels and the applicant deadline in local time', () => {
    expect(view.returned).toEqual({
      at: expect.objectContaining({ local: '2026-03-25T11:00:00+07:00' }),
      deadline: {
        utc: '2026-04-08T09:00:00.000Z',
        local: '2026-04-08T16:00:00+07:00',
        timeZone: 'Asia/Jakarta',
        text: 'Rabu, 8 April 2026 16.00 WIB',
      },
      note: 'KTP buram',
      deficient: [{ requirementId: 'ktp', label: 'Scan asli KTP' }],
    });
    expect(view.overallDeadline?.paused).toBe(true);
    expect(view.statusLabel).toBe('Dikembalikan untuk dilengkapi');
  });

  it('shows the timeline with stage names, roles and outcomes', () => {
    expect(view.timeline).toEqual([
      expect.objectContaining({
        name: 'Pemeriksaan kelengkapan dokumen dan data pemohon',
        role: { id: 'petugas', label: 'Petugas Pelayanan' },
        outcome: 'returnForCompletion',
        outcomeLabel: 'Dikembalikan untuk dilengkapi',
        late: false,
      }),
    ]);
  });

  it("keeps the office's internal events (reminders, stage entries) out of the applicant's history", () => {
    expect(view.events.map((e) => e.type)).toEqual(['created', 'submitted', 'returned-to-applicant']);
  });

  it('tells the submitted version apart from a newer upload, and keeps every version', () => {
    const ktp = view.documents.find((d) => d.requirementId === 'ktp');
    expect(ktp?.submitted?.uploadId).toBe('u1');
    expect(ktp?.latest?.uploadId).toBe('u2');
    expect(ktp?.versions.map((v) => v.uploadId)).toEqual(['u1', 'u2']);
    expect(view.documents.find((d) => d.requirementId === 'izin-pertama')?.required).toBe(false);
  });
});

describe('trackView', () => {
  it('shows status and dates but nothing that identifies the applicant', () => {
    const text = JSON.stringify(trackView(ctx, app));
    expect(text).toContain('BNG-2345-WXYZ');
    expect(text).toContain('Rabu, 8 April 2026 16.00 WIB');
    expect(text).not.toContain('Siti');
    expect(text).not.toContain('siti@example.test');
    expect(text).not.toContain('app-1');
  });
});
