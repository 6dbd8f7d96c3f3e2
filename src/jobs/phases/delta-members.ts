import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type JobInputs, parquetSource } from '../../catalog/partition-inputs.ts';
import { mergeMembers, writeMembers } from '../../engine/delta-queries.ts';
import type { Sandbox } from '../../engine/duckdb-sandbox.ts';
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
import { addedFromInputs, exportSplitDelta, writeJoinedAndLeft } from './split-deltas.ts';

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
    const previous = await fetchMembers(storage, delta.previous, {
      folder: copies,
      sandbox,
      personBy: plan.uniqueBy!,
    });
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
    const copy = { sandbox, personBy: plan.uniqueBy! };
    const previous = await fetchMembers(storage, delta.previous, { ...copy, folder: copies[0] });
    const current = await fetchMembers(storage, delta.snapshot, { ...copy, folder: copies[1] });
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
  const engine = { sandbox, scratch };
  const addedRows = addedFromInputs(plan, people, inputs, { sandbox, target });
  if (splits) return exportSplitDelta({ plan, splits, addedRows, engine, current, previous, target });
  const written = await writeJoinedAndLeft({ plan, addedRows, engine, target }, current, previous, scratch);
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
export async function withCopies<T>(copies: readonly string[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    for (const folder of copies) fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** Where `fetchMembers` copies a snapshot to, and what it keeps of it. */
export interface MembersCopy {
  /** A folder of the job's scratch (its DuckDB reads nothing else). */
  folder: string;
  /** Merges several members files into one, and keeps only a bucket's members. */
  sandbox: Sandbox;
  personBy: string;
  /** Only the members of this hash bucket of `buckets`; undefined: every member. */
  bucket?: { bucket: number; of: number };
}

/**
 * Copies a snapshot's members into one local file, `MEMBERS_FILE` in `copy.folder`; null without a
 * snapshot. A run counted in one job wrote one members file; a run whose count was sliced wrote one
 * per hash bucket, under `bucket={b}/` (`sliced-delta.ts`). A bucket's members are its file of a
 * snapshot sliced into as many buckets, or the members of any other snapshot whose hash falls in the
 * bucket (a whole one, or one sliced into another number of buckets: the workers had changed);
 * every member is the one file, or the buckets' files merged. A base run's snapshot that is gone fails the run for
 * good: a resync makes the next run a baseline.
 */
export async function fetchMembers(
  storage: Storage,
  folder: string | null,
  copy: MembersCopy,
): Promise<string | null> {
  if (folder === null) return null;
  const local = path.join(copy.folder, MEMBERS_FILE);
  fs.mkdirSync(copy.folder, { recursive: true });
  try {
    const files = (await storage.list(folder, { recursive: true }))
      .filter((object) => object.uri.endsWith('.parquet'))
      .map((object) => ({ object, bucket: bucketIn(folder, object.uri) }));
    // A sliced snapshot holds a members file of every bucket (empty ones too).
    const buckets = new Set(files.flatMap((file) => (file.bucket === undefined ? [] : [file.bucket]))).size;
    // The bucket's own file when the snapshot has as many buckets; else every file, filtered.
    const own = copy.bucket !== undefined && buckets === copy.bucket.of ? copy.bucket.bucket : undefined;
    const wanted = files
      .filter((file) => (buckets === 0 || file.bucket !== undefined) && (own ?? file.bucket) === file.bucket)
      .map((file) => file.object);
    if (wanted.length === 0) throw new StorageError('object_not_found', `${folder}: no members file`);
    // One file as it is; several (buckets), or a snapshot of which a bucket is wanted, merged.
    const filter = own === undefined ? copy.bucket : undefined;
    if (wanted.length === 1 && filter === undefined) {
      await download(storage, wanted[0]!.uri, local);
      return local;
    }
    const parts = path.join(copy.folder, 'parts');
    fs.mkdirSync(parts, { recursive: true });
    const copies = wanted.map((_, i) => path.join(parts, `${i}.parquet`));
    await Promise.all(wanted.map((object, i) => download(storage, object.uri, copies[i]!)));
    await mergeMembers(copy.sandbox, copies, copy.personBy, local, filter);
    fs.rmSync(parts, { recursive: true, force: true });
    return local;
  } catch (error) {
    // Only a snapshot that is not there is gone for good; a full disk or a store that failed for a
    // moment fails this try alone (retried), as anywhere else.
    if (isDiskFull(error)) throw diskFull(copy.folder, error);
    if (!isMissing(error)) throw error;
    throw new JobError(
      'snapshot_missing',
      `the members of an earlier run (${folder}) could not be read (${String(error)}); POST /api/v1/audiences/{id}/resync makes the next run a baseline`,
    );
  }
}

/** The bucket a members file of a sliced snapshot belongs to (`bucket={b}/…`); undefined otherwise. */
function bucketIn(folder: string, uri: string): number | undefined {
  const inside = uri.startsWith(folder) ? uri.slice(folder.length) : uri;
  const match = /(?:^|\/)bucket=(\d+)\//.exec(inside);
  return match ? Number(match[1]) : undefined;
}

async function download(storage: Storage, uri: string, local: string): Promise<void> {
  await pipeline(await storage.read(uri), fs.createWriteStream(local));
}
