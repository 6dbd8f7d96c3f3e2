import path from 'node:path';
import { exportAdded, writeMembers } from '../../engine/delta-queries.ts';
import type { FileTarget, WrittenFiles } from '../../engine/file-writer.ts';
import type { HashPass } from '../../engine/hash-passes.ts';
import type { PartitionedFile } from '../../engine/parquet-queries.ts';
import type { PeopleQuery } from '../../engine/people-queries.ts';
import { countPartMembers } from '../../engine/split-queries.ts';
import {
  ADDED,
  type DeltaPlan,
  MEMBERS_FILE,
  profileOf,
  REMOVED,
  splitsOf,
  type TaskPlan,
} from '../../tasks/task-model.ts';
import { bucketKey, type ReducePart, sliceBucketsOf } from '../../tasks/unique-slices.ts';
import type { JobEngine } from '../job-engines.ts';
import { type BucketInputs, bucketPasses, bucketPeopleQuery } from './bucket-inputs.ts';
import { fetchMembers, withCopies } from './delta-members.ts';
import type { JobRun, PhaseDeps } from './phase.ts';
import { type AddedRows, exportSplitDelta, writeJoinedAndLeft } from './split-deltas.ts';

/**
 * A saved audience's delta run whose count was sliced (see `tasks/unique-slices.ts`): its count
 * jobs wrote the rows of its people by hash bucket, as a sliced people export's do (with an empty
 * file for a bucket without rows, so every bucket's column types are known). A person's bucket is a
 * hash of their value, the same in every run, so each bucket's members compare with the base run's
 * members of that bucket alone:
 *
 * - each reduce job writes its bucket's members to the run's snapshot, `bucket={b}/members.parquet`,
 *   and counts them against the base run's members of the bucket (`reduceDeltaBucket`); the run's
 *   members, added and removed are the buckets' sums;
 * - each export job writes its bucket's newcomers' people rows and leavers' values
 *   (`writeDeltaBucket`), into `added/bucket={b}/` and `removed/bucket={b}/`.
 *
 * A base run counted in one job kept one members file: a bucket's job keeps the members of that
 * file whose hash falls in its bucket (`fetchMembers`).
 */

/** A reduce job of a sliced delta run: its bucket's members kept and counted against the base's. */
export async function reduceDeltaBucket(
  run: JobRun,
  deps: PhaseDeps,
  inputs: BucketInputs,
): Promise<ReducePart> {
  const { plan } = run;
  const delta = plan.delta!;
  const { sandbox, scratch } = await run.engine!;
  const copies = path.join(scratch, 'previous');
  const members = path.join(scratch, 'members');
  const file = path.join(members, MEMBERS_FILE);
  const passes = bucketPasses(inputs.objects, deps);
  return withCopies([copies, members], async () => {
    const copy = { sandbox, personBy: plan.uniqueBy!, bucket: bucketIn(plan, inputs), folder: copies };
    const previous = await fetchMembers(deps.storage, delta.previous, copy);
    const source = { files: inputs.paths, hive: false };
    const identifiers = profileOf(plan) !== null;
    const query = bucketPeopleQuery(plan);
    const found = await writeMembers(sandbox, source, query, file, previous, { passes, identifiers });
    // A split run's members per part (a person's part is fixed by the salt).
    const splits = splitsOf(plan);
    const splitCounts = splits ? await countPartMembers(sandbox, file, plan.uniqueBy!, splits) : undefined;
    run.lap('count');
    // Publishing replaces the bucket's members: only the lease holder may.
    await run.lease.hold();
    await deps.storage.publish([file], deps.storage.join(delta.snapshot, bucketKey(inputs.bucket)));
    run.lap('publish');
    const counted = { added: found.added, removed: found.removed };
    return {
      kind: 'reduce',
      bucket: inputs.bucket,
      unique: found.members,
      delta: counted,
      ...(found.invalid === undefined ? {} : { invalid: found.invalid }),
      ...(splitCounts ? { splitCounts } : {}),
    };
  });
}

/** How an export job of a sliced run writes a bucket's people rows, pass by pass (`writeBucket`). */
export type PassWriter = (
  passes: readonly HashPass[],
  write: (query: PeopleQuery, target: FileTarget) => Promise<WrittenFiles>,
  dir: string,
) => Promise<WrittenFiles>;

/**
 * An export job of a sliced delta run: the people rows of its bucket's members who joined since the
 * base run (`added`), and the values of the base's members of the bucket who left (`removed`), from
 * the members both runs kept of the bucket (a profile's in its files); a split run's, those of each
 * part (`split=NAME/added`, `split=NAME/removed`), as a whole split run writes them. Answers the
 * files by list.
 */
export async function writeDeltaBucket(
  { plan, delta }: { plan: JobRun['plan']; delta: DeltaPlan },
  deps: PhaseDeps,
  { sandbox, scratch }: JobEngine,
  inputs: BucketInputs,
  out: { dir: string; target: (dir: string) => FileTarget; writePasses: PassWriter },
): Promise<Record<string, WrittenFiles>> {
  const folders = [path.join(scratch, 'previous'), path.join(scratch, 'current')] as const;
  return withCopies(folders, async () => {
    const copy = { sandbox, personBy: plan.uniqueBy!, bucket: bucketIn(plan, inputs) };
    const previous = await fetchMembers(deps.storage, delta.previous, { ...copy, folder: folders[0] });
    const current = (await fetchMembers(deps.storage, delta.snapshot, { ...copy, folder: folders[1] }))!;
    const source = { files: inputs.paths, hive: false };
    const addedRows: AddedRows = (now, before, dir) =>
      out.writePasses(
        bucketPasses(inputs.objects, deps),
        (query, target) => exportAdded(sandbox, source, query, now, before, target),
        dir,
      );
    const job = { plan, addedRows, engine: { sandbox, scratch }, target: out.target };
    const splits = splitsOf(plan);
    if (splits) {
      const written = await exportSplitDelta({ ...job, splits, current, previous });
      return byList([...written.files, ...(written.heldBack ?? [])], written.columns);
    }
    const written = await writeJoinedAndLeft(job, current, previous, out.dir);
    return { [ADDED]: written.added, [REMOVED]: written.removed };
  });
}

/** Files by their list (`partition`), each list with the export's columns. */
function byList(
  files: readonly PartitionedFile[],
  columns: WrittenFiles['columns'],
): Record<string, WrittenFiles> {
  const lists: Record<string, WrittenFiles> = {};
  for (const { partition, ...file } of files) {
    lists[partition] = { files: [...(lists[partition]?.files ?? []), file], columns };
  }
  return lists;
}

/** The job's bucket among the task's (`MembersCopy.bucket`). */
function bucketIn(plan: TaskPlan, { bucket }: BucketInputs): { bucket: number; of: number } {
  return { bucket, of: sliceBucketsOf(plan) };
}
