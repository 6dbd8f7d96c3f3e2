import type { Kysely } from 'kysely';
import type { Dialect } from '../live-tasks.ts';
import type { Database } from '../schema.ts';
import type { JobRef, LeaseLost, NewJob } from '../store.ts';
import { moveHeldJob, NO_LEASE, TASK_INACTIVE } from './held-job.ts';
import { insertJobs, refsOf } from './task-moves.ts';

/** Ends a `list` job: the jobs planned from the listing it made take its place. */
export async function expandJob(
  db: Kysely<Database>,
  dialect: Dialect,
  { jobId, owner, now }: { jobId: string; owner: string; now: string },
  jobs: NewJob[],
): Promise<{ outcome: 'expanded'; released: JobRef[] } | typeof TASK_INACTIVE | LeaseLost> {
  const change = { status: 'done' as const, error: null, ...NO_LEASE, updatedAt: now };
  const expanded = await moveHeldJob(db, dialect, { jobId, owner, now, change }, async (trx, _job, task) => {
    await insertJobs(trx, task.id, jobs, now);
    await trx
      .updateTable('tasks')
      .set({
        totalJobs: task.totalJobs + jobs.length,
        completedJobs: task.completedJobs + 1,
        updatedAt: now,
      })
      .where('id', '=', task.id)
      .execute();
    const queued = jobs.filter((j) => j.status === 'queued');
    return { outcome: 'expanded' as const, released: refsOf(queued, task.organizationId) };
  });
  return expanded.outcome === 'cancelled' ? TASK_INACTIVE : expanded;
}
