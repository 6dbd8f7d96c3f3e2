import type { Kysely } from 'kysely';
import { type Dialect, lockLiveTask } from '../live-tasks.ts';
import type { Database } from '../schema.ts';
import type { JobStatus, TaskCancel, TaskStatus } from '../store.ts';
import { taskStatusChanged } from '../task-events.ts';
import { toTask } from '../task-rows.ts';
import { NO_LEASE } from './held-job.ts';

/** A task in one of these has ended: it can be neither cancelled nor moved on. */
const FINAL: TaskStatus[] = ['completed', 'failed', 'cancelled'];

/**
 * Cancels an unfinished task: its jobs are cancelled (running ones counted, to say how many workers
 * have a job to stop) and its files forgotten.
 */
export async function cancelTask(
  db: Kysely<Database>,
  dialect: Dialect,
  organizationId: string,
  taskId: string,
  now: string,
): Promise<TaskCancel> {
  return db.transaction().execute(async (trx): Promise<TaskCancel> => {
    const task = await lockLiveTask(trx, dialect, organizationId, taskId, now);
    if (!task) {
      return { outcome: 'not_found' };
    }
    if (FINAL.includes(task.status)) return { outcome: 'conflict', status: task.status };
    // Running jobs apart, to say how many workers have a job to stop.
    const cancelJobs = (statuses: JobStatus[]) =>
      trx
        .updateTable('jobs')
        .set({ status: 'cancelled', ...NO_LEASE, updatedAt: now })
        .where('taskId', '=', task.id)
        .where('status', 'in', statuses)
        .executeTakeFirst();
    const stopped = Number((await cancelJobs(['running'])).numUpdatedRows);
    await cancelJobs(['pending', 'queued']);
    await trx.deleteFrom('files').where('taskId', '=', task.id).execute();
    await trx
      .updateTable('tasks')
      .set({ status: 'cancelled', updatedAt: now })
      .where('id', '=', task.id)
      .execute();
    await taskStatusChanged(trx, task.id, task.status, 'cancelled', now);
    return {
      outcome: 'cancelled',
      task: toTask({ ...task, status: 'cancelled', updatedAt: now }),
      stopped,
    };
  });
}
