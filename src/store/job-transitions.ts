import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction, Updateable } from 'kysely';
import { countsOfJobs } from './counts.ts';
import type { Database } from './schema.ts';
import type {
  JobCompletion,
  JobOutcome,
  JobPhase,
  JobRef,
  JobStatus,
  LeaseLost,
  NewJob,
  TaskCancel,
  TaskError,
  TaskLifecycle,
  TaskMove,
  TaskRetry,
  TaskStatus,
  UnloadStart,
} from './store.ts';
import { taskStatusChanged } from './task-events.ts';
import { toTask } from './task-rows.ts';

export type Dialect = 'sqlite' | 'postgres';
type Db = Kysely<Database> | Transaction<Database>;

export const ACTIVE: TaskStatus[] = ['in_progress', 'unloading'];
/** A task in one of these has ended: it can be neither cancelled nor moved on. */
const FINAL: TaskStatus[] = ['completed', 'failed', 'cancelled'];
export const LEASE_LOST: LeaseLost = { outcome: 'lease_lost' };
/** A job leaving `running` leaves its lease behind. */
const NO_LEASE = { leaseOwner: null, leaseExpiresAt: null };

/**
 * The moves of a job and its task, each in one transaction: completing (which may end the phase
 * and move the task on), splitting, failing, starting the export of a counted task, cancelling a
 * task and retrying a failed one. Claims and
 * other lease moves are in `job-leases.ts`. A job's outcome is recorded only by the worker holding
 * its lease: each of its moves reads the job as running under that owner (`heldJob`), locks its task
 * (`lockTask`), then updates the job on the same condition before it writes anything else. So on
 * PostgreSQL a concurrent takeover either waits for the job's row and then finds the job finished,
 * or wins first and makes the conditional update match nothing (the move then writes nothing).
 */
