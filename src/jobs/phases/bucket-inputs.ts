import {
  type HashPass,
  hashPasses,
  ONE_PASS,
  passConditionSql,
  passesFor,
} from '../../engine/hash-passes.ts';
import type { PeopleQuery } from '../../engine/people-queries.ts';
import { quoteIdentifier } from '../../engine/sql-quote.ts';
import { type StoredObject, sizeOfObjects } from '../../storage/storage.ts';
import { peopleQueryOf } from '../../tasks/people-query.ts';
import { peopleOf, type TaskPlan } from '../../tasks/task-model.ts';
import { taskSlicesRoot } from '../../tasks/task-outputs.ts';
import { bucketKey, bucketOf, slicesLowerCased } from '../../tasks/unique-slices.ts';
import type { JobRun, PhaseDeps } from './phase.ts';

/** The files a sliced count's count jobs wrote into one bucket, staged for the job that reads them. */
export interface BucketInputs {
  bucket: number;
  objects: StoredObject[];
  /** Local paths of `objects`, in order. */
  paths: string[];
}

/**
 * Runs `use` over the bucket a job's one partition key names (a reduce job, or an export job of a
 * sliced people export): every file of that bucket under the task's slices folder, staged, and
 * released when `use` ends. The jobs of a bucket step run beside each other as any jobs of a task
 * do: each takes one share of the cores.
 */
export async function withBucket<T>(
  run: JobRun,
  deps: PhaseDeps,
  use: (inputs: BucketInputs) => Promise<T>,
): Promise<T> {
  const { storage, outputPath } = deps;
  const bucket = bucketOf(run.job.partitions[0] ?? '');
  const folder = storage.join(taskSlicesRoot(storage, outputPath, run.task), bucketKey(bucket));
  const objects = await storage.list(folder, { recursive: true });
  const staged = await storage.stage(objects);
  try {
    run.lap('inputs');
    run.sharedBy(1);
    return await use({ bucket, objects, paths: staged.paths });
  } finally {
    staged.release();
  }
}

/**
 * A people export's query over a bucket's rows (the count jobs kept only the rows its filter
 * keeps), of one hash pass over the bucket's people (a profile's: over their lower-cased values,
 * as its buckets are, see `slicesLowerCased`).
 */
export function bucketPeopleQuery(plan: TaskPlan, pass: HashPass = ONE_PASS): PeopleQuery {
  const person = quoteIdentifier(plan.uniqueBy!);
  return {
    ...peopleQueryOf(plan, peopleOf(plan)!),
    whereSql: passConditionSql(slicesLowerCased(plan) ? `lower(${person})` : person, pass),
  };
}

/** The most hash passes over one bucket's people. */
export const MAX_BUCKET_PASSES = 256;

/**
 * The hash passes a people export's bucket is folded in (`engine/hash-passes.ts`): one per
 * `sliceBounds.bucketPass` of its rows' bytes (what one job folds), so a bucket's job stays within its
 * memory however large the export grows; it then reads the bucket's files once per pass.
 */
export function bucketPasses(
  objects: readonly StoredObject[],
  deps: Pick<PhaseDeps, 'sliceBounds'>,
): HashPass[] {
  const bound = deps.sliceBounds?.bucketPass ?? deps.sliceBounds?.people;
  return hashPasses(passesFor(sizeOfObjects(objects), bound, MAX_BUCKET_PASSES));
}
