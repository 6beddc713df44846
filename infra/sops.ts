/**
 * `npm run sops`: validates every regency configuration and prints the catalogue an administrator
 * reviews: regencies, permits, stages with their acting roles and limits.
 *
 *   npm run sops                  the catalogue; exit 1 if any configuration is invalid
 *   npm run sops -- --ids         just the regency ids, one per line (for scripts and CI)
 *   npm run sops -- --regency ID  one regency only
 *   npm run sops -- --diagrams    also write docs/workflows/<regency>.md: a Mermaid diagram of each
 *                                 permit's workflow, drawn from the generated state machine
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type LoadedRegency, loadAllRegencies } from '#config/load.ts';
import { isAutomaticStage, type Permit, type Regency } from '#config/regency-schema.ts';
import { formatDuration, sumStageDurations } from '#config/validate.ts';
import { workflowPage } from '../statemachines/index.ts';

function table(rows: string[][]): string {
  const widths = rows.reduce<number[]>(
    (w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)),
    [],
  );
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function durationText(stage: Permit['stages'][number]): string {
  if (stage.duration === undefined) return '-';
  return 'workingDays' in stage.duration
    ? `${stage.duration.workingDays} wd`
    : `${stage.duration.officeMinutes} min`;
}

function outcomesText(stage: Permit['stages'][number]): string {
  if (stage.kind === 'issue') return `ends: ${stage.document}`;
  const names: Record<string, string> = {
    approve: 'approve',
    returnForCompletion: 'return',
    reject: 'reject',
    inspectionNeeded: 'inspect',
    inspectionNotNeeded: 'no-inspect',
  };
  return Object.entries(stage.outcomes)
    .filter(([, target]) => target !== undefined)
    .map(([o, target]) => `${names[o] ?? o}->${target}`)
    .join(' ');
}

function describeRegency(r: Regency): string {
  const roleLabel = new Map(r.roles.map((role) => [role.id, role.label]));
  const lines = [
    `${r.name} (${r.id}, Kemendagri ${r.kemendagriCode})${r.example ? '  [example: the source does not name the office]' : ''}`,
    `  ${r.office.name}; ${r.timeZone}; on deadline breach: ${r.deadlinePolicy.onBreach}`,
    `  officials: ${r.officials.length}, roles: ${r.roles.length}, signatory: ${r.officials.find((o) => o.id === r.signatory)?.name ?? r.signatory}`,
  ];
  for (const p of r.permits) {
    const sum = sumStageDurations(p.stages.map((s) => s.duration));
    lines.push(
      '',
      `  ${p.code}: ${p.name}${p.sopReference ? ` (${p.sopReference})` : ''}`,
      `    limit ${formatDuration(p.limit)} (stages add up to ${formatDuration(sum)}); ${p.requirements.length} requirements (${p.requirements.filter((q) => q.when).length} conditional); fee Rp${p.fee.amountIdr}; survey before download: ${p.surveyBeforeDownload ? 'yes' : 'no'}`,
      '',
      table([
        ['#', 'stage', 'kind', 'actor', 'limit', 'outcomes', 'seed/steps'],
        ...p.stages.map((s, i) => [
          String(i + 1),
          s.id,
          s.kind,
          isAutomaticStage(s) ? '(system)' : (roleLabel.get(s.role ?? '') ?? '?'),
          durationText(s),
          outcomesText(s),
          `${s.source.seed ?? s.source.law ?? ''}/${s.source.steps?.join(',') ?? '-'}`,
        ]),
      ])
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n'),
    );
  }
  return lines.join('\n');
}

/** Writes the workflow diagrams of one regency as a Markdown page (GitHub renders Mermaid). */
function writeDiagrams(r: Regency): string {
  const dir = fileURLToPath(new URL('../docs/workflows/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${r.id}.md`);
  writeFileSync(file, workflowPage(r));
  return file;
}

function main(): number {
  const { values } = parseArgs({
    options: {
      ids: { type: 'boolean', default: false },
      regency: { type: 'string' },
      diagrams: { type: 'boolean', default: false },
    },
  });
  const { loaded, errors } = loadAllRegencies();
  if (values.ids) {
    for (const l of loaded) console.log(l.regency.id);
    for (const e of errors) console.error(e.message);
    return errors.length > 0 ? 1 : 0;
  }
  const selected: LoadedRegency[] = loaded.filter(
    (l) => values.regency === undefined || l.regency.id === values.regency,
  );
  if (values.regency !== undefined && selected.length === 0 && errors.length === 0) {
    console.error(
      `no such regency '${values.regency}'; configured: ${loaded.map((l) => l.regency.id).join(', ')}`,
    );
    return 1;
  }
  for (const l of selected) console.log(`${describeRegency(l.regency)}\n`);
  if (values.diagrams) for (const l of selected) console.log(`diagrams: ${writeDiagrams(l.regency)}`);
  const warnings = selected.flatMap((l) => l.warnings);
  for (const w of warnings) console.log(`warning: ${w}`);
  for (const e of errors) console.error(e.message);
  console.log(
    `${loaded.length} valid regenc${loaded.length === 1 ? 'y' : 'ies'}, ${errors.length} invalid, ${warnings.length} warning(s)`,
  );
  return errors.length > 0 ? 1 : 0;
}

process.exitCode = main();
