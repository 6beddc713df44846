import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listRegencyIds, loadRegency } from '#config/load.ts';
import {
  generateStateMachines,
  STATE,
  stateName,
  substitute,
  validateDefinition,
  WORKFLOW_FUNCTIONS,
  workflowDiagram,
  workflowPage,
} from '../../../statemachines/index.ts';

const fakeArns = Object.fromEntries(
  Object.entries(WORKFLOW_FUNCTIONS).map(([p, fn]) => [
    p,
    `arn:aws:lambda:ap-southeast-3:000000000000:function:${fn}`,
  ]),
);

describe('generateStateMachines', () => {
  for (const id of listRegencyIds()) {
    const { regency } = loadRegency(id);
    for (const machine of generateStateMachines(regency)) {
      it(`generates valid ASL for ${id} ${machine.name}`, () => {
        expect(validateDefinition(substitute(machine.definition, fakeArns))).toEqual([]);
      });
    }
  }

  it('waits for every human stage on a task token with its timeout read from the state input', () => {
    const { regency } = loadRegency('kota-bengkulu');
    const [machine] = generateStateMachines(regency);
    const wait = machine?.definition.States[stateName.wait('pemeriksaan-tim-teknis')];
    expect(wait).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSecondsPath: '$.pending.waitSeconds',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL definitionSubstitutions placeholder, not a template
      Parameters: { FunctionName: '${AwaitHumanFunctionArn}', Payload: { 'taskToken.$': '$$.Task.Token' } },
    });
  });

  it('routes the optometrist decision to the inspection or straight to the draft', () => {
    const { regency } = loadRegency('contoh');
    const siko = generateStateMachines(regency).find((m) => m.name === 'SIKO');
    expect(siko?.definition.States[stateName.route('telaah-berkas')]).toMatchObject({
      Choices: [
        { StringEquals: 'inspectionNeeded', Next: stateName.begin('penjadwalan-peninjauan') },
        { StringEquals: 'inspectionNotNeeded', Next: stateName.begin('pembuatan-naskah-izin') },
      ],
      Default: STATE.needsAttention,
    });
  });

  it('sends a returned file back to the stage the SOP names once resubmitted', () => {
    const { regency } = loadRegency('kabupaten-pasuruan');
    const [machine] = generateStateMachines(regency);
    expect(machine?.definition.States[stateName.resume('verifikasi-kebenaran')]?.Next).toBe(
      stateName.begin('cek-kelengkapan'),
    );
    expect(machine?.definition.States[stateName.awaitResubmission('verifikasi-kebenaran')]).toMatchObject({
      Catch: [
        { ErrorEquals: ['States.Timeout'], Next: STATE.lapse },
        { ErrorEquals: ['ApplicationClosed'], Next: STATE.closed },
        { ErrorEquals: ['States.ALL'] },
      ],
    });
  });

  it('ends the execution cleanly from every step when the application was closed outside the workflow', () => {
    for (const id of ['contoh', 'kabupaten-pasuruan', 'kota-bengkulu', 'kota-pekanbaru'])
      for (const machine of generateStateMachines(loadRegency(id).regency)) {
        const tasks = Object.entries(machine.definition.States).filter(
          ([name, state]) => (state as { Type: string }).Type === 'Task' && name !== STATE.needsAttention,
        );
        expect(tasks.length).toBeGreaterThan(0);
        for (const [name, state] of tasks)
          expect(
            (state as { Catch?: Array<{ ErrorEquals: string[]; Next: string }> }).Catch,
            name,
          ).toContainEqual(
            expect.objectContaining({ ErrorEquals: ['ApplicationClosed'], Next: STATE.closed }),
          );
        expect(machine.definition.States[STATE.closed]).toMatchObject({ Type: 'Succeed' });
      }
  });

  it('is caught by the validator when a transition points nowhere', () => {
    const { regency } = loadRegency('kota-pekanbaru');
    const [machine] = generateStateMachines(regency);
    if (machine === undefined) throw new Error('no machine');
    const broken = substitute(machine.definition, fakeArns);
    broken.States[STATE.lapse] = { ...broken.States[STATE.lapse], Next: 'NoSuchState' };
    expect(validateDefinition(broken).join('\n')).toMatch(/NoSuchState|Next/);
  });

  it('leaves no placeholder unsubstituted and refuses an unknown one', () => {
    const { regency } = loadRegency('kota-pekanbaru');
    const [machine] = generateStateMachines(regency);
    if (machine === undefined) throw new Error('no machine');
    expect(JSON.stringify(substitute(machine.definition, fakeArns))).not.toMatch(/\$\{/);
    expect(() => substitute(machine.definition, {})).toThrow(
      /no substitution for \$\{StageActionsFunctionArn\}/,
    );
  });
});

describe('workflowDiagram', () => {
  it('draws one box per stage with its actor and limit, and the SOP branches', () => {
    const { regency } = loadRegency('contoh');
    const siko = generateStateMachines(regency).find((m) => m.name === 'SIKO');
    if (siko === undefined) throw new Error('no SIKO');
    const diagram = workflowDiagram(siko.definition);
    expect(diagram).toMatch(/^flowchart TD/);
    expect(diagram).toContain('n_telaah_berkas -->|perlu peninjauan| n_penjadwalan_peninjauan');
    expect(diagram).toContain('n_telaah_berkas -->|tanpa peninjauan| n_pembuatan_naskah_izin');
    expect(diagram).toContain('Peninjauan lapangan, BAHPL dan rekomendasi<br/>Tim Teknis<br/>1 hari kerja');
    expect(diagram).toContain('n_pemeriksaan_kelengkapan -->|tenggat pemohon lewat| n_Lapse');
    expect(diagram).not.toContain('DeemGranted');
  });

  it('shows the deemed-grant path only where the regency policy has it', () => {
    const { regency } = loadRegency('kabupaten-pasuruan');
    const [machine] = generateStateMachines(regency);
    if (machine === undefined) throw new Error('no machine');
    expect(workflowDiagram(machine.definition)).toContain('n_DeemGranted --> n_penomoran');
  });
});

describe('the committed workflow diagrams', () => {
  for (const id of listRegencyIds()) {
    it(`are up to date for ${id} (regenerate with npm run sops -- --diagrams)`, () => {
      const committed = readFileSync(new URL(`../../../docs/workflows/${id}.md`, import.meta.url), 'utf8');
      expect(committed).toBe(workflowPage(loadRegency(id).regency));
    });
  }
});
