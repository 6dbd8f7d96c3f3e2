/** Column names in customer expressions: binding them as DuckDB does, and saying what was meant. */
import { RenderError } from './sql-ast.ts';

type Columns = readonly { readonly name: string }[];

/** DuckDB folds unquoted identifiers with ASCII rules only, so we do the same. */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Finds a column the way DuckDB binds one: exact name first, then case-insensitively. */
export function resolveColumn(columns: Columns, name: string): string {
  if (columns.some((c) => c.name === name)) return name;
  const matches = columns.filter((c) => asciiLower(c.name) === asciiLower(name));
  if (matches.length === 1) return matches[0]!.name;
  if (matches.length > 1) {
    throw new RenderError(
      'expression_invalid',
      `column "${name}" is ambiguous; write it with its exact case in double quotes`,
    );
  }
  throw new RenderError('expression_invalid', unknownColumnMessage(columns, name));
}

const SESSION_WORDS = new Set(
  `current_date current_time current_timestamp localtime localtimestamp now today current_user user
    session_user current_role current_schema current_catalog current_database`
    .trim()
    .split(/\s+/),
);

function unknownColumnMessage(columns: Columns, name: string): string {
  const names = columns.map((c) => c.name);
  const list = names.length > 30 ? `${names.slice(0, 30).join(', ')}, …` : names.join(', ');
  let hint = '';
  if (SESSION_WORDS.has(asciiLower(name)))
    hint = ' (current time, date, user and session values are not allowed)';
  else if (/[^\x20-\x7e]/.test(name) && !names.some((n) => /[^\x20-\x7e]/.test(n))) {
    hint = ' (it contains non-ASCII characters; retype it)';
  } else {
    const close = names.find((n) => editDistance(asciiLower(n), asciiLower(name)) <= 2);
    if (close) hint = ` (did you mean "${close}"?)`;
  }
  return `unknown column "${name}"${hint}; available columns: ${list}`;
}

/** Levenshtein distance; 3 when the lengths alone rule out 2 or fewer. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length]!;
}
