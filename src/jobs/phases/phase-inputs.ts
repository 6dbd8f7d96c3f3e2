import {
  type ColumnsRead,
  type ListedPartition,
  listInputs,
  stageInputs,
} from '../../catalog/partition-inputs.ts';
import { compareText } from '../../compare.ts';
import { integerBounds } from '../../engine/sql-bounds.ts';
import { quotedNames } from '../../engine/sql-quote.ts';
import { sizeOfObjects } from '../../storage/storage.ts';
import { jobsFor } from '../../tasks/planning/job-rows.ts';
import { batchForSlots } from '../../tasks/planning/partition-batches.ts';
import {
  countsWhole,
  exportsWholeAtOnce,
  peopleOf,
  type StoredRequest,
  type TaskPlan,
  wholeExportKey,
} from '../../tasks/task-model.ts';
import { slicesCount, slicesPeople } from '../../tasks/unique-slices.ts';
import type { JobBytes, JobRun, PhaseDeps, PhaseResult } from './phase.ts';

/**
 * What a job reading only some columns of its inputs reads: those and its filter's columns, and its
 * filter's integer bounds (see `StageOptions`: object stores then fetch only those chunks).
 */
export function readingColumns(plan: TaskPlan, columns: readonly string[]): ColumnsRead {
  const where = plan.whereSql;
  return {
    columns: [...(where === null ? [] : quotedNames(where)), ...columns],
    bounds: where === null ? [] : integerBounds(where),
  };
}

/**
 * The common start of a count or an export: lists the job's partitions (an export reads exactly
 * the objects a count of the same task read, if it had one), bounds the job by bytes (`splitJob`),
 * and stages what is left into `run.inputs` (only footers when `footersOnly`, only the chunks of
 * `columns` when the job reads no others). Undefined when the run goes on; else how it ends: with
 * nothing to record when the split found its lease lost or its task ended, or with the count jobs
 * that take its place when it is a people export with more people than one job folds
 * (`mapPeople`).
 */
export async function stageJobInputs(
  run: JobRun,
  deps: PhaseDeps,
  { footersOnly, ...read }: { footersOnly: boolean } & ColumnsRead,
): Promise<PhaseResult | undefined> {
  const { job, task, plan } = run;
  const manifest =
    job.phase === 'unload' && plan.limit === null ? await deps.store.countManifest(task.id) : {};
  // An export written whole (people, a single file) is one job over every partition counted; one
  // that counts as it writes (a people export) has no count and reads the job's own partitions.
  const whole = job.phase === 'unload' && wholeExportKey(plan) !== null;
  const counted = whole && !exportsWholeAtOnce(task.request as StoredRequest);
  const partitions = counted ? Object.keys(manifest).sort(compareText) : job.partitions;
  const listed = await listInputs(deps.storage, partitions, plan, manifest);
  if (whole && !counted) {
    const map = await mapPeople(run, deps, listed);
    if (map) return map;
  }
  const split = footersOnly ? { kept: listed, jobs: 0 } : await splitBySize(run, deps, listed);
  if (!split) return { settle: 'none' };
  // The jobs split off run beside this one: its engine takes its share of the cores.
  run.sharedBy(1 + split.jobs);
  const { kept } = split;
  if (!counted) run.job = { ...job, partitions: kept.map((input) => input.partition) };
  run.inputs = await stageInputs(deps.storage, kept, { footersOnly, ...read });
  run.lap('inputs');
  return undefined;
}

/**
 * The first job of a people export that counts as it writes (`countsAsItWrites`), when its input is
 * more than one job folds (`SliceBounds.people`) and its partitions make two batches or more: the
 * count jobs of a sliced people export's map step take its place (`tasks/unique-slices.ts`; their
 * end starts the reduce step, then the export by bucket). Undefined when one job writes it whole.
 */
async function mapPeople(
  { job, plan, sharedBy }: JobRun,
  deps: PhaseDeps,
  listed: ListedPartition[],
): Promise<PhaseResult | undefined> {
  const bound = deps.sliceBounds?.people;
  if (bound === undefined || !slicesPeople(plan)) return undefined;
  const sizes = sizesOf(listed);
  if (sizes.reduce((sum, { bytes }) => sum + bytes, 0) <= bound) return undefined;
  const batches = batchForSlots(sizes, bound, (await deps.workerSlots?.('count')) ?? 1);
  if (batches.length < 2) return undefined;
  // No DuckDB runs in this job: its engine is let go at once.
  sharedBy(1);
  deps.trace?.('people export mapped', { jobId: job.id, jobs: batches.length });
  const files = listed.reduce((sum, input) => sum + input.objects.length, 0);
  return { settle: 'expand', jobs: jobsFor('count', batches, 'queued'), files };
}

