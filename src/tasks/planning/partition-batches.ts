/** Bounds of one job: enough partitions to amortise a DuckDB start, few enough to show progress. */
export interface BatchLimits {
  maxPartitions: number;
  /** Files per job, when known (generic trees are listed before planning). */
  maxFiles: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxPartitions: 1000, maxFiles: 256 };
const MIN_PARTITIONS_PER_JOB = 32;

/**
 * Jobs one task is spread over, so that its jobs together use every core and no more: a job's
 * DuckDB already runs `threads` threads, and two instances sharing the same cores only add a second
 * start-up and contend with each other. With the defaults (`DUCKDB_THREADS` = cores) that is one
 * job; with fewer threads per job, enough jobs to fill the cores, at most one per worker slot.
 */
export function jobsPerTask(cores: number, workerConcurrency: number, threadsPerJob: number): number {
  return Math.max(1, Math.min(workerConcurrency, Math.ceil(cores / Math.max(1, threadsPerJob))));
}

/** Jobs a task's partitions are first spread over, by the phase of those jobs. */
export interface JobsPerTask {
  count: number;
  unload: number;
}

/**
 * Export jobs one task is spread over: one per core, up to the worker's export slots. Jobs that run
 * side by side share the cores (each job's DuckDB gets its share of the threads, see `JobEngines`),
 * and DuckDB's partitioned `COPY` keeps a second thread only partly busy: on 2 cores the 10M-row
 * filtered export took 0.99-1.04 times a raw two-thread `COPY` as two one-thread jobs, and 1.14
 * times as one two-thread job.
 */
export function exportJobsPerTask(cores: number, workerConcurrency: number): number {
  return Math.max(1, Math.min(workerConcurrency, cores));
}

/**
 * Partitions per job for a task of `total` partitions spread over `jobs` jobs, so each DuckDB
 * start-up (about 10-40 ms) is paid as few times as possible; at most 1000 partitions a job, so
 * large tasks still show progress; never tiny jobs of a few partitions each.
 */
export function partitionsPerJob(total: number, jobs: number, limits = DEFAULT_BATCH_LIMITS): number {
  const even = Math.ceil(total / Math.max(1, jobs));
  return Math.min(limits.maxPartitions, Math.max(MIN_PARTITIONS_PER_JOB, even));
}

/**
 * Splits partitions (in order) into batches of at most `perJob` partitions and, when file counts
 * are given, at most `limits.maxFiles` files (a single larger partition gets a job of its own).
 */
export function batchPartitions(
  partitions: readonly string[],
  perJob: number,
  filesOf?: (partition: string) => number,
  limits = DEFAULT_BATCH_LIMITS,
): string[][] {
  return fill(partitions, (partition) => filesOf?.(partition) ?? 0, limits.maxFiles, perJob);
}

/**
 * Splits partitions (in order) into as few batches as keep each under `maxBytes` input bytes, as
 * even as the order allows (the smallest bound that still needs no more batches), so the jobs that
 * run side by side end together; a partition larger than `maxBytes` gets a batch of its own. The
 * bound of a job's input, once it is listed.
 */
export function batchByBytes(
  partitions: ReadonlyArray<{ partition: string; bytes: number }>,
  maxBytes: number,
): string[][] {
  const names = partitions.map((p) => p.partition);
  const total = partitions.reduce((sum, p) => sum + p.bytes, 0);
  // Within the bound (an unbounded one too, which the search below could not halve): one batch.
  if (total <= maxBytes) return names.length === 0 ? [] : [names];
  const sizeOf = sizesOf(partitions);
  return evenBatches(names, sizeOf, total, fill(names, sizeOf, maxBytes).length, maxBytes);
}

/**
 * As `batchByBytes`, with as many batches as a multiple of `slots` (the jobs that can run at once
 * across the workers) where the partitions allow it: a task split into 3 jobs on 2 workers runs in
 * two rounds, the second with one worker idle; in 4 smaller jobs both rounds keep both busy and the
 * task ends a quarter sooner. A task within one batch stays one.
 */
export function batchForSlots(
  partitions: ReadonlyArray<{ partition: string; bytes: number }>,
  maxBytes: number,
  slots: number,
): string[][] {
  const batches = batchByBytes(partitions, maxBytes);
  if (slots <= 1 || batches.length <= 1 || batches.length % slots === 0) return batches;
  const target = Math.ceil(batches.length / slots) * slots;
  const names = partitions.map((p) => p.partition);
  const total = partitions.reduce((sum, p) => sum + p.bytes, 0);
  const balanced = evenBatches(names, sizesOf(partitions), total, target, maxBytes);
  // Partitions too large to share out can skip from more batches to fewer: keep the first way.
  return balanced.length === target ? balanced : batches;
}

function sizesOf(partitions: ReadonlyArray<{ partition: string; bytes: number }>) {
  const bytesOf = new Map(partitions.map((p) => [p.partition, p.bytes]));
  return (partition: string) => bytesOf.get(partition) ?? 0;
}

/**
 * The batches under the smallest bound (up to `maxBytes`) that still makes no more than `batches`
 * of them: as even as the order allows. Fewer bytes a batch never means fewer batches, so the bound
 * is searched by halves.
 */
function evenBatches(
  names: readonly string[],
  sizeOf: (partition: string) => number,
  total: number,
  batches: number,
  maxBytes: number,
): string[][] {
  let low = Math.max(1, Math.ceil(total / Math.max(1, batches)));
  let high = maxBytes;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (fill(names, sizeOf, middle).length <= batches) high = middle;
    else low = middle + 1;
  }
  return fill(names, sizeOf, high);
}

/** Fills batches in order up to `maxSize` (summed over `sizeOf`) and `maxCount` partitions. */
function fill(
  partitions: readonly string[],
  sizeOf: (partition: string) => number,
  maxSize: number,
  maxCount = Number.POSITIVE_INFINITY,
): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const partition of partitions) {
    const n = sizeOf(partition);
    if (current.length > 0 && (current.length >= maxCount || size + n > maxSize)) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(partition);
    size += n;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
