/**
 * `ApiError` is what an API call answers with (AWS JSON 1.0 error: HTTP 400, `__type` = code).
 * Errors inside an execution are `StatesError`s (../interpreter/errors.ts).
 */

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

export const apiErrors = {
  validation: (message: string) => new ApiError('ValidationException', message),
  invalidArn: (arn: string, reason?: string) =>
    new ApiError(
      'InvalidArn',
      `Invalid Arn: '${reason ?? `Resource type not valid in this context: ${arn}`}'`,
    ),
  invalidDefinition: (reason: string) =>
    new ApiError('InvalidDefinition', `Invalid State Machine Definition: '${reason}'`),
  invalidName: (name: string) => new ApiError('InvalidName', `Invalid Name: '${name}'`),
  stateMachineDoesNotExist: (arn: string) =>
    new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`),
  stateMachineAlreadyExists: (arn: string) =>
    new ApiError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`),
  stateMachineDeleting: (arn: string) =>
    new ApiError('StateMachineDeleting', `State Machine is being deleted: '${arn}'`),
  executionDoesNotExist: (arn: string) =>
    new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`),
  executionAlreadyExists: (arn: string) =>
    new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`),
  invalidExecutionInput: (reason: string) =>
    new ApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${reason}'`),
  invalidOutput: (reason: string) => new ApiError('InvalidOutput', `Invalid Output: '${reason}'`),
  invalidToken: (reason = 'Invalid token') => new ApiError('InvalidToken', reason),
  taskTimedOut: () => new ApiError('TaskTimedOut', 'Task Timed Out'),
  taskDoesNotExist: () => new ApiError('TaskDoesNotExist', 'Task does not exist'),
};
