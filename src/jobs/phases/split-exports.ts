import fs from 'node:fs';
import path from 'node:path';
import { activationProfile } from '../../activation/profiles.ts';
import type { SplitPlan } from '../../activation/splits.ts';
import { type JobInputs, parquetSource } from '../../catalog/partition-inputs.ts';
import { compareText } from '../../compare.ts';
import type { Sandbox } from '../../engine/duckdb-sandbox.ts';
import type { FileTarget, WrittenFiles } from '../../engine/file-writer.ts';
import type { PartitionedFile } from '../../engine/parquet-queries.ts';
import { peopleSql, peopleValuesSql } from '../../engine/people-queries.ts';
import { countIdentifiers, validIdentifiersSql } from '../../engine/profile-files.ts';
import { type SplitRange, zeroParts } from '../../engine/split-buckets.ts';
import { countSplits, exportIdentifierSplits, exportPeopleSplits } from '../../engine/split-queries.ts';
import type { Storage } from '../../storage/storage.ts';
import { peopleQueryOf } from '../../tasks/people-query.ts';
import {
  type HeldBackFile,
  PEOPLE,
  type PeoplePlan,
  type ProfilePlan,
  profileOf,
  type SegmentFiguresView,
  splitPartition,
  type TaskPlan,
} from '../../tasks/task-model.ts';
import { sha256Of } from './file-checksums.ts';

/**
 * A split export as written into the job's scratch folder: the delivered parts' files (partition
 * `split=NAME`), the held-back parts' files (partition: the part's name) to be kept in the service's
 * own area, and the figures (`split_counts`, for a profile the people and `invalid_identifiers`).
 */
export interface WrittenSplits extends WrittenFiles<PartitionedFile> {
  heldBack: PartitionedFile[];
  figures: SegmentFiguresView;
}

/** Where a split export is written in a job's scratch folder. */
interface SplitJob {
  sandbox: Sandbox;
  scratch: string;
  plan: TaskPlan;
  inputs: JobInputs;
}

/**
 * The scratch folder of a part: delivered parts apart from held-back ones, so nothing mixes them
 * up. Its parent is made here: DuckDB's `COPY` to a folder makes only the folder itself.
 */
export function partDir(scratch: string, split: SplitRange): string {
  const parent = path.join(scratch, split.deliver ? 'delivered' : 'held-back');
  fs.mkdirSync(parent, { recursive: true });
  return path.join(parent, splitPartition(split.name));
}

/** The figures of a split export of these part sizes. */
function splitFigures(counts: Record<string, number>): SegmentFiguresView {
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  return { unique_count: total, unique_counts: { [PEOPLE]: total }, breakdowns: null, split_counts: counts };
}

/** Files of each part, delivered ones under `split=NAME`, the others apart. */
function byDelivery(
  splits: SplitPlan,
  written: ReadonlyMap<string, WrittenFiles>,
): Pick<WrittenSplits, 'files' | 'heldBack' | 'columns'> {
  const files: PartitionedFile[] = [];
  const heldBack: PartitionedFile[] = [];
  for (const split of splits.splits) {
    for (const file of written.get(split.name)?.files ?? []) {
      (split.deliver ? files : heldBack).push({ ...file, partition: splitPartition(split.name) });
    }
  }
  const columns = [...written.values()].find((w) => w.columns.length > 0)?.columns ?? [];
  return { files, heldBack, columns };
}

/** A people export split into parts: one row per person of every partition read, in each part's files. */
export async function exportPeopleSplitsOf(
  { sandbox, scratch, plan, inputs }: SplitJob,
  people: PeoplePlan,
  splits: SplitPlan,
  target: (dir: string) => FileTarget,
): Promise<WrittenSplits> {
  const files = inputs.partitions.flatMap((input) => input.localPaths);
  if (files.length === 0)
    return { files: [], heldBack: [], columns: [], figures: splitFigures(zeroParts(splits)) };
  const query = peopleQueryOf(plan, people);
  const { written, counts } = await exportPeopleSplits(
    sandbox,
    peopleSql(parquetSource(files, plan), query),
    query.personBy,
    splits,
    (split) => target(partDir(scratch, split)),
  );
  return { ...byDelivery(splits, written), figures: splitFigures(counts) };
}

