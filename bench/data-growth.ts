import fs from 'node:fs';
import path from 'node:path';
import { AudiencesApi, type IntentTaskBody, type TaskRun } from './api.ts';
import { alternate } from './comparisons.ts';
import { type CpuMonitor, processTicks } from './cpu-monitor.ts';
import { type Dataset, ensureDataset } from './dataset.ts';
import { type Deployment, startDeployment } from './deployment.ts';
import { measureObjectCount, type ObjectCountResult } from './object-count.ts';
import type { BenchOptions } from './options.ts';
import { countSql, exportSql, fileColumns, rawQuery, totalOf, treeGlob } from './raw-duckdb.ts';
import { RssSampler } from './server-process.ts';
import { removeTaskExports, startService } from './service.ts';
import { median } from './stats.ts';
import { allPartitions, FILTER } from './workload.ts';

/** The operations measured at every size, in the order they run. */
export const GROWTH_KEYS = ['filtered_count', 'filtered_export', 'unique_count', 'people_export'] as const;
export type GrowthKey = (typeof GROWTH_KEYS)[number];

export const GROWTH_TITLES: Record<GrowthKey, string> = {
  filtered_count: 'Filtered count',
  filtered_export: 'Filtered export',
  unique_count: 'Unique count (`unique_by`)',
  people_export: 'People export (`output: "people"`)',
};

const UNIQUE_BY = 'person_id';

/** One operation at one size, on the embedded service or a scaled-out deployment. */
export interface GrowthSample {
  key: GrowthKey;
  /** The API's runs, create sent → `counted` or `completed` (after one warm-up run). */
  apiMs: number[];
  /** Raw DuckDB's runs of the same work, alternating with the API's (embedded only). */
  rawMs: number[];
  /** What the API found: rows counted or exported, distinct people, people exported. */
  apiFigure: number;
  /** What raw DuckDB found (embedded only; the scaled-out runs are held to the embedded raw figure). */
  rawFigure: number | null;
  /** Jobs of the API's last task. */
  jobs: number;
  /**
   * Why the operation could not be measured (a task that failed, e.g. `out_of_memory` under the
   * scaled-out memory limit): its times are then empty, and its figure is not one.
   */
  error?: string;
  /** Highest RSS sampled (every 20 ms) of each process while the API's runs went on, bytes. */
  peakRss: Record<string, number>;
  /** CPU time of each process over the API's runs, seconds. */
  cpuSeconds: Record<string, number>;
  /**
   * Scaled out: in each run, the CPU time of the less busy worker over the busier one's (1: both
   * equally busy, 0: one did all the work); the median over the runs.
   */
  busyShare?: number;
}

/** Every figure at one size of the tree. */
export interface GrowthSize {
  rows: number;
  files: number;
  bytes: number;
  embedded: GrowthSample[];
  scaled: GrowthSample[];
  /** The filtered count over the same tree in s3rver (whole objects against ranged reads). */
  objects?: ObjectCountResult;
}

export interface DataGrowthResult {
  startedAt: string;
  durationMs: number;
  pairs: number;
  /** DUCKDB_MEMORY_LIMIT of the scaled-out processes. */
  memoryLimit: string;
  sizes: GrowthSize[];
}

/** The request, the raw statement and how each side's figure is read, for one operation. */
interface Operation {
  body: IntentTaskBody;
  target: 'counted' | 'completed';
  rawSql: string;
  /** A folder the raw statement writes into (emptied before and removed after each run). */
  rawTarget?: string;
  apiFigure: (run: TaskRun) => number;
  rawFigure: (rows: Record<string, unknown>[]) => number;
  /**
   * Measured pairs at least (not in a tiny run): a sub-second operation takes the main run's 7, as
   * its median of 3 moved by a tenth between runs of the same code (the filtered count at 100M rows:
   * 1.08×, 1.20× and 1.14× raw DuckDB in three growth runs; 1.00× as the median of 5 on its own).
   */
  pairs?: number;
}

const exported = (run: TaskRun) => run.detail.files.reduce((sum, file) => sum + file.rows, 0);

/**
 * The raw side of a people export: one row per person of the segment with the aggregates the
 * service's people export writes for intent data (DESIGN: people rows), written by hand here.
 */
function peopleSql(dataset: Dataset, target: string): string {
  const order = "['low', 'medium', 'high']";
  return (
    `COPY (SELECT person_id, arg_max(hem_sha256, last_seen) AS hem_sha256, ` +
    'list(DISTINCT topic_id ORDER BY topic_id) AS topic_ids, list(DISTINCT prefix ORDER BY prefix) AS prefixes, ' +
    `max(intent_score) AS max_intent_score, ${order}[max(list_position(${order}, score))] AS best_score, ` +
    'count(DISTINCT day) AS days_seen, min(last_seen) AS first_seen, max(last_seen) AS last_seen ' +
    `FROM ${treeGlob(dataset.dir)} WHERE (${FILTER}) AND person_id IS NOT NULL GROUP BY person_id) ` +
    `TO '${path.join(target, 'data_0.parquet')}' (FORMAT parquet)`
  );
}

