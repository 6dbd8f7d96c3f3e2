/**
 * Quoting for the SQL this service writes itself (paths, column names, values it chose). Customer
 * expressions never go through here unchecked: `sql-guard.ts` parses them and renders from the tree.
 */

/** Quotes a name as a SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string as a SQL literal (standard strings: backslash has no special meaning). */
export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
