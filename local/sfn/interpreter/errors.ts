/**
 * `StatesError` is an error inside an execution (the "Error"/"Cause" pair of the States language)
 * that Retry and Catch match on. Errors an API call answers with are `ApiError`s (../api/errors.ts).
 */

/** An error raised while running a state: it carries the States-language Error and Cause. */
export class StatesError extends Error {
  readonly error: string;
  readonly cause_: string | undefined;

  constructor(error: string, cause?: string) {
    super(cause ? `${error}: ${cause}` : error);
    this.name = 'StatesError';
    this.error = error;
    this.cause_ = cause;
  }
}

/** States.Runtime: AWS fails the whole execution with it; no Retry or Catch applies. */
export const runtimeError = (cause: string) => new StatesError('States.Runtime', cause);
