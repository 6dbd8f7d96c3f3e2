import type { AudiencesApi, IntentTaskBody } from './api.ts';
import { alternate } from './comparisons.ts';
import type { CpuMonitor } from './cpu-monitor.ts';
import type { Dataset } from './dataset.ts';
import type { BenchOptions } from './options.ts';
import { fileColumns, type RawResult, rawQuery, treeGlob } from './raw-duckdb.ts';
import { allPartitions, FILTER } from './workload.ts';

/** Rows a preview asks for: the route's default. */
export const PREVIEW_ROWS = 20;
/** The issue's target for one preview over the whole tree. */
export const PREVIEW_TARGET_MS = 150;

/** Section 10: a task's preview against the same rows asked of raw DuckDB. */
export interface PreviewResult {
  apiMs: number[];
  rawMs: number[];
  apiForeign: number[];
  rawForeign: number[];
  /** Rows of the last answer of each side (both should be `PREVIEW_ROWS`). */
  apiRows: number;
  rawRows: number;
  /** Columns of the API's answer, which the raw query selects too. */
  columns: string[];
  request: IntentTaskBody;
  taskStatus: string;
  rawSql: string;
}

/**
 * A filtered task over every partition, counted, then previewed (`GET /api/v1/tasks/{id}/preview`,
 * 20 rows) against `SELECT <its columns> FROM read_parquet(<tree>) WHERE <filter> LIMIT 20` in a fresh
 * DuckDB, alternating sides.
 */
export async function measurePreview(
  options: BenchOptions,
  dataset: Dataset,
  api: AudiencesApi,
  cpu: CpuMonitor,
): Promise<PreviewResult> {
  const request = allPartitions(dataset, { where_expr: FILTER, perform_unload: false });
  const run = await api.run(request, 'counted');
  const columns = await fileColumns(dataset.dir, options.threads);
  const rawSql = `SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM ${treeGlob(dataset.dir)} WHERE ${FILTER} LIMIT ${PREVIEW_ROWS}`;
  let apiRows = 0;
  let apiColumns: string[] = [];
  let last: RawResult | undefined;
  options.log(`preview: ${options.pairs} pairs`);
  const sides = await alternate(
    [
      {
        label: 'api',
        run: async () => {
          const reply = await api.http.request(
            'GET',
            `/api/v1/tasks/${run.taskId}/preview?limit=${PREVIEW_ROWS}`,
            {
              headers: api.headers,
            },
          );
          if (reply.status !== 200) throw new Error(`preview: ${reply.status} ${reply.text.slice(0, 500)}`);
          const body = JSON.parse(reply.text) as { columns: Array<{ name: string }>; rows: unknown[] };
          apiRows = body.rows.length;
          apiColumns = body.columns.map((c) => c.name);
          return reply.ms;
        },
      },
      {
        label: 'raw',
        run: async () => {
          last = await rawQuery(rawSql, options.threads);
          return last.ms;
        },
      },
    ],
    options.pairs,
    cpu,
    options.log,
  );
  return {
    apiMs: sides.ms[0]!,
    rawMs: sides.ms[1]!,
    apiForeign: sides.foreign[0]!,
    rawForeign: sides.foreign[1]!,
    apiRows,
    rawRows: last?.rows.length ?? 0,
    columns: apiColumns,
    request,
    taskStatus: run.detail.status,
    rawSql,
  };
}
