/**
 * Checks that span several fields of a regency configuration (references, uniqueness, the shape of
 * the stage graph) and the warnings an administrator should read. Pure: no I/O.
 */
import {
  isAutomaticStage,
  type OverallLimit,
  type Permit,
  type Regency,
  regencySchema,
  type Stage,
  type StageDuration,
} from './regency-schema.ts';

export type ConfigPath = ReadonlyArray<string | number>;
export interface ConfigProblem {
  path: ConfigPath;
  message: string;
}

function duplicates<T>(
  items: readonly T[],
  key: (item: T) => string,
  basePath: ConfigPath,
  field: string,
): ConfigProblem[] {
  const seen = new Map<string, number>();
  const problems: ConfigProblem[] = [];
  items.forEach((item, index) => {
    const k = key(item);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, index);
    else
      problems.push({
        path: [...basePath, index, field],
        message: `duplicate ${field} '${k}' (first at ${[...basePath, first].join('.')})`,
      });
  });
  return problems;
}

function checkRoles(r: Regency): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const roleIds = new Set(r.roles.map((role) => role.id));
  r.officials.forEach((o, i) => {
    o.roles.forEach((roleId, j) => {
      if (!roleIds.has(roleId))
        problems.push({ path: ['officials', i, 'roles', j], message: `unknown role '${roleId}'` });
    });
  });
  r.roles.forEach((role, i) => {
    if (!r.officials.some((o) => o.roles.includes(role.id)))
      problems.push({
        path: ['roles', i, 'id'],
        message: `role '${role.id}' has no official: every role needs at least one person to act`,
      });
    if (role.supervisor !== undefined && !roleIds.has(role.supervisor))
      problems.push({
        path: ['roles', i, 'supervisor'],
        message: `unknown supervisor role '${role.supervisor}'`,
      });
  });
  // The supervisor chain must end (no cycles), or escalation would loop forever.
  const byId = new Map(r.roles.map((role) => [role.id, role]));
  r.roles.forEach((role, i) => {
    const visited = new Set<string>([role.id]);
    let current = role.supervisor;
    while (current !== undefined) {
      if (visited.has(current)) {
        problems.push({
          path: ['roles', i, 'supervisor'],
          message: `supervisor chain of '${role.id}' is a cycle`,
        });
        break;
      }
      visited.add(current);
      current = byId.get(current)?.supervisor;
    }
  });
  const signatory = r.officials.find((o) => o.id === r.signatory);
  if (signatory === undefined)
    problems.push({ path: ['signatory'], message: `unknown official '${r.signatory}'` });
  else if (!signatory.roles.some((id) => byId.get(id)?.kind === 'head-of-office'))
    problems.push({
      path: ['signatory'],
      message: `signatory '${r.signatory}' does not hold a head-of-office role`,
    });
  return problems;
}

