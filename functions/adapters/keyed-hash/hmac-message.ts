/**
 * What is hashed for a purpose and a value: the purpose, a NUL, the value (UTF-8). Both adapters hash
 * exactly this, so a table written by one stays readable by the other's key of the same bytes, and the
 * NUL keeps `('ab', 'c')` and `('a', 'bc')` apart.
 */
export function hmacMessage(purpose: string, value: string): Uint8Array {
  if (purpose.includes('\0')) throw new Error('a keyed-hash purpose may not contain NUL');
  return new TextEncoder().encode(`${purpose}\0${value}`);
}
