/**
 * From a permit SOP to an Amazon States Language document. Pure: the same function feeds CDK
 * (`DefinitionBody.fromString` + `definitionSubstitutions`) and the local Step Functions service, so
 * there is one definition of each workflow.
 *
 * Shape, per stage of the SOP:
 * - a human stage is `<id>.begin` (record the stage, compute its deadline on the regency calendar),
 *   `<id>.wait` (a `lambda:invoke.waitForTaskToken` task whose timeout is the next wake-up: a
 *   reminder, the deadline, or a post-breach reminder), `<id>.timer` (reminder / breach /
 *   escalation / deem-granted, then wait again under the same pending action), `<id>.record` (the
 *   decision closes the stage) and `<id>.route` (a Choice on the outcome);
 * - a return for completion is `<id>.return`, `<id>.await-resubmission` (the applicant's own
 *   deadline; the office clock is paused) and `<id>.resume`, then the stage the SOP names;
 * - automatic stages (numbering, issuing) are plain tasks.
 * Time comes from `$$.State.EnteredTime`, never from a function's own clock, so the local service's
 * injectable clock drives every deadline in tests and demos.
 */
import { isAutomaticStage, type Permit, type Regency, type Stage } from '#config/regency-schema.ts';

/** ASL placeholders, substituted with function ARNs by CDK and by the local stack. */
export const WORKFLOW_FUNCTIONS = {
  StageActionsFunctionArn: 'stage-actions',
  AwaitHumanFunctionArn: 'await-human',
  IssueFunctionArn: 'issue',
} as const;
export type WorkflowPlaceholder = keyof typeof WORKFLOW_FUNCTIONS;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type State = { [key: string]: Json };

export interface AslDefinition {
  Comment: string;
  StartAt: string;
  States: Record<string, State>;
}

/** Lambda errors that are worth retrying (AWS's recommended list for Lambda tasks). */
const TRANSIENT_LAMBDA_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

export const STATE = {
  start: 'Start',
  needsAttention: 'NeedsAttention',
  failed: 'Failed',
  deemGranted: 'DeemGranted',
  lapse: 'Lapse',
  lapsed: 'Lapsed',
  done: 'Done',
  closed: 'Closed',
} as const;

/**
 * A step that finds the application in a final state it did not cause (withdrawn while the step was
 * on its way) throws ApplicationClosed: the execution ends cleanly, writing nothing.
 */
const CLOSED_CATCH = { ErrorEquals: ['ApplicationClosed'], ResultPath: null, Next: STATE.closed };

export const stateName = {
  begin: (id: string) => `${id}.begin`,
  wait: (id: string) => `${id}.wait`,
  timer: (id: string) => `${id}.timer`,
  afterTimer: (id: string) => `${id}.after-timer`,
  record: (id: string) => `${id}.record`,
  route: (id: string) => `${id}.route`,
  return: (id: string) => `${id}.return`,
  awaitResubmission: (id: string) => `${id}.await-resubmission`,
  resume: (id: string) => `${id}.resume`,
  auto: (id: string) => `${id}.run`,
};

const placeholder = (p: WorkflowPlaceholder): string => `\${${p}}`;

/** The entry state of a stage, whatever its kind. */
const entryOf = (stage: Stage): string =>
  isAutomaticStage(stage) ? stateName.auto(stage.id) : stateName.begin(stage.id);

function invoke(
  fn: WorkflowPlaceholder,
  payload: { [key: string]: Json },
  next: { Next: string } | { End: true },
  resultSelector?: { [key: string]: Json },
  resultPath: string | null = null,
): State {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: placeholder(fn), Payload: payload },
    ...(resultSelector === undefined ? {} : { ResultSelector: resultSelector }),
    ResultPath: resultPath,
    Retry: [{ ErrorEquals: TRANSIENT_LAMBDA_ERRORS, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 }],
    Catch: [CLOSED_CATCH, { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: STATE.needsAttention }],
    ...next,
  };
}

function waitForHuman(
  kind: 'decision' | 'resubmission',
  stageId: string,
  timeoutPath: string,
  onTimeout: string,
  next: string,
  resultPath: string,
): State {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: {
      FunctionName: placeholder('AwaitHumanFunctionArn'),
      Payload: {
        kind,
        'taskToken.$': '$$.Task.Token',
        'applicationId.$': '$.applicationId',
        stageId,
        'pendingActionId.$': '$.pending.pendingActionId',
        'at.$': '$$.State.EnteredTime',
      },
    },
    TimeoutSecondsPath: timeoutPath,
    ResultPath: resultPath,
    Retry: [{ ErrorEquals: TRANSIENT_LAMBDA_ERRORS, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 }],
    Catch: [
      { ErrorEquals: ['States.Timeout'], ResultPath: null, Next: onTimeout },
      CLOSED_CATCH,
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: STATE.needsAttention },
    ],
    Next: next,
  };
}

