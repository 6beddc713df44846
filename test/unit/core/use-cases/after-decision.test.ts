import { describe, expect, it } from 'vitest';
import type { Application } from '#core/domain/application.ts';
import type { SurveyScores } from '#core/domain/survey.ts';
import { answerSurvey, downloadFileName, permitDownload } from '#core/use-cases/after-decision.ts';
import { anApplication, refusal } from '../builders.ts';
import { fakePorts, regency, wib } from '../fakes.ts';

const scores = (score: number): SurveyScores => ({
  requirements: score,
  procedure: score,
  completionTime: score,
  cost: score,
  product: score,
  staffCompetence: score,
  staffBehaviour: score,
  complaintHandling: score,
  facilities: score,
});

const issuedAt = wib('2026-02-25T10:00:00').toISOString();
const permit = {
  document: 'permit' as const,
  number: '503/0001/SIKOT/DPMPTSP/2026',
  issuedAt,
  objectKey: 'issued/11111111-1111-4111-8111-111111111111/permit.pdf',
};

/** Kota Bengkulu (survey before download) unless another regency is named; the clock a day after issue. */
function arrange(overrides: Partial<Application> = {}, regencyId = 'kota-bengkulu') {
  const ports = fakePorts({ regency: regency(regencyId) });
  ports.clock.set(wib('2026-02-26T08:00:00'));
  const app = anApplication({
    status: 'issued',
    version: 12,
    permitNumber: permit.number,
    issued: permit,
    ...overrides,
  });
  ports.applications.put(app);
  return { ports, app };
}

describe('answerSurvey', () => {
  it("records the survey of a finished application in the office's month and returns its index", async () => {
    const { ports, app } = arrange();
    ports.clock.set(new Date('2026-02-28T17:30:00Z')); // 1 Mar 2026 00:30 WIB

    const result = await answerSurvey(ports, app, { scores: scores(4), comment: 'Cepat' });

    expect(result).toEqual({
      answeredAt: ports.now().toISOString(),
      index: expect.objectContaining({ band: 'A' }),
    });
    expect(await ports.surveys.get(app.id)).toEqual({
      ...{ applicationId: app.id, regencyId: 'kota-bengkulu', permitCode: 'SIKOT' },
      ...{ scores: scores(4), comment: 'Cepat', answeredAt: result.answeredAt, month: '2026-03' },
    });
  });

  it("computes the respondent's own satisfaction index", async () => {
    const { ports, app } = arrange();

    const { index } = await answerSurvey(ports, app, { scores: scores(3) });

    expect([index.respondents, index.ikm, index.band]).toEqual([1, 74.93, 'C']);
  });

  it('records the answer in the audit trail', async () => {
    const { ports, app } = arrange();

    await answerSurvey(ports, app, { scores: scores(4) });

    expect(ports.audit.types(app.id)).toEqual(['survey-answered']);
  });

  it('opens for a refused application too', async () => {
    const { ports, app } = arrange({ status: 'rejected' });

    await expect(answerSurvey(ports, app, { scores: scores(2) })).resolves.toMatchObject({
      index: { band: 'D' },
    });
  });

  it('refuses before the application is finished', async () => {
    const { ports, app } = arrange({ status: 'in-progress' });

    const error = await refusal(answerSurvey(ports, app, { scores: scores(4) }));

    expect([error.kind, error.code]).toEqual(['conflict', 'survey-not-open']);
  });

  it.each(['withdrawn', 'lapsed'] as const)(
    'refuses a survey of a %s application, which received no decision',
    async (status) => {
      const { ports, app } = arrange({ status });

      const error = await refusal(answerSurvey(ports, app, { scores: scores(4) }));

      expect([error.kind, error.code]).toEqual(['conflict', 'survey-not-open']);
      expect(await ports.surveys.get(app.id)).toBeUndefined();
    },
  );

  it('refuses a second survey and keeps the first', async () => {
    const { ports, app } = arrange();
    await answerSurvey(ports, app, { scores: scores(4) });

    const error = await refusal(answerSurvey(ports, app, { scores: scores(1) }));

    expect([error.kind, error.code]).toEqual(['conflict', 'survey-already-answered']);
    expect((await ports.surveys.get(app.id))?.scores).toEqual(scores(4));
  });
});

describe('permitDownload', () => {
  it('refuses before a document has been issued', async () => {
    const { ports, app } = arrange({ status: 'in-progress', issued: undefined });

    const error = await refusal(permitDownload(ports, app));

    expect([error.kind, error.code]).toEqual(['conflict', 'not-issued']);
  });

  it('asks for the survey first where the SOP puts it before the download', async () => {
    const { ports, app } = arrange();

    const error = await refusal(permitDownload(ports, app));

    expect([error.kind, error.code]).toEqual(['conflict', 'survey-required']);
    expect(ports.audit.types(app.id)).toEqual([]);
  });

  it('hands out a five-minute link that saves the permit under its number once the survey is in', async () => {
    const { ports, app } = arrange();
    await answerSurvey(ports, app, { scores: scores(4) });

    const download = await permitDownload(ports, app);

    expect(download).toEqual({
      document: 'permit',
      number: permit.number,
      issuedAt,
      url: expect.stringContaining(
        `${permit.objectKey}?method=GET&filename=izin-503-0001-SIKOT-DPMPTSP-2026.pdf`,
      ),
      expiresAt: wib('2026-02-26T08:05:00').toISOString(),
      fileName: 'izin-503-0001-SIKOT-DPMPTSP-2026.pdf',
    });
  });

  it('records who downloaded what in the audit trail', async () => {
    const { ports, app } = arrange();
    await answerSurvey(ports, app, { scores: scores(4) });

    await permitDownload(ports, app);

    expect(ports.audit.events(app.id).at(-1)).toEqual({
      ...{ applicationId: app.id, at: ports.now().toISOString(), type: 'document-downloaded' },
      ...{ actor: 'applicant', detail: { document: 'permit' } },
    });
  });

  it('downloads without a survey where the SOP does not ask for one first', async () => {
    const { ports, app } = arrange({ regencyId: 'kota-pekanbaru' }, 'kota-pekanbaru');

    await expect(permitDownload(ports, app)).resolves.toMatchObject({ document: 'permit' });
  });

  it('names a rejection letter after the tracking code', async () => {
    const rejection = {
      document: 'rejection-letter' as const,
      issuedAt,
      objectKey: 'issued/x/rejection-letter.pdf',
    };
    const { ports, app } = arrange({ status: 'rejected', issued: rejection, permitNumber: undefined });
    await answerSurvey(ports, app, { scores: scores(3) });

    const { fileName, number } = await permitDownload(ports, app);

    expect([fileName, number]).toEqual(['surat-penolakan-BNG-7K3M-Q9TX.pdf', undefined]);
  });
});

describe('downloadFileName', () => {
  it('keeps only letters, digits, dots and hyphens', () => {
    expect(downloadFileName('permit', '503/12 SIKOT\\"x"', 'BNG-7K3M-Q9TX')).toBe('izin-503-12-SIKOT-x-.pdf');
  });
});