function operation(key: GrowthKey, dataset: Dataset, columns: string[], scratch: string): Operation {
  const target = path.join(scratch, `raw-${key}`);
  switch (key) {
    case 'filtered_count':
      return {
        body: allPartitions(dataset, { where_expr: FILTER, perform_unload: false }),
        target: 'counted',
        rawSql: countSql(dataset.dir, FILTER),
        pairs: 7,
        apiFigure: (run) => run.detail.total_count ?? -1,
        rawFigure: (rows) => totalOf(rows),
      };
    case 'filtered_export':
      return {
        body: allPartitions(dataset, { where_expr: FILTER }),
        target: 'completed',
        rawSql: exportSql(dataset.dir, columns, FILTER, target),
        rawTarget: target,
        apiFigure: exported,
        rawFigure: (rows) => totalOf(rows, 'Count'),
      };
    case 'unique_count':
      return {
        body: allPartitions(dataset, { where_expr: FILTER, unique_by: UNIQUE_BY, perform_unload: false }),
        target: 'counted',
        // The figures the API answers: rows and people per partition, and people over the whole.
        rawSql:
          `SELECT grouping(day) AS whole, count(*) AS n, count(DISTINCT ${UNIQUE_BY}) AS u ` +
          `FROM ${treeGlob(dataset.dir)} WHERE ${FILTER} GROUP BY GROUPING SETS ((day, prefix, score), ())`,
        apiFigure: (run) => run.detail.unique_count ?? -1,
        rawFigure: (rows) => Number(rows.find((row) => Number(row.whole) === 1)?.u ?? -1),
      };
    case 'people_export':
      return {
        body: allPartitions(dataset, { where_expr: FILTER, unique_by: UNIQUE_BY, output: 'people' }),
        target: 'completed',
        rawSql: peopleSql(dataset, target),
        rawTarget: target,
        apiFigure: exported,
        rawFigure: (rows) => totalOf(rows, 'Count'),
      };
  }
}

/** The pairs an operation is measured in: the run's, or more for a quick one (not in a tiny run). */
function pairsOf(op: Operation, options: BenchOptions): number {
  return options.pairs > 1 ? Math.max(options.pairs, op.pairs ?? 0) : options.pairs;
}

/** CPU seconds (user + system) a process has used so far, from /proc/{pid}/stat; 0 once it is gone. */
function cpuSecondsOf(pid: number): number {
  // Linux counts user and system time in 1/100 s.
  return (processTicks(pid)?.own ?? 0) / 100;
}

/** The processes behind an API: one for the embedded service, `serve` and each worker scaled out. */
type Processes = Record<string, number>;

/**
 * Runs `op` on the API `pairs` times after a warm-up, alternating with raw DuckDB when `raw` is
 * set, while sampling each process's RSS and CPU time; every export's files are removed after it.
 */
async function measureOperation(
  key: GrowthKey,
  op: Operation,
  ctx: { options: BenchOptions; api: AudiencesApi; outputDir: string; processes: Processes; cpu: CpuMonitor },
  raw: boolean,
): Promise<GrowthSample> {
  const { options, api, outputDir, processes, cpu } = ctx;
  let last: TaskRun | undefined;
  let rawFigure: number | null = null;
  const peakRss: Record<string, number> = {};
  const cpuSeconds: Record<string, number> = Object.fromEntries(Object.keys(processes).map((n) => [n, 0]));
  const shares: number[] = [];
  const apiRun = async () => {
    const samplers = Object.entries(processes).map(([name, pid]) => ({
      name,
      pid,
      rss: new RssSampler(pid, 20),
    }));
    const before = Object.fromEntries(
      Object.entries(processes).map(([name, pid]) => [name, cpuSecondsOf(pid)]),
    );
    try {
      last = await api.run(op.body, op.target, undefined, 60 * 60_000);
    } finally {
      const workers: number[] = [];
      for (const { name, pid, rss } of samplers) {
        peakRss[name] = Math.max(peakRss[name] ?? 0, rss.stop().peakSampled);
        const used = cpuSecondsOf(pid) - (before[name] ?? 0);
        cpuSeconds[name] = (cpuSeconds[name] ?? 0) + used;
        if (name.startsWith('worker')) workers.push(used);
      }
      if (workers.length >= 2)
        shares.push(Math.max(...workers) > 0 ? Math.min(...workers) / Math.max(...workers) : 0);
    }
    if (op.target === 'completed') removeTaskExports(outputDir, last.taskId);
    return last.totalMs;
  };
  const rawRun = async () => {
    if (op.rawTarget) {
      fs.rmSync(op.rawTarget, { recursive: true, force: true });
      fs.mkdirSync(op.rawTarget, { recursive: true });
    }
    try {
      const result = await rawQuery(op.rawSql, options.threads);
      rawFigure = op.rawFigure(result.rows);
      return result.ms;
    } finally {
      if (op.rawTarget) fs.rmSync(op.rawTarget, { recursive: true, force: true });
    }
  };
  options.log(`growth: ${GROWTH_TITLES[key].toLowerCase()}`);
  const sides = [{ label: 'api', run: apiRun }, ...(raw ? [{ label: 'raw', run: rawRun }] : [])];
  const pairs = pairsOf(op, options);
  let measured: { ms: number[][] };
  let error: string | undefined;
  try {
    measured = await alternate(sides, pairs, cpu, options.log);
  } catch (failure) {
    // A task that fails is a result of the run (reported), not the end of it.
    error = String(failure instanceof Error ? failure.message : failure).slice(0, 300);
    options.log(`growth: ${GROWTH_TITLES[key].toLowerCase()} failed: ${error}`);
    measured = { ms: [[], []] };
  }
  // The warm-up's CPU time is in the totals: spread over the runs it is a mean per run.
  const runs = pairs + 1;
  return {
    key,
    ...(error ? { error } : {}),
    apiMs: measured.ms[0]!,
    rawMs: raw ? measured.ms[1]! : [],
    apiFigure: last && !error ? op.apiFigure(last) : -1,
    rawFigure,
    jobs: last?.detail.total_jobs ?? 0,
    peakRss,
    cpuSeconds: Object.fromEntries(Object.entries(cpuSeconds).map(([name, s]) => [name, s / runs])),
    ...(shares.length > 0 ? { busyShare: median(shares) } : {}),
  };
}

