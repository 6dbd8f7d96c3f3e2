import type { Kysely } from 'kysely';
import type { Dialect } from '../live-tasks.ts';
import type { Database } from '../schema.ts';
import type { JobCompletion, JobOutcome, TaskLifecycle } from '../store.ts';
import { toTask } from '../task-rows.ts';
import { moveHeldJob, NO_LEASE } from './held-job.ts';
import { applyMove, phaseCounts, phaseParts } from './task-moves.ts';

/**
 * Records a job's outcome (its counts, files, manifest, schema, figures) and, when it is the last
 * job of its phase, lets the lifecycle move the task on.
 */
export async function completeJob(
  db: Kysely<Database>,
  dialect: Dialect,
  { jobId, owner, outcome, now }: { jobId: string; owner: string; outcome: JobOutcome; now: string },
  lifecycle: TaskLifecycle,
): Promise<JobCompletion> {
  const change = {
    status: 'done' as const,
    counts: JSON.stringify(outcome.counts),
    manifest: outcome.manifest ? JSON.stringify(outcome.manifest) : null,
    outputColumns: outcome.schema ? JSON.stringify(outcome.schema) : null,
    figures: outcome.partFigures === undefined ? null : JSON.stringify(outcome.partFigures),
    error: null,
    ...NO_LEASE,
    updatedAt: now,
  };
  return moveHeldJob(db, dialect, { jobId, owner, now, change }, async (trx, job, task) => {
    if (outcome.figures !== undefined) {
      await trx
        .updateTable('tasks')
        .set({ figures: JSON.stringify(outcome.figures) })
        .where('id', '=', task.id)
        .execute();
    }
    // A job that ran before (at-least-once delivery) replaces its own files.
    await trx.deleteFrom('files').where('jobId', '=', jobId).execute();
    if (outcome.files.length > 0) {
      await trx
        .insertInto('files')
        .values(
          outcome.files.map((file) => ({
            id: file.id,
            taskId: task.id,
            jobId,
            partition: file.partition,
            uri: file.uri,
            rows: file.rows,
            sizeBytes: file.sizeBytes,
            sha256: file.sha256,
            createdAt: now,
          })),
        )
        .execute();
    }
    const remaining = await trx
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('taskId', '=', task.id)
      .where('phase', '=', job.phase)
      .where('status', '!=', 'done')
      .executeTakeFirstOrThrow();
    const completedJobs = task.completedJobs + 1;
    if (Number(remaining.n) > 0) {
      await trx
        .updateTable('tasks')
        .set({ completedJobs, updatedAt: now })
        .where('id', '=', task.id)
        .execute();
      return { outcome: 'recorded' as const, released: [], phaseEnded: false };
    }
    // The last job of its phase: the lifecycle moves the task on.
    const counts = await phaseCounts(trx, task.id, job.phase);
    const parts = await phaseParts(trx, task.id, job.phase);
    const move = lifecycle.phaseEnded(toTask({ ...task, completedJobs }), job.phase, counts, parts);
    return {
      outcome: 'recorded' as const,
      released: await applyMove(trx, task, move, now, completedJobs),
      phaseEnded: true,
    };
  });
}
