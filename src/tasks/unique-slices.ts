import { compareText } from '../compare.ts';
import { zeroParts } from '../engine/split-buckets.ts';
import type { NewJob, TaskRecord } from '../store/store.ts';
import { jobsFor } from './planning/job-rows.ts';
import {
  type DeltaView,
  type HeldBackFile,
  PEOPLE,
  peopleOf,
  profileOf,
  type SegmentFiguresView,
  type StoredRequest,
  splitsOf,
  type TaskPlan,
} from './task-model.ts';

/**
 * Hash-sliced unique counts. A unique count (`unique_by` without breakdowns, a people export or a
 * delta) whose input is more than one job reads is split by size like any count: each count job
 * counts the rows and the distinct people of its own partitions (exact: a partition is in one job
 * only) and writes its distinct people into the task's buckets (`sliceBucketsOf`) by a hash of the
 * value, as Parquet under the task's slices folder (`taskSlicesRoot`). When the count phase ends, one `reduce`
 * job per bucket counts the distinct people of its bucket across every count job's files. A person
 * falls in one bucket only, so the task's distinct people are the sum of the buckets': exact, with
 * no job ever holding more than its share of the people. A count that was not split (one job sees
 * every person) writes no bucket and has no reduce step.
 *
 * A people export (`slicesPeople`) is sliced the same way, with the rows each person's row is made
 * of in the buckets instead of distinct values: each reduce job counts its bucket's people (with
 * `min_topics` and `min_days`, which look at one person's rows only), and the export runs as one
 * `unload` job per bucket, each writing its bucket's people. A person is in one bucket only, so the
 * files hold each person once and the count is the buckets' sum. A saved audience's delta run is a
 * people export too: its reduce jobs keep their buckets' members and count them against the base
 * run's, and its export jobs write each bucket's who joined and who left (`jobs/phases/sliced-delta.ts`).
 * A profile's people are its identifiers lower-cased, and are bucketed so (`slicesLowerCased`); a
 * split export's reduce jobs count each part's people of their bucket, and its export jobs write
 * their bucket's people into every part (`jobs/phases/sliced-splits.ts`), recording the files of
 * the parts held back, which the end of the export gathers (`exportEnded`).
 */

/**
 * The fewest buckets a sliced count has: its reduce jobs (and a people export's export jobs), each
 * with about this share of the people. A task has more when more count jobs run at once across the
 * workers (`bucketsForSlots`), so that both steps spread over every worker.
 */
export const SLICE_BUCKETS = 16;

/** The most buckets a task may have (`SLICE_BUCKETS` setting): each is a job and a folder. */
export const MAX_SLICE_BUCKETS = 4096;

/**
 * Buckets for a task planned while `slots` count jobs run at once across the workers: at least
 * `SLICE_BUCKETS`, else the power of two that is at least `slots` (a reduce step then keeps every
 * slot busy), at most `MAX_SLICE_BUCKETS`.
 */
export function bucketsForSlots(slots: number): number {
  let buckets = SLICE_BUCKETS;
  while (buckets < slots && buckets < MAX_SLICE_BUCKETS) buckets *= 2;
  return buckets;
}

/** The buckets a task's count is sliced into, as planned (`SLICE_BUCKETS` for plans made before). */
export function sliceBucketsOf(plan: Pick<TaskPlan, 'sliceBuckets'>): number {
  return plan.sliceBuckets ?? SLICE_BUCKETS;
}

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
  /** A delta run's: its bucket's members who joined and who left since the base run. */
  delta?: { added: number; removed: number };
  /** A profile export's: its bucket's distinct values left out for not being a hex SHA-256. */
  invalid?: number;
  /** A split export's: its bucket's people of each part. */
  splitCounts?: Record<string, number>;
}

