/**
 * The console's labels for the API's request fields: a message about `where_expr` is about what the
 * builder calls "Filter". Only the names change; the API's words stay as they are.
 */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  name: 'Name',
  days: 'Days',
  topic_id_prefixes: 'Topic prefixes',
  topic_ids: 'Topics',
  scores: 'Scores',
  where_expr: 'Filter',
  select: 'Columns',
  unique_by: 'Unique people',
  breakdown_by: 'Breakdowns',
  output: 'Export',
  format: 'Format',
  single_file: 'One file',
  email: 'Email',
  password: 'Password',
  current_password: 'Current password',
  new_password: 'New password',
  first_name: 'First name',
  last_name: 'Last name',
  organization_name: 'Organization',
};

const names = Object.keys(FIELD_LABELS).join('|');
/**
 * A field named where a message names one: at its start or after the `; ` between messages, before a
 * colon (`days[1]: …`, `definition.where_expr: …`).
 */
const LEADING = new RegExp(`(^|; )(?:definition\\.)?(${names})(?:\\[(\\d+)\\])?(?=:)`, 'g');
/** Names with an underscore are never English words: replaced wherever they stand alone. */
const IDENTIFIER = new RegExp(
  `\\b(?:definition\\.)?(${names
    .split('|')
    .filter((n) => n.includes('_'))
    .join('|')})\\b`,
  'g',
);

/** `where_expr: unknown column x` → `Filter: unknown column x`; `days[1]: …` → `Days, item 2: …`. */
export function withFieldLabels(message: string): string {
  return message
    .replace(LEADING, (_match, before: string, name: string, index?: string) => {
      const label = FIELD_LABELS[name] ?? name;
      return `${before}${index === undefined ? label : `${label}, item ${Number(index) + 1}`}`;
    })
    .replace(IDENTIFIER, (_match, name: string) => FIELD_LABELS[name] ?? name);
}
