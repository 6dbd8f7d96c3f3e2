/**
 * How the intent data is laid out: `day=YYYY-MM-DD/prefix={topic_prefix}/score={low|medium|high}/`,
 * and what any task's input looks like to the code that lists and reads it.
 */

/** Intent scores, in their order (`score >= 'medium'` means medium or high). */
export const SCORES = ['low', 'medium', 'high'] as const;
export type Score = (typeof SCORES)[number];
/** The intent tree's Hive columns and their types. */
export const INTENT_HIVE_TYPES = { day: 'DATE', prefix: 'VARCHAR', score: 'VARCHAR' };

/** Where a task's input is and how its folders read (a task's plan carries these). */
export interface InputLayout {
  inputRoot: string;
  /** Read `k=v` folders as columns: always for intent trees, for generic trees whose folders all share the same keys. */
  hive: boolean;
  /** Hive column types (intent data); absent lets DuckDB infer them. */
  hiveTypes?: Record<string, string>;
  /** Partition folders hold sub-partitions (generic trees), so list them non-recursively. */
  nestedPartitions: boolean;
}