/** Every operation in turn on one API (see `measureOperation`). */
async function measureAll(
  ctx: Parameters<typeof measureOperation>[2],
  dataset: Dataset,
  columns: string[],
  raw: boolean,
): Promise<GrowthSample[]> {
  const samples: GrowthSample[] = [];
  for (const key of GROWTH_KEYS) {
    const op = operation(key, dataset, columns, ctx.options.scratchDir);
    samples.push(await measureOperation(key, op, ctx, raw));
  }
  return samples;
}

/** The four operations on the embedded service (`audiences start`), against raw DuckDB. */
async function embedded(options: BenchOptions, dataset: Dataset, cpu: CpuMonitor): Promise<GrowthSample[]> {
  const service = await startService(options, dataset, `growth-${dataset.rows}`);
  const api = new AudiencesApi(service.server.url);
  const columns = await fileColumns(dataset.dir, options.threads);
  try {
    await api.signUp('growth');
    const outputDir = path.join(service.dataDir, 'exports');
    const processes = { start: service.server.pid };
    return await measureAll({ options, api, outputDir, processes, cpu }, dataset, columns, true);
  } finally {
    api.close();
    await service.server.stop();
    fs.rmSync(service.dataDir, { recursive: true, force: true });
  }
}

/** The four operations on 1 `serve` + 2 `worker` processes, each with DUCKDB_MEMORY_LIMIT set low. */
async function scaledOut(options: BenchOptions, dataset: Dataset, cpu: CpuMonitor): Promise<GrowthSample[]> {
  const deployment: Deployment = await startDeployment(options, dataset, `growth${dataset.rows}`, {
    label: '1 slot × 1 thread',
    env: {
      WORKER_CONCURRENCY: '1',
      COUNT_CONCURRENCY: '1',
      DUCKDB_THREADS: '1',
      DUCKDB_MEMORY_LIMIT: options.lowMemoryLimit,
    },
  });
  const api = new AudiencesApi(deployment.url);
  const columns = await fileColumns(dataset.dir, options.threads);
  try {
    await api.signUp('growth-scaled');
    const processes: Processes = { serve: deployment.serve.pid };
    for (const [i, worker] of deployment.workers.entries()) processes[`worker${i + 1}`] = worker.pid;
    return await measureAll(
      { options, api, outputDir: deployment.outputDir, processes, cpu },
      dataset,
      columns,
      false,
    );
  } finally {
    api.close();
    await deployment.stop();
  }
}

/**
 * `npm run bench -- --growth`: at each size of `options.growthRows` (trees of the main bench's
 * shape, generated once and cached), the four operations embedded against raw DuckDB, then on a
 * scaled-out deployment, then the filtered count over the tree in s3rver with the bytes fetched.
 */
export async function measureDataGrowth(options: BenchOptions, cpu: CpuMonitor): Promise<DataGrowthResult> {
  const startedAt = new Date();
  const started = performance.now();
  const sizes: GrowthSize[] = [];
  for (const rows of options.growthRows) {
    const dataset = await ensureDataset({ ...options, tree: { ...options.tree, rows } });
    options.log(`growth: ${rows} rows (${dataset.files} files, ${(dataset.bytes / 1e6).toFixed(0)} MB)`);
    const size: GrowthSize = {
      rows: dataset.rows,
      files: dataset.files,
      bytes: dataset.bytes,
      embedded: await embedded(options, dataset, cpu),
      scaled: await scaledOut(options, dataset, cpu),
    };
    if (options.growthObjects) size.objects = await measureObjectCount(options, dataset);
    sizes.push(size);
  }
  return {
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - started,
    pairs: options.pairs,
    memoryLimit: options.lowMemoryLimit,
    sizes,
  };
}
