import { StatesError } from '../../../../../local/sfn/interpreter/errors.ts';

/** Helpers shared by the interpreter's unit tests. */

/** An empty context object (`$$`). */
export const noContext = () => ({});

export function statesError(action: () => unknown): { error: string; cause: string | undefined } {
  try {
    action();
  } catch (error) {
    if (error instanceof StatesError) return { error: error.error, cause: error.cause_ };
    throw error;
  }
  throw new Error('expected a StatesError');
}
