import path from 'node:path';
import { exportPeople } from '../../engine/people-queries.ts';
import { sizeOfObjects } from '../../storage/storage.ts';
import { jobsFor } from '../../tasks/planning/job-rows.ts';
import { PEOPLE } from '../../tasks/task-model.ts';
import { bucketKey, SLICE_BUCKETS } from '../../tasks/unique-slices.ts';
import { bucketPeopleQuery, withBucket } from './bucket-inputs.ts';
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
    const target = fileTarget({ plan, ...(compression ? { compression } : {}) }, path.join(scratch, key));
    const source = { files: paths, hive: false };
    const written = await exportPeople(sandbox, source, bucketPeopleQuery(plan), target);
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
