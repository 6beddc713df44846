/**
 * Which documents an application needs: every requirement of the permit's SOP, except those whose
 * `when.answer` names a question the applicant answered no. Pure functions over the configuration.
 */
import type { Permit, Requirement } from '#config/regency-schema.ts';
import type { FieldError } from './field-error.ts';

export type Answers = Readonly<Record<string, boolean>>;

export const isRequired = (requirement: Requirement, answers: Answers): boolean =>
  requirement.when === undefined || answers[requirement.when.answer] === true;

export function requiredRequirements(permit: Permit, answers: Answers): Requirement[] {
  return permit.requirements.filter((r) => isRequired(r, answers));
}

/** Every question of the permit must be answered, and nothing else: a form must not carry stray data. */
export function checkAnswers(permit: Permit, answers: Answers): FieldError[] {
  const known = new Set(permit.questions.map((q) => q.id));
  const errors: FieldError[] = [];
  for (const key of Object.keys(answers))
    if (!known.has(key))
      errors.push({
        field: `answers.${key}`,
        code: 'unknown-field',
        message: `Pertanyaan "${key}" tidak ada pada izin ${permit.code}.`,
      });
  for (const question of permit.questions)
    if (answers[question.id] === undefined)
      errors.push({
        field: `answers.${question.id}`,
        code: 'required',
        message: `Jawab pertanyaan: ${question.label}.`,
      });
  return errors;
}

/** Requirement ids that are required and have no accepted document. */
export function missingRequirements(
  permit: Permit,
  answers: Answers,
  haveDocumentFor: (requirementId: string) => boolean,
): Requirement[] {
  return requiredRequirements(permit, answers).filter((r) => !haveDocumentFor(r.id));
}
