import { quoteString } from '../src/engine/sql-quote.ts';
import type { AudiencesApi, IntentTaskBody } from './api.ts';
import { alternate } from './comparisons.ts';
import type { CpuMonitor } from './cpu-monitor.ts';
import type { Dataset } from './dataset.ts';
import type { BenchOptions } from './options.ts';
import { rawQuery } from './raw-duckdb.ts';
import { allPartitions } from './workload.ts';

/** What an estimate answers (the fields the report shows). */
interface EstimateAnswer {
  partitions: number;
  partitions_with_data: number;
  files: number;
  bytes: number;
  rows: number;
  rows_exact: boolean;
}

/** The dry run of a task over the whole tree against raw DuckDB summing the same footers. */
export interface EstimateResult {
  request: IntentTaskBody;
  rawSql: string;
  /** The first estimate of the run, when no footer is cached yet (before the rounds). */
  coldMs: number;
  apiMs: number[];
  rawMs: number[];
  apiForeign: number[];
  rawForeign: number[];
  answer: EstimateAnswer;
  rawFiles: number;
  rawRows: number;
}

const PATH = '/api/v1/intent_hive_tasks/estimate';

/**
 * `POST /api/v1/intent_hive_tasks/estimate` over every day, prefix and score of the tree, timed from
 * sending the request to the last byte of the answer, against a fresh DuckDB reading the same
 * footers (`parquet_file_metadata` over the tree's glob: it lists the files and reads their footers,
 * as the service does). Rounds alternate as in the comparisons.
 */
export async function measureEstimate(
  options: BenchOptions,
  dataset: Dataset,
  api: AudiencesApi,
  cpu: CpuMonitor,
): Promise<EstimateResult> {
  const request = allPartitions(dataset);
  const rawSql =
    'SELECT count(*) AS files, sum(num_rows) AS n FROM ' +
    `parquet_file_metadata(${quoteString(`${dataset.dir}/**/*.parquet`)})`;
  const estimate = () =>
    api.http.json<EstimateAnswer>('POST', PATH, { body: request, headers: api.headers, expect: 200 });
  const cold = await estimate();
  let answer = cold.body;
  let raw: Record<string, unknown> = {};
  const rounds = options.tiny ? 5 : 25;
  options.log(`estimate: ${rounds} rounds`);
  const sides = await alternate(
    [
      {
        label: 'api',
        run: async () => {
          const reply = await estimate();
          answer = reply.body;
          return reply.ms;
        },
      },
      {
        label: 'raw',
        run: async () => {
          const result = await rawQuery(rawSql, options.threads);
          raw = result.rows[0] ?? {};
          return result.ms;
        },
      },
    ],
    rounds,
    cpu,
    options.log,
  );
  return {
    request,
    rawSql,
    coldMs: cold.ms,
    apiMs: sides.ms[0]!,
    rawMs: sides.ms[1]!,
    apiForeign: sides.foreign[0]!,
    rawForeign: sides.foreign[1]!,
    answer,
    rawFiles: Number(raw.files),
    rawRows: Number(raw.n),
  };
}
