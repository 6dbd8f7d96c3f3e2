import type { CancelResult } from './cancel.ts';
import type { CliStartResult } from './cli-start.ts';
import type { Comparison } from './comparisons.ts';
import type { CpuLoad } from './cpu-monitor.ts';
import type { Dataset } from './dataset.ts';
import type { EstimateResult } from './estimate.ts';
import type { FairnessResult } from './fairness.ts';
import type { GrowthPoint } from './growth.ts';
import type { Machine } from './machine.ts';
import type { MemoryResult } from './memory.ts';
import type { ObjectCountResult } from './object-count.ts';
import type { PreviewResult } from './preview.ts';
import type { ScaledExportResult } from './scaled-export.ts';
import type { ThroughputResult } from './throughput.ts';
import type { TopicSearchResult } from './topic-search.ts';
import type { UniqueResult } from './unique.ts';

/** Everything one run measured; the report is rendered from this (also saved as JSON in .bench/). */
export interface BenchResults {
  tiny: boolean;
  startedAt: string;
  durationMs: number;
  command: string;
  machine: Machine;
  dataset: Dataset;
  threads: number;
  pairs: number;
  exportPairs: number;
  pollMs: number;
  /** The service's effective settings, read back with its own loadConfig. */
  service: {
    srcHash: string;
    workerConcurrency: number;
    countConcurrency: number;
    jobMaxBytes: number;
    duckdbThreads: number;
    duckdbMemoryLimit: string;
    rateLimit: number;
  };
  /** Opening and closing an empty in-memory DuckDB (what each job pays at least once). */
  instanceStartupMs: number[];
  /** Sections 1 to 4. */
  comparisons: Comparison[];
  /**
   * Sections 14 to 18: the filtered export as CSV and JSON Lines, the export of whole files, the
   * export after a count, a saved audience's delta run.
   */
  formatExports: Comparison[];
  /** The dry run over the whole tree against raw DuckDB reading the same footers. */
  estimate: EstimateResult;
  /** A task's preview against the same rows from raw DuckDB. */
  preview: PreviewResult;
  /** A count with unique_by against raw DuckDB's count(DISTINCT) over the same files and filter. */
  unique: UniqueResult;
  /** Exports of the whole tree cancelled mid-query. */
  cancel: CancelResult;
  /** The command line's start: `--help` against bare node, a count against the client in process. */
  cli: CliStartResult;
  /** Section 20: the tree's people as a Google Customer Match file against raw DuckDB's COPY. */
  profileExport: Comparison;
  /** Topic searches by name, and the week's topics against raw DuckDB's `GROUP BY topic_id`. */
  topicSearch: TopicSearchResult;
  /** Section 22: the filtered count over the tree in s3rver, whole objects against ranged reads. */
  objectCount: ObjectCountResult;
  throughput: ThroughputResult;
  growth: GrowthPoint[];
  memory: MemoryResult;
  /** B's one-partition count while A exports: embedded, then scaled out. */
  fairness: FairnessResult[];
  scaledExport: ScaledExportResult;
  /** The scaled-out deployments started, with the hash of src/ when each started. */
  deployments: Array<{ name: string; srcHash: string }>;
  /** CPU use per section: this benchmark versus other processes on the machine. */
  load: Record<string, CpuLoad>;
}
