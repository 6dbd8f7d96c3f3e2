import fs from 'node:fs';
import path from 'node:path';
import { activationProfile } from '../../activation/profiles.ts';
import type { SplitPlan } from '../../activation/splits.ts';
import { type JobInputs, parquetSource } from '../../catalog/partition-inputs.ts';
import { exportAdded, exportProfileDelta, exportRemoved } from '../../engine/delta-queries.ts';
import type { Sandbox } from '../../engine/duckdb-sandbox.ts';
import type { FileTarget, WrittenFiles } from '../../engine/file-writer.ts';
import type { PartitionedFile } from '../../engine/parquet-queries.ts';
import { writePartMembers } from '../../engine/split-queries.ts';
import { peopleQueryOf } from '../../tasks/people-query.ts';
import {
  ADDED,
  type PeoplePlan,
  profileOf,
  REMOVED,
  splitPartition,
  type TaskPlan,
} from '../../tasks/task-model.ts';
import type { JobEngine } from '../job-engines.ts';
import type { WrittenExport } from './export-files.ts';
import { partDir } from './split-exports.ts';

/**
 * Writes into `dir` the people rows of those in `current` and not in `previous` (a members file
 * each; `previous` null: everyone in `current`), from the rows the export reads: a whole run's
 * input, or a sliced run's bucket (pass by pass).
 */
export type AddedRows = (current: string, previous: string | null, dir: string) => Promise<WrittenFiles>;

/** The added rows of a whole delta run: from its input, grouped into people as its count did. */
export function addedFromInputs(
  plan: TaskPlan,
  people: PeoplePlan,
  inputs: JobInputs,
  { sandbox, target }: { sandbox: Sandbox; target: (folder: string) => FileTarget },
): AddedRows {
  const files = inputs.partitions.flatMap((input) => input.localPaths);
  const query = peopleQueryOf(plan, people);
  return (current, previous, dir) =>
    exportAdded(sandbox, parquetSource(files, plan), query, current, previous, target(dir));
}

/** What a split delta run's export reads: both members files, copied into the job's scratch folder. */
export interface SplitDeltaJob {
  plan: TaskPlan;
  splits: SplitPlan;
  /** Who joined a part, as people rows (not read for a profile, whose files hold identifiers). */
  addedRows: AddedRows;
  engine: JobEngine;
  /** This run's members file. */
  current: string;
  /** The base run's members file; null for a baseline (everyone joined). */
  previous: string | null;
  target: (folder: string) => FileTarget;
}

/**
 * The export of a delta run split into parts: for each part, who joined (`split=NAME/added`) and
 * who left (`split=NAME/removed`), as a delta run without splits writes them, from the members of
 * that part alone (a person's part is the same in both runs: one salt). Parts not delivered are
 * held back, in the same folders of the service's own area. Each part reads the input once (only
 * the rows of those who joined it are grouped). A sliced run's export job does this for its bucket.
 */
export async function exportSplitDelta(job: SplitDeltaJob): Promise<WrittenExport> {
  const { plan, splits, engine, current, previous } = job;
  const files: PartitionedFile[] = [];
  const heldBack: PartitionedFile[] = [];
  let columns: WrittenFiles['columns'] = [];
  // The parts' members are scratch copies: removed however the export ends (see `withCopies`).
  const copies = path.join(engine.scratch, 'part-members');
  try {
    for (const split of splits.splits) {
      const part = splitPartition(split.name);
      const members = path.join(copies, part);
      const partCurrent = path.join(members, 'current.parquet');
      const partPrevious = path.join(members, 'previous.parquet');
      const personBy = plan.uniqueBy!;
      await writePartMembers(engine.sandbox, current, current, personBy, splits.salt, split, partCurrent);
      // A baseline compares with nobody: an empty file of the same column.
      await writePartMembers(engine.sandbox, previous, current, personBy, splits.salt, split, partPrevious);
      // Who joined and who left go in folders of their own under the part's.
      const dir = partDir(engine.scratch, split);
      fs.mkdirSync(dir, { recursive: true });
      const written = await writeJoinedAndLeft(job, partCurrent, partPrevious, dir);
      if (columns.length === 0) columns = written.added.columns;
      for (const [list, output] of [
        [ADDED, written.added],
        [REMOVED, written.removed],
      ] as const) {
        const partition = `${part}/${list}`;
        for (const file of output.files) (split.deliver ? files : heldBack).push({ ...file, partition });
      }
    }
  } finally {
    fs.rmSync(copies, { recursive: true, force: true });
  }
  return { files, heldBack, columns };
}

/**
 * Who joined and who left, from two members files (`previous` null: everyone in `current` joined),
 * into `dir/added` and `dir/removed`: in the profile's files, or as people rows of the export's
 * format (who joined with their rows of this run's input). A split run calls it once per part.
 */
export async function writeJoinedAndLeft(
  { plan, addedRows, engine, target }: Pick<SplitDeltaJob, 'plan' | 'addedRows' | 'engine' | 'target'>,
  current: string,
  previous: string | null,
  dir: string,
): Promise<{ added: WrittenFiles; removed: WrittenFiles }> {
  const { sandbox } = engine;
  if (profileOf(plan)) return profileJoinedAndLeft(sandbox, plan, current, previous, dir);
  const added = await addedRows(current, previous, path.join(dir, ADDED));
  const removedTarget = target(path.join(dir, REMOVED));
  const removed = await exportRemoved(sandbox, current, previous, plan.uniqueBy!, removedTarget);
  return { added, removed };
}

/**
 * A profile's who joined and who left, into `dir/added` and `dir/removed`: its members'
 * identifiers in the platform's files, from the two members files alone.
 */
export function profileJoinedAndLeft(
  sandbox: Sandbox,
  plan: TaskPlan,
  current: string,
  previous: string | null,
  dir: string,
): Promise<{ added: WrittenFiles; removed: WrittenFiles }> {
  const profile = activationProfile(profileOf(plan)!.name);
  const targets = { added: path.join(dir, ADDED), removed: path.join(dir, REMOVED) };
  return exportProfileDelta(sandbox, current, previous, plan.uniqueBy!, profile, targets);
}
