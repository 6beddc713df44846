import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  listRegencyIds,
  loadAllRegencies,
  loadRegency,
  loadRegencyFile,
  RegencyConfigError,
} from '#config/load.ts';
import { createCalendar } from '#core/domain/calendar/calendar.ts';

const fixtures = fileURLToPath(new URL('../../fixtures/regencies/', import.meta.url));

function errorOf(file: string): RegencyConfigError {
  try {
    loadRegencyFile(join(fixtures, file));
  } catch (e) {
    if (e instanceof RegencyConfigError) return e;
    throw e;
  }
  throw new Error(`${file} loaded without error`);
}

describe('regency configuration loading', () => {
  it('loads the minimal fixture that the broken ones are derived from', () => {
    const { regency, warnings } = loadRegencyFile(join(fixtures, 'minimal.yaml'));
    expect(regency.permits[0]?.stages.map((s) => s.id)).toEqual(['cek', 'ttd', 'terbit', 'tolak']);
    expect(warnings).toEqual([]);
  });

  it('rejects duplicate stage ids, naming the file, the path and the line', () => {
    const error = errorOf('broken/duplicate-id.yaml');
    expect(error.file).toMatch(/broken\/duplicate-id\.yaml$/);
    expect(error.details).toContainEqual(
      expect.objectContaining({
        path: 'permits.0.stages.3.id',
        message: expect.stringMatching(/duplicate id 'terbit'/),
      }),
    );
    expect(error.details.find((d) => d.path === 'permits.0.stages.3.id')?.line).toBe(44);
    expect(error.message).toContain('duplicate-id.yaml');
  });

  it('rejects a role that no official holds', () => {
    const error = errorOf('broken/role-without-official.yaml');
    expect(error.details).toContainEqual(
      expect.objectContaining({
        path: 'roles.0.id',
        message: expect.stringMatching(/role 'petugas' has no official/),
      }),
    );
  });

  it('rejects an outcome that leads to no stage', () => {
    const error = errorOf('broken/outcome-nowhere.yaml');
    expect(error.details).toContainEqual(
      expect.objectContaining({
        path: 'permits.0.stages.0.outcomes.approve',
        message: expect.stringMatching(/leads nowhere: no stage 'verifikasi'/),
      }),
    );
  });

  it('rejects a non-positive duration', () => {
    const error = errorOf('broken/non-positive-duration.yaml');
    expect(error.details.some((d) => d.path.startsWith('permits.0.stages.1.duration'))).toBe(true);
    expect(error.message).toMatch(/positive/);
  });

  it('rejects a condition that refers to no applicant answer', () => {
    const error = errorOf('broken/unknown-condition.yaml');
    expect(error.details).toContainEqual(
      expect.objectContaining({
        path: 'permits.0.requirements.1.when.answer',
        message: expect.stringMatching(/refers to no applicant answer: 'perpanjangan'/),
      }),
    );
  });

  it('rejects a supervisor role that does not exist, naming the line', () => {
    const error = errorOf('broken/unknown-supervisor.yaml');
    expect(error.details).toContainEqual({
      path: 'roles.0.supervisor',
      line: 17,
      message: "unknown supervisor role 'sekretaris'",
    });
  });

  it('rejects a supervisor chain that loops, so escalation always ends', () => {
    const error = errorOf('broken/supervisor-cycle.yaml');
    expect(error.details).toContainEqual(
      expect.objectContaining({
        path: 'roles.1.supervisor',
        message: "supervisor chain of 'kepala' is a cycle",
      }),
    );
  });

  it('rejects a signatory who is not the head of office', () => {
    const error = errorOf('broken/signatory-not-head.yaml');
    expect(error.details).toContainEqual({
      path: 'signatory',
      line: 22,
      message: "signatory 'ani' does not hold a head-of-office role",
    });
  });

  it('rejects a stage from which no issue stage can be reached', () => {
    const error = errorOf('broken/no-issue-reachable.yaml');
    expect(error.details).toContainEqual(
      expect.objectContaining({
        path: 'permits.0.stages.1.outcomes',
        message: "outcomes of stage 'ttd' lead nowhere: no path from it reaches an issue stage",
      }),
    );
  });

  it('warns, naming both figures, when the stage limits add up to more than the overall limit', () => {
    const { warnings } = loadRegencyFile(join(fixtures, 'over-limit.yaml'));
    expect(warnings).toEqual([
      'minimal SIKOT: the stage limits add up to 2 working days, above the overall limit of 1 working day',
    ]);
  });

  it('refuses an unknown regency id, listing the configured ones', () => {
    expect(() => loadRegency('kota-atlantis')).toThrow(/no such regency; configured: .*kota-bengkulu/);
  });
});

describe('the configured regencies', () => {
  it('are all valid, without warnings', () => {
    const { loaded, errors } = loadAllRegencies();
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(loaded.flatMap((l) => l.warnings)).toEqual([]);
    expect(listRegencyIds()).toEqual(['contoh', 'kabupaten-pasuruan', 'kota-bengkulu', 'kota-pekanbaru']);
  });

  it('trace every stage to SOP steps and every requirement to a checklist item, a step or a law', () => {
    for (const id of listRegencyIds()) {
      for (const permit of loadRegency(id).regency.permits) {
        for (const stage of permit.stages) expect(stage.source.steps, `${id} ${stage.id}`).toBeDefined();
        for (const req of permit.requirements)
          expect(req.source.items ?? req.source.steps ?? req.source.law, `${id} ${req.id}`).toBeDefined();
      }
    }
  });
});

