/**
 * Checks on the customer's text itself, before DuckDB's parser sees it: they bound the parser's work
 * and refuse characters that make text read differently from how it parses.
 */
import { invalid, RenderError } from './sql-ast.ts';

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

/**
 * Cheap checks before the parser sees the text: they bound its work and refuse invisible tricks.
 * Throws a `RenderError`; the guard names the field.
 */
export function precheck(
  text: unknown,
  field: 'where_expr' | 'select',
  limits: { readonly maxLength: number; readonly maxDepth: number },
): asserts text is string {
  if (typeof text !== 'string') invalid('must be a string');
  if (text.trim() === '') {
    invalid(
      `is empty; write ${field === 'select' ? 'column names such as person_id, country' : "a condition such as country = 'FR'"}`,
    );
  }
  const { depth, window } = scanText(text, limits.maxDepth);
  if (depth > limits.maxDepth) {
    throw new RenderError(
      'expression_too_deep',
      `brackets are nested more than ${limits.maxDepth} levels deep; simplify the expression`,
    );
  }
  if (text.length > limits.maxLength) {
    throw new RenderError(
      'expression_too_long',
      `is ${text.length} characters long; the limit is ${limits.maxLength} characters`,
    );
  }
  const bad = findForbiddenCharacter(text);
  if (bad) invalid(`character ${bad} is not allowed; ${FORBIDDEN_HINT}`);
  // json_serialize_sql silently drops a WINDOW clause, so it would otherwise pass unseen.
  if (window) invalid('WINDOW clauses are not allowed');
}

const DOLLAR_TAG = /\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/y;
const WORD = /[A-Za-z_][A-Za-z0-9_$]*/y;
const IDENTIFIER_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * Finds the deepest nesting of ( [ { outside quoted text and comments (stopping early once over
 * `limit`) and whether the bare keyword WINDOW occurs. It follows DuckDB's lexer closely enough
 * that a mismatch can only under-count, and the tree depth is checked again after parsing.
 */
function scanText(text: string, limit: number): { depth: number; window: boolean } {
  let depth = 0;
  let deepest = 0;
  let window = false;
  let i = 0;
  while (i < text.length && deepest <= limit) {
    const c = text[i]!;
    const previous = text[i - 1] ?? ' ';
    if (c === "'") {
      const escapes = /[eE]/.test(previous) && !IDENTIFIER_CHAR.test(text[i - 2] ?? ' ');
      i = endOfQuoted(text, i, "'", escapes);
    } else if (c === '"') {
      i = endOfQuoted(text, i, '"', false);
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      i = endOfBlockComment(text, i);
    } else if (c === '$' && !IDENTIFIER_CHAR.test(previous) && dollarTagAt(text, i)) {
      const tag = dollarTagAt(text, i)!;
      const end = text.indexOf(tag, i + tag.length);
      i = end < 0 ? text.length : end + tag.length;
    } else if (/[A-Za-z_]/.test(c) && !IDENTIFIER_CHAR.test(previous)) {
      WORD.lastIndex = i;
      const word = WORD.exec(text)![0];
      window ||= word.toLowerCase() === 'window';
      i += word.length;
    } else {
      if (c === '(' || c === '[' || c === '{') deepest = Math.max(deepest, ++depth);
      else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
      i++;
    }
  }
  return { depth: deepest, window };
}

/** The `$tag$` opening a dollar-quoted string at `start`, if there is one. */
function dollarTagAt(text: string, start: number): string | undefined {
  DOLLAR_TAG.lastIndex = start;
  return DOLLAR_TAG.exec(text)?.[0];
}

function endOfQuoted(text: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < text.length) {
    if (backslashEscapes && text[i] === '\\') i += 2;
    else if (text[i] !== quote) i++;
    else if (text[i + 1] === quote) i += 2;
    else return i + 1;
  }
  return text.length;
}

function endOfBlockComment(text: string, start: number): number {
  let level = 0;
  let i = start;
  while (i < text.length) {
    if (text.startsWith('/*', i)) {
      level++;
      i += 2;
    } else if (text.startsWith('*/', i)) {
      level--;
      i += 2;
      if (level === 0) return i;
    } else {
      i++;
    }
  }
  return text.length;
}