const common = (action: string, stageId?: string): { [key: string]: Json } => ({
  action,
  'applicationId.$': '$.applicationId',
  ...(stageId === undefined ? {} : { stageId }),
  'at.$': '$$.State.EnteredTime',
});

/** Selects what the wait needs from a stage-actions result: the pending action and the next wake-up. */
const pendingSelector = {
  'pendingActionId.$': '$.Payload.pendingActionId',
  'waitSeconds.$': '$.Payload.waitSeconds',
  'deemGranted.$': '$.Payload.deemGranted',
};

/** A one-line description of a stage, kept on its entry state so diagrams need only the definition. */
function describeStage(regency: Regency, stage: Stage): string {
  const role = regency.roles.find((r) => r.id === stage.role)?.label ?? 'sistem';
  const d = stage.duration;
  const limit =
    d === undefined
      ? 'otomatis'
      : 'workingDays' in d
        ? `${d.workingDays} hari kerja`
        : `${d.officeMinutes} menit kerja`;
  return `${stage.name} | ${isAutomaticStage(stage) ? 'sistem' : role} | ${limit}`;
}

function humanStageStates(regency: Regency, permit: Permit, stage: Stage): Record<string, State> {
  const byId = new Map(permit.stages.map((s) => [s.id, s]));
  const target = (id: string | undefined): string => {
    const s = id === undefined ? undefined : byId.get(id);
    if (s === undefined) throw new Error(`stage ${stage.id}: outcome leads to unknown stage ${id}`);
    return entryOf(s);
  };
  const id = stage.id;
  // Only a regency whose policy deems a late application granted gets that path at all.
  const deemGranted = regency.deadlinePolicy.onBreach === 'escalate-and-deem-granted';
  const states: Record<string, State> = {
    [stateName.begin(id)]: {
      Comment: describeStage(regency, stage),
      ...invoke(
        'StageActionsFunctionArn',
        common('enter-stage', id),
        { Next: stateName.wait(id) },
        pendingSelector,
        '$.pending',
      ),
    },
    [stateName.wait(id)]: waitForHuman(
      'decision',
      id,
      '$.pending.waitSeconds',
      stateName.timer(id),
      stateName.record(id),
      '$.decision',
    ),
    [stateName.timer(id)]: invoke(
      'StageActionsFunctionArn',
      { ...common('stage-timer', id), 'pendingActionId.$': '$.pending.pendingActionId' },
      { Next: deemGranted ? stateName.afterTimer(id) : stateName.wait(id) },
      pendingSelector,
      '$.pending',
    ),
    [stateName.record(id)]: invoke(
      'StageActionsFunctionArn',
      {
        ...common('complete-stage', id),
        'pendingActionId.$': '$.pending.pendingActionId',
        'decision.$': '$.decision',
      },
      { Next: stateName.route(id) },
      { 'outcome.$': '$.Payload.outcome' },
      '$.decided',
    ),
  };
  if (deemGranted)
    states[stateName.afterTimer(id)] = {
      Type: 'Choice',
      Choices: [{ Variable: '$.pending.deemGranted', BooleanEquals: true, Next: STATE.deemGranted }],
      Default: stateName.wait(id),
    };
  const choices: State[] = [];
  for (const [outcome, targetId] of Object.entries(stage.outcomes)) {
    if (targetId === undefined) continue;
    const next = outcome === 'returnForCompletion' ? stateName.return(id) : target(targetId);
    choices.push({ Variable: '$.decided.outcome', StringEquals: outcome, Next: next });
  }
  states[stateName.route(id)] = { Type: 'Choice', Choices: choices, Default: STATE.needsAttention };
  if (stage.outcomes.returnForCompletion !== undefined) {
    states[stateName.return(id)] = invoke(
      'StageActionsFunctionArn',
      { ...common('return-to-applicant', id), 'decision.$': '$.decision' },
      { Next: stateName.awaitResubmission(id) },
      pendingSelector,
      '$.pending',
    );
    states[stateName.awaitResubmission(id)] = waitForHuman(
      'resubmission',
      id,
      '$.pending.waitSeconds',
      STATE.lapse,
      stateName.resume(id),
      '$.resubmission',
    );
    states[stateName.resume(id)] = invoke(
      'StageActionsFunctionArn',
      { ...common('resume-after-return', id), 'pendingActionId.$': '$.pending.pendingActionId' },
      { Next: target(stage.outcomes.returnForCompletion) },
    );
  }
  return states;
}