function checkPermit(r: Regency, p: Permit, pi: number): ConfigProblem[] {
  const base: ConfigPath = ['permits', pi];
  const problems: ConfigProblem[] = [
    ...duplicates(p.questions, (q) => q.id, [...base, 'questions'], 'id'),
    ...duplicates(p.requirements, (q) => q.id, [...base, 'requirements'], 'id'),
    ...duplicates(p.stages, (s) => s.id, [...base, 'stages'], 'id'),
  ];
  const questionIds = new Set(p.questions.map((q) => q.id));
  p.requirements.forEach((req, i) => {
    if (req.when !== undefined && !questionIds.has(req.when.answer))
      problems.push({
        path: [...base, 'requirements', i, 'when', 'answer'],
        message: `condition refers to no applicant answer: '${req.when.answer}' is not one of the permit's questions (${[...questionIds].join(', ') || 'none'})`,
      });
  });
  const roleIds = new Set(r.roles.map((role) => role.id));
  const stageById = new Map(p.stages.map((s) => [s.id, s]));
  p.stages.forEach((stage, si) => {
    const sp: ConfigPath = [...base, 'stages', si];
    problems.push(...duplicates(stage.produces, (o) => o.id, [...sp, 'produces'], 'id'));
    problems.push(...checkStage(stage, sp, roleIds, stageById));
    const revise = stage.outcomes.revise;
    const target = revise === undefined ? -1 : p.stages.findIndex((t) => t.id === revise);
    if (revise !== undefined && target >= 0) {
      const targetStage = p.stages[target] as Stage;
      if (target >= si || isAutomaticStage(targetStage) || isAutomaticStage(stage))
        problems.push({
          path: [...sp, 'outcomes', 'revise'],
          message: `a send-back goes from a person's stage to an earlier person's stage, not to '${revise}'`,
        });
    }
  });
  if (!p.stages.some((s) => s.kind === 'issue' && s.document === 'permit'))
    problems.push({ path: [...base, 'stages'], message: 'no issue stage with document: permit' });
  // Every stage must be able to reach an issue stage, or an application could be stranded there.
  const canFinish = new Set(p.stages.filter((s) => s.kind === 'issue').map((s) => s.id));
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of p.stages) {
      if (canFinish.has(s.id)) continue;
      const forward = [
        s.outcomes.approve,
        s.outcomes.reject,
        s.outcomes.inspectionNeeded,
        s.outcomes.inspectionNotNeeded,
      ];
      if (forward.some((t) => t !== undefined && canFinish.has(t))) {
        canFinish.add(s.id);
        grew = true;
      }
    }
  }
  p.stages.forEach((s, si) => {
    if (!canFinish.has(s.id))
      problems.push({
        path: [...base, 'stages', si, 'outcomes'],
        message: `outcomes of stage '${s.id}' lead nowhere: no path from it reaches an issue stage`,
      });
  });
  return problems;
}

function checkStage(
  stage: Stage,
  sp: ConfigPath,
  roleIds: ReadonlySet<string>,
  stageById: ReadonlyMap<string, Stage>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const automatic = isAutomaticStage(stage);
  if (stage.role === undefined && !automatic)
    problems.push({
      path: [...sp, 'role'],
      message: `stage '${stage.id}' waits for a person and needs a role`,
    });
  if (stage.role !== undefined && !roleIds.has(stage.role))
    problems.push({ path: [...sp, 'role'], message: `unknown role '${stage.role}'` });
  if (stage.duration === undefined && !automatic)
    problems.push({
      path: [...sp, 'duration'],
      message: `stage '${stage.id}' waits for a person and needs a duration`,
    });
  for (const [outcome, target] of Object.entries(stage.outcomes)) {
    if (target === undefined) continue;
    const targetStage = stageById.get(target);
    if (targetStage === undefined) {
      problems.push({
        path: [...sp, 'outcomes', outcome],
        message: `outcome '${outcome}' leads nowhere: no stage '${target}'`,
      });
    } else if (outcome === 'returnForCompletion' && isAutomaticStage(targetStage)) {
      problems.push({
        path: [...sp, 'outcomes', outcome],
        message: `a returned file must resume at a stage a person checks, not '${target}'`,
      });
    }
  }
  const has = (o: keyof Stage['outcomes']): boolean => stage.outcomes[o] !== undefined;
  if (stage.kind === 'issue') {
    if (Object.values(stage.outcomes).some((t) => t !== undefined))
      problems.push({
        path: [...sp, 'outcomes'],
        message: 'an issue stage ends the workflow and has no outcomes',
      });
    if (stage.document === undefined)
      problems.push({
        path: [...sp, 'document'],
        message: 'an issue stage must say which document it issues',
      });
  } else {
    if (stage.document !== undefined)
      problems.push({ path: [...sp, 'document'], message: 'only issue stages issue a document' });
    if (stage.kind === 'decide-inspection') {
      if (!has('inspectionNeeded') || !has('inspectionNotNeeded'))
        problems.push({
          path: [...sp, 'outcomes'],
          message: 'a decide-inspection stage needs both inspectionNeeded and inspectionNotNeeded',
        });
    } else {
      if (!has('approve'))
        problems.push({
          path: [...sp, 'outcomes', 'approve'],
          message: `stage '${stage.id}' has no approve outcome`,
        });
      if (has('inspectionNeeded') || has('inspectionNotNeeded'))
        problems.push({
          path: [...sp, 'outcomes'],
          message: 'only decide-inspection stages decide on inspection',
        });
    }
    if (stage.kind === 'number' && (has('reject') || has('returnForCompletion')))
      problems.push({
        path: [...sp, 'outcomes'],
        message: 'numbering is automatic: approve is its only outcome',
      });
  }
  return problems;
}

