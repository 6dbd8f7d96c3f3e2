import type { Estimate } from '../api.ts';

export type DataWarning = NonNullable<Estimate['warnings']>[number];

/** What a warning's values are called, one and several. */
const WARNED: Record<string, { one: string; many: string }> = {
  days: { one: 'No data on', many: 'No data on' },
  topic_id_prefixes: { one: 'No data for topic prefix', many: 'No data for topic prefixes' },
  scores: { one: 'No data with score', many: 'No data with scores' },
};

/**
 * A warning as one line a person reads: "No data on 2024-05-09: it counts 0 rows." A field the
 * console does not know keeps the API's own message.
 */
export function warningLine(warning: DataWarning): string {
  const words = WARNED[warning.field];
  if (!words) return warning.message;
  const several = warning.values.length > 1 || warning.truncated;
  const values = `${warning.values.join(', ')}${warning.truncated ? ' and more' : ''}`;
  return `${several ? words.many : words.one} ${values}: ${several ? 'they count' : 'it counts'} 0 rows.`;
}

/**
 * The API's warnings about a segment (the values it holds no rows for), one line each: beside the
 * builder's Estimate, and on the page of a task whose create warned.
 */
export function DataWarnings({ warnings, testId }: { warnings: DataWarning[]; testId: string }) {
  if (warnings.length === 0) return null;
  return (
    <ul className="warnings" aria-label="Warnings" data-testid={testId}>
      {warnings.map((warning) => (
        <li key={warning.field}>{warningLine(warning)}</li>
      ))}
    </ul>
  );
}
