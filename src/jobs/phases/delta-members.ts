import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type JobInputs, parquetSource } from '../../catalog/partition-inputs.ts';
import { writeMembers } from '../../engine/delta-queries.ts';
import type { FileTarget } from '../../engine/file-writer.ts';
import { countPartMembers } from '../../engine/split-queries.ts';
import { JobError } from '../../errors.ts';
import type { Storage } from '../../storage/storage.ts';
import { diskFull, isDiskFull, StorageError } from '../../storage/storage-error.ts';
import { peopleQueryOf } from '../../tasks/people-query.ts';
import {
  ADDED,
  type DeltaPlan,
  type DeltaView,
  MEMBERS_FILE,
  PEOPLE,
  type PeoplePlan,
  profileOf,
  REMOVED,
  type SegmentFiguresView,
  splitsOf,
  type TaskPlan,
} from '../../tasks/task-model.ts';
import type { JobEngine } from '../job-engines.ts';
import type { JobLease } from '../job-lease.ts';
import type { WrittenExport } from './export-files.ts';
import { exportSplitDelta, writeJoinedAndLeft } from './split-deltas.ts';

/**
 * The count of a delta run: writes the run's members (its snapshot, under the service's own
 * snapshot root) and counts them against the base run's. Its counts are the people (`people`), its
 * figures the people and the delta (`delta`). The snapshot is published while the job holds its
 * lease; a run counted again replaces it.
 */
export async function countDelta(
  plan: TaskPlan & { delta: DeltaPlan },
  people: PeoplePlan,
  inputs: JobInputs,
  { sandbox, scratch }: JobEngine,
  { storage, lease }: { storage: Storage; lease: JobLease },
): Promise<{ counts: Record<string, number>; figures: SegmentFiguresView; published: number }> {
  const { delta } = plan;
  const copies = path.join(scratch, 'previous');
  const file = path.join(scratch, 'members', MEMBERS_FILE);
  const files = inputs.partitions.flatMap((input) => input.localPaths);
  // A profile's members are its valid identifiers: what its add and remove files list.
  const identifiers = profileOf(plan) !== null;
  const splits = splitsOf(plan);
  const { invalid, ...found } = await withCopies([copies], async () => {
    const previous = await fetchMembers(storage, delta.previous, copies);
    const query = peopleQueryOf(plan, people);
    return writeMembers(sandbox, parquetSource(files, plan), query, file, previous, { identifiers });
  });
  // A split run's members per part (the same file: a person's part is fixed by the salt).
  const splitCounts = splits ? await countPartMembers(sandbox, file, plan.uniqueBy!, splits) : null;
  await lease.hold();
  const [published] = await storage.publish([file], delta.snapshot);
  const view: DeltaView = {
    baseline: delta.previous === null ? 'new' : 'previous',
    previous_run_id: delta.previousRunId,
    ...found,
  };
  return {
    counts: { [PEOPLE]: found.members },
    figures: {
      unique_count: found.members,
      unique_counts: { [PEOPLE]: found.members },
      breakdowns: null,
      delta: view,
      ...(identifiers ? { invalid_identifiers: invalid ?? 0 } : {}),
      ...(splitCounts ? { split_counts: splitCounts } : {}),
    },
    published: published?.sizeBytes ?? 0,
  };
}

/**
 * The export of a delta run: the people rows of members new since the base run (`added`), and the
 * values of the base run's members who are members no more (`removed`), against the snapshot its
 * count wrote.
 */
export async function exportDelta(
  plan: TaskPlan & { delta: DeltaPlan },
  people: PeoplePlan,
  inputs: JobInputs,
  { sandbox, scratch }: JobEngine,
  storage: Storage,
  target: (folder: string) => FileTarget,
): Promise<WrittenExport> {
  const { delta } = plan;
  const copies = [path.join(scratch, 'previous'), path.join(scratch, 'current')] as const;
  return withCopies(copies, async () => {
    const previous = await fetchMembers(storage, delta.previous, copies[0]);
    const current = await fetchMembers(storage, delta.snapshot, copies[1]);
    if (current === null)
      throw new JobError('snapshot_missing', 'the members this run counted were not found');
    return exportNewcomersAndLeavers({ plan, people, inputs, sandbox, scratch, previous, current, target });
  });
}

/** The two outputs of a delta run's export, from the local copies of both members files. */
async function exportNewcomersAndLeavers({
  plan,
  people,
  inputs,
  sandbox,
  scratch,
  previous,
  current,
  target,
}: {
  plan: TaskPlan;
  people: PeoplePlan;
  inputs: JobInputs;
  sandbox: JobEngine['sandbox'];
  scratch: string;
  previous: string | null;
  current: string;
  target: (folder: string) => FileTarget;
}): Promise<WrittenExport> {
  const splits = splitsOf(plan);
  if (splits) {
    const engine = { sandbox, scratch };
    return exportSplitDelta({ plan, people, splits, inputs, engine, current, previous, target });
  }
  const written = await writeJoinedAndLeft(
    { plan, people, inputs, engine: { sandbox, scratch }, target },
    current,
    previous,
    scratch,
  );
  return {
    files: [
      ...written.added.files.map((file) => ({ ...file, partition: ADDED })),
      ...written.removed.files.map((file) => ({ ...file, partition: REMOVED })),
    ],
    columns: written.added.columns,
  };
}

/** A file or object that is not there (a local ENOENT, a store's object_not_found). */
function isMissing(error: unknown): boolean {
  if (error instanceof StorageError) return error.code === 'object_not_found';
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * Runs `work` with members files copied into the scratch folders `copies`, and removes the copies
 * when it ends: what a job's scratch holds after its outcome is recorded is only what it published
 * (moved away), so a worker killed between recording and cleaning up leaves no file behind.
 */
async function withCopies<T>(copies: readonly string[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    for (const folder of copies) fs.rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * Copies a snapshot's members file into the job's scratch folder (its DuckDB reads nothing else);
 * null without a snapshot. A base run's snapshot that is gone fails the run for good: a resync makes
 * the next run a baseline.
 */
async function fetchMembers(
  storage: Storage,
  folder: string | null,
  localFolder: string,
): Promise<string | null> {
  if (folder === null) return null;
  const local = path.join(localFolder, MEMBERS_FILE);
  fs.mkdirSync(localFolder, { recursive: true });
  try {
    await pipeline(await storage.read(storage.join(folder, MEMBERS_FILE)), fs.createWriteStream(local));
  } catch (error) {
    // Only a snapshot that is not there is gone for good; a full disk or a store that failed for a
    // moment fails this try alone (retried), as anywhere else.
    if (isDiskFull(error)) throw diskFull(localFolder, error);
    if (!isMissing(error)) throw error;
    throw new JobError(
      'snapshot_missing',
      `the members of an earlier run (${folder}) could not be read (${String(error)}); POST /api/v1/audiences/{id}/resync makes the next run a baseline`,
    );
  }
  return local;
}
