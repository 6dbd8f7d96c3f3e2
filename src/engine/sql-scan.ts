/** Checks on the customer's text itself, before and apart from DuckDB's parser. */

/**
 * Characters rejected anywhere in the input and in string constants: C0/C1 controls except tab and
 * line breaks, and invisible or text-direction characters that make the text read differently
 * from how it parses.
 */
function isForbidden(code: number): boolean {
  if (code < 0x20) return code !== 0x09 && code !== 0x0a && code !== 0x0d;
  if (code < 0x7f) return false;
  return (
    code <= 0x9f ||
    code === 0xad ||
    code === 0x61c ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x2064) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff ||
    (code >= 0xd800 && code <= 0xdfff) // only reachable for an unpaired surrogate
  );
}

/** Describes the first forbidden character in `text` (e.g. `U+202E at position 5`), or returns undefined. */
export function findForbiddenCharacter(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i)!;
    if (isForbidden(code))
      return `U+${code.toString(16).toUpperCase().padStart(4, '0')} at position ${i + 1}`;
    if (code > 0xffff) i++;
  }
  return undefined;
}

/** How to fix a forbidden character. */
export const FORBIDDEN_HINT = 'remove control, invisible and text-direction characters';