export class JobTransitions {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async completeJob(
    jobId: string,
    owner: string,
    outcome: JobOutcome,
    now: string,
    lifecycle: TaskLifecycle,
  ): Promise<JobCompletion> {
    return this.db.transaction().execute(async (trx): Promise<JobCompletion> => {
      const job = await heldJob(trx, jobId, owner);
      if (!job) return (await isCancelled(trx, jobId)) ? { outcome: 'cancelled' } : LEASE_LOST;
      const task = await this.lockTask(trx, job.taskId);
      // Cancelled between the read of the job and the lock of its task (PostgreSQL waits for the lock).
      if (task?.status === 'cancelled') return { outcome: 'cancelled' };
      if (!task || !ACTIVE.includes(task.status)) return { outcome: 'task_inactive' };
      const moved = await trx
        .updateTable('jobs')
        .set({
          status: 'done',
          counts: JSON.stringify(outcome.counts),
          manifest: outcome.manifest ? JSON.stringify(outcome.manifest) : null,
          outputColumns: outcome.schema ? JSON.stringify(outcome.schema) : null,
          error: null,
          ...NO_LEASE,
          updatedAt: now,
        })
        .where('id', '=', jobId)
        .where('status', '=', 'running')
        .where('leaseOwner', '=', owner)
        .executeTakeFirst();
      // Taken over since the read: the new owner's lease stands and nothing was written.
      if (Number(moved.numUpdatedRows) === 0) return LEASE_LOST;
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
        return { outcome: 'recorded', released: [] };
      }

      // The last job of its phase: the lifecycle moves the task on.
      const counts = await phaseCounts(trx, task.id, job.phase);
      const move = lifecycle.phaseEnded(toTask({ ...task, completedJobs }), job.phase, counts);
      return { outcome: 'recorded', released: await applyMove(trx, task, move, now, completedJobs) };
    });
  }

  async splitJob(
    jobId: string,
    owner: string,
    { keep, rest }: { keep: string[]; rest: string[][] },
    now: string,
  ): Promise<{ outcome: 'split'; released: JobRef[] } | { outcome: 'task_inactive' } | LeaseLost> {
    const narrowed = { partitions: JSON.stringify(keep), updatedAt: now };
    return this.moveHeldJob(jobId, owner, now, narrowed, async (trx, job, task) => {
      const last = await trx
        .selectFrom('jobs')
        .select((eb) => eb.fn.max<number>('seq').as('seq'))
        .where('taskId', '=', task.id)
        .where('phase', '=', job.phase)
        .executeTakeFirstOrThrow();
      const jobs: NewJob[] = rest.map((partitions, i) => ({
        id: randomUUID(),
        phase: job.phase,
        seq: Number(last.seq) + 1 + i,
        partitions,
        status: 'queued',
      }));
      await insertJobs(trx, task.id, jobs, now);
      await trx
        .updateTable('tasks')
        .set({ totalJobs: task.totalJobs + jobs.length, updatedAt: now })
        .where('id', '=', task.id)
        .execute();
      return { outcome: 'split' as const, released: refsOf(jobs, task.organizationId) };
    });
  }

  async expandJob(
    jobId: string,
    owner: string,
    jobs: NewJob[],
    now: string,
  ): Promise<{ outcome: 'expanded'; released: JobRef[] } | { outcome: 'task_inactive' } | LeaseLost> {
    const done = { status: 'done' as const, error: null, ...NO_LEASE, updatedAt: now };
    return this.moveHeldJob(jobId, owner, now, done, async (trx, _job, task) => {
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
  }

  async failJob(
    jobId: string,
    owner: string,
    error: TaskError,
    now: string,
  ): Promise<{ outcome: 'failed' } | LeaseLost> {
    return this.db.transaction().execute(async (trx) => {
      const job = await heldJob(trx, jobId, owner);
      if (!job) return LEASE_LOST;
      // The job belongs to its task (a foreign key): the task is there.
      const task = (await this.lockTask(trx, job.taskId))!;
      const moved = await trx
        .updateTable('jobs')
        .set({ status: 'failed', error: error.message, ...NO_LEASE, updatedAt: now })
        .where('id', '=', jobId)
        .where('status', '=', 'running')
        .where('leaseOwner', '=', owner)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return LEASE_LOST;
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
    });
  }

  async startUnload(
    organizationId: string,
    taskId: string,
    now: string,
    lifecycle: TaskLifecycle,
  ): Promise<UnloadStart> {
    return this.db.transaction().execute(async (trx) => {
      const task = await this.lockTask(trx, taskId);
      if (!task || task.organizationId !== organizationId || task.expiresAt <= now) {
        return { outcome: 'not_found' as const };
      }
      const move = lifecycle.unloadRequested(toTask(task), await phaseCounts(trx, task.id, 'count'));
      if (!move) return { outcome: 'conflict' as const };
      const released = await applyMove(trx, task, move, now, task.completedJobs);
      return { outcome: 'started' as const, released };
    });
  }

  async cancelTask(organizationId: string, taskId: string, now: string): Promise<TaskCancel> {
    return this.db.transaction().execute(async (trx): Promise<TaskCancel> => {
      const task = await this.lockTask(trx, taskId);
      if (!task || task.organizationId !== organizationId || task.expiresAt <= now) {
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

  async retryTask(
    organizationId: string,
    taskId: string,
    now: string,
    lifecycle: TaskLifecycle,
  ): Promise<TaskRetry> {
    return this.db.transaction().execute(async (trx): Promise<TaskRetry> => {
      const task = await this.lockTask(trx, taskId);
      if (!task || task.organizationId !== organizationId || task.expiresAt <= now) {
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

  /**
   * In one transaction: updates the owner's running job with `change`, its task locked and still
   * active, then runs `then`. `lease_lost` or `task_inactive` (and nothing written) otherwise.
   */
  private moveHeldJob<T>(
    jobId: string,
    owner: string,
    now: string,
    change: Updateable<Database['jobs']>,
    then: (
      trx: Transaction<Database>,
      job: { taskId: string; phase: JobPhase },
      task: NonNullable<Awaited<ReturnType<JobTransitions['lockTask']>>>,
    ) => Promise<T>,
  ): Promise<T | { outcome: 'task_inactive' } | LeaseLost> {
    return this.db.transaction().execute(async (trx) => {
      const job = await heldJob(trx, jobId, owner);
      if (!job) return (await isCancelled(trx, jobId)) ? { outcome: 'task_inactive' as const } : LEASE_LOST;
      const task = await this.lockTask(trx, job.taskId);
      if (!task || !ACTIVE.includes(task.status) || task.expiresAt <= now) {
        return { outcome: 'task_inactive' as const };
      }
      const moved = await trx
        .updateTable('jobs')
        .set(change)
        .where('id', '=', jobId)
        .where('status', '=', 'running')
        .where('leaseOwner', '=', owner)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return LEASE_LOST;
      return then(trx, job, task);
    });
  }

  /** Serialises completions of one task: PostgreSQL locks the row; SQLite transactions are serial already. */
  private async lockTask(trx: Transaction<Database>, taskId: string) {
    const query = trx.selectFrom('tasks').selectAll().where('id', '=', taskId);
    return (this.dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  }
}

export async function insertJobs(db: Db, taskId: string, jobs: NewJob[], now: string): Promise<void> {
  // Chunked so a 10,000-partition plan stays under SQLite's bound-parameter limit.
  for (let i = 0; i < jobs.length; i += 500) {
    await db
      .insertInto('jobs')
      .values(
        jobs.slice(i, i + 500).map((job) => ({
          id: job.id,
          taskId,
          phase: job.phase,
          seq: job.seq,
          partitions: JSON.stringify(job.partitions),
          status: job.status,
          counts: null,
          manifest: null,
          error: null,
          updatedAt: now,
        })),
      )
      .execute();
  }
}

/**
 * Writes a lifecycle move on the locked task row: its status (and completion time), its job
 * counters, its final counts when the move ends counting, the jobs it adds, and the webhook event
 * its new status causes (the outbox). Returns the added queued jobs for the caller to enqueue.
 */
async function applyMove(
  trx: Transaction<Database>,
  task: { id: string; organizationId: string; status: TaskStatus; totalJobs: number },
  move: TaskMove,
  now: string,
  completedJobs: number,
): Promise<JobRef[]> {
  const counts = move.counts;
  await trx
    .updateTable('tasks')
    .set({
      status: move.status,
      completedJobs,
      totalJobs: task.totalJobs + move.jobs.length,
      ...(counts
        ? {
            counts: countsJson(counts),
            totalCount: Object.values(counts).reduce((sum, rows) => sum + rows, 0),
          }
        : {}),
      updatedAt: now,
      completedAt: move.status === 'completed' ? now : null,
    })
    .where('id', '=', task.id)
    .execute();
  if (move.jobs.length > 0) await insertJobs(trx, task.id, move.jobs, now);
  await taskStatusChanged(trx, task.id, task.status, move.status, now);
  const queued = move.jobs.filter((job) => job.status === 'queued');
  return refsOf(queued, task.organizationId);
}

function refsOf(jobs: readonly NewJob[], organizationId: string): JobRef[] {
  return jobs.map((job) => ({ id: job.id, phase: job.phase, organizationId }));
}

/**
 * The final counts, sorted by partition and serialised once when a phase ends, so a status read of
 * a large task does not merge its jobs' counts again.
 */
function countsJson(counts: Record<string, number>): string {
  const sorted = Object.keys(counts).sort();
  return JSON.stringify(Object.fromEntries(sorted.map((partition) => [partition, counts[partition]])));
}

/** The job if it is running under `owner`'s lease (the update that follows re-checks it). */
async function heldJob(trx: Transaction<Database>, jobId: string, owner: string) {
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

/** Called once every job of the phase is done. */
async function phaseCounts(db: Db, taskId: string, phase: JobPhase): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('jobs')
    .select(['phase', 'status', 'counts'])
    .where('taskId', '=', taskId)
    .where('phase', '=', phase)
    .execute();
  return countsOfJobs(
    rows.map((row) => ({ ...row, counts: row.counts === null ? null : JSON.parse(row.counts) })),
    phase,
  );
}
