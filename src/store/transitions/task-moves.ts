import type { Kysely, Transaction } from 'kysely';
import { countsOfJobs } from '../counts.ts';
import type { Database } from '../schema.ts';
import type { JobPhase, JobRef, NewJob, TaskMove, TaskStatus } from '../store.ts';
import { taskStatusChanged } from '../task-events.ts';

type Db = Kysely<Database> | Transaction<Database>;

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
export async function applyMove(
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
      ...(move.figures !== undefined ? { figures: JSON.stringify(move.figures) } : {}),
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

export function refsOf(jobs: readonly NewJob[], organizationId: string): JobRef[] {
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

/** The `partFigures` the phase's jobs recorded, in job order; called once every job of it is done. */
export async function phaseParts(db: Db, taskId: string, phase: JobPhase): Promise<unknown[]> {
  const rows = await db
    .selectFrom('jobs')
    .select('figures')
    .where('taskId', '=', taskId)
    .where('phase', '=', phase)
    .where('figures', 'is not', null)
    .orderBy('seq')
    .execute();
  return rows.map((row) => JSON.parse(row.figures!));
}

/** Called once every job of the phase is done. */
export async function phaseCounts(db: Db, taskId: string, phase: JobPhase): Promise<Record<string, number>> {
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
