/**
 * Ordered columns (e.g. score: low < medium < high): compared by rank, not as text, and only with
 * one of their values.
 */
import { invalid, isNode, stringConstant } from './sql-ast.ts';
import { quoteIdentifier, quoteString } from './sql-quote.ts';

function orderedValues(column: string, values: readonly string[]): string {
  return `"${column}" is ordered and takes only these values: ${values.map(quoteString).join(', ')}`;
}

/** The rank of the string constant an ordered column is range-compared with. */
export function rankOf(column: string, values: readonly string[], other: unknown, op: string): number {
  const value = isNode(other) ? stringConstant(other) : undefined;
  if (value === undefined) {
    invalid(
      `${orderedValues(column, values)}; with ${op} compare it only with one of them, e.g. "${column}" >= ${quoteString(values[values.length - 1] ?? '')}`,
    );
  }
  const rank = values.indexOf(value);
  if (rank < 0) invalid(`${quoteString(value)} is not a valid value: ${orderedValues(column, values)}`);
  return rank;
}

/** Refuses a string constant compared with an ordered column when it is not one of its values. */
export function checkOrderedValue([column, values]: [string, readonly string[]], other: unknown): void {
  const value = isNode(other) ? stringConstant(other) : undefined;
  if (value !== undefined && !values.includes(value)) {
    invalid(`${quoteString(value)} is not a valid value: ${orderedValues(column, values)}`);
  }
}

/** The column's value as its rank (0 for the lowest), for range comparisons. */
export function rankExpression(column: string, values: readonly string[]): string {
  const whens = values.map((v, i) => `WHEN ${quoteString(v)} THEN ${i}`).join(' ');
  return `(CASE ${quoteIdentifier(column)} ${whens} END)`;
}
