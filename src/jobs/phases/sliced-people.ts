import fs from 'node:fs/promises';
import path from 'node:path';
import { activationProfile } from '../../activation/profiles.ts';
import type { Sandbox } from '../../engine/duckdb-sandbox.ts';
import type { ExportedFile, FileTarget, WrittenFiles } from '../../engine/file-writer.ts';
import type { HashPass } from '../../engine/hash-passes.ts';
import type { ParquetSource } from '../../engine/parquet-queries.ts';
import { exportPeople, type PeopleQuery, peopleValuesSql } from '../../engine/people-queries.ts';
import { validIdentifiersSql, writeProfileFiles } from '../../engine/profile-files.ts';
import { sizeOfObjects } from '../../storage/storage.ts';
import { jobsFor } from '../../tasks/planning/job-rows.ts';
import { PEOPLE, profileOf, splitPartition, splitsOf, type TaskPlan } from '../../tasks/task-model.ts';
import { bucketKey, type ExportPart, sliceBucketsOf } from '../../tasks/unique-slices.ts';
import { bucketPasses, bucketPeopleQuery, withBucket } from './bucket-inputs.ts';
import { fileTarget, publishExport } from './export-files.ts';
import type { JobRun, PhaseDeps, PhaseResult } from './phase.ts';
import { type PassWriter, writeDeltaBucket } from './sliced-delta.ts';
import { writeSplitsBucket } from './sliced-splits.ts';
import { publishHeldBack } from './split-exports.ts';

/**
 * The export of a sliced people export (see `tasks/unique-slices.ts`): its one `unload` job gives
 * way to one job per hash bucket, each writing the people of its bucket from the rows the count
 * jobs wrote there, into `people/bucket={b}/` of the task's output (a profile's: the platform's
 * files of the bucket's valid identifiers). A person is in one bucket only: the files hold every
 * person once.
 */

/** The export's one `people` job: one job per bucket takes its place. */
export function bucketExports(run: JobRun): PhaseResult {
  // No DuckDB runs in this job: its engine is let go at once.
  run.sharedBy(1);
  const jobs = jobsFor(
    'unload',
    Array.from({ length: sliceBucketsOf(run.plan) }, (_, bucket) => [bucketKey(bucket)]),
    'queued',
  );
  return { settle: 'expand', jobs, files: 0 };
}

/**
 * One bucket's people, written and published under `people/bucket={b}/`, counted under `people`;
 * a delta run's bucket, who joined and who left under `added/bucket={b}/` and `removed/bucket={b}/`
 * (`sliced-delta.ts`).
 */
