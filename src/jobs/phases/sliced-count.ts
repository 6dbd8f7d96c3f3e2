import path from 'node:path';
import pMap from 'p-map';
import { type JobInputs, manifestOf, parquetSource } from '../../catalog/partition-inputs.ts';
import { peopleColumns } from '../../engine/people-queries.ts';
import { writeSlices } from '../../engine/slice-queries.ts';
import type { JobOutcome } from '../../store/store.ts';
import { peopleQueryOf } from '../../tasks/people-query.ts';
import { peopleOf } from '../../tasks/task-model.ts';
import { taskSlicesRoot } from '../../tasks/task-outputs.ts';
import { bucketKey, type CountPart, sliceBucketsOf, slicesLowerCased } from '../../tasks/unique-slices.ts';
import type { JobRun, PhaseDeps } from './phase.ts';
import { countWhole } from './segment-figures.ts';

/**
 * A count job of a sliced count (see `tasks/unique-slices.ts`), once its task's count was split
 * into several jobs. A unique count's job counts its partitions' rows and distinct people (exact,
 * as no other job reads them) and writes its distinct people by hash bucket; a people export's job
 * writes the rows its people are made of by hash bucket, and counts nothing (its people are counted
 * by bucket). Each bucket's files go under the task's slices folder, `bucket={b}/job={job id}/`,
 * for the reduce jobs. Undefined when the task's count is this one job: it sees every person and
 * counts the whole segment itself.
 */
export async function countSlices(
  run: JobRun,
  deps: PhaseDeps,
  inputs: JobInputs,
): Promise<JobOutcome | undefined> {
  const { job, task, plan } = run;
  if (!(await hasSlices(run, deps))) return undefined;
  const engine = await run.engine!;
  const people = peopleOf(plan);
  const target = path.join(engine.scratch, 'slices');
  const buckets = sliceBucketsOf(plan);
  const slicing = { personBy: plan.uniqueBy!, buckets };
  let slices = new Map<number, string[]>();
  let figures: Awaited<ReturnType<typeof countWhole>> | undefined;
  if (people) {
    const files = inputs.partitions.flatMap((input) => input.localPaths);
    const columns = peopleColumns(peopleQueryOf(plan, people));
    // A delta run's reduce jobs write a members file of every bucket, of the person's own type.
    const query = {
      ...slicing,
      whereSql: plan.whereSql,
      columns,
      everyBucket: Boolean(plan.delta),
      lowerCase: slicesLowerCased(plan),
    };
    slices = await writeSlices(engine.sandbox, parquetSource(files, plan), query, target);
  } else {
    // One scan: the distinct people are sliced from the rows the count kept, not the files again.
    figures = await countWhole(job, plan, inputs, engine.sandbox, async (segment) => {
      slices = await writeSlices(engine.sandbox, segment, { ...slicing, whereSql: null }, target);
    });
  }
  run.lap('slices');
  // Publishing replaces this job's folders: a worker that lost the job must not touch them.
  await run.lease.hold();
  const root = taskSlicesRoot(deps.storage, deps.outputPath, task);
  await pMap(
    slices,
    ([bucket, local]) =>
      deps.storage.publish(local, deps.storage.join(root, `${bucketKey(bucket)}/job=${job.id}`)),
    { concurrency: 4 },
  );
  run.lap('publish');
  const part: CountPart = {
    kind: 'count',
    buckets,
    uniqueCounts: figures?.view.unique_counts ?? {},
  };
  return { counts: figures?.counts ?? {}, files: [], manifest: manifestOf(inputs), partFigures: part };
}

/** A sliced count writes slices once its count runs as several jobs (the task's slices folder). */
export async function hasSlices({ task }: JobRun, deps: PhaseDeps): Promise<boolean> {
  const countJobs = (await deps.store.listJobs(task.id)).filter((other) => other.phase === 'count');
  return countJobs.length > 1;
}
