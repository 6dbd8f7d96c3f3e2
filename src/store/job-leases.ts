import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';
import type { ClaimedJob, JobRef, LeaseRenewal, LeaseRequest, ResumableJob } from './store.ts';
import { JOB_COLUMNS, TASK_SUMMARY_COLUMNS, toJob, toTask } from './task-rows.ts';
import { ACTIVE, LEASE_LOST } from './transitions/held-job.ts';

/**
 * Who runs which job: claims, renewals and hand-backs of job leases, and the jobs nobody holds.
 * Each move is one conditional `UPDATE`: PostgreSQL re-checks its `WHERE` on the row a concurrent
 * update just committed, and SQLite runs one writer at a time, so of two racing workers only one
 * matches.
 */
export class JobLeases {
  constructor(private readonly db: Kysely<Database>) {}

  async claimJob(jobId: string, { owner, now, leaseMs }: LeaseRequest): Promise<ClaimedJob | undefined> {
    const seen = await this.db
      .selectFrom('jobs')
      .select(['taskId', 'status', 'leaseExpiresAt', 'updatedAt'])
      .where('id', '=', jobId)
      .executeTakeFirst();
    if (!seen) return undefined;
    const takeover = seen.status === 'running';
    if (!(seen.status === 'queued' || (takeover && isExpired(seen.leaseExpiresAt, now)))) return undefined;
    // The job needs its task's request and state, not its final counts, which can be large.
    const task = await this.db
      .selectFrom('tasks')
      .select(TASK_SUMMARY_COLUMNS)
      .select(sql<null>`null`.as('counts'))
      .select(sql<null>`null`.as('figures'))
      .where('id', '=', seen.taskId)
      .where('status', 'in', ACTIVE)
      .where('expiresAt', '>', now)
      .executeTakeFirst();
    if (!task) return undefined;
    // The read above only chose the condition: the update claims the job only if it is still in
    // the state that was seen, so a worker that claimed it meanwhile keeps it.
    const job = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'running',
        attempts: eb('attempts', '+', 1),
        leaseOwner: owner,
        leaseExpiresAt: leaseEnd(now, leaseMs),
        updatedAt: now,
      }))
      .where('id', '=', jobId)
      .where((eb) =>
        takeover ? eb.and([eb('status', '=', 'running'), expired(eb, now)]) : eb('status', '=', 'queued'),
      )
      .returning(JOB_COLUMNS)
      .executeTakeFirst();
    return job && { job: toJob(job), task: toTask(task), recovered: takeover, queuedAt: seen.updatedAt };
  }

  async renewLease(jobId: string, owner: string, now: string, leaseMs: number): Promise<LeaseRenewal> {
    const result = await this.db
      .updateTable('jobs')
      .set({ leaseExpiresAt: leaseEnd(now, leaseMs) })
      .where('id', '=', jobId)
      .where('status', '=', 'running')
      .where('leaseOwner', '=', owner)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) return 'renewed';
    // A cancelled job is never running again: telling it apart from a takeover is one read.
    const job = await this.db.selectFrom('jobs').select('status').where('id', '=', jobId).executeTakeFirst();
    return job?.status === 'cancelled' ? 'cancelled' : 'lost';
  }

  async requeueJob(jobId: string, owner: string, error: string, now: string) {
    const result = await this.db
      .updateTable('jobs')
      .set({ ...released(now), error })
      .where('id', '=', jobId)
      .where('status', '=', 'running')
      .where('leaseOwner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0 ? { outcome: 'requeued' as const } : LEASE_LOST;
  }

  async releaseLeases(owner: string, now: string, jobIds?: readonly string[]): Promise<JobRef[]> {
    if (jobIds?.length === 0) return [];
    let update = this.db
      .updateTable('jobs')
      // The run was interrupted by a shutdown or an outage, not by the job: it does not use up an attempt.
      .set((eb) => ({ ...released(now), attempts: eb('attempts', '-', 1) }))
      .where('status', '=', 'running')
      .where('leaseOwner', '=', owner);
    // A worker strands few jobs at once (one per slot): well under SQLite's bound-parameter limit.
    if (jobIds) update = update.where('id', 'in', [...jobIds]);
    const rows = await update.returning('id').execute();
    return this.refsOf(rows.map((row) => row.id));
  }

  async releaseOtherLeases(owner: string, now: string): Promise<JobRef[]> {
    const rows = await this.db
      .updateTable('jobs')
      // The previous run may have died of its job (out of memory): its attempt stays counted.
      .set(released(now))
      .where('status', '=', 'running')
      .where((eb) => eb.or([eb('leaseOwner', 'is', null), eb('leaseOwner', '!=', owner)]))
      .returning('id')
      .execute();
    return this.refsOf(rows.map((row) => row.id));
  }

  async resumableJobs(now: string, queuedBefore?: string): Promise<ResumableJob[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .innerJoin('tasks', 'tasks.id', 'jobs.taskId')
      .select(['jobs.id', 'jobs.phase', 'tasks.organizationId', 'jobs.status'])
      .where((eb) =>
        eb.or([
          queuedBefore === undefined
            ? eb('jobs.status', '=', 'queued')
            : eb.and([eb('jobs.status', '=', 'queued'), eb('jobs.updatedAt', '<=', queuedBefore)]),
          eb.and([eb('jobs.status', '=', 'running'), expired(eb, now)]),
        ]),
      )
      .where('tasks.status', 'in', ACTIVE)
      .where('tasks.expiresAt', '>', now)
      .orderBy('tasks.createdAt')
      .orderBy('jobs.seq')
      .execute();
    return rows.map(({ status, ...ref }) => ({ ...ref, leaseExpired: status === 'running' }));
  }

  /** The queue's view of the jobs with these ids. */
  private async refsOf(ids: string[]): Promise<JobRef[]> {
    const refs: JobRef[] = [];
    // Chunked under SQLite's bound-parameter limit.
    for (let i = 0; i < ids.length; i += 500) {
      refs.push(
        ...(await this.db
          .selectFrom('jobs')
          .innerJoin('tasks', 'tasks.id', 'jobs.taskId')
          .select(['jobs.id', 'jobs.phase', 'tasks.organizationId'])
          .where('jobs.id', 'in', ids.slice(i, i + 500))
          .execute()),
      );
    }
    return refs;
  }
}

/** The columns of a job handed back to the queue. */
function released(now: string) {
  return { status: 'queued' as const, leaseOwner: null, leaseExpiresAt: null, updatedAt: now };
}

/** Timestamps are ISO 8601 UTC text of one length, so text order is time order in both dialects. */
function leaseEnd(now: string, leaseMs: number): string {
  return new Date(Date.parse(now) + leaseMs).toISOString();
}

/** A running job without a lease was claimed before leases existed (migration 0004): it is free. */
function isExpired(leaseExpiresAt: string | null, now: string): boolean {
  return leaseExpiresAt === null || leaseExpiresAt <= now;
}

function expired(eb: ExpressionBuilder<Database, 'jobs'>, now: string) {
  return eb.or([eb('jobs.leaseExpiresAt', 'is', null), eb('jobs.leaseExpiresAt', '<=', now)]);
}