export function exportBucket(run: JobRun, deps: PhaseDeps): Promise<PhaseResult> {
  const { storage, outputPath, compression } = deps;
  const { task, plan } = run;
  return withBucket(run, deps, async (inputs) => {
    const engine = await run.engine!;
    run.lap('engineWait');
    const key = bucketKey(inputs.bucket);
    const dir = path.join(engine.scratch, key);
    const target = (folder: string) => fileTarget({ plan, ...(compression ? { compression } : {}) }, folder);
    const writePasses: PassWriter = (passes, write, folder) =>
      writeBucket({ plan, dir: folder, passes, target, write });
    const source = { files: inputs.paths, hive: false };
    const splits = splitsOf(plan);
    const passes = bucketPasses(inputs.objects, deps);
    const lists: Record<string, WrittenFiles> = plan.delta
      ? await writeDeltaBucket({ plan, delta: plan.delta }, deps, engine, inputs, {
          dir,
          target,
          writePasses,
        })
      : splits
        ? await writeSplitsBucket({ plan, splits, sandbox: engine.sandbox, source, passes, dir, target })
        : {
            [PEOPLE]: await writePasses(
              passes,
              (query, passTarget) => writePeople(plan, engine.sandbox, source, query, passTarget),
              dir,
            ),
          };
    run.lap('write');
    // Publishing replaces the bucket's folders: only the lease holder may.
    await run.lease.hold();
    const folderOf = (list: string) => `${list}/${key}`;
    // A split export's parts not delivered are kept in the service's own area, not the output.
    // (A list is a part, `split=NAME`, or a delta run's list of one, `split=NAME/added`.)
    const held = new Set(
      splits?.splits.filter((split) => !split.deliver).map((split) => splitPartition(split.name)),
    );
    const inFolders = (delivered: boolean) =>
      Object.entries(lists)
        .filter(([list]) => held.has(list.split('/')[0]!) !== delivered)
        .flatMap(([list, written]) => written.files.map((file) => ({ ...file, partition: folderOf(list) })));
    const published = await publishExport(inFolders(true), { storage, outputPath, task });
    const heldBack = await publishHeldBack(inFolders(false), storage, splits?.heldBack);
    run.lap('publish');
    run.record('hash', published.hashMs);
    const listOf = new Map(Object.keys(lists).map((list) => [folderOf(list), list]));
    const files = published.files.map((file) => ({ ...file, partition: listOf.get(file.partition)! }));
    const counts = Object.fromEntries(Object.keys(lists).map((list) => [list, 0]));
    for (const file of files) counts[file.partition] = (counts[file.partition] ?? 0) + file.rows;
    const columns = Object.values(lists).find((written) => written.columns.length > 0)?.columns ?? [];
    // A split export's held-back files join the task's figures when its export ends (`exportEnded`).
    const part: ExportPart = { kind: 'export', bucket: inputs.bucket, heldBack };
    return {
      settle: 'record',
      outcome: {
        counts,
        files,
        ...(columns.length > 0 ? { schema: { columns } } : {}),
        ...(splits ? { partFigures: part } : {}),
      },
      files: inputs.objects.length,
      volume: {
        rowsRead: 0,
        bytesRead: sizeOfObjects(inputs.objects),
        rowsWritten: files.reduce((sum, file) => sum + file.rows, 0),
        bytesWritten: files.reduce((sum, file) => sum + file.sizeBytes, 0),
      },
    };
  });
}

/**
 * One pass's people: their rows, or a profile's files of their valid identifiers (the values left
 * out were counted by the bucket's reduce job).
 */
async function writePeople(
  plan: TaskPlan,
  sandbox: Sandbox,
  source: ParquetSource,
  query: PeopleQuery,
  target: FileTarget,
): Promise<WrittenFiles> {
  const profile = profileOf(plan);
  if (!profile) return exportPeople(sandbox, source, query, target);
  const ids = validIdentifiersSql(peopleValuesSql(source, query));
  return writeProfileFiles(sandbox, ids, activationProfile(profile.name), target.targetDir);
}

/**
 * Writes a bucket's people into `dir` with `write`, in its hash passes (`bucketPasses`): one pass
 * writes `data_{i}` files, several write each pass's files as `data_{pass}_{i}`, every person in one.
 */
async function writeBucket(bucket: {
  plan: TaskPlan;
  dir: string;
  passes: readonly HashPass[];
  target: (dir: string) => FileTarget;
  write: (query: PeopleQuery, target: FileTarget) => Promise<WrittenFiles>;
}): Promise<WrittenFiles> {
  const { plan, dir, passes, target, write } = bucket;
  const files: ExportedFile[] = [];
  let columns: WrittenFiles['columns'] = [];
  // DuckDB makes a COPY's folder, not its parents.
  await fs.mkdir(passes.length > 1 ? dir : path.dirname(dir), { recursive: true });
  for (const pass of passes) {
    const passDir = passes.length === 1 ? dir : path.join(dir, `pass=${pass.pass}`);
    const written = await write(bucketPeopleQuery(plan, pass), target(passDir));
    if (columns.length === 0) columns = written.columns;
    for (const file of written.files) {
      if (passes.length === 1) {
        files.push(file);
        continue;
      }
      // Published side by side in the bucket's folder: each pass's files get names of their own.
      const renamed = path.join(dir, path.basename(file.path).replace(/^data_/, `data_${pass.pass}_`));
      await fs.rename(file.path, renamed);
      files.push({ ...file, path: renamed });
    }
  }
  return { files, columns };
}
