import type { Kysely } from 'kysely';
import { type Dialect, lockLiveTask } from '../live-tasks.ts';
import type { Database } from '../schema.ts';
import type { TaskLifecycle, TaskRetry } from '../store.ts';
import { toTask } from '../task-rows.ts';
import { NO_LEASE } from './held-job.ts';

/** Takes a failed task back to work: its failed jobs (and jobs nobody runs any more) are queued again. */
export async function retryTask(
  db: Kysely<Database>,
  dialect: Dialect,

  organizationId: string,
  taskId: string,
  now: string,
  lifecycle: TaskLifecycle,
): Promise<TaskRetry> {
  return db.transaction().execute(async (trx): Promise<TaskRetry> => {
    const task = await lockLiveTask(trx, dialect, organizationId, taskId, now);
    if (!task) {
      return { outcome: 'not_found' };
    }
    const failed = await trx
      .selectFrom('jobs')
      .select('phase')
      .where('taskId', '=', task.id)
      .where('status', '=', 'failed')
      .executeTakeFirst();
    const status = failed && lifecycle.retryRequested(toTask(task), failed.phase);
    if (!status) return { outcome: 'conflict', status: task.status };
    await trx
      .updateTable('jobs')
      .set({ status: 'queued', attempts: 0, error: null, ...NO_LEASE, updatedAt: now })
      .where('taskId', '=', task.id)
      .where('status', '=', 'failed')
      .execute();
    // A job still running when the task failed found it inactive and was left as it was: once its
    // lease has expired, nobody runs it.
    await trx
      .updateTable('jobs')
      .set({ status: 'queued', ...NO_LEASE, updatedAt: now })
      .where('taskId', '=', task.id)
      .where('status', '=', 'running')
      .where((eb) => eb.or([eb('leaseExpiresAt', 'is', null), eb('leaseExpiresAt', '<=', now)]))
      .execute();
    const queued = await trx
      .selectFrom('jobs')
      .select(['id', 'phase'])
      .where('taskId', '=', task.id)
      .where('status', '=', 'queued')
      .orderBy('seq')
      .execute();
    const retried = {
      status,
      failedJobs: 0,
      errorCode: null,
      errorMessage: null,
      completedAt: null,
      updatedAt: now,
    };
    await trx.updateTable('tasks').set(retried).where('id', '=', task.id).execute();
    return {
      outcome: 'retried',
      task: toTask({ ...task, ...retried }),
      released: queued.map((job) => ({ id: job.id, phase: job.phase, organizationId })),
    };
  });
}
