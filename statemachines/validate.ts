/**
 * Validation of generated definitions with `asl-validator` (CommonJS without type declarations),
 * the same check the local Step Functions service applies on CreateStateMachine.
 */
import { createRequire } from 'node:module';

interface AslValidatorResult {
  isValid: boolean;
  errors: ReadonlyArray<{ message?: string; Message?: string; path?: string; 'Error code'?: string }>;
}
type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => AslValidatorResult;

const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

/** Problems asl-validator finds in a definition, as readable strings; empty when valid. */
export function validateDefinition(definition: unknown): string[] {
  const { isValid, errors } = aslValidator(definition);
  if (isValid) return [];
  return errors.map(
    (e) =>
      [e['Error code'], e.path, e.message ?? e.Message].filter((part) => part !== undefined).join(' ') ||
      JSON.stringify(e),
  );
}