function checkOfficeHours(r: Regency): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [day, intervals] of Object.entries(r.officeHours)) {
    intervals.forEach((interval, i) => {
      const previous = intervals[i - 1];
      if (previous !== undefined && previous.close > interval.open)
        problems.push({
          path: ['officeHours', day, i],
          message: 'office intervals must be sorted and must not overlap',
        });
    });
  }
  return problems;
}

/** All cross-field problems of a schema-valid regency. */
export function checkRegency(r: Regency): ConfigProblem[] {
  return [
    ...duplicates(r.roles, (x) => x.id, ['roles'], 'id'),
    ...duplicates(r.officials, (x) => x.id, ['officials'], 'id'),
    ...duplicates(r.permits, (x) => x.code, ['permits'], 'code'),
    ...checkRoles(r),
    ...checkOfficeHours(r),
    ...r.permits.flatMap((p, i) => checkPermit(r, p, i)),
  ];
}

/** The schema plus the cross-field checks, so one `safeParse` reports everything with paths. */
export const validRegencySchema = regencySchema.superRefine((r, ctx) => {
  for (const problem of checkRegency(r))
    ctx.addIssue({ code: 'custom', path: [...problem.path], message: problem.message });
});

/** Shortest office day of the regency in minutes: the conservative length of "one working day". */
export function shortestOfficeDayMinutes(r: Pick<Regency, 'officeHours'>): number {
  const minutesOf = (t: string): number => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  return Math.min(
    ...Object.values(r.officeHours).map((intervals) =>
      intervals.reduce((sum, i) => sum + minutesOf(i.close) - minutesOf(i.open), 0),
    ),
  );
}

export interface DurationSum {
  workingDays: number;
  officeMinutes: number;
}

export function sumStageDurations(durations: ReadonlyArray<StageDuration | undefined>): DurationSum {
  const sum: DurationSum = { workingDays: 0, officeMinutes: 0 };
  for (const d of durations) {
    if (d === undefined) continue;
    if ('workingDays' in d) sum.workingDays += d.workingDays;
    else sum.officeMinutes += d.officeMinutes;
  }
  return sum;
}

export function formatDuration(d: DurationSum | OverallLimit): string {
  const parts: string[] = [];
  if (d.workingDays > 0) parts.push(`${d.workingDays} working day${d.workingDays === 1 ? '' : 's'}`);
  if (d.officeMinutes > 0) parts.push(`${d.officeMinutes} office minute${d.officeMinutes === 1 ? '' : 's'}`);
  return parts.join(' ') || '0';
}

/**
 * Warnings for an administrator: things that are allowed but deserve a look. The stage limits are
 * compared with the overall limit by counting a working day as the regency's shortest office day.
 */
export function regencyWarnings(r: Regency): string[] {
  const warnings: string[] = [];
  const dayMinutes = shortestOfficeDayMinutes(r);
  for (const p of r.permits) {
    const sum = sumStageDurations(p.stages.map((s) => s.duration));
    const asMinutes = (d: DurationSum): number => d.workingDays * dayMinutes + d.officeMinutes;
    if (asMinutes(sum) > asMinutes(p.limit))
      warnings.push(
        `${r.id} ${p.code}: the stage limits add up to ${formatDuration(sum)}, above the overall limit of ${formatDuration(p.limit)}`,
      );
  }
  if (r.complaintChannels.length === 0)
    warnings.push(`${r.id}: no complaint channels configured; applicants can only complain through the API`);
  return warnings;
}
