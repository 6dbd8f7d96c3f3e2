import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import { mergeCounts } from './counts.ts';
import { migrateToLatest } from './migrations.ts';
import type { Database, JobTable, TaskTable } from './schema.ts';
import type {
  ClientRecord,
  FileRecord,
  JobOutcome,
  JobRecord,
  ManifestEntry,
  NewJob,
  OrganizationRecord,
  Store,
  TaskCursor,
  TaskError,
  TaskRecord,
  TaskStatus,
  TaskVersion,
  UnloadPlanner,
  UnloadStart,
  UserRecord,
} from './store.ts';

type Dialect = 'sqlite' | 'postgres';
type Db = Kysely<Database> | Transaction<Database>;

const ACTIVE: TaskStatus[] = ['in_progress', 'unloading'];

/** The store over Kysely; the same queries serve SQLite and PostgreSQL. */
export class KyselyStore implements Store {
  private constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  static async open(db: Kysely<Database>, dialect: Dialect): Promise<KyselyStore> {
    await migrateToLatest(db as Kysely<unknown>);
    return new KyselyStore(db, dialect);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  async createOrganizationWithUser(organization: OrganizationRecord, user: UserRecord): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom('users')
        .select('id')
        .where('email', '=', user.email)
        .executeTakeFirst();
      if (taken) return false;
      await trx
        .insertInto('organizations')
        .values({ id: organization.id, name: organization.name, created_at: organization.createdAt })
        .execute();
      await trx
        .insertInto('users')
        .values({
          id: user.id,
          organization_id: user.organizationId,
          email: user.email,
          password_hash: user.passwordHash,
          first_name: user.firstName,
          last_name: user.lastName,
          created_at: user.createdAt,
        })
        .execute();
      return true;
    });
  }

  async findUserByEmail(email: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return (
      row && {
        id: row.id,
        organizationId: row.organization_id,
        email: row.email,
        passwordHash: row.password_hash,
        firstName: row.first_name,
        lastName: row.last_name,
        createdAt: row.created_at,
      }
    );
  }

  async insertClient(client: ClientRecord): Promise<void> {
    await this.db
      .insertInto('api_clients')
      .values({
        id: client.id,
        organization_id: client.organizationId,
        name: client.name,
        key_hash: client.keyHash,
        key_prefix: client.keyPrefix,
        secret_hash: client.secretHash,
        created_by: client.createdBy,
        created_at: client.createdAt,
        revoked_at: client.revokedAt,
      })
      .execute();
  }

  async listClients(organizationId: string): Promise<ClientRecord[]> {
    const rows = await this.db
      .selectFrom('api_clients')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toClient);
  }

  async revokeClient(organizationId: string, clientId: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_clients')
      .set({ revoked_at: at })
      .where('id', '=', clientId)
      .where('organization_id', '=', organizationId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async findActiveClientByKeyHash(keyHash: string): Promise<ClientRecord | undefined> {
    const row = await this.db
      .selectFrom('api_clients')
      .selectAll()
      .where('key_hash', '=', keyHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row && toClient(row);
  }

  async insertTask(task: TaskRecord, jobs: NewJob[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('tasks')
        .values({
          id: task.id,
          organization_id: task.organizationId,
          type: task.type,
          status: task.status,
          request: JSON.stringify(task.request),
          total_jobs: task.totalJobs,
          completed_jobs: task.completedJobs,
          failed_jobs: task.failedJobs,
          total_count: task.totalCount,
          counts: task.countsJson,
          error_code: task.error?.code ?? null,
          error_message: task.error?.message ?? null,
          created_at: task.createdAt,
          updated_at: task.updatedAt,
          completed_at: task.completedAt,
          expires_at: task.expiresAt,
        })
        .execute();
      await insertJobs(trx, task.id, jobs, task.createdAt);
    });
  }

  async findTask(organizationId: string, taskId: string, now: string): Promise<TaskRecord | undefined> {
    const row = await this.db
      .selectFrom('tasks')
      .selectAll()
      .where('id', '=', taskId)
      .where('organization_id', '=', organizationId)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row && toTask(row);
  }

  async findTaskVersion(
    organizationId: string,
    taskId: string,
    now: string,
  ): Promise<TaskVersion | undefined> {
    const row = await this.db
      .selectFrom('tasks')
      .select(TASK_VERSION_COLUMNS)
      .where('id', '=', taskId)
      .where('organization_id', '=', organizationId)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row && toTaskVersion(row);
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
      .where('organization_id', '=', organizationId)
      .where('expires_at', '>', now);
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', after.createdAt),
          eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toTask);
  }

  async countActiveTasks(organizationId: string): Promise<number> {
    const row = await this.db
      .selectFrom('tasks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organization_id', '=', organizationId)
      .where('status', 'in', ACTIVE)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async listJobs(taskId: string): Promise<JobRecord[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(JOB_COLUMNS)
      .where('task_id', '=', taskId)
      .orderBy('phase')
      .orderBy('seq')
      .execute();
    return rows.map(toJob);
  }

  async listFiles(taskId: string): Promise<FileRecord[]> {
    const rows = await this.db
      .selectFrom('files')
      .selectAll()
      .where('task_id', '=', taskId)
      .orderBy('partition')
      .orderBy('uri')
      .execute();
    return rows.map(toFile);
  }

  async countManifest(taskId: string): Promise<Record<string, ManifestEntry[]>> {
    const rows = await this.db
      .selectFrom('jobs')
      .select('manifest')
      .where('task_id', '=', taskId)
      .where('phase', '=', 'count')
      .execute();
    const merged: Record<string, ManifestEntry[]> = {};
    for (const row of rows) if (row.manifest) Object.assign(merged, JSON.parse(row.manifest));
    return merged;
  }

  async findFile(fileId: string) {
    const row = await this.db
      .selectFrom('files')
      .innerJoin('tasks', 'tasks.id', 'files.task_id')
      .selectAll('files')
      .select(['tasks.organization_id', 'tasks.expires_at'])
      .where('files.id', '=', fileId)
      .executeTakeFirst();
    return row && { ...toFile(row), organizationId: row.organization_id, expiresAt: row.expires_at };
  }

  async claimJob(jobId: string, now: string) {
    return this.db.transaction().execute(async (trx) => {
      const job = await trx.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
      if (!job || (job.status !== 'queued' && job.status !== 'running')) return undefined;
      const task = await trx
        .selectFrom('tasks')
        .selectAll()
        .where('id', '=', job.task_id)
        .where('status', 'in', ACTIVE)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (!task) return undefined;
      await trx
        .updateTable('jobs')
        .set({ status: 'running', attempts: job.attempts + 1, updated_at: now })
        .where('id', '=', jobId)
        .execute();
      return { job: toJob({ ...job, status: 'running', attempts: job.attempts + 1 }), task: toTask(task) };
    });
  }

  async completeJob(jobId: string, outcome: JobOutcome, now: string, planUnload: UnloadPlanner) {
    return this.db.transaction().execute(async (trx) => {
      const job = await trx.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
      if (!job || (job.status !== 'queued' && job.status !== 'running')) return [];
      const task = await this.lockTask(trx, job.task_id);
      if (!task || !ACTIVE.includes(task.status as TaskStatus)) return [];

      await trx
        .updateTable('jobs')
        .set({
          status: 'done',
          counts: JSON.stringify(outcome.counts),
          manifest: outcome.manifest ? JSON.stringify(outcome.manifest) : null,
          error: null,
          updated_at: now,
        })
        .where('id', '=', jobId)
        .execute();
      // A job that ran before (at-least-once delivery) replaces its own files.
      await trx.deleteFrom('files').where('job_id', '=', jobId).execute();
      if (outcome.files.length > 0) {
        await trx
          .insertInto('files')
          .values(
            outcome.files.map((file) => ({
              id: file.id,
              task_id: task.id,
              job_id: jobId,
              partition: file.partition,
              uri: file.uri,
              rows: file.rows,
              size_bytes: file.sizeBytes,
              created_at: now,
            })),
          )
          .execute();
      }

      const remaining = await trx
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('task_id', '=', task.id)
        .where('phase', '=', job.phase)
        .where('status', '!=', 'done')
        .executeTakeFirstOrThrow();
      const completedJobs = task.completed_jobs + 1;
      if (Number(remaining.n) > 0) {
        await trx
          .updateTable('tasks')
          .set({ completed_jobs: completedJobs, updated_at: now })
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
            completed_jobs: completedJobs,
            total_count: counted ? task.total_count : totalCount,
            counts: counted ? task.counts : countsJson(counts),
            updated_at: now,
            completed_at: now,
          })
          .where('id', '=', task.id)
          .execute();
        return [];
      }
      const counted = toTask({ ...task, completed_jobs: completedJobs, total_count: totalCount });
      const unloadJobs = planUnload(counted, counts);
      const status: TaskStatus =
        unloadJobs === null ? 'counted' : unloadJobs.length > 0 ? 'unloading' : 'completed';
      await trx
        .updateTable('tasks')
        .set({
          status,
          completed_jobs: completedJobs,
          total_jobs: task.total_jobs + (unloadJobs?.length ?? 0),
          total_count: totalCount,
          counts: countsJson(counts),
          updated_at: now,
          completed_at: status === 'completed' ? now : null,
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
      .set({ status: 'queued', error, updated_at: now })
      .where('id', '=', jobId)
      .where('status', '=', 'running')
      .execute();
  }

  async failJob(jobId: string, error: TaskError, now: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const job = await trx.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
      if (!job || (job.status !== 'queued' && job.status !== 'running')) return;
      const task = await this.lockTask(trx, job.task_id);
      if (!task) return;
      await trx
        .updateTable('jobs')
        .set({ status: 'failed', error: error.message, updated_at: now })
        .where('id', '=', jobId)
        .execute();
      await trx
        .updateTable('tasks')
        .set((eb) => ({
          failed_jobs: eb('failed_jobs', '+', 1),
          updated_at: now,
          status: ACTIVE.includes(task.status as TaskStatus) ? 'failed' : task.status,
          error_code: task.error_code ?? error.code,
          error_message: task.error_message ?? error.message,
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
      if (!task || task.organization_id !== organizationId || task.expires_at <= now) {
        return { outcome: 'not_found' as const };
      }
      if (task.status !== 'counted') return { outcome: 'conflict' as const };
      const counts = await phaseCounts(trx, task.id, 'count');
      const jobs = planUnload(toTask(task), counts) ?? [];
      await trx
        .updateTable('tasks')
        .set({
          status: jobs.length > 0 ? 'unloading' : 'completed',
          total_jobs: task.total_jobs + jobs.length,
          updated_at: now,
          completed_at: jobs.length > 0 ? null : now,
        })
        .where('id', '=', task.id)
        .execute();
      await insertJobs(trx, task.id, jobs, now);
      return { outcome: 'started' as const, released: jobs.map((j) => j.id) };
    });
  }

  async resumableJobIds(now: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .innerJoin('tasks', 'tasks.id', 'jobs.task_id')
      .select('jobs.id')
      .where('jobs.status', 'in', ['queued', 'running'])
      .where('tasks.status', 'in', ACTIVE)
      .where('tasks.expires_at', '>', now)
      .orderBy('tasks.created_at')
      .orderBy('jobs.seq')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Serialises completions of one task: PostgreSQL locks the row; SQLite transactions are serial already. */
  private async lockTask(trx: Transaction<Database>, taskId: string) {
    const query = trx.selectFrom('tasks').selectAll().where('id', '=', taskId);
    return (this.dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  }
}

async function insertJobs(db: Db, taskId: string, jobs: NewJob[], now: string): Promise<void> {
  // Chunked so a 10,000-partition plan stays under SQLite's bound-parameter limit.
  for (let i = 0; i < jobs.length; i += 500) {
    await db
      .insertInto('jobs')
      .values(
        jobs.slice(i, i + 500).map((job) => ({
          id: job.id,
          task_id: taskId,
          phase: job.phase,
          seq: job.seq,
          partitions: JSON.stringify(job.partitions),
          status: job.status,
          counts: null,
          manifest: null,
          error: null,
          updated_at: now,
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

async function phaseCounts(db: Db, taskId: string, phase: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('jobs')
    .select('counts')
    .where('task_id', '=', taskId)
    .where('phase', '=', phase)
    .execute();
  return mergeCounts(rows.map((r) => (r.counts === null ? null : JSON.parse(r.counts))));
}

const TASK_VERSION_COLUMNS = [
  'id',
  'status',
  'total_jobs',
  'completed_jobs',
  'failed_jobs',
  'updated_at',
] as const;

function toTaskVersion(row: Pick<Selectable<TaskTable>, (typeof TASK_VERSION_COLUMNS)[number]>): TaskVersion {
  return {
    id: row.id,
    status: row.status as TaskStatus,
    totalJobs: row.total_jobs,
    completedJobs: row.completed_jobs,
    failedJobs: row.failed_jobs,
    updatedAt: row.updated_at,
  };
}

function toTask(row: Selectable<TaskTable>): TaskRecord {
  return {
    ...toTaskVersion(row),
    organizationId: row.organization_id,
    type: row.type,
    request: JSON.parse(row.request),
    totalCount: row.total_count === null ? null : Number(row.total_count),
    countsJson: row.counts,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    createdAt: row.created_at,
    completedAt: row.completed_at,
    expiresAt: row.expires_at,
  };
}

const TASK_SUMMARY_COLUMNS = [
  'id',
  'organization_id',
  'type',
  'status',
  'request',
  'total_jobs',
  'completed_jobs',
  'failed_jobs',
  'total_count',
  'error_code',
  'error_message',
  'created_at',
  'updated_at',
  'completed_at',
  'expires_at',
] as const;

/** Job columns without the manifest, which only the export reads. */
const JOB_COLUMNS = [
  'id',
  'task_id',
  'phase',
  'seq',
  'partitions',
  'status',
  'attempts',
  'counts',
  'error',
  'updated_at',
] as const;

function toJob(row: Omit<Selectable<JobTable>, 'manifest'>): JobRecord {
  return {
    id: row.id,
    taskId: row.task_id,
    phase: row.phase as JobRecord['phase'],
    seq: row.seq,
    partitions: JSON.parse(row.partitions),
    status: row.status as JobRecord['status'],
    attempts: row.attempts,
    counts: row.counts === null ? null : JSON.parse(row.counts),
    error: row.error,
  };
}

function toFile(row: Selectable<Database['files']>): FileRecord {
  return {
    id: row.id,
    taskId: row.task_id,
    jobId: row.job_id,
    partition: row.partition,
    uri: row.uri,
    rows: Number(row.rows),
    sizeBytes: Number(row.size_bytes),
    createdAt: row.created_at,
  };
}

function toClient(row: Selectable<Database['api_clients']>): ClientRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    keyHash: row.key_hash,
    keyPrefix: row.key_prefix,
    secretHash: row.secret_hash,
    createdBy: row.created_by,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
