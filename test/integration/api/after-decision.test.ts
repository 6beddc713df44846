import { afterAll, describe, expect, it } from 'vitest';
import {
  applicationResponse,
  complaintResponse,
  downloadResponse,
  problemSchema,
  surveyResponse,
  trackResponse,
} from '#api/schemas.ts';
import type { Outcome } from '#config/regency-schema.ts';
import { addressedTo, api, mailbox, uniqueEmail, uniqueId } from '../harness/index.ts';
import { bearer, createDraft, type Draft, json, StackRecords, submit, uploadChecklist } from './client.ts';

const records = new StackRecords();
afterAll(() => records.destroy());

const scores = {
  requirements: 4,
  procedure: 3,
  completionTime: 3,
  cost: 4,
  product: 4,
  staffCompetence: 4,
  staffBehaviour: 4,
  complaintHandling: 3,
  facilities: 3,
};

/** Kota Bengkulu SIKOT from submission to the document, every official deciding `path` in turn. */
async function decided(path: Outcome[]): Promise<Draft> {
  const draft = await createDraft();
  await uploadChecklist(draft);
  expect((await submit(draft)).status).toBe(202);
  for (const outcome of path) await records.decide(draft.id, outcome);
  await records.until(draft.id, (a) => a.issued !== undefined, 'was decided');
  return draft;
}

const download = (draft: Draft) => api(`/applications/${draft.id}/permit`, { headers: bearer(draft.token) });
const survey = (draft: Draft, body: unknown = { scores, comment: 'Pelayanan cepat.\nTerima kasih.' }) =>
  api(`/applications/${draft.id}/survey`, json(body, bearer(draft.token)));