describe('seed 001: Kota Bengkulu SIKOT', () => {
  const { regency } = loadRegency('kota-bengkulu');
  const permit = regency.permits[0];

  it('has 15 working days, 3 at the DPMPTSP and 12 at the technical team', () => {
    expect(regency.kemendagriCode).toBe('17.71');
    expect(permit?.limit).toEqual({ workingDays: 15, officeMinutes: 0 });
    const team = permit?.stages.find((s) => s.role === 'tim-teknis');
    expect(team?.duration).toEqual({ workingDays: 12 });
  });

  it('asks for the first permit only for a second SIKOT or SIPOT', () => {
    expect(permit?.requirements.find((r) => r.id === 'izin-pertama')?.when).toEqual({
      answer: 'secondPermit',
    });
    expect(permit?.requirements.filter((r) => r.when === undefined)).toHaveLength(6);
  });

  it('lets the Kepala Dinas issue either the permit or a rejection letter, after the survey', () => {
    const head = permit?.stages.find((s) => s.kind === 'sign');
    expect(head?.role).toBe('kepala-dinas');
    const reject = permit?.stages.find((s) => s.id === head?.outcomes.reject);
    expect(reject?.document).toBe('rejection-letter');
    expect(permit?.surveyBeforeDownload).toBe(true);
  });
});

describe('seed 002: Kota Pekanbaru SIKOT', () => {
  const permit = loadRegency('kota-pekanbaru').regency.permits[0];

  it('keeps the per-step minutes and the stated 2-working-day total', () => {
    expect(permit?.stages.map((s) => s.duration)).toEqual([
      { officeMinutes: 35 },
      { officeMinutes: 3 },
      { officeMinutes: 5 },
      { officeMinutes: 10 },
      { officeMinutes: 10 },
      { workingDays: 1 },
      { officeMinutes: 3 },
      { officeMinutes: 1 },
      undefined,
    ]);
    expect(permit?.limit).toEqual({ workingDays: 2, officeMinutes: 0 });
  });

  it('initials in order: Ahli Muda, Ahli Madya, Sekretaris', () => {
    expect(permit?.stages.filter((s) => s.kind === 'initial').map((s) => s.role)).toEqual([
      'analis-muda',
      'analis-madya',
      'sekretaris',
    ]);
  });
});

describe('seed 003: Kabupaten Pasuruan SIPOT', () => {
  const { regency } = loadRegency('kabupaten-pasuruan');
  const permit = regency.permits[0];

  it('has 8 days 90 minutes, always a field verification, and an electronic signature', () => {
    expect(regency.kemendagriCode).toBe('35.14');
    expect(permit?.limit).toEqual({ workingDays: 8, officeMinutes: 90 });
    expect(permit?.stages.find((s) => s.kind === 'inspection')?.duration).toEqual({ workingDays: 5 });
    expect(permit?.stages.some((s) => s.kind === 'decide-inspection')).toBe(false);
    expect(permit?.signature).toBe('electronic');
  });

  it('asks for the domicile letter and the old SIPOT only when they apply', () => {
    const conditional = permit?.requirements
      .filter((r) => r.when !== undefined)
      .map((r) => [r.id, r.when?.answer]);
    expect(conditional).toEqual([
      ['surat-keterangan-domisili', 'addressDiffersFromKtp'],
      ['sipot-lama', 'renewal'],
    ]);
    expect(permit?.requirements).toHaveLength(12);
  });
});

describe('seeds 000 and 004: the example regency', () => {
  const { regency } = loadRegency('contoh');

  it('is marked as an example and holds both the OT and the optometrist work permits', () => {
    expect(regency.example).toBe(true);
    expect(regency.permits.map((p) => [p.code, p.profession, p.sopReference])).toEqual([
      ['SIKOT', 'occupational-therapist', 'SK 98/DPMPTSP/2022'],
      ['SIKO', 'optometrist', 'SK 21 Tahun 2022'],
    ]);
  });

  it('lets the optometrist SOP skip steps 4-6 when no inspection is needed', () => {
    const permit = regency.permits[1];
    const decide = permit?.stages.find((s) => s.kind === 'decide-inspection');
    const needed = permit?.stages.find((s) => s.id === decide?.outcomes.inspectionNeeded);
    const notNeeded = permit?.stages.find((s) => s.id === decide?.outcomes.inspectionNotNeeded);
    expect(needed?.source.steps).toEqual([4]);
    expect(notNeeded?.source.steps).toEqual([7]);
  });

  it('completes seed 004 after step 7 with signing, numbering and issuing as in seed 000', () => {
    const tail = regency.permits[1]?.stages.filter((s) => s.source.seed === '000').map((s) => s.kind);
    expect(tail).toEqual(['sign', 'number', 'issue']);
  });
});

describe('the regency calendars', () => {
  it('build from every configuration and count the Idulfitri week as the SKB says', () => {
    for (const id of listRegencyIds()) {
      const { regency } = loadRegency(id);
      expect(() => createCalendar(regency), id).not.toThrow();
    }
    const bengkulu = createCalendar(loadRegency('kota-bengkulu').regency);
    // A file made complete on Tue 17 Mar 2026 10:00 WIB with a 3-working-day stage.
    const deadline = bengkulu.stageDeadline(new Date('2026-03-17T03:00:00Z'), { workingDays: 3 });
    expect(bengkulu.formatLocal(deadline)).toBe('Jumat, 27 Maret 2026 16.30 WIB');
  });
});
