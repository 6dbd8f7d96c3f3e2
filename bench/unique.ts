import type { AudiencesApi, IntentTaskBody } from './api.ts';
import { alternate } from './comparisons.ts';
import type { CpuMonitor } from './cpu-monitor.ts';
import type { Dataset } from './dataset.ts';
import type { BenchOptions } from './options.ts';
import { rawQuery, treeGlob } from './raw-duckdb.ts';
import { allPartitions, FILTER } from './workload.ts';

/** The target: a count with `unique_by` at most this many times raw DuckDB's. */
export const UNIQUE_TARGET_RATIO = 1.2;
const UNIQUE_BY = 'person_id';

/** Section 12: a filtered count with `unique_by` over the whole tree against raw DuckDB's count(DISTINCT). */
export interface UniqueResult {
  request: IntentTaskBody;
  rawSql: string;
  apiMs: number[];
  rawMs: number[];
  apiForeign: number[];
  rawForeign: number[];
  /** Count jobs of the last API task (one: a value never spans two jobs). */
  jobs: number;
  api: { rows: number; unique: number; uniqueSum: number };
  raw: { rows: number; unique: number; uniqueSum: number };
}

/**
 * A counted task over every partition with the bench filter and `unique_by: person_id`, create →
 * `counted`, against a fresh DuckDB answering the same figures in one statement: rows and distinct
 * people per partition and distinct people over the whole segment
 * (`GROUP BY GROUPING SETS ((day, prefix, score), ())`). Rounds alternate as in the comparisons.
 */
export async function measureUnique(
  options: BenchOptions,
  dataset: Dataset,
  api: AudiencesApi,
  cpu: CpuMonitor,
): Promise<UniqueResult> {
  const request = allPartitions(dataset, { where_expr: FILTER, unique_by: UNIQUE_BY, perform_unload: false });
  const rawSql =
    `SELECT day, prefix, score, grouping(day) AS whole, count(*) AS n, count(DISTINCT ${UNIQUE_BY}) AS u ` +
    `FROM ${treeGlob(dataset.dir)} WHERE ${FILTER} GROUP BY GROUPING SETS ((day, prefix, score), ())`;
  let apiFigures = { rows: 0, unique: 0, uniqueSum: 0 };
  let rawFigures = { rows: 0, unique: 0, uniqueSum: 0 };
  let jobs = 0;
  options.log(`unique: ${options.pairs} pairs`);
  const sides = await alternate(
    [
      {
        label: 'api',
        run: async () => {
          const run = await api.run(request, 'counted');
          const detail = run.detail;
          jobs = detail.total_jobs;
          apiFigures = {
            rows: detail.total_count ?? 0,
            unique: detail.unique_count ?? -1,
            uniqueSum: Object.values(detail.unique_counts ?? {}).reduce((a, b) => a + b, 0),
          };
          return run.totalMs;
        },
      },
      {
        label: 'raw',
        run: async () => {
          const result = await rawQuery(rawSql, options.threads);
          const parts = result.rows.filter((row) => Number(row.whole) === 0);
          const whole = result.rows.find((row) => Number(row.whole) === 1);
          rawFigures = {
            rows: parts.reduce((sum, row) => sum + Number(row.n), 0),
            unique: Number(whole?.u ?? -1),
            uniqueSum: parts.reduce((sum, row) => sum + Number(row.u), 0),
          };
          return result.ms;
        },
      },
    ],
    options.pairs,
    cpu,
    options.log,
  );
  return {
    request,
    rawSql,
    apiMs: sides.ms[0]!,
    rawMs: sides.ms[1]!,
    apiForeign: sides.foreign[0]!,
    rawForeign: sides.foreign[1]!,
    jobs,
    api: apiFigures,
    raw: rawFigures,
  };
}

/** Both sides found the same rows and the same distinct people, per partition and overall. */
export function uniqueMatches(u: UniqueResult): boolean {
  return u.api.rows === u.raw.rows && u.api.unique === u.raw.unique && u.api.uniqueSum === u.raw.uniqueSum;
}