describe('after the decision', () => {
  it('answers 409 not-issued for a download and survey-not-open for a survey before the decision', async () => {
    const draft = await createDraft();
    const early = await download(draft);
    expect(early.status).toBe(409);
    expect(problemSchema.parse(await early.json())).toMatchObject({
      code: 'not-issued',
      detail: expect.stringContaining('belum terbit'),
    });
    const earlySurvey = await survey(draft);
    expect(earlySurvey.status).toBe(409);
    expect(problemSchema.parse(await earlySurvey.json()).code).toBe('survey-not-open');
  });

  it('requires the survey before the permit download where the SOP says so, then gives a 5-minute link', async () => {
    const draft = await decided(['approve', 'approve', 'approve', 'approve', 'approve']);
    const view = applicationResponse.parse(
      await (await api(`/applications/${draft.id}`, { headers: bearer(draft.token) })).json(),
    );
    expect(view).toMatchObject({
      status: 'issued',
      decision: { document: 'permit', number: expect.stringMatching(/^503\/\d{4}\/SIKOT\/DPMPTSP\/\d{4}$/) },
      survey: { requiredBeforeDownload: true, answered: false },
    });
    expect(view.timeline.map((v) => v.outcomeLabel)).toEqual([
      'Disetujui',
      'Disetujui',
      'Disetujui',
      'Disetujui',
      'Disetujui',
    ]);

    const blocked = await download(draft);
    expect(blocked.status).toBe(409);
    expect(problemSchema.parse(await blocked.json()).code).toBe('survey-required');

    const answered = await survey(draft);
    expect(answered.status).toBe(201);
    expect(surveyResponse.parse(await answered.json()).index).toMatchObject({
      respondents: 1,
      ikm: 88.8,
      band: 'A',
    });
    const twice = await survey(draft);
    expect(twice.status).toBe(409);
    expect(problemSchema.parse(await twice.json()).code).toBe('survey-already-answered');

    const response = await download(draft);
    const link = downloadResponse.parse(await response.json());
    expect(response.status).toBe(200);
    expect(link.document).toBe('permit');
    expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe('300');
    expect(link.fileName).toMatch(/^izin-503-\d{4}-SIKOT-DPMPTSP-\d{4}\.pdf$/);
    const file = await fetch(link.url);
    expect(file.status).toBe(200);
    expect(
      Buffer.from(await file.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');

    const track = trackResponse.parse(await (await api(`/track/${draft.trackingCode}`)).json());
    expect(track).toMatchObject({ status: 'issued', statusLabel: 'Izin terbit' });
    expect(track.decidedAt?.text).toMatch(/WIB$/);
  });

  it('rejects survey scores outside 1-4 and an incomplete survey with 400', async () => {
    const draft = await createDraft();
    const response = await survey(draft, { scores: { ...scores, cost: 0, facilities: undefined } });
    const problem = problemSchema.parse(await response.json());
    expect(response.status).toBe(400);
    expect(problem.errors?.map((e) => [e.field, e.code]).sort()).toEqual([
      ['scores.cost', 'too-small'],
      ['scores.facilities', 'required'],
    ]);
  });

  it('lets a rejected applicant download the rejection letter', async () => {
    const draft = await decided(['approve', 'reject', 'approve', 'approve', 'reject']);
    expect((await records.application(draft.id)).status).toBe('rejected');
    expect((await survey(draft)).status).toBe(201);
    const link = downloadResponse.parse(await (await download(draft)).json());
    expect(link.document).toBe('rejection-letter');
    expect(link.fileName).toBe(`surat-penolakan-${draft.trackingCode}.pdf`);
  });
});

describe('POST /complaints', () => {
  it('gives a reference and mails the administrators and the complainant', async () => {
    const email = uniqueEmail('pengadu');
    // References are per table: other tests (the fuzz, with its own table) may mail the same one.
    const subject = `Antrean loket lama ${uniqueId('aduan')}`;
    const response = await api(
      '/complaints',
      json({
        subject,
        message: 'Saya menunggu dua jam.\nMohon diperbaiki.',
        contact: { name: 'Budi', email, mobileNumber: '0812 1111 2222' },
      }),
    );
    const filed = complaintResponse.parse(await response.json());

    expect(response.status).toBe(201);
    expect(filed.reference).toMatch(/^ADU-\d{4}-\d{5}$/);
    const notice = await mailbox().waitFor(
      (m) => m.subject === `[${filed.reference}] Pengaduan baru: ${subject}`,
    );
    expect(notice.destination.to).toEqual(['admin@dpmptsp.bengkulukota.example']);
    expect(notice.body.text).toContain('Saya menunggu dua jam.');
    expect(notice.body.text).toContain('+6281211112222');
    const receipt = await mailbox().waitFor(addressedTo(email));
    expect(receipt.subject).toContain(filed.reference);
  });

  it('links a complaint to an application by its tracking code', async () => {
    const draft = await createDraft();
    const response = await api(
      '/complaints',
      json({
        subject: 'Status tidak berubah',
        message: 'Mohon dicek.',
        trackingCode: draft.trackingCode.toLowerCase(),
      }),
    );
    const filed = complaintResponse.parse(await response.json());
    expect(response.status).toBe(201);
    expect(filed.trackingCode).toBe(draft.trackingCode);
    const view = applicationResponse.parse(
      await (await api(`/applications/${draft.id}`, { headers: bearer(draft.token) })).json(),
    );
    expect(view.events.map((e) => e.type)).toContain('complaint-filed');
  });

  it('refuses a 6th complaint in a day from one address with 429, Retry-After and an Indonesian reason', async () => {
    const email = uniqueEmail('banjir');
    const body = { subject: 'Aduan berulang', message: 'Isi aduan.', contact: { email } };
    for (let i = 0; i < 5; i++) expect((await api('/complaints', json(body))).status).toBe(201);

    const refused = await api('/complaints', json(body));
    const problem = problemSchema.parse(await refused.json());

    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(24 * 60 * 60);
    expect(problem.code).toBe('rate-limited');
    expect(problem.detail).toContain('Alamat e-mail ini sudah dipakai untuk 5 pengaduan');
    expect(await mailbox().to(email)).toHaveLength(5);
  });

  it('answers a retry with the same Idempotency-Key with the same reference, filing and mailing once', async () => {
    const email = uniqueEmail('ulang');
    const body = { subject: `Ulang ${uniqueId('aduan')}`, message: 'Mohon dicek.', contact: { email } };
    const key = uniqueId('idem-key');

    const first = await api('/complaints', json(body, { 'idempotency-key': key }));
    const retry = await api('/complaints', json(body, { 'idempotency-key': key }));

    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const [a, b] = [complaintResponse.parse(await first.json()), complaintResponse.parse(await retry.json())];
    expect(b).toEqual(a);
    await mailbox().waitFor(addressedTo(email));
    expect(await mailbox().to(email)).toHaveLength(1);
    const other = await api('/complaints', json({ ...body, message: 'Lain.' }, { 'idempotency-key': key }));
    expect(other.status).toBe(422);
    expect(problemSchema.parse(await other.json()).code).toBe('idempotency-key-reused');
  });

  it('answers 422 for an unknown tracking code and 400 for a missing message', async () => {
    const unknown = await api(
      '/complaints',
      json({ subject: 'A', message: 'B', trackingCode: 'BNG-2222-2222' }),
    );
    expect(unknown.status).toBe(422);
    expect(problemSchema.parse(await unknown.json()).code).toBe('tracking-code-unknown');
    const empty = await api('/complaints', json({ subject: 'A', message: '   ' }));
    expect(empty.status).toBe(400);
    expect(problemSchema.parse(await empty.json()).errors).toEqual([
      expect.objectContaining({ field: 'message', code: 'too-short' }),
    ]);
  });
});
