import { type Kysely, sql, type Transaction } from 'kysely';
import { JobLeases } from './job-leases.ts';
import { ACTIVE, type Dialect, insertJobs, JobTransitions } from './job-transitions.ts';
import { migrateToLatest } from './migrations.ts';
import type { Database } from './schema.ts';
import type {
  ClaimedJob,
  ClientRecord,
  FileRecord,
  JobOutcome,
  JobRecord,
  JobRef,
  LeaseRenewal,
  LeaseRequest,
  ManifestEntry,
  NewJob,
  OrganizationRecord,
  ResumableJob,
  Store,
  TaskAdmission,
  TaskCancel,
  TaskCursor,
  TaskError,
  TaskLifecycle,
  TaskLimits,
  TaskRecord,
  TaskRetry,
  TaskStatus,
  TaskVersion,
  UnloadStart,
  UserRecord,
} from './store.ts';
import {
  JOB_COLUMNS,
  TASK_SUMMARY_COLUMNS,
  TASK_VERSION_COLUMNS,
  toJob,
  toTask,
  toTaskRow,
} from './task-rows.ts';

/**
 * The store over Kysely; the same queries serve SQLite and PostgreSQL. Its Kysely instance must
 * carry `CamelCasePlugin` (see `open-store.ts`): rows then come back in the records' shapes.
 */
export class KyselyStore implements Store {
  private readonly transitions: JobTransitions;
  private readonly leases: JobLeases;

  private constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {
    this.transitions = new JobTransitions(db, dialect);
    this.leases = new JobLeases(db);
  }

