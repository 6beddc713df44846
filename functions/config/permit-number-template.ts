/**
 * The placeholders a permit-number template may use, and the check the configuration applies (the
 * formatting itself is core/domain/permit/permit-number.ts, which documents each placeholder).
 */
export const PERMIT_NUMBER_PLACEHOLDERS = [
  'seq',
  'seq:N',
  'year',
  'yy',
  'month',
  'month:roman',
  'code',
] as const;

const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN = /^(?:seq(?::[1-9])?|year|yy|month|month:roman|code)$/;

export type PermitNumberSequence = 'yearly' | 'continuous';

/** What is wrong with a template, or undefined when it is usable. */
export function templateProblem(template: string, sequence: PermitNumberSequence): string | undefined {
  const names = [...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
  const unknown = names.filter((n) => !KNOWN.test(n));
  if (unknown.length > 0)
    return `unknown placeholder ${unknown.map((n) => `{${n}}`).join(', ')}; known: ${PERMIT_NUMBER_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`;
  if (template.replace(PLACEHOLDER, '').match(/[{}]/)) return 'has an unmatched brace';
  const seqs = names.filter((n) => n.startsWith('seq'));
  if (seqs.length !== 1) return 'must contain {seq} or {seq:N} exactly once';
  if (sequence === 'yearly' && !names.some((n) => n === 'year' || n === 'yy'))
    return 'a yearly sequence restarts each year, so the number must contain {year} or {yy} (or set permitNumberSequence: continuous)';
  return undefined;
}
