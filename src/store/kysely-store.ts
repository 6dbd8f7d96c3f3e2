import { type Kysely, sql, type Transaction } from 'kysely';
import { AccountQueries } from './account-queries.ts';
import { AudienceQueries } from './audience-queries.ts';
import { IdempotencyKeys } from './idempotency-keys.ts';
import { JobLeases } from './job-leases.ts';
import { type Dialect, liveTasks } from './live-tasks.ts';
import { migrateToLatest } from './migrations.ts';
import { lockOrganization } from './organization-lock.ts';
import type { Database } from './schema.ts';
import { SessionQueries } from './session-queries.ts';
import type {
  AttemptCursor,
  AudienceRecord,
  AudienceRunRecord,
  AudienceRunStart,
  ClaimedDelivery,
  ClaimedJob,
  ClientRecord,
  ExportSchema,
  FileRecord,
  IdempotencyRecord,
  IdempotencyReservation,
  IdempotentResponse,
  JobOutcome,
  JobRecord,
  JobRef,
  LeaseRenewal,
  LeaseRequest,
  ManifestEntry,
  NewJob,
  OrganizationRecord,
  PasswordChange,
  PasswordChangeResult,
  ResumableJob,
  SessionRecord,
  SilentWorkers,
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
  WebhookAttemptResult,
  WebhookRecord,
} from './store.ts';
import {
  JOB_COLUMNS,
  searchKey,
  TASK_SUMMARY_COLUMNS,
  TASK_VERSION_COLUMNS,
  toJob,
  toTask,
  toTaskRow,
} from './task-rows.ts';
import { cancelTask } from './transitions/cancel-task.ts';
import { completeJob } from './transitions/complete-job.ts';
import { expandJob } from './transitions/expand-job.ts';
import { failJob } from './transitions/fail-job.ts';
import { ACTIVE } from './transitions/held-job.ts';
import { retryTask } from './transitions/retry-task.ts';
import { splitJob } from './transitions/split-job.ts';
import { startUnload } from './transitions/start-unload.ts';
import { insertJobs } from './transitions/task-moves.ts';
import { WebhookQueries } from './webhook-queries.ts';
import { WorkerBeats } from './worker-beats.ts';

/**
 * The store over Kysely; the same queries serve SQLite and PostgreSQL. Its Kysely instance must
 * carry `CamelCasePlugin` (see `open-store.ts`): rows then come back in the records' shapes.
 */
export class KyselyStore implements Store {
  private readonly leases: JobLeases;
  private readonly idempotencyKeys: IdempotencyKeys;
  private readonly webhooks: WebhookQueries;
  private readonly audiences: AudienceQueries;
  private readonly workers: WorkerBeats;
  private readonly sessions: SessionQueries;
  private readonly accounts: AccountQueries;