  static async open(db: Kysely<Database>, dialect: Dialect): Promise<KyselyStore> {
    // The migrations name tables and columns in snake_case themselves.
    await migrateToLatest(db.withoutPlugins() as Kysely<unknown>);
    return new KyselyStore(db, dialect);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  async createOrganizationWithUser(organization: OrganizationRecord, user: UserRecord): Promise<boolean> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('organizations').values(organization).execute();
        // The unique index decides, not a prior read: of concurrent sign-ups for one e-mail, PostgreSQL
        // makes the others wait for the first and then skips their rows.
        const inserted = await trx
          .insertInto('users')
          .values(user)
          .onConflict((conflict) => conflict.column('email').doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new EmailTaken();
        return true;
      });
    } catch (error) {
      // Thrown to roll the organisation back.
      if (error instanceof EmailTaken) return false;
      throw error;
    }
  }

  async findUserByEmail(email: string): Promise<UserRecord | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  async insertClient(client: ClientRecord): Promise<void> {
    await this.db.insertInto('apiClients').values(client).execute();
  }

  async listClients(organizationId: string): Promise<ClientRecord[]> {
    return this.db
      .selectFrom('apiClients')
      .selectAll()
      .where('organizationId', '=', organizationId)
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .execute();
  }

  async revokeClient(organizationId: string, clientId: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('apiClients')
      .set({ revokedAt: at })
      .where('id', '=', clientId)
      .where('organizationId', '=', organizationId)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async findActiveClientByKeyHash(keyHash: string): Promise<ClientRecord | undefined> {
    return this.db
      .selectFrom('apiClients')
      .selectAll()
      .where('keyHash', '=', keyHash)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
  }

  async insertTask(task: TaskRecord, jobs: NewJob[], limits?: TaskLimits): Promise<TaskAdmission> {
    return this.db.transaction().execute(async (trx) => {
      if (limits) {
        await this.lockOrganization(trx, task.organizationId);
        const active = await countActive(trx, task.organizationId);
        if (active >= limits.maxActiveTasks) return { admitted: false, active };
      }
      await trx.insertInto('tasks').values(toTaskRow(task)).execute();
      await insertJobs(trx, task.id, jobs, task.createdAt);
      return { admitted: true };
    });
  }

  /**
   * Serialises the admissions of one organisation until the transaction ends, so its count of
   * tasks in progress cannot change between reading it and inserting. PostgreSQL locks the
   * organisation's row (`FOR NO KEY UPDATE`: foreign-key checks of other inserts do not wait).
   * SQLite takes the database's write lock with a first statement that writes: one process runs its
   * transactions one at a time anyway, and another process on the same file then waits
   * (`busy_timeout`) instead of counting from a stale snapshot.
   */
  private async lockOrganization(trx: Transaction<Database>, organizationId: string): Promise<void> {
    if (this.dialect === 'postgres') {
      await trx
        .selectFrom('organizations')
        .select('id')
        .where('id', '=', organizationId)
        .forNoKeyUpdate()
        .execute();
    } else {
      await trx
        .updateTable('organizations')
        .set((eb) => ({ name: eb.ref('name') }))
        .where('id', '=', organizationId)
        .execute();
    }
  }

  async findTask(organizationId: string, taskId: string, now: string): Promise<TaskRecord | undefined> {
    const row = await this.db
      .selectFrom('tasks')
      .selectAll()
      .where('id', '=', taskId)
      .where('organizationId', '=', organizationId)
      .where('expiresAt', '>', now)
      .executeTakeFirst();
    return row && toTask(row);
  }

  async findTaskVersion(
    organizationId: string,
    taskId: string,
    now: string,
  ): Promise<TaskVersion | undefined> {
    return this.db
      .selectFrom('tasks')
      .select(TASK_VERSION_COLUMNS)
      .where('id', '=', taskId)
      .where('organizationId', '=', organizationId)
      .where('expiresAt', '>', now)
      .executeTakeFirst();
  }

  async listTasks(
    organizationId: string,
    now: string,
    limit: number,
    after?: TaskCursor,
  ): Promise<TaskRecord[]> {
    // Listings leave out the counts, which can be large; the detail reads them.
    let query = this.db
      .selectFrom('tasks')
      .select(TASK_SUMMARY_COLUMNS)
      .select(sql<null>`null`.as('counts'))
      .select(sql<null>`null`.as('figures'))
      .where('organizationId', '=', organizationId)
      .where('expiresAt', '>', now);
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('createdAt', '<', after.createdAt),
          eb.and([eb('createdAt', '=', after.createdAt), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await query.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toTask);
  }

  countActiveTasks(organizationId: string): Promise<number> {
    return countActive(this.db, organizationId);
  }

  async countTasksByStatus(now: string): Promise<Record<TaskStatus, number>> {
    const rows = await this.db
      .selectFrom('tasks')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
      .where('expiresAt', '>', now)
      .groupBy('status')
      .execute();
    const counts: Record<TaskStatus, number> = {
      in_progress: 0,
      counted: 0,
      unloading: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
    };
    // count(*) is a bigint on PostgreSQL, which open-store.ts has pg parse as a number (not pg's
    // default string): both dialects give a number.
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  async listJobs(taskId: string): Promise<JobRecord[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(JOB_COLUMNS)
      .where('taskId', '=', taskId)
      .orderBy('phase')
      .orderBy('seq')
      .execute();
    return rows.map(toJob);
  }

  async listFiles(taskId: string): Promise<FileRecord[]> {
    return this.db
      .selectFrom('files')
      .selectAll()
      .where('taskId', '=', taskId)
      .orderBy('partition')
      .orderBy('uri')
      .execute();
  }

  async countManifest(taskId: string): Promise<Record<string, ManifestEntry[]>> {
    const rows = await this.db
      .selectFrom('jobs')
      .select('manifest')
      .where('taskId', '=', taskId)
      .where('phase', '=', 'count')
      .execute();
    const merged: Record<string, ManifestEntry[]> = {};
    for (const row of rows) if (row.manifest) Object.assign(merged, JSON.parse(row.manifest));
    return merged;
  }

  async findFile(fileId: string) {
    return this.db
      .selectFrom('files')
      .innerJoin('tasks', 'tasks.id', 'files.taskId')
      .selectAll('files')
      .select(['tasks.organizationId', 'tasks.expiresAt'])
      .where('files.id', '=', fileId)
      .executeTakeFirst();
  }

  claimJob(jobId: string, lease: LeaseRequest): Promise<ClaimedJob | undefined> {
    return this.leases.claimJob(jobId, lease);
  }

  renewLease(jobId: string, owner: string, now: string, leaseMs: number): Promise<LeaseRenewal> {
    return this.leases.renewLease(jobId, owner, now, leaseMs);
  }

  completeJob(jobId: string, owner: string, outcome: JobOutcome, now: string, lifecycle: TaskLifecycle) {
    return this.transitions.completeJob(jobId, owner, outcome, now, lifecycle);
  }

  splitJob(jobId: string, owner: string, split: { keep: string[]; rest: string[][] }, now: string) {
    return this.transitions.splitJob(jobId, owner, split, now);
  }

  expandJob(jobId: string, owner: string, jobs: NewJob[], now: string) {
    return this.transitions.expandJob(jobId, owner, jobs, now);
  }

  requeueJob(jobId: string, owner: string, error: string, now: string) {
    return this.leases.requeueJob(jobId, owner, error, now);
  }

  failJob(jobId: string, owner: string, error: TaskError, now: string) {
    return this.transitions.failJob(jobId, owner, error, now);
  }

  releaseLeases(owner: string, now: string): Promise<JobRef[]> {
    return this.leases.releaseLeases(owner, now);
  }

  releaseOtherLeases(owner: string, now: string): Promise<JobRef[]> {
    return this.leases.releaseOtherLeases(owner, now);
  }

  startUnload(
    organizationId: string,
    taskId: string,
    now: string,
    lifecycle: TaskLifecycle,
  ): Promise<UnloadStart> {
    return this.transitions.startUnload(organizationId, taskId, now, lifecycle);
  }

  cancelTask(organizationId: string, taskId: string, now: string): Promise<TaskCancel> {
    return this.transitions.cancelTask(organizationId, taskId, now);
  }

  retryTask(
    organizationId: string,
    taskId: string,
    now: string,
    lifecycle: TaskLifecycle,
  ): Promise<TaskRetry> {
    return this.transitions.retryTask(organizationId, taskId, now, lifecycle);
  }

  resumableJobs(now: string, queuedBefore?: string): Promise<ResumableJob[]> {
    return this.leases.resumableJobs(now, queuedBefore);
  }
}

/** The organisation's tasks still running (`in_progress` or `unloading`). */
async function countActive(db: Kysely<Database> | Transaction<Database>, organizationId: string) {
  const row = await db
    .selectFrom('tasks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organizationId', '=', organizationId)
    .where('status', 'in', ACTIVE)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Rolls back a sign-up whose e-mail turned out to be taken. */
class EmailTaken extends Error {}