/** What an export job of a sliced split export records: the files of its parts not delivered. */
export interface ExportPart {
  kind: 'export';
  bucket: number;
  heldBack: HeldBackFile[];
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

/**
 * The task's people export may be sliced: one row per person and nothing more, a profile's file of
 * identifiers, a split export's parts, or a delta run's members and who joined and left (of each
 * part too).
 */
export function slicesPeople(plan: TaskPlan): boolean {
  return peopleOf(plan) !== null && (plan.breakdownBy ?? null) === null;
}

/**
 * A sliced profile export's people are its identifiers lower-cased (`validIdentifiersSql`): its
 * rows are bucketed, and its buckets folded in passes, by the hash of the lower-cased value, so that
 * every spelling of one identifier meets in one bucket and one pass.
 */
export function slicesLowerCased(plan: TaskPlan): boolean {
  return profileOf(plan) !== null;
}

/** The task's count may be sliced, its people or its distinct people. */
export function slicesCount(plan: TaskPlan): boolean {
  return slicesUnique(plan) || slicesPeople(plan);
}

/**
 * The phase whose end leaves a sliced count's slices unread: a unique count's reduce step; a people
 * export's export, whose jobs read them again (the task's end, as an export with nobody in it has
 * no export job). Undefined when the task's count is never sliced.
 */
export function slicesUsedUntil(plan: TaskPlan): 'reduce' | 'manifest' | undefined {
  if (slicesUnique(plan)) return 'reduce';
  return slicesPeople(plan) ? 'manifest' : undefined;
}

/** A reduce job's (or a sliced people export job's) one partition key names its bucket. */
export function bucketKey(bucket: number): string {
  return `bucket=${bucket}`;
}

const BUCKET_KEY = /^bucket=(\d+)$/;

export function bucketOf(key: string): number {
  const match = BUCKET_KEY.exec(key);
  if (!match) throw new Error(`not a bucket key: ${key}`);
  return Number(match[1]);
}

export function isBucketKey(key: string | undefined): boolean {
  return key !== undefined && BUCKET_KEY.test(key);
}

type Part = CountPart | ReducePart | ExportPart;

function isPart<K extends Part['kind']>(kind: K): (part: unknown) => part is Extract<Part, { kind: K }> {
  return (part): part is Extract<Part, { kind: K }> =>
    typeof part === 'object' && part !== null && (part as { kind?: unknown }).kind === kind;
}

/**
 * The end of a sliced count's count phase (its jobs recorded count parts): the reduce jobs, one per
 * bucket, and the figures known so far (distinct people per partition; the whole segment's come
 * with the reduce step). Undefined for a count that was not sliced.
 */
export function reduceStep(
  task: Pick<TaskRecord, 'request'>,
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
    // A people export's people are counted by bucket only.
    figures: {
      unique_count: null,
      unique_counts: slicesPeople(planOf(task)) ? null : uniqueCounts,
      breakdowns: null,
    },
  };
}

/**
 * The end of the reduce step: the task's counts and figures with the whole segment's distinct
 * people, the buckets' sum. A unique count keeps the counts its count phase stored; a people
 * export's count is its people, under `people`.
 */
export function reduceEnded(
  task: Pick<TaskRecord, 'request' | 'countsJson' | 'figuresJson'>,
  parts: readonly unknown[],
): { counts: Record<string, number>; figures: SegmentFiguresView } {
  const before = (task.figuresJson === null ? {} : JSON.parse(task.figuresJson)) as SegmentFiguresView;
  const reduced = parts.filter(isPart('reduce'));
  const unique = reduced.reduce((sum, part) => sum + part.unique, 0);
  const plan = planOf(task);
  if (slicesPeople(plan)) {
    const counts = { [PEOPLE]: unique };
    const figures: SegmentFiguresView = { ...before, unique_count: unique, unique_counts: counts };
    if (profileOf(plan))
      figures.invalid_identifiers = reduced.reduce((sum, part) => sum + (part.invalid ?? 0), 0);
    const splits = splitsOf(plan);
    if (splits) {
      // Each part's people, the buckets' sums (a person is in one bucket and one part).
      const parts = zeroParts(splits);
      for (const part of reduced) {
        for (const [name, n] of Object.entries(part.splitCounts ?? {})) parts[name] = (parts[name] ?? 0) + n;
      }
      figures.split_counts = parts;
    }
    if (!plan.delta) return { counts, figures };
    // A delta run's members: the buckets' sums, as one job over every member would count them.
    const sum = (list: 'added' | 'removed') =>
      reduced.reduce((total, part) => total + (part.delta?.[list] ?? 0), 0);
    const added = sum('added');
    const delta: DeltaView = {
      baseline: plan.delta.previous === null ? 'new' : 'previous',
      previous_run_id: plan.delta.previousRunId,
      members: unique,
      added,
      removed: sum('removed'),
      kept: unique - added,
    };
    return { counts, figures: { ...figures, delta } };
  }
  const counts = (task.countsJson === null ? {} : JSON.parse(task.countsJson)) as Record<string, number>;
  return { counts, figures: { ...before, unique_count: unique } };
}

/**
 * The end of a sliced split export's export: the task's figures with the held-back files of every
 * bucket (each export job recorded its own, `ExportPart`), in the order of their paths. Undefined
 * for any other export, whose figures are already whole.
 */
export function exportEnded(
  task: Pick<TaskRecord, 'figuresJson'>,
  parts: readonly unknown[],
): SegmentFiguresView | undefined {
  const exported = parts.filter(isPart('export'));
  if (exported.length === 0) return undefined;
  const before = (task.figuresJson === null ? {} : JSON.parse(task.figuresJson)) as SegmentFiguresView;
  const heldBack = exported.flatMap((part) => part.heldBack).sort((a, b) => compareText(a.path, b.path));
  return { ...before, held_back: heldBack };
}

function planOf(task: Pick<TaskRecord, 'request'>): TaskPlan {
  return ((task.request as Partial<StoredRequest> | null)?.plan ?? {}) as TaskPlan;
}
