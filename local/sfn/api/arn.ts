import { ApiError, apiErrors } from './errors.ts';

/**
 * ARNs of the service, built and parsed the way Step Functions does:
 * `arn:aws:states:<region>:<account>:stateMachine:<name>` and
 * `arn:aws:states:<region>:<account>:execution:<stateMachineName>:<executionName>`.
 */

// Whitespace, brackets, wildcards, the listed punctuation and control characters are refused.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const FORBIDDEN_NAME_CHARS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

export function isValidResourceName(name: string): boolean {
  return name.length >= 1 && name.length <= 80 && !FORBIDDEN_NAME_CHARS.test(name);
}

// Built with join rather than a template: join gives one flat string, where a template keeps a
// tree of pieces, and these ARNs are kept for every execution.
export function stateMachineArn(region: string, accountId: string, name: string): string {
  return ['arn:aws:states', region, accountId, 'stateMachine', name].join(':');
}

export function executionArn(
  region: string,
  accountId: string,
  stateMachineName: string,
  name: string,
): string {
  return ['arn:aws:states', region, accountId, 'execution', stateMachineName, name].join(':');
}

interface ParsedArn {
  region: string;
  accountId: string;
  parts: string[];
}

/** The common part of a Step Functions ARN, whose resource type must be `expectedType`. */
function parseStatesArn(arn: string, expectedType: 'stateMachine' | 'execution'): ParsedArn {
  if (!arn.startsWith('arn:')) throw apiErrors.invalidArn(arn, `Invalid ARN prefix: ${arn}`);
  const parts = arn.split(':');
  if (parts.length < 7 || parts[1] !== 'aws' || parts[2] !== 'states') {
    throw apiErrors.invalidArn(arn, `Invalid Arn: ${arn}`);
  }
  const [, , , region = '', accountId = '', resourceType = '', ...rest] = parts;
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region) || !/^\d{12}$/.test(accountId)) {
    throw apiErrors.invalidArn(arn, `Invalid Arn: ${arn}`);
  }
  if (resourceType !== expectedType) {
    throw apiErrors.invalidArn(arn, `Resource type not valid in this context: ${resourceType}`);
  }
  return { region, accountId, parts: rest };
}

export interface StateMachineArnParts {
  region: string;
  accountId: string;
  name: string;
}

export function parseStateMachineArn(arn: string): StateMachineArnParts {
  const parsed = parseStatesArn(arn, 'stateMachine');
  const [name = '', qualifier] = parsed.parts;
  if (parsed.parts.length > 2 || !isValidResourceName(name)) {
    throw apiErrors.invalidArn(arn, `Invalid Arn: ${arn}`);
  }
  if (qualifier !== undefined) {
    // Versions and aliases are not emulated: such an ARN names nothing here.
    throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  }
  return { region: parsed.region, accountId: parsed.accountId, name };
}

/** `name` is the execution's name. */
export interface ExecutionArnParts extends StateMachineArnParts {
  stateMachineName: string;
}

export function parseExecutionArn(arn: string): ExecutionArnParts {
  const parsed = parseStatesArn(arn, 'execution');
  const [stateMachineName = '', name = ''] = parsed.parts;
  if (parsed.parts.length !== 2 || !isValidResourceName(stateMachineName) || !isValidResourceName(name)) {
    throw apiErrors.invalidArn(arn, `Invalid Arn: ${arn}`);
  }
  return { region: parsed.region, accountId: parsed.accountId, stateMachineName, name };
}
