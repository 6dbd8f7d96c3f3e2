import type { EngineConfig, QueueConfig } from '../config.ts';
import type { SliceBounds } from '../jobs/phases/phase.ts';

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
  const share = countSlotBytes(engine, queue);
  const exports = {
    memoryLimit: `${Math.floor((EXPORT_MEMORY_SHARES * share) / 1e6)}MB`,
    threads: engine.threads,
    timeoutMs: engine.jobTimeoutMs,
  };
  return { exports, counts: { ...exports, memoryLimit: `${Math.floor(share / 1e6)}MB` } };
}

function countSlotBytes(engine: EngineConfig, queue: QueueConfig): number {
  return (
    (0.75 * engine.memoryBytes) / (EXPORT_MEMORY_SHARES * queue.workerConcurrency + queue.countConcurrency)
  );
}

/**
 * Input bytes of a people export one job folds into people, in an export slot's memory. Measured
 * with DUCKDB_MEMORY_LIMIT=256MB on 1 + 1 slots (an export slot of 144 MB): one job exported the
 * people of the 10M-row tree (548 MB), and ran out of memory on the 30M-row tree's 1.7 GB.
 */
export const PEOPLE_INPUT_PER_MEMORY = 4;

/**
 * Unique work one job takes on when workers share a store, in JOB_MAX_BYTES: a quarter of a
 * filtered count job's default (`COUNT_JOB_SHARE`), as its distinct aggregate costs several times
 * more per input byte (at 100M rows on 2 cores: 5.1 s against the filtered count's 0.8 s).
 */
const UNIQUE_JOB_SHARE = 4;

/**
 * How much unique work one job takes on before the task is sliced by hash (`tasks/unique-slices.ts`).
 * On a store that workers share, no more than `UNIQUE_JOB_SHARE` × JOB_MAX_BYTES, so other
 * workers take part. A worker alone (the embedded service over SQLite)
 * slices only what its memory could not hold: slicing writes the people once more and reads them
 * back, and no other worker shares the work (measured at 100M rows on 2 cores, embedded: a sliced
 * unique count took 2.3 times raw DuckDB, a sliced people export 1.7 times). A people export folds
 * people in memory: at most `PEOPLE_INPUT_PER_MEMORY` times an export slot's. A unique count's
 * distinct aggregate spills to disk instead (with DUCKDB_MEMORY_LIMIT=256MB on 1 + 1 slots, a
 * count slot of 48 MB, one job counted the 30M-row tree's 1.7 GB). UNIQUE_JOB_MAX_BYTES bounds both.
 */
export function sliceBounds(engine: EngineConfig, queue: QueueConfig, alone: boolean): SliceBounds {
  const unique = Math.min(
    engine.uniqueJobMaxBytes ?? Number.POSITIVE_INFINITY,
    alone ? Number.POSITIVE_INFINITY : UNIQUE_JOB_SHARE * engine.jobMaxBytes,
  );
  const exportSlot = EXPORT_MEMORY_SHARES * countSlotBytes(engine, queue);
  return { unique, people: Math.min(unique, Math.floor(PEOPLE_INPUT_PER_MEMORY * exportSlot)) };
}
