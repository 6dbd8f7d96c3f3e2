import type { Kysely } from 'kysely';
import type { Dialect } from '../live-tasks.ts';
import type { Database } from '../schema.ts';
import type { LeaseLost, TaskError } from '../store.ts';
import { taskStatusChanged } from '../task-events.ts';
import { ACTIVE, LEASE_LOST, moveHeldJob, NO_LEASE } from './held-job.ts';

/**
 * Fails a job for good: its task fails with the job's error (the first error a task met stays its
 * error), and a task another job failed already records this one's failure too.
 */
export async function failJob(
  db: Kysely<Database>,
  dialect: Dialect,
  { jobId, owner, now }: { jobId: string; owner: string; now: string },
  error: TaskError,
): Promise<{ outcome: 'failed' } | LeaseLost> {
  const change = { status: 'failed' as const, error: error.message, ...NO_LEASE, updatedAt: now };
  const failed = await moveHeldJob(
    db,
    dialect,
    { jobId, owner, now, change },
    async (trx, _job, task) => {
      await trx
        .updateTable('tasks')
        .set((eb) => ({
          failedJobs: eb('failedJobs', '+', 1),
          updatedAt: now,
          status: ACTIVE.includes(task.status) ? 'failed' : task.status,
          errorCode: task.errorCode ?? error.code,
          errorMessage: task.errorMessage ?? error.message,
        }))
        .where('id', '=', task.id)
        .execute();
      if (ACTIVE.includes(task.status)) await taskStatusChanged(trx, task.id, task.status, 'failed', now);
      return { outcome: 'failed' as const };
    },
    { activeTask: false },
  );
  // A job cancelled with its task is no longer this worker's to fail.
  return failed.outcome === 'failed' ? failed : LEASE_LOST;
}
