import fs from 'node:fs/promises';
import path from 'node:path';
import { activationProfile } from '../../activation/profiles.ts';
import type { SplitPlan } from '../../activation/splits.ts';
import type { Sandbox } from '../../engine/duckdb-sandbox.ts';
import type { FileTarget, WrittenFiles } from '../../engine/file-writer.ts';
import type { HashPass } from '../../engine/hash-passes.ts';
import type { ParquetSource } from '../../engine/parquet-queries.ts';
import { peopleSql, peopleValuesSql } from '../../engine/people-queries.ts';
import { exportIdentifierSplits, exportPeopleSplits } from '../../engine/split-queries.ts';
import { profileOf, splitPartition, type TaskPlan } from '../../tasks/task-model.ts';
import { bucketPeopleQuery } from './bucket-inputs.ts';
import { partDir } from './split-exports.ts';

/**
 * One bucket of a sliced split export (see `tasks/unique-slices.ts`): the bucket's people (a
 * profile's valid identifiers) written into each part, pass by pass (`bucketPasses`), under `dir`.
 * Answers each part's files by its folder (`split=NAME`), delivered or not: the export job
 * publishes a delivered part's under `split=NAME/bucket={b}/` of the output, and keeps a held-back
 * part's under the same folders of the task's held-back area. A person's part is fixed by the salt,
 * whichever bucket and pass hold them, so each part's files hold its people once.
 */
export async function writeSplitsBucket(bucket: {
  plan: TaskPlan;
  splits: SplitPlan;
  sandbox: Sandbox;
  source: ParquetSource;
  passes: readonly HashPass[];
  dir: string;
  target: (dir: string) => FileTarget;
}): Promise<Record<string, WrittenFiles>> {
  const { plan, splits, sandbox, source, passes, dir, target } = bucket;
  const profile = profileOf(plan);
  const parts: Record<string, WrittenFiles> = Object.fromEntries(
    splits.splits.map((split) => [splitPartition(split.name), { files: [], columns: [] }]),
  );
  for (const pass of passes) {
    const passDir = path.join(dir, `pass=${pass.pass}`);
    const query = bucketPeopleQuery(plan, pass);
    const { written } = profile
      ? await exportIdentifierSplits(
          sandbox,
          peopleValuesSql(source, query),
          activationProfile(profile.name),
          splits,
          (split) => partDir(passDir, split),
        )
      : await exportPeopleSplits(sandbox, peopleSql(source, query), query.personBy, splits, (split) =>
          target(partDir(passDir, split)),
        );
    for (const [name, files] of written) {
      const part = parts[splitPartition(name)]!;
      if (part.columns.length === 0) part.columns = files.columns;
      for (const file of files.files) {
        // Published side by side in the part's bucket folder: each pass's files get names of their own.
        const renamed =
          passes.length === 1
            ? file.path
            : path.join(
                path.dirname(file.path),
                path.basename(file.path).replace(/^data_/, `data_${pass.pass}_`),
              );
        if (renamed !== file.path) await fs.rename(file.path, renamed);
        part.files.push({ ...file, path: renamed });
      }
    }
  }
  return parts;
}
