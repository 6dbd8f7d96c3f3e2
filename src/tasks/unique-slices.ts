import { compareText } from '../compare.ts';
import type { NewJob, TaskRecord } from '../store/store.ts';
import { jobsFor } from './planning/job-rows.ts';
import { peopleOf, type SegmentFiguresView, type TaskPlan } from './task-model.ts';

/**
 * Hash-sliced unique counts. A unique count (`unique_by` without breakdowns, a people export or a
 * delta) whose input is more than one job reads is split by size like any count: each count job
 * counts the rows and the distinct people of its own partitions (exact: a partition is in one job
 * only) and writes its distinct people into `SLICE_BUCKETS` buckets by a hash of the value, as
 * Parquet under the task's slices folder (`taskSlicesRoot`). When the count phase ends, one `reduce`
 * job per bucket counts the distinct people of its bucket across every count job's files. A person
 * falls in one bucket only, so the task's distinct people are the sum of the buckets': exact, with
 * no job ever holding more than its share of the people. A count that was not split (one job sees
 * every person) writes no bucket and has no reduce step.
 */

/** Buckets of a sliced unique count: reduce jobs, each with about this share of the people. */
export const SLICE_BUCKETS = 16;

/** What a count job of a sliced unique count records of its part (`JobOutcome.partFigures`). */
export interface CountPart {
  kind: 'count';
  /** The buckets it wrote its people into: the reduce step has as many jobs. */
  buckets: number;
  /** Distinct people of each of its partitions. */
  uniqueCounts: Record<string, number>;
}

/** What a reduce job records: the distinct people of its bucket. */
export interface ReducePart {
  kind: 'reduce';
  bucket: number;
  unique: number;
}

/** The task's count may be sliced: a unique count and nothing more over the whole segment. */
export function slicesUnique(plan: TaskPlan): boolean {
  return (
    (plan.uniqueBy ?? null) !== null &&
    (plan.breakdownBy ?? null) === null &&
    peopleOf(plan) === null &&
    (plan.delta ?? null) === null
  );
}

/** A reduce job's one partition key names its bucket. */
export function bucketKey(bucket: number): string {
  return `bucket=${bucket}`;
}

export function bucketOf(key: string): number {
  const match = /^bucket=(\d+)$/.exec(key);
  if (!match) throw new Error(`not a bucket key: ${key}`);
  return Number(match[1]);
}

function isPart<K extends (CountPart | ReducePart)['kind']>(
  kind: K,
): (part: unknown) => part is Extract<CountPart | ReducePart, { kind: K }> {
  return (part): part is Extract<CountPart | ReducePart, { kind: K }> =>
    typeof part === 'object' && part !== null && (part as { kind?: unknown }).kind === kind;
}

/**
 * The end of a sliced count's count phase (its jobs recorded count parts): the reduce jobs, one per
 * bucket, and the figures known so far (distinct people per partition; the whole segment's come
 * with the reduce step). Undefined for a count that was not sliced.
 */
export function reduceStep(
  parts: readonly unknown[],
): { jobs: NewJob[]; figures: SegmentFiguresView } | undefined {
  const counts = parts.filter(isPart('count'));
  if (counts.length === 0) return undefined;
  const buckets = Math.max(...counts.map((part) => part.buckets));
  const merged = Object.assign({}, ...counts.map((part) => part.uniqueCounts)) as Record<string, number>;
  const uniqueCounts = Object.fromEntries(
    Object.keys(merged)
      .sort(compareText)
      .map((partition) => [partition, merged[partition]!]),
  );
  return {
    jobs: jobsFor(
      'reduce',
      Array.from({ length: buckets }, (_, bucket) => [bucketKey(bucket)]),
      'queued',
    ),
    figures: { unique_count: null, unique_counts: uniqueCounts, breakdowns: null },
  };
}

/** The end of the reduce step: the task's figures with the whole segment's distinct people, the buckets' sum. */
export function reducedFigures(
  task: Pick<TaskRecord, 'figuresJson'>,
  parts: readonly unknown[],
): SegmentFiguresView {
  const before = (task.figuresJson === null ? {} : JSON.parse(task.figuresJson)) as SegmentFiguresView;
  const unique = parts.filter(isPart('reduce')).reduce((sum, part) => sum + part.unique, 0);
  return { ...before, unique_count: unique };
}
