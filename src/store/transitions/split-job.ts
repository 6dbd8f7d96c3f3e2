import type { Kysely } from 'kysely';
import type { Dialect } from '../live-tasks.ts';
import type { Database } from '../schema.ts';
import type { JobRef, LeaseLost, NewJob } from '../store.ts';
import { moveHeldJob, TASK_INACTIVE } from './held-job.ts';
import { insertJobs, refsOf } from './task-moves.ts';

/**
 * Narrows a running job to the partitions it `keep`s and adds `jobs` (of the same phase, planned by
 * the caller), numbered after the phase's last job, so other slots and workers take them.
 */
export async function splitJob(
  db: Kysely<Database>,
  dialect: Dialect,
  { jobId, owner, now }: { jobId: string; owner: string; now: string },
  { keep, jobs: rest }: { keep: string[]; jobs: NewJob[] },
): Promise<{ outcome: 'split'; released: JobRef[] } | typeof TASK_INACTIVE | LeaseLost> {
  const change = { partitions: JSON.stringify(keep), updatedAt: now };
  const split = await moveHeldJob(db, dialect, { jobId, owner, now, change }, async (trx, job, task) => {
    const last = await trx
      .selectFrom('jobs')
      .select((eb) => eb.fn.max<number>('seq').as('seq'))
      .where('taskId', '=', task.id)
      .where('phase', '=', job.phase)
      .executeTakeFirstOrThrow();
    const jobs = rest.map((added, i) => ({ ...added, seq: Number(last.seq) + 1 + i }));
    await insertJobs(trx, task.id, jobs, now);
    await trx
      .updateTable('tasks')
      .set({ totalJobs: task.totalJobs + jobs.length, updatedAt: now })
      .where('id', '=', task.id)
      .execute();
    return { outcome: 'split' as const, released: refsOf(jobs, task.organizationId) };
  });
  return split.outcome === 'cancelled' ? TASK_INACTIVE : split;
}
