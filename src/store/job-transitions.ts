import type { Kysely, Transaction } from 'kysely';
import { countsOfJobs } from './counts.ts';
import type { Database } from './schema.ts';
import type {
  JobOutcome,
  JobPhase,
  JobRecord,
  NewJob,
  TaskError,
  TaskRecord,
  TaskStatus,
  UnloadPlanner,
  UnloadStart,
} from './store.ts';
import { JOB_COLUMNS, toJob, toTask } from './task-rows.ts';

export type Dialect = 'sqlite' | 'postgres';
type Db = Kysely<Database> | Transaction<Database>;

export const ACTIVE: TaskStatus[] = ['in_progress', 'unloading'];

/**
 * The moves of a job and its task, each in one transaction: claiming, completing (which may end
 * the phase and move the task on), re-queueing, failing, and starting the export of a counted task.
 */
export class JobTransitions {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async claimJob(jobId: string, now: string): Promise<{ job: JobRecord; task: TaskRecord } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const job = await trx.selectFrom('jobs').select(JOB_COLUMNS).where('id', '=', jobId).executeTakeFirst();
      if (!job || (job.status !== 'queued' && job.status !== 'running')) return undefined;
      const task = await trx
        .selectFrom('tasks')
        .selectAll()
        .where('id', '=', job.taskId)
        .where('status', 'in', ACTIVE)
        .where('expiresAt', '>', now)
        .executeTakeFirst();
      if (!task) return undefined;
      await trx
        .updateTable('jobs')
        .set({ status: 'running', attempts: job.attempts + 1, updatedAt: now })
        .where('id', '=', jobId)
        .execute();
      return { job: toJob({ ...job, status: 'running', attempts: job.attempts + 1 }), task: toTask(task) };
    });
  }

  async completeJob(jobId: string, outcome: JobOutcome, now: string, planUnload: UnloadPlanner) {
    return this.db.transaction().execute(async (trx) => {
      const job = await trx.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
      if (!job || (job.status !== 'queued' && job.status !== 'running')) return [];
      const task = await this.lockTask(trx, job.taskId);
      if (!task || !ACTIVE.includes(task.status)) return [];

      await trx
        .updateTable('jobs')
        .set({
          status: 'done',
          counts: JSON.stringify(outcome.counts),
          manifest: outcome.manifest ? JSON.stringify(outcome.manifest) : null,
          error: null,
          updatedAt: now,
        })
        .where('id', '=', jobId)
        .execute();
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
        return [];
      }

      // The last job of its phase moves the task on.
      const counts = await phaseCounts(trx, task.id, job.phase);
      const totalCount = Object.values(counts).reduce((sum, rows) => sum + rows, 0);
      if (job.phase === 'unload') {
        // A task with a limit has no count phase: the rows its export jobs wrote are its counts.
        const counted = task.counts !== null;
        await trx
          .updateTable('tasks')
          .set({
            status: 'completed',
            completedJobs,
            totalCount: counted ? task.totalCount : totalCount,
            counts: counted ? task.counts : countsJson(counts),
            updatedAt: now,
            completedAt: now,
          })
          .where('id', '=', task.id)
          .execute();
        return [];
      }
      const unloadJobs = planUnload(toTask({ ...task, completedJobs, totalCount }), counts);
      const status: TaskStatus =
        unloadJobs === null ? 'counted' : unloadJobs.length > 0 ? 'unloading' : 'completed';
      await trx
        .updateTable('tasks')
        .set({
          status,
          completedJobs,
          totalJobs: task.totalJobs + (unloadJobs?.length ?? 0),
          totalCount,
          counts: countsJson(counts),
          updatedAt: now,
          completedAt: status === 'completed' ? now : null,
        })
        .where('id', '=', task.id)
        .execute();
      if (unloadJobs && unloadJobs.length > 0) await insertJobs(trx, task.id, unloadJobs, now);
      return (unloadJobs ?? []).filter((j) => j.status === 'queued').map((j) => j.id);
    });
  }

  async requeueJob(jobId: string, error: string, now: string): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ status: 'queued', error, updatedAt: now })
      .where('id', '=', jobId)
      .where('status', '=', 'running')
      .execute();
  }

  async failJob(jobId: string, error: TaskError, now: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const job = await trx.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
      if (!job || (job.status !== 'queued' && job.status !== 'running')) return;
      const task = await this.lockTask(trx, job.taskId);
      if (!task) return;
      await trx
        .updateTable('jobs')
        .set({ status: 'failed', error: error.message, updatedAt: now })
        .where('id', '=', jobId)
        .execute();
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
    });
  }

  async startUnload(
    organizationId: string,
    taskId: string,
    now: string,
    planUnload: UnloadPlanner,
  ): Promise<UnloadStart> {
    return this.db.transaction().execute(async (trx) => {
      const task = await this.lockTask(trx, taskId);
      if (!task || task.organizationId !== organizationId || task.expiresAt <= now) {
        return { outcome: 'not_found' as const };
      }
      if (task.status !== 'counted') return { outcome: 'conflict' as const };
      const counts = await phaseCounts(trx, task.id, 'count');
      const jobs = planUnload(toTask(task), counts) ?? [];
      await trx
        .updateTable('tasks')
        .set({
          status: jobs.length > 0 ? 'unloading' : 'completed',
          totalJobs: task.totalJobs + jobs.length,
          updatedAt: now,
          completedAt: jobs.length > 0 ? null : now,
        })
        .where('id', '=', task.id)
        .execute();
      await insertJobs(trx, task.id, jobs, now);
      return { outcome: 'started' as const, released: jobs.map((j) => j.id) };
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
 * The final counts, sorted by partition and serialised once when a phase ends, so a status read of
 * a large task does not merge its jobs' counts again.
 */
function countsJson(counts: Record<string, number>): string {
  const sorted = Object.keys(counts).sort();
  return JSON.stringify(Object.fromEntries(sorted.map((partition) => [partition, counts[partition]])));
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
