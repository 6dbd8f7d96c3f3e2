import fs from 'node:fs/promises';
import path from 'node:path';
import type { Sandbox } from '../../engine/duckdb-sandbox.ts';
import type { ExportedFile, ParquetCompression, WrittenFiles } from '../../engine/file-writer.ts';
import type { HashPass } from '../../engine/hash-passes.ts';
import { exportPeople } from '../../engine/people-queries.ts';
import { sizeOfObjects } from '../../storage/storage.ts';
import { jobsFor } from '../../tasks/planning/job-rows.ts';
import { PEOPLE, type TaskPlan } from '../../tasks/task-model.ts';
import { bucketKey, SLICE_BUCKETS } from '../../tasks/unique-slices.ts';
import { bucketPasses, bucketPeopleQuery, withBucket } from './bucket-inputs.ts';
import { fileTarget, publishExport } from './export-files.ts';
import type { JobRun, PhaseDeps, PhaseResult } from './phase.ts';

/**
 * The export of a sliced people export (see `tasks/unique-slices.ts`): its one `unload` job gives
 * way to one job per hash bucket, each writing the people of its bucket from the rows the count
 * jobs wrote there, into `people/bucket={b}/` of the task's output. A person is in one bucket only:
 * the files hold every person once.
 */

/** The export's one `people` job: one job per bucket takes its place. */
export function bucketExports(run: JobRun): PhaseResult {
  // No DuckDB runs in this job: its engine is let go at once.
  run.sharedBy(1);
  const jobs = jobsFor(
    'unload',
    Array.from({ length: SLICE_BUCKETS }, (_, bucket) => [bucketKey(bucket)]),
    'queued',
  );
  return { settle: 'expand', jobs, files: 0 };
}

/** One bucket's people, written and published under `people/bucket={b}/`, counted under `people`. */
export function exportBucket(run: JobRun, deps: PhaseDeps): Promise<PhaseResult> {
  const { storage, outputPath, compression } = deps;
  const { task, plan } = run;
  return withBucket(run, deps, async ({ bucket, objects, paths }) => {
    const { sandbox, scratch } = await run.engine!;
    run.lap('engineWait');
    const key = bucketKey(bucket);
    const written = await writeBucket(sandbox, {
      paths,
      plan,
      dir: path.join(scratch, key),
      passes: bucketPasses(objects, deps),
      ...(compression ? { compression } : {}),
    });
    run.lap('write');
    // Publishing replaces the bucket's folder: only the lease holder may.
    await run.lease.hold();
    const folder = `${PEOPLE}/${key}`;
    const published = await publishExport(
      written.files.map((file) => ({ ...file, partition: folder })),
      { storage, outputPath, task },
    );
    run.lap('publish');
    run.record('hash', published.hashMs);
    const files = published.files.map((file) => ({ ...file, partition: PEOPLE }));
    const rows = files.reduce((sum, file) => sum + file.rows, 0);
    const bytes = files.reduce((sum, file) => sum + file.sizeBytes, 0);
    return {
      settle: 'record',
      outcome: {
        counts: { [PEOPLE]: rows },
        files,
        ...(written.columns.length > 0 ? { schema: { columns: written.columns } } : {}),
      },
      files: objects.length,
      volume: {
        rowsRead: 0,
        bytesRead: sizeOfObjects(objects),
        rowsWritten: rows,
        bytesWritten: bytes,
      },
    };
  });
}

/**
 * Writes a bucket's people into `dir`, in its hash passes (`bucketPasses`): one pass writes
 * `data_{i}` files, several write each pass's files as `data_{pass}_{i}`, every person in one.
 */
async function writeBucket(
  sandbox: Sandbox,
  bucket: {
    paths: string[];
    plan: TaskPlan;
    dir: string;
    passes: HashPass[];
    compression?: ParquetCompression;
  },
): Promise<WrittenFiles> {
  const { paths, plan, dir, passes, compression } = bucket;
  const source = { files: paths, hive: false };
  const files: ExportedFile[] = [];
  let columns: WrittenFiles['columns'] = [];
  // DuckDB makes a COPY's folder, not its parents.
  if (passes.length > 1) await fs.mkdir(dir, { recursive: true });
  for (const pass of passes) {
    const passDir = passes.length === 1 ? dir : path.join(dir, `pass=${pass.pass}`);
    const target = fileTarget({ plan, ...(compression ? { compression } : {}) }, passDir);
    const written = await exportPeople(sandbox, source, bucketPeopleQuery(plan, pass), target);
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
