/**
 * Integer bounds a rendered filter puts on its columns, for ruling out Parquet row groups by their
 * statistics before fetching them. Only what DuckDB itself certainly prunes is taken: a comparison of
 * a column with an integer literal (`=`, `<`, `<=`, `>`, `>=`, `BETWEEN`) that every row must meet,
 * that is a conjunct of the filter's top-level AND. Anything else (OR, NOT, casts, functions,
 * decimals, strings) gives no bound, and the row groups stay in: a bound DuckDB did not also apply
 * would make it read bytes that were never fetched. Whether the column is an integer column, whose
 * statistics may be used, is for the Parquet footer to say (`columnChunkRanges`).
 */

export type BoundOperator = '=' | '<' | '<=' | '>' | '>=';

/** Every row the filter keeps has `column op value`. */
export interface ColumnBound {
  column: string;
  op: BoundOperator;
  value: bigint;
}

const NAME = '"((?:[^"]|"")+)"';
const INTEGER = '(-?\\d+|\\(-\\d+\\))';
const OPERATOR = '(=|<=|>=|<|>)';
const COLUMN_FIRST = new RegExp(`^${NAME} ${OPERATOR} ${INTEGER}$`);
const VALUE_FIRST = new RegExp(`^${INTEGER} ${OPERATOR} ${NAME}$`);
const BETWEEN = new RegExp(`^${NAME} BETWEEN ${INTEGER} AND ${INTEGER}$`);
const FLIPPED: Record<BoundOperator, BoundOperator> = {
  '=': '=',
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
};

/** The bounds of `whereSql` as `sql-render.ts` writes it (every operand in parentheses). */
export function integerBounds(whereSql: string): ColumnBound[] {
  const text = unwrap(whereSql.trim());
  let match = COLUMN_FIRST.exec(text);
  if (match) return [bound(match[1]!, match[2]!, match[3]!)];
  match = VALUE_FIRST.exec(text);
  if (match) return [bound(match[3]!, FLIPPED[match[2] as BoundOperator], match[1]!)];
  match = BETWEEN.exec(text);
  if (match) return [bound(match[1]!, '>=', match[2]!), bound(match[1]!, '<=', match[3]!)];
  const conjuncts = splitTopLevel(text);
  return conjuncts ? conjuncts.flatMap(integerBounds) : [];
}

function bound(name: string, op: string, literal: string): ColumnBound {
  return {
    column: name.replaceAll('""', '"'),
    op: op as BoundOperator,
    value: BigInt(literal.replace(/[()]/g, '')),
  };
}

/** Removes parentheses around the whole text. */
function unwrap(text: string): string {
  let inner = text;
  while (inner.startsWith('(') && closingOf(inner, 0) === inner.length - 1) inner = inner.slice(1, -1).trim();
  return inner;
}

/** The index of the parenthesis closing the one at `open`, skipping quoted text. */
function closingOf(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") i = endOfQuoted(text, i);
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/** The index of the quote closing the quoted text that starts at `start` (doubled quotes inside). */
function endOfQuoted(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] !== quote) continue;
    if (text[i + 1] === quote) i++;
    else return i;
  }
  return text.length;
}

/**
 * The operands of a top-level AND chain; undefined when the text is not one (a single operand, or
 * an OR at the top, where no operand binds every row).
 */
function splitTopLevel(text: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") i = endOfQuoted(text, i);
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && text.startsWith(' OR ', i)) return undefined;
    else if (depth === 0 && text.startsWith(' AND ', i)) {
      parts.push(text.slice(start, i));
      start = i + ' AND '.length;
      i = start - 1;
    }
  }
  if (parts.length === 0) return undefined;
  parts.push(text.slice(start));
  return parts;
}
