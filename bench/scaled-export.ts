import type { AudiencesApi, IntentTaskBody, TaskRun } from './api.ts';
import { alternate, type Side } from './comparisons.ts';
import type { CpuMonitor } from './cpu-monitor.ts';
import type { Dataset } from './dataset.ts';
import { type Deployment, jobsDone, type WorkerSettings } from './deployment.ts';
import type { BenchOptions } from './options.ts';
import { removeTaskExports } from './service.ts';
import { allPartitions, FILTER } from './workload.ts';

/**
 * Worker settings of the scaled-out deployments, each measured in the same alternation. The first
 * is the one the targets judge: on 2 cores with 2 workers, one export slot and one DuckDB thread per
 * worker fills the cores without oversubscribing them, as an operator sizing workers to cores would
 * run it. The second, a worker with DuckDB's default of one thread per core, is a diagnostic.
 */
export const SCALED_SETTINGS: WorkerSettings[] = [
  {
    label: '1 export slot × 1 DuckDB thread per worker',
    env: { WORKER_CONCURRENCY: '1', DUCKDB_THREADS: '1' },
  },
  {
    label: '1 export slot × 2 DuckDB threads per worker',
    env: { WORKER_CONCURRENCY: '1', DUCKDB_THREADS: '2' },
  },
];

/** Why the first of SCALED_SETTINGS is the one judged, as the report says it. */
export const SCALED_CHOICE =
  'the target is judged on one export slot and one DuckDB thread per worker: 2 workers then run 2 DuckDB threads on the 2 cores, ' +
  "the size an operator gives workers that share a machine; the workers with 2 threads each (DuckDB's default of one per core) oversubscribe the cores " +
  'whenever both run a job, and are measured beside them as a diagnostic. ' +
  'Every process of a deployment gets the same settings (as README "Scaling out" does), so `serve` plans tasks with them too.';

/** One side of the scaled-out export: a service and what its runs took and produced. */
export interface ExportSide {
  label: string;
  /** The processes and settings, as the report states them. */
  setup: string;
  ms: number[];
  /** Cores other processes used during each sample (PostgreSQL and Redis included). */
  foreign: number[];
  /** The measured runs (the warm-up left out). */
  runs: TaskRun[];
  /** Rows in the files of each measured run. */
  rows: number[];
  /** Export jobs each worker finished during the section (scaled out only), from its `/metrics`. */
  jobsPerWorker?: number[];
}

/** Section 9: the filtered export through `serve` + 2 `worker`s against the embedded service. */
export interface ScaledExportResult {
  request: IntentTaskBody;
  rounds: number;
  /** The embedded service first, then one side per deployment, in SCALED_SETTINGS order. */
  sides: ExportSide[];
}

export interface ExportService {
  label: string;
  setup: string;
  api: AudiencesApi;
  outputDir: string;
  deployment?: Deployment;
}

/**
 * 9: the request of the filtered export comparison (3), timed to `completed` on the embedded
 * service and on each deployment, one warm-up each, then `exportPairs` rounds rotating which goes
 * first. Every run's files are counted and deleted.
 */
export async function measureScaledExport(
  options: BenchOptions,
  dataset: Dataset,
  cpu: CpuMonitor,
  services: ExportService[],
): Promise<ScaledExportResult> {
  const request = allPartitions(dataset, { where_expr: FILTER });
  const runs: TaskRun[][] = services.map(() => []);
  const sides: Side[] = services.map((service, i) => ({
    label: service.label,
    run: async () => {
      const run = await service.api.run(request, 'completed');
      removeTaskExports(service.outputDir, run.taskId);
      runs[i]!.push(run);
      return run.totalMs;
    },
  }));
  const before = await Promise.all(
    services.map((s) => Promise.all((s.deployment?.workers ?? []).map((w) => jobsDone(w, 'unload')))),
  );
  options.log(`scaled-out export: ${options.exportPairs} rounds over ${services.length} services`);
  const measured = await alternate(sides, options.exportPairs, cpu, options.log);
  const after = await Promise.all(
    services.map((s) => Promise.all((s.deployment?.workers ?? []).map((w) => jobsDone(w, 'unload')))),
  );
  return {
    request,
    rounds: options.exportPairs,
    sides: services.map((service, i) => {
      // The first run is the warm-up.
      const kept = runs[i]!.slice(1);
      return {
        label: service.label,
        setup: service.setup,
        ms: measured.ms[i]!,
        foreign: measured.foreign[i]!,
        runs: kept,
        rows: kept.map((r) => r.detail.files.reduce((sum, file) => sum + file.rows, 0)),
        ...(service.deployment ? { jobsPerWorker: after[i]!.map((n, w) => n - before[i]![w]!) } : {}),
      };
    }),
  };
}
