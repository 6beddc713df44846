/**
 * Indonesian mobile numbers: 08xx, 628xx or +628xx, then 7 to 12 more digits (operators' prefixes
 * start at 81). Spaces, dots, hyphens and brackets people type are ignored; the stored form is E.164
 * (`+628...`), so one person's number is always written the same way.
 */
const MOBILE = /^(\+62|62|0)8[1-9][0-9]{6,11}$/;

export function normaliseMobileNumber(input: string): string | undefined {
  const compact = input.replace(/[\s.\-()]/g, '');
  const match = MOBILE.exec(compact);
  if (match === null) return undefined;
  return `+62${compact.slice((match[1] ?? '').length)}`;
}