  private constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {
    this.leases = new JobLeases(db);
    this.idempotencyKeys = new IdempotencyKeys(db);
    this.webhooks = new WebhookQueries(db, dialect);
    this.audiences = new AudienceQueries(db, dialect);
    this.workers = new WorkerBeats(db);
    this.sessions = new SessionQueries(db);
    this.accounts = new AccountQueries(db);
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

  createOrganizationWithUser(organization: OrganizationRecord, user: UserRecord): Promise<boolean> {
    return this.accounts.createOrganizationWithUser(organization, user);
  }

  findUserByEmail(email: string): Promise<UserRecord | undefined> {
    return this.accounts.findUserByEmail(email);
  }

  findUserWithOrganization(userId: string): Promise<(UserRecord & { organizationName: string }) | undefined> {
    return this.accounts.findUserWithOrganization(userId);
  }

  insertClient(client: ClientRecord): Promise<void> {
    return this.accounts.insertClient(client);
  }

  listClients(organizationId: string): Promise<ClientRecord[]> {
    return this.accounts.listClients(organizationId);
  }

  revokeClient(organizationId: string, clientId: string, at: string): Promise<boolean> {
    return this.accounts.revokeClient(organizationId, clientId, at);
  }

  findClientByKeyHash(keyHash: string): Promise<ClientRecord | undefined> {
    return this.accounts.findClientByKeyHash(keyHash);
  }

  insertSession(session: Omit<SessionRecord, 'endedAt'>, passwordHash: string): Promise<boolean> {
    return this.sessions.insertSession(session, passwordHash);
  }

  findSession(sessionId: string): Promise<SessionRecord | undefined> {
    return this.sessions.findSession(sessionId);
  }

  endSession(sessionId: string, at: string): Promise<boolean> {
    return this.sessions.endSession(sessionId, at);
  }

  changePassword(change: PasswordChange): Promise<PasswordChangeResult> {
    return this.sessions.changePassword(change);
  }

  async insertTask(task: TaskRecord, jobs: NewJob[], limits?: TaskLimits): Promise<TaskAdmission> {
    return this.db.transaction().execute(async (trx) => {
      if (limits) {
        await lockOrganization(trx, this.dialect, task.organizationId);
        const active = await countActive(trx, task.organizationId);
        if (active >= limits.maxActiveTasks) return { admitted: false, active };
      }
      await trx.insertInto('tasks').values(toTaskRow(task)).execute();
      await insertJobs(trx, task.id, jobs, task.createdAt);
      return { admitted: true };
    });
  }

  async findTask(organizationId: string, taskId: string, now: string): Promise<TaskRecord | undefined> {
    const row = await liveTasks(this.db, organizationId, now)
      .selectAll()
      .where('id', '=', taskId)
      .executeTakeFirst();
    return row && toTask(row);
  }

  async findTaskVersion(
    organizationId: string,
    taskId: string,
    now: string,
  ): Promise<TaskVersion | undefined> {
    return liveTasks(this.db, organizationId, now)
      .select(TASK_VERSION_COLUMNS)
      .where('id', '=', taskId)
      .executeTakeFirst();
  }

  async listTasks(
    organizationId: string,
    now: string,
    limit: number,
    after?: TaskCursor,
    search?: string,
  ): Promise<TaskRecord[]> {
    // Listings leave out the counts, which can be large; the detail reads them.
    let query = liveTasks(this.db, organizationId, now)
      .select(TASK_SUMMARY_COLUMNS)
      .select(sql<null>`null`.as('counts'))
      .select(sql<null>`null`.as('figures'));
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('createdAt', '<', after.createdAt),
          eb.and([eb('createdAt', '=', after.createdAt), eb('id', '<', after.id)]),
        ]),
      );
    }
    if (search !== undefined && search !== '') {
      const contains = `%${likeEscaped(searchKey(search))}%`;
      const startsWith = `${likeEscaped(search.toLowerCase())}%`;
      query = query.where((eb) =>
        eb.or([
          sql<boolean>`${eb.ref('nameKey')} LIKE ${contains} ESCAPE '\\'`,
          sql<boolean>`${eb.ref('id')} LIKE ${startsWith} ESCAPE '\\'`,
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
      // In the order the phases run.
      .orderBy(
        sql`CASE phase WHEN 'list' THEN 0 WHEN 'count' THEN 1 WHEN 'reduce' THEN 2 WHEN 'unload' THEN 3 ELSE 4 END`,
      )
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

  async exportSchema(taskId: string): Promise<ExportSchema | undefined> {
    const row = await this.db
      .selectFrom('jobs')
      .select('outputColumns')
      .where('taskId', '=', taskId)
      .where('phase', '=', 'unload')
      .where('outputColumns', 'is not', null)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    return row?.outputColumns ? JSON.parse(row.outputColumns) : undefined;
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
    return completeJob(this.db, this.dialect, { jobId, owner, outcome, now }, lifecycle);
  }

  splitJob(jobId: string, owner: string, split: { keep: string[]; jobs: NewJob[] }, now: string) {
    return splitJob(this.db, this.dialect, { jobId, owner, now }, split);
  }

  expandJob(jobId: string, owner: string, jobs: NewJob[], now: string) {
    return expandJob(this.db, this.dialect, { jobId, owner, now }, jobs);
  }

  requeueJob(jobId: string, owner: string, error: string, now: string) {
    return this.leases.requeueJob(jobId, owner, error, now);
  }

  failJob(jobId: string, owner: string, error: TaskError, now: string) {
    return failJob(this.db, this.dialect, { jobId, owner, now }, error);
  }

  releaseLeases(owner: string, now: string, jobIds?: readonly string[]): Promise<JobRef[]> {
    return this.leases.releaseLeases(owner, now, jobIds);
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
    return startUnload(this.db, this.dialect, organizationId, taskId, now, lifecycle);
  }

  cancelTask(organizationId: string, taskId: string, now: string): Promise<TaskCancel> {
    return cancelTask(this.db, this.dialect, organizationId, taskId, now);
  }

  retryTask(
    organizationId: string,
    taskId: string,
    now: string,
    lifecycle: TaskLifecycle,
  ): Promise<TaskRetry> {
    return retryTask(this.db, this.dialect, organizationId, taskId, now, lifecycle);
  }

  resumableJobs(now: string, queuedBefore?: string): Promise<ResumableJob[]> {
    return this.leases.resumableJobs(now, queuedBefore);
  }

  beatWorker(owner: string, now: string): Promise<void> {
    return this.workers.beat(owner, now);
  }

  forgetWorker(owner: string): Promise<void> {
    return this.workers.forget(owner);
  }

  endSilentWorkers(silentSince: string, now: string): Promise<SilentWorkers> {
    return this.workers.endSilent(silentSince, now);
  }

  liveWorkers(seenSince: string): Promise<string[]> {
    return this.workers.live(seenSince);
  }

  reserveIdempotencyKey(
    reservation: Omit<IdempotencyRecord, 'response'>,
    abandonedBefore: string,
  ): Promise<IdempotencyReservation> {
    return this.idempotencyKeys.reserve(reservation, abandonedBefore);
  }

  recordIdempotentResponse(
    organizationId: string,
    key: string,
    token: string,
    response: IdempotentResponse,
  ): Promise<boolean> {
    return this.idempotencyKeys.record(organizationId, key, token, response);
  }

  releaseIdempotencyKey(organizationId: string, key: string, token: string): Promise<boolean> {
    return this.idempotencyKeys.release(organizationId, key, token);
  }

  deleteExpiredIdempotencyKeys(now: string): Promise<number> {
    return this.idempotencyKeys.deleteExpired(now);
  }

  insertWebhook(webhook: WebhookRecord, maxPerOrganization: number) {
    return this.webhooks.insertWebhook(webhook, maxPerOrganization);
  }

  listWebhooks(organizationId: string) {
    return this.webhooks.listWebhooks(organizationId);
  }

  findWebhook(organizationId: string, webhookId: string) {
    return this.webhooks.findWebhook(organizationId, webhookId);
  }

  deleteWebhook(organizationId: string, webhookId: string) {
    return this.webhooks.deleteWebhook(organizationId, webhookId);
  }

  listWebhookAttempts(webhookId: string, limit: number, after?: AttemptCursor) {
    return this.webhooks.listWebhookAttempts(webhookId, limit, after);
  }

  claimWebhookDeliveries(lease: LeaseRequest, limit: number): Promise<ClaimedDelivery[]> {
    return this.webhooks.claimWebhookDeliveries(lease, limit);
  }

  recordWebhookAttempt(deliveryId: string, owner: string, result: WebhookAttemptResult) {
    return this.webhooks.recordWebhookAttempt(deliveryId, owner, result);
  }

  releaseOtherWebhookLeases(owner: string) {
    return this.webhooks.releaseOtherWebhookLeases(owner);
  }

  insertAudience(audience: AudienceRecord) {
    return this.audiences.insertAudience(audience);
  }

  findAudience(organizationId: string, audienceId: string) {
    return this.audiences.findAudience(organizationId, audienceId);
  }

  listAudiences(organizationId: string, limit: number, after?: TaskCursor) {
    return this.audiences.listAudiences(organizationId, limit, after);
  }

  updateAudience(audience: AudienceRecord, expectedVersion: number) {
    return this.audiences.updateAudience(audience, expectedVersion);
  }

  deleteAudience(organizationId: string, audienceId: string) {
    return this.audiences.deleteAudience(organizationId, audienceId);
  }

  startAudienceRun(start: AudienceRunStart) {
    return this.audiences.startAudienceRun(start);
  }

  skipAudienceSlot(run: AudienceRunRecord, slot: { due: string; next: string | null }) {
    return this.audiences.skipAudienceSlot(run, slot);
  }

  listAudienceRuns(audienceId: string, limit: number, after?: TaskCursor) {
    return this.audiences.listAudienceRuns(audienceId, limit, after);
  }

  findAudienceRun(audienceId: string, runId: string) {
    return this.audiences.findAudienceRun(audienceId, runId);
  }

  activeAudienceRun(audienceId: string) {
    return this.audiences.activeAudienceRun(audienceId);
  }

  latestAudienceRun(audienceId: string) {
    return this.audiences.latestAudienceRun(audienceId);
  }

  deltaBase(audienceId: string, since: string) {
    return this.audiences.deltaBase(audienceId, since);
  }

  setRunSnapshot(runId: string, snapshot: string | null) {
    return this.audiences.setRunSnapshot(runId, snapshot);
  }

  runsWithSnapshots(audienceId: string) {
    return this.audiences.runsWithSnapshots(audienceId);
  }

  dueAudiences(now: string, limit: number) {
    return this.audiences.dueAudiences(now, limit);
  }
}

/** `text` matched literally by `LIKE … ESCAPE '\'`: its `%`, `_` and `\` stand for themselves. */
function likeEscaped(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
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