function automaticStageStates(regency: Regency, permit: Permit, stage: Stage): Record<string, State> {
  const byId = new Map(permit.stages.map((s) => [s.id, s]));
  const Comment = describeStage(regency, stage);
  if (stage.kind === 'issue') {
    return {
      [stateName.auto(stage.id)]: {
        Comment,
        ...invoke(
          'IssueFunctionArn',
          { ...common('issue', stage.id), document: stage.document ?? 'permit' },
          { Next: STATE.done },
        ),
      },
    };
  }
  const next = byId.get(stage.outcomes.approve ?? '');
  if (next === undefined) throw new Error(`stage ${stage.id}: no approve target`);
  return {
    [stateName.auto(stage.id)]: {
      Comment,
      ...invoke('IssueFunctionArn', common('number', stage.id), { Next: entryOf(next) }),
    },
  };
}

/** Where a deemed grant goes: the first numbering stage that leads to the permit, or the permit itself. */
function deemGrantedTarget(permit: Permit): Stage {
  const issuePermit = permit.stages.find((s) => s.kind === 'issue' && s.document === 'permit');
  const numbering = permit.stages.find((s) => s.kind === 'number' && s.outcomes.approve === issuePermit?.id);
  const target = numbering ?? issuePermit;
  if (target === undefined) throw new Error(`${permit.code}: no permit issue stage`);
  return target;
}

export function generateDefinition(regency: Regency, permit: Permit): AslDefinition {
  const first = permit.stages[0];
  if (first === undefined) throw new Error(`${permit.code}: no stages`);
  const states: Record<string, State> = {
    [STATE.start]: invoke(
      'StageActionsFunctionArn',
      { ...common('start'), permitCode: permit.code, 'executionId.$': '$$.Execution.Id' },
      { Next: entryOf(first) },
    ),
  };
  for (const stage of permit.stages)
    Object.assign(
      states,
      isAutomaticStage(stage)
        ? automaticStageStates(regency, permit, stage)
        : humanStageStates(regency, permit, stage),
    );
  Object.assign(states, {
    [STATE.lapse]: invoke('StageActionsFunctionArn', common('lapse'), { Next: STATE.lapsed }),
    [STATE.lapsed]: { Type: 'Succeed', Comment: 'The applicant did not complete the returned file in time.' },
    [STATE.done]: { Type: 'Succeed' },
    [STATE.closed]: {
      Type: 'Succeed',
      Comment: 'The application reached a final state outside the workflow (withdrawn); nothing more to do.',
    },
    // The last resort: record that an administrator must look, raise the alert, then fail the
    // execution. Its own failures are retried but not caught, so a broken alert path is visible as a
    // failed execution (which has its own alarm).
    [STATE.needsAttention]: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: placeholder('StageActionsFunctionArn'),
        Payload: { ...common('needs-attention'), 'error.$': '$.error' },
      },
      ResultPath: null,
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2 }],
      Next: STATE.failed,
    },
    [STATE.failed]: {
      Type: 'Fail',
      Error: 'ApplicationNeedsAttention',
      Cause: 'See the application record and the alert.',
    },
  });
  // Under escalate-and-deem-granted, stage-timer sends a stage here once the permit's overall limit
  // has passed (office time, pauses excluded); the permit is then numbered and issued as deemed.
  if (regency.deadlinePolicy.onBreach === 'escalate-and-deem-granted')
    states[STATE.deemGranted] = invoke('StageActionsFunctionArn', common('deem-granted'), {
      Next: entryOf(deemGrantedTarget(permit)),
    });
  const policy = regency.deadlinePolicy.onBreach;
  return {
    Comment: `${regency.name}: ${permit.name} (${permit.code}); breach policy ${policy}. Generated by statemachines/generate.ts from regencies/${regency.id}.yaml.`,
    StartAt: STATE.start,
    States: states,
  };
}

export interface GeneratedStateMachine {
  /** The permit code, e.g. SIKOT; deployments prefix it with the regency. */
  name: string;
  definition: AslDefinition;
  /** Placeholder -> workflow function name (entry file `functions/workflow/<name>.ts`). */
  substitutions: Record<WorkflowPlaceholder, string>;
}

export function generateStateMachines(regency: Regency): GeneratedStateMachine[] {
  return regency.permits.map((permit) => ({
    name: permit.code,
    definition: generateDefinition(regency, permit),
    substitutions: { ...WORKFLOW_FUNCTIONS },
  }));
}

/** Replaces `${Placeholder}` the way CloudFormation's definitionSubstitutions do. */
export function substitute(definition: AslDefinition, values: Record<string, string>): AslDefinition {
  const text = JSON.stringify(definition).replace(/\$\{([A-Za-z0-9]+)\}/g, (match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no substitution for ${match}`);
    return value;
  });
  return JSON.parse(text) as AslDefinition;
}
