import type { EngineConfig, QueueConfig } from '../config.ts';

/**
 * An export slot's memory in count slots'. Measured: with DUCKDB_MEMORY_LIMIT=256MB and 2 DuckDB
 * threads, an export of the 10M-row tree runs out of memory at 64MB per slot and runs at 96MB; a
 * filtered count of it runs at a third of that.
 */
export const EXPORT_MEMORY_SHARES = 3;

/** What one DuckDB instance of a job may use. */
export interface EngineBudget {
  /** DuckDB's `memory_limit`, e.g. `96MB`. */
  memoryLimit: string;
  threads: number;
  timeoutMs: number;
}

/** The budgets of an export slot's DuckDB and of a count slot's (and a preview's). */
export interface EngineBudgets {
  exports: EngineBudget;
  counts: EngineBudget;
}

/**
 * DUCKDB_MEMORY_LIMIT is the budget of all jobs at once, shared by the slots: an export slot gets
 * EXPORT_MEMORY_SHARES shares and a count slot one (an export reads every column and writes Parquet;
 * a count reads a few columns into one aggregate). DuckDB's buffer manager gets three quarters of a
 * slot's memory: the Parquet reader and writer allocate beyond it.
 */
export function engineBudgets(engine: EngineConfig, queue: QueueConfig): EngineBudgets {
  const share =
    (0.75 * engine.memoryBytes) / (EXPORT_MEMORY_SHARES * queue.workerConcurrency + queue.countConcurrency);
  const exports = {
    memoryLimit: `${Math.floor((EXPORT_MEMORY_SHARES * share) / 1e6)}MB`,
    threads: engine.threads,
    timeoutMs: engine.jobTimeoutMs,
  };
  return { exports, counts: { ...exports, memoryLimit: `${Math.floor(share / 1e6)}MB` } };
}
