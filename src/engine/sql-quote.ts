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

/**
 * The names SQL written by this service quotes with `quoteIdentifier`, in order of appearance and
 * without repeats; string literals are skipped. A filter rendered by `sql-render.ts` quotes every
 * column it reads, so these are its columns (and perhaps a quoted type name, which names no column).
 */
export function quotedNames(sql: string): string[] {
  const names = new Set<string>();
  for (let i = 0; i < sql.length; i++) {
    const quote = sql[i];
    if (quote !== '"' && quote !== "'") continue;
    let text = '';
    for (i++; i < sql.length; i++) {
      if (sql[i] !== quote) text += sql[i];
      else if (sql[i + 1] === quote) text += sql[++i];
      else break;
    }
    if (quote === '"') names.add(text);
  }
  return [...names];
}