/** A profile export split into parts: each part's valid identifiers in the profile's files. */
export async function exportProfileSplitsOf(
  { sandbox, scratch, plan, inputs }: SplitJob,
  people: PeoplePlan,
  profile: ProfilePlan,
  splits: SplitPlan,
): Promise<WrittenSplits> {
  const files = inputs.partitions.flatMap((input) => input.localPaths);
  if (files.length === 0) {
    return {
      files: [],
      heldBack: [],
      columns: [],
      figures: { ...splitFigures(zeroParts(splits)), invalid_identifiers: 0 },
    };
  }
  const { written, counts, invalid } = await exportIdentifierSplits(
    sandbox,
    peopleValuesSql(parquetSource(files, plan), peopleQueryOf(plan, people)),
    activationProfile(profile.name),
    splits,
    (split) => partDir(scratch, split),
  );
  return {
    ...byDelivery(splits, written),
    figures: { ...splitFigures(counts), invalid_identifiers: invalid },
  };
}

/**
 * The count of a people export split into parts: its people per part (a profile's valid
 * identifiers), and for a profile the values left out. Counts under the one key `people`.
 */
export async function countSplitPeople(
  plan: TaskPlan,
  people: PeoplePlan,
  splits: SplitPlan,
  inputs: JobInputs,
  sandbox: Sandbox,
): Promise<{ counts: Record<string, number>; view: SegmentFiguresView }> {
  const files = inputs.partitions.flatMap((input) => input.localPaths);
  const profile = profileOf(plan);
  if (files.length === 0) {
    const view = { ...splitFigures(zeroParts(splits)), ...(profile ? { invalid_identifiers: 0 } : {}) };
    return { counts: { [PEOPLE]: 0 }, view };
  }
  const values = peopleValuesSql(parquetSource(files, plan), peopleQueryOf(plan, people));
  const { counts, invalid } = await countParts(sandbox, plan, splits, values);
  const view = splitFigures(counts);
  if (invalid !== undefined) view.invalid_identifiers = invalid;
  return { counts: { [PEOPLE]: view.unique_count ?? 0 }, view };
}

/**
 * The people of each part among the values of a people query (`peopleValuesSql`); a profile's,
 * its valid identifiers, and the values left out (`invalid`).
 */
export async function countParts(
  sandbox: Sandbox,
  plan: TaskPlan,
  splits: SplitPlan,
  values: string,
): Promise<{ counts: Record<string, number>; invalid?: number }> {
  if (!profileOf(plan)) return { counts: await countSplits(sandbox, values, splits) };
  const counts = await countSplits(sandbox, validIdentifiersSql(values), splits);
  return { counts, invalid: (await countIdentifiers(sandbox, values)).invalid };
}

/**
 * Keeps the files of the parts not delivered in the service's own area, each in its folder
 * (`partition`, relative: `split=NAME`, or `split=NAME/added` for a delta run) under `folder`,
 * replacing what an earlier run of the job left there, each with the SHA-256 of its bytes.
 */
export async function publishHeldBack(
  files: readonly PartitionedFile[],
  storage: Storage,
  folder: string | undefined,
): Promise<HeldBackFile[]> {
  if (files.length === 0) return [];
  if (folder === undefined) throw new Error('a split export with a holdout has no held-back folder');
  const kept: HeldBackFile[] = [];
  for (const partition of [...new Set(files.map((file) => file.partition))].sort(compareText)) {
    const local = files.filter((file) => file.partition === partition);
    const checksums = new Map(
      await Promise.all(
        local.map(async (file) => [path.basename(file.path), await sha256Of(file.path)] as const),
      ),
    );
    const rows = new Map(local.map((file) => [path.basename(file.path), file.rows]));
    const published = await storage.publish(
      local.map((file) => file.path),
      storage.join(folder, partition),
    );
    // The part's name: the folder `split=NAME` the files are in.
    const split = partition.split('/')[0]!.replace(/^split=/, '');
    for (const file of published) {
      const name = path.basename(file.uri);
      kept.push({
        split,
        path: `${partition}/${name}`,
        rows: rows.get(name) ?? 0,
        size_bytes: file.sizeBytes,
        sha256: checksums.get(name) ?? null,
      });
    }
  }
  return kept.sort((a, b) => compareText(a.path, b.path));
}
