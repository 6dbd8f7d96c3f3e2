/** The request as normalised at creation and shown back in the task detail. */
export interface IntentRequestView {
  days: string[];
  topic_id_prefixes: string[];
  scores: Score[];
  input_path: string;
  limit: number | null;
  perform_unload: boolean;
  select: string[] | null;
  where_expr: string | null;
}

export interface GenericRequestView {
  input_path: string;
  limit: number | null;
  perform_unload: boolean;
  select: string[] | null;
  where_expr: string | null;
}

export type TaskType = 'intent_hive' | 'generic_parquet';
export const SCORES = ['low', 'medium', 'high'] as const;
export type Score = (typeof SCORES)[number];
/** The intent tree's Hive columns and their types. */
export const INTENT_HIVE_TYPES = { day: 'DATE', prefix: 'VARCHAR', score: 'VARCHAR' };

/** What the worker needs to run a task's jobs, fixed at creation. */
export interface TaskPlan {
  inputRoot: string;
  /** Read `k=v` folders as columns: always for intent trees, for generic trees whose folders all share the same keys. */
  hive: boolean;
  /** Hive column types (intent data); absent lets DuckDB infer them. */
  hiveTypes?: Record<string, string>;
  /** The filter rendered from the validated expression tree; never the client's text. */
  whereSql: string | null;
  /** Columns written to exports, in order; null: the files' own columns. */
  columns: string[] | null;
  limit: number | null;
  /** Partition folders hold sub-partitions (generic trees), so list them non-recursively. */
  nestedPartitions: boolean;
}

/** The JSON stored in `tasks.request`. */
export interface StoredRequest {
  view: IntentRequestView | GenericRequestView;
  plan: TaskPlan;
}

/** Where an intent partition's key comes from. */
export function intentPartitionKey(day: string, prefix: string, score: string): string {
  return `day=${day}/prefix=${prefix}/score=${score}`;
}
