import type { Kysely, Transaction, Updateable } from 'kysely';
import type { Dialect } from '../live-tasks.ts';
import { lockTask } from '../live-tasks.ts';
import type { Database } from '../schema.ts';
import type { JobPhase, LeaseLost, TaskStatus } from '../store.ts';

export const ACTIVE: TaskStatus[] = ['in_progress', 'unloading'];
export const LEASE_LOST: LeaseLost = { outcome: 'lease_lost' };
export const CANCELLED = { outcome: 'cancelled' } as const;
export const TASK_INACTIVE = { outcome: 'task_inactive' } as const;
/** A job leaving `running` leaves its lease behind. */
export const NO_LEASE = { leaseOwner: null, leaseExpiresAt: null };

export type HeldTask = NonNullable<Awaited<ReturnType<typeof lockTask>>>;
export type HeldJob = { taskId: string; phase: JobPhase };

/** Why a held job's move wrote nothing. */
export type NotMoved = typeof CANCELLED | typeof TASK_INACTIVE | LeaseLost;

export interface HeldMoveOptions {
  /**
   * Whether the move needs the task still active (not expired, not ended): completing, splitting
   * and expanding do; failing does not (a task another job failed still records this job's failure).
   * @defaultValue true
   */
  activeTask?: boolean;
}

/**
 * The guard of every move of a running job, in one transaction: a job's outcome is recorded only by
 * the worker holding its lease. It reads the job as running under `owner`, locks its task, updates
 * the job with `change` on the same condition, then runs `then`. So on PostgreSQL a concurrent
 * takeover either waits for the job's row and then finds the job finished, or wins first and makes
 * the conditional update match nothing; either way nothing is written and the move answers
 * `lease_lost`. A job (or task) cancelled meanwhile answers `cancelled`, an ended task
 * `task_inactive`.
 */
export function moveHeldJob<T>(
  db: Kysely<Database>,
  dialect: Dialect,
  move: { jobId: string; owner: string; now: string; change: Updateable<Database['jobs']> },
  then: (trx: Transaction<Database>, job: HeldJob, task: HeldTask) => Promise<T>,
  { activeTask = true }: HeldMoveOptions = {},
): Promise<T | NotMoved> {
  const { jobId, owner, now, change } = move;
  return db.transaction().execute(async (trx) => {
    const job = await heldJob(trx, jobId, owner);
    if (!job) return (await isCancelled(trx, jobId)) ? CANCELLED : LEASE_LOST;
    const task = await lockTask(trx, dialect, job.taskId);
    // Cancelled between the read of the job and the lock of its task (PostgreSQL waits for the lock).
    if (task?.status === 'cancelled') return CANCELLED;
    if (!task || (activeTask && (!ACTIVE.includes(task.status) || task.expiresAt <= now))) {
      return TASK_INACTIVE;
    }
    const moved = await trx
      .updateTable('jobs')
      .set(change)
      .where('id', '=', jobId)
      .where('status', '=', 'running')
      .where('leaseOwner', '=', owner)
      .executeTakeFirst();
    // Taken over since the read: the new owner's lease stands and nothing was written.
    if (Number(moved.numUpdatedRows) === 0) return LEASE_LOST;
    return then(trx, job, task);
  });
}

/** The job if it is running under `owner`'s lease (the update that follows re-checks it). */
function heldJob(trx: Transaction<Database>, jobId: string, owner: string): Promise<HeldJob | undefined> {
  return trx
    .selectFrom('jobs')
    .select(['taskId', 'phase'])
    .where('id', '=', jobId)
    .where('status', '=', 'running')
    .where('leaseOwner', '=', owner)
    .executeTakeFirst();
}

/** Whether the job was cancelled with its task (a move of it then finds it no longer running). */
async function isCancelled(trx: Transaction<Database>, jobId: string): Promise<boolean> {
  const job = await trx.selectFrom('jobs').select('status').where('id', '=', jobId).executeTakeFirst();
  return job?.status === 'cancelled';
}