/**
 * A filtered count job's bound: `JobBytes.count`, shared out over the count jobs that run at once
 * across the workers (`slots`), and no less than an export job's input (`JobBytes.unload`: a smaller
 * count is over before a second job helps). A count that one job could read then spreads over the
 * workers. The bound is the same for every job of the task, so the jobs a split made never split
 * again. (Scaled out on 2 workers at 100M rows, 5.9 GB as one 8 GB job took 2.2 times raw DuckDB;
 * as 2 jobs under this bound, 1.7 times; as 4 jobs of 2 GB in an earlier run, 1.6 times.)
 */
function countBound({ unload, count }: JobBytes, slots: number): number {
  return Math.min(count, Math.max(unload, Math.floor(count / Math.max(1, slots))));
}

function sizesOf(listed: ListedPartition[]): { partition: string; bytes: number }[] {
  return listed.map(({ partition, objects }) => ({ partition, bytes: sizeOfObjects(objects) }));
}

/**
 * Bounds the job's input by `maxJobBytes` of its phase (a unique count's or a people export's count
 * by its `sliceBounds`):
 * keeps its first partitions up to the bound and stores the rest as new jobs, enqueued at once so
 * other slots and workers take them. Answers the partitions kept and how many jobs were split off;
 * undefined when the job may not go on (its lease was lost, its task ended).
 */
async function splitBySize(
  { job, task, plan }: JobRun,
  deps: PhaseDeps,
  listed: ListedPartition[],
): Promise<{ kept: ListedPartition[]; jobs: number } | undefined> {
  const { maxJobBytes, store, queue } = deps;
  // A count with figures over the whole segment needs all of it in one job (see `countsWhole`), and
  // so does an export written whole (see `wholeExportKey`).
  const whole = { kept: listed, jobs: 0 };
  // A unique count alone, or a people export, is split too: its reduce step makes its figures exact
  // (see `slicesCount`).
  const countedWhole = countsWhole(plan) && !slicesCount(plan);
  if (job.phase === 'count' ? countedWhole : wholeExportKey(plan) !== null) return whole;
  if (maxJobBytes === undefined || plan.limit !== null || listed.length < 2) return whole;
  const sizes = sizesOf(listed);
  // Unique work is one job up to its own bound (`sliceBounds`): a split slices it.
  const sliced = slicesCount(plan)
    ? peopleOf(plan)
      ? deps.sliceBounds?.people
      : deps.sliceBounds?.unique
    : undefined;
  // Within the least bound it could have (most jobs, those a split made among them), the job keeps
  // its partitions without asking the store how many slots the workers have.
  const least =
    job.phase !== 'count' ? maxJobBytes.unload : (sliced ?? Math.min(maxJobBytes.unload, maxJobBytes.count));
  if (sizes.reduce((sum, { bytes }) => sum + bytes, 0) <= least) return whole;
  const slots = (await deps.workerSlots?.(job.phase === 'count' ? 'count' : 'unload')) ?? 1;
  const bound = job.phase !== 'count' ? maxJobBytes.unload : (sliced ?? countBound(maxJobBytes, slots));
  const [keep, ...rest] = batchForSlots(sizes, bound, slots);
  if (!keep || rest.length === 0) return whole;
  const jobs = jobsFor(job.phase, rest, 'queued');
  const split = await store.splitJob(job.id, deps.owner, { keep, jobs }, deps.now());
  if (split.outcome === 'lease_lost') {
    deps.leaseLost(job.id, task.id);
    return undefined;
  }
  if (split.outcome === 'task_inactive') return undefined;
  await queue.enqueue(split.released);
  deps.trace?.('job split', { jobId: job.id, taskId: task.id, jobs: 1 + rest.length });
  const kept = new Set(keep);
  return { kept: listed.filter((input) => kept.has(input.partition)), jobs: rest.length };
}
