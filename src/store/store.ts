/**
 * The store is the truth: accounts, tasks, jobs, counts and files. Implementations sit side by side
 * (`kysely-store.ts` over SQLite or PostgreSQL); the domain only sees this interface.
 */

/** `completed`, `failed` and `cancelled` are final; `retry` takes a `failed` task back to work. */
export type TaskStatus = 'in_progress' | 'counted' | 'unloading' | 'completed' | 'failed' | 'cancelled';
/**
 * `list`: lists a large input and plans the task's count or export jobs (a generic task whose input
 * is too large to list while the client waits); `count` and `unload` read partitions.
 */
/** `manifest`: the last job of an export, which writes its `manifest.json` and `_SUCCESS`. */
export type JobPhase = 'list' | 'count' | 'unload' | 'manifest';
/**
 * `pending`: planned but not released to the queue yet. `cancelled`: its task was cancelled before
 * it ended; it never runs nor records again.
 */
export type JobStatus = 'pending' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface OrganizationRecord {
  id: string;
  name: string;
  createdAt: string;
}

export interface UserRecord {
  id: string;
  organizationId: string;
  email: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
  createdAt: string;
}

export interface ClientRecord {
  id: string;
  organizationId: string;
  name: string;
  keyHash: string;
  keyPrefix: string;
  secretHash: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface TaskError {
  code: string;
  message: string;
}

export interface TaskRecord {
  id: string;
  organizationId: string;
  type: string;
  status: TaskStatus;
  /** The normalised request as the domain stored it. */
  request: unknown;
  totalJobs: number;
  completedJobs: number;
  failedJobs: number;
  totalCount: number | null;
  /** The final counts as sorted JSON once counting ended (null while counting). */
  countsJson: string | null;
  /**
   * Figures of the whole segment as JSON (`JobOutcome.figures`), once the task's count job wrote
   * them; null before, and for a task without such figures.
   */
  figuresJson: string | null;
  error: TaskError | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  expiresAt: string;
}

export type TaskVersion = Pick<
  TaskRecord,
  'id' | 'status' | 'totalJobs' | 'completedJobs' | 'failedJobs' | 'updatedAt'
>;

export interface NewJob {
  id: string;
  phase: JobPhase;
  seq: number;
  partitions: string[];
  status: JobStatus;
}

export interface JobRecord extends NewJob {
  taskId: string;
  attempts: number;
  counts: Record<string, number> | null;
  error: string | null;
  /** The worker holding the job while it is `running`; null otherwise. */
  leaseOwner: string | null;
  /** When that lease ends unless renewed; null unless `running`. */
  leaseExpiresAt: string | null;
}

/** A job as the queue needs to know it: which lane (its phase) and whose turn (its organisation). */
export interface JobRef {
  id: string;
  phase: JobPhase;
  organizationId: string;
}

/** A job some worker should run now (`resumableJobs`). */
export interface ResumableJob extends JobRef {
  /** It is `running` under a lease that expired (its worker died or stalled), not `queued`. */
  leaseExpired: boolean;
}

/** The file record of a task's `manifest.json`: no partition, so no view lists it among the data files. */
export const MANIFEST_PARTITION = '';

export interface FileRecord {
  id: string;
  taskId: string;
  jobId: string;
  partition: string;
  uri: string;
  rows: number;
  sizeBytes: number;
  /** Hex SHA-256 of the file's bytes, taken before it was published; null for files stored before it. */
  sha256: string | null;
  createdAt: string;
}

/** A column of exported files: its name and DuckDB type. */
export interface OutputColumn {
  name: string;
  type: string;
}

/** The columns of a task's exported files, and the codec of files copied as they were. */
export interface ExportSchema {
  columns: OutputColumn[];
  /** The Parquet codec of files copied from the input (lower case); absent when the export wrote them. */
  codec?: string;
}

/** One input object as a job read it; a changed `etag` means changed content. */
export interface ManifestEntry {
  uri: string;
  size: number;
  etag?: string;
}

/** What a finished job hands back: its counts and files replace whatever an earlier run wrote. */
export interface JobOutcome {
  counts: Record<string, number>;
  files: Array<Pick<FileRecord, 'id' | 'partition' | 'uri' | 'rows' | 'sizeBytes' | 'sha256'>>;
  /** What an export job's files hold (every export job of a task writes the same). */
  schema?: ExportSchema;
  /** The objects a count job read, per partition. */
  manifest?: Record<string, ManifestEntry[]>;
  /**
   * Figures of the task's whole segment (any JSON value), from a count job that read all of the
   * task's partitions: stored on the task as they are, replacing any written before.
   */
  figures?: unknown;
}

/** A move of a task's state: its new status, the jobs it adds, and its final counts if it ends counting. */
export interface TaskMove {
  status: TaskStatus;
  /** Jobs the move adds to the task (its `totalJobs` grows by as many); the queued ones are released. */
  jobs: NewJob[];
  /** The task's final counts, when the move ends its counting: stored sorted, with their total. */
  counts?: Record<string, number>;
}

/**
 * The task state machine, which the domain decides (`tasks/task-lifecycle.ts`) and the store
 * writes in the same transaction as what triggered the move.
 */
export interface TaskLifecycle {
  /** The last job of `phase` is done; `counts` are the phase's counts, merged. */
  phaseEnded(task: TaskRecord, phase: JobPhase, counts: Record<string, number>): TaskMove;
  /**
   * A client asks for the task's export (`counts` are its final counts): the move, or undefined
   * when the task's status does not allow it.
   */
  unloadRequested(task: TaskRecord, counts: Record<string, number>): TaskMove | undefined;
  /**
   * A client asks to run the task's failed jobs (all of `phase`) again: the status the task goes
   * back to, or undefined when its status does not allow it.
   */
  retryRequested(task: TaskRecord, phase: JobPhase): TaskStatus | undefined;
}

export interface TaskCursor {
  createdAt: string;
  id: string;
}

/**
 * Lifecycle events a webhook can subscribe to. The store records one in the transaction of the
 * status change that causes it (`task.cancelled` for the `cancelled` status, once a cancel exists).
 */
export const TASK_EVENT_TYPES = ['task.counted', 'task.completed', 'task.failed', 'task.cancelled'] as const;
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

export interface WebhookRecord {
  id: string;
  organizationId: string;
  url: string;
  events: TaskEventType[];
  /** `whsec_` and the base64 signing key. */
  secret: string;
  createdAt: string;
}

/** Whether `insertWebhook` stored the webhook; when not, how many the organisation has. */
export type WebhookAdmission = { admitted: true } | { admitted: false; count: number };

/** `pending` until an attempt gets a 2xx (`delivered`) or the retries are spent (`failed`). */
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';
/** What one attempt led to: delivered, another attempt scheduled, or given up. */
export type WebhookAttemptOutcome = 'delivered' | 'retrying' | 'failed';

/** A delivery leased to one deliverer for one attempt (`claimWebhookDeliveries`). */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  url: string;
  secret: string;
  /** The `webhook-id` header: the same for every attempt. */
  eventId: string;
  eventType: TaskEventType;
  taskId: string;
  /** The frozen body, sent as it is. */
  payload: string;
  /** This attempt's number, from 1. */
  attempt: number;
  /** When the event was recorded: retries end a configured time after it. */
  createdAt: string;
}

/** The result of one attempt, as the deliverer records it. */
export interface WebhookAttemptResult {
  attempt: number;
  outcome: WebhookAttemptOutcome;
  /** The receiver's HTTP status; null when no answer came (network error, timeout, refused address). */
  statusCode: number | null;
  error: string | null;
  attemptedAt: string;
  /** When the next attempt is due (`retrying`); null otherwise. */
  nextAttemptAt: string | null;
}

/** One attempt in a webhook's delivery log. */
export interface WebhookAttemptRecord extends WebhookAttemptResult {
  id: string;
  deliveryId: string;
  eventId: string;
  eventType: TaskEventType;
  taskId: string;
}

/** Where a page of the delivery log starts: after this attempt (newest first). */
export interface AttemptCursor {
  attemptedAt: string;
  id: string;
}

/** The cap `insertTask` enforces for the task's organisation. */
export interface TaskLimits {
  /** Most tasks the organisation may have in progress (`in_progress` or `unloading`) at once. */
  maxActiveTasks: number;
}

/** Whether `insertTask` stored the task; when it did not, how many of the organisation's tasks were in progress. */
export type TaskAdmission = { admitted: true } | { admitted: false; active: number };

/**
 * A claim of a job by one worker for `leaseMs` from `now`. The owner names the worker (host,
 * process and a random part): two live workers never share one.
 */
export interface LeaseRequest {
  owner: string;
  now: string;
  leaseMs: number;
}

export interface ClaimedJob {
  job: JobRecord;
  /** The job's task, without its counts and figures (`countsJson`, `figuresJson` null), which can be large. */
  task: TaskRecord;
  /**
   * The job was `running` under a lease that had expired (its worker died or stalled) and this
   * claim took it over: a recovered lease.
   */
  recovered: boolean;
}

/**
 * The job is no longer `running` under the caller's lease: another worker took it over, or it
 * was handed back or finished. Nothing was written.
 */
export interface LeaseLost {
  outcome: 'lease_lost';
}

export type JobCompletion =
  /** The outcome is stored; `released` are the jobs it released (the caller enqueues them). */
  | { outcome: 'recorded'; released: JobRef[] }
  /** The task failed or expired meanwhile: nothing was written, the job stays as it was. */
  | { outcome: 'task_inactive' }
  /**
   * The task was cancelled meanwhile (the job with it): nothing was written, and whatever the job
   * published is nobody's; the caller removes it.
   */
  | { outcome: 'cancelled' }
  | LeaseLost;

/** What a renewal found: the lease extended, lost to another worker, or its job cancelled with its task. */
export type LeaseRenewal = 'renewed' | 'lost' | 'cancelled';

export type TaskCancel =
  /** The task (as it is now) and how many of its jobs were running: their workers stop them. */
  | { outcome: 'cancelled'; task: TaskRecord; stopped: number }
  | { outcome: 'not_found' }
  /** The task had already ended (`status`): nothing changed. */
  | { outcome: 'conflict'; status: TaskStatus };

export type TaskRetry =
  /** The task (as it is now) and the jobs to enqueue. */
  | { outcome: 'retried'; task: TaskRecord; released: JobRef[] }
  | { outcome: 'not_found' }
  | { outcome: 'conflict'; status: TaskStatus };

export type UnloadStart =
  | { outcome: 'started'; released: JobRef[] }
  | { outcome: 'not_found' }
  | { outcome: 'conflict' };

/** An answer to a request sent with an Idempotency-Key, kept to be given again. */
export interface IdempotentResponse {
  status: number;
  /** The headers worth repeating (content type, location), by lower-case name. */
  headers: Record<string, string>;
  body: string;
}

/** An organisation's Idempotency-Key: the request it was first used with and, later, its answer. */
export interface IdempotencyRecord {
  organizationId: string;
  /** As the client sent it. */
  key: string;
  /** SHA-256 of the request (method, URL, canonical body) the key was first used with. */
  fingerprint: string;
  /** Names the request holding the key: only it may record the answer or release the key. */
  token: string;
  /** When that request reserved the key. */
  createdAt: string;
  expiresAt: string;
  /** Null while the request holding the key runs. */
  response: IdempotentResponse | null;
}

export type IdempotencyReservation =
  /** The caller holds the key: it does the work, then records its answer or releases the key. */
  | { outcome: 'reserved' }
  /** Another request holds the key, or answered with it. */
  | { outcome: 'taken'; existing: IdempotencyRecord }
  /** The key changed hands while the call looked at it (released, or taken over): call again. */
  | { outcome: 'raced' };

/**
 * Every method is safe to call concurrently. Methods that change several rows do it in one
 * transaction, so a process that dies midway leaves the previous state; the job moves
 * (`claimJob` … `startUnload`) check the job's and task's status inside that transaction, which
 * makes a repeated or stale call a no-op: the queue delivers at least once.
 *
 * A running job is leased to one worker (`claimJob`): the lease names its owner and expiry, the
 * worker renews it while the job runs, and only the owner can record the job's outcome. Another
 * worker may take a job over only once its lease has expired; an expired lease that nobody took
 * over still belongs to its owner. Every lease check is one conditional `UPDATE` (or happens under
 * the job's row lock), so it holds with many processes on one PostgreSQL database.
 */
export interface Store {
  /** Resolves when the database answers a trivial query; rejects when it cannot be reached. */
  ping(): Promise<void>;
  /** Closes the SQLite file or the PostgreSQL pool; the store is unusable afterwards. */
  close(): Promise<void>;

  /**
   * Creates both in one transaction; false (and nothing written) when the e-mail is taken, also
   * when another call takes it concurrently (exactly one of several concurrent calls for one e-mail
   * answers true). The e-mail is compared as given: the caller normalises it.
   */
  createOrganizationWithUser(organization: OrganizationRecord, user: UserRecord): Promise<boolean>;
  /** The user with exactly this (normalised) e-mail. */
  findUserByEmail(email: string): Promise<UserRecord | undefined>;
  /** Rejects when the key hash is already stored (it is unique). */
  insertClient(client: ClientRecord): Promise<void>;
  /** The organisation's clients, revoked ones included, newest first. */
  listClients(organizationId: string): Promise<ClientRecord[]>;
  /**
   * True when an active client of that organisation was revoked; false for an unknown client,
   * another organisation's, or one already revoked (so revoking twice keeps the first time).
   */
  revokeClient(organizationId: string, clientId: string, at: string): Promise<boolean>;
  /** The unrevoked client whose key has this hash: what authenticates an API request. */
  findActiveClientByKeyHash(keyHash: string): Promise<ClientRecord | undefined>;

  /**
   * Stores the task and its jobs in one transaction (jobs start with no attempt and no counts).
   * It does not enqueue them: the caller does, once they are stored.
   *
   * With `limits`, the task is admitted only while its organisation has fewer than
   * `maxActiveTasks` tasks in progress (as `countActiveTasks` counts them), checked and inserted
   * atomically: concurrent calls for one organisation, from any number of processes, never take
   * it past the cap. A refused task writes nothing and the answer says how many were in progress.
   */
  insertTask(task: TaskRecord, jobs: NewJob[], limits?: TaskLimits): Promise<TaskAdmission>;
  /** The organisation's task, unless it expired before `now`. */
  findTask(organizationId: string, taskId: string, now: string): Promise<TaskRecord | undefined>;
  /**
   * What names a task's version (status, job counters, `updated_at`), without the large columns:
   * a status read served from cache needs nothing more. Same visibility as `findTask`.
   */
  findTaskVersion(organizationId: string, taskId: string, now: string): Promise<TaskVersion | undefined>;
  /**
   * A page of the organisation's unexpired tasks, newest first (`createdAt`, then `id`), starting
   * after the cursor. Listed tasks have `countsJson` and `figuresJson` null: they can be large.
   */
  listTasks(organizationId: string, now: string, limit: number, after?: TaskCursor): Promise<TaskRecord[]>;
  /** The organisation's tasks still running (`in_progress` or `unloading`), for its concurrency limit. */
  countActiveTasks(organizationId: string): Promise<number>;
  /**
   * Unexpired tasks (`expiresAt` after `now`) of every organisation, by status; each status is
   * present, 0 when no task has it. For the `audiences_tasks` gauge: it names no task or organisation.
   */
  countTasksByStatus(now: string): Promise<Record<TaskStatus, number>>;
  /** The task's jobs in the order their phases run (list, count, unload, manifest), each phase in `seq` order. */
  listJobs(taskId: string): Promise<JobRecord[]>;
  /** The task's output files by partition, then URI. */
  listFiles(taskId: string): Promise<FileRecord[]>;
  /** The objects the task's count jobs read, per partition (empty for a task without a count phase). */
  countManifest(taskId: string): Promise<Record<string, ManifestEntry[]>>;
  /** What the task's exported files hold, once an export job recorded it. */
  exportSchema(taskId: string): Promise<ExportSchema | undefined>;
  /** A file with its task's organisation and expiry, expired or not: the caller decides whether to serve it. */
  findFile(fileId: string): Promise<(FileRecord & { organizationId: string; expiresAt: string }) | undefined>;

  /**
   * Leases a job to `owner` until `now + leaseMs`, marks it running, counts one more attempt, and
   * returns it with its task. A `queued` job can be claimed, and a `running` one whose lease
   * expired (a takeover: `recovered`); never one under another live lease. Undefined when the job
   * is held, finished, not released, or its task failed or expired (a stale or duplicate
   * delivery). Of concurrent claims, exactly one wins.
   */
  claimJob(jobId: string, lease: LeaseRequest): Promise<ClaimedJob | undefined>;
  /**
   * Extends the owner's lease to `now + leaseMs`: `renewed`; `lost` when the job was taken over,
   * handed back or finished; `cancelled` when its task was cancelled. On either of the last two the
   * worker should stop, since the store refuses its outcome. An expired lease nobody took over is
   * renewed.
   */
  renewLease(jobId: string, owner: string, now: string, leaseMs: number): Promise<LeaseRenewal>;
  /**
   * Records the outcome of the owner's job and, when it was the last of its phase, moves the task
   * on as `lifecycle.phaseEnded` decides, all in one transaction: its counts and files replace those
   * of an earlier run of the same job. `lease_lost` when the job is not running under
   * `owner`'s lease (taken over, or already done): nothing is written, so a worker that was taken
   * over never overwrites the new owner's results. `cancelled` when the task was cancelled.
   */
  completeJob(
    jobId: string,
    owner: string,
    outcome: JobOutcome,
    now: string,
    lifecycle: TaskLifecycle,
  ): Promise<JobCompletion>;
  /**
   * Narrows the owner's running job to `keep` (some of its partitions) and stores the rest as new
   * `queued` jobs of the same phase, one per batch of `rest`, after the task's other jobs; the task's
   * job total grows by as many, all in one transaction. The caller enqueues the `released` jobs and
   * runs on with `keep`. `lease_lost` (and no change) when the job is not running under `owner`'s
   * lease; `task_inactive` when its task failed, expired or was cancelled meanwhile.
   */
  splitJob(
    jobId: string,
    owner: string,
    split: { keep: string[]; rest: string[][] },
    now: string,
  ): Promise<{ outcome: 'split'; released: JobRef[] } | { outcome: 'task_inactive' } | LeaseLost>;
  /**
   * Finishes the owner's `list` job with the jobs it planned: marks it done, stores `jobs` (queued)
   * and adds them to the task's job total, all in one transaction. The caller enqueues the
   * `released` jobs. `lease_lost` and `task_inactive` as for `splitJob`.
   */
  expandJob(
    jobId: string,
    owner: string,
    jobs: NewJob[],
    now: string,
  ): Promise<{ outcome: 'expanded'; released: JobRef[] } | { outcome: 'task_inactive' } | LeaseLost>;
  /**
   * Puts the owner's running job back to `queued` after a transient failure, keeping the error
   * and releasing the lease; the caller enqueues it again. `lease_lost` (and no change) when the
   * job is not running under `owner`'s lease.
   */
  requeueJob(
    jobId: string,
    owner: string,
    error: string,
    now: string,
  ): Promise<{ outcome: 'requeued' } | LeaseLost>;
  /**
   * Fails the owner's job for good and, with it, the task, in one transaction. The task keeps the
   * first error it got. `lease_lost` (and no change) when the job is not running under `owner`'s
   * lease.
   */
  failJob(
    jobId: string,
    owner: string,
    error: TaskError,
    now: string,
  ): Promise<{ outcome: 'failed' } | LeaseLost>;
  /**
   * Hands every job `owner` holds back to `queued` (a graceful shutdown), without counting the
   * interrupted run as an attempt, and returns them for the caller to enqueue. The owner's
   * own later calls for those jobs get `lease_lost`.
   */
  releaseLeases(owner: string, now: string): Promise<JobRef[]>;
  /**
   * Hands every running job not held by `owner` back to `queued`, live lease or not, and returns
   * them. Only for a process that knows it is the store's only worker (the embedded mode on
   * its SQLite file): the leases it finds are those of its own previous run, which died, and its
   * restart resumes their jobs at once instead of waiting for the leases to expire. Never call it
   * where other workers share the store.
   */
  releaseOtherLeases(owner: string, now: string): Promise<JobRef[]>;
  /**
   * Moves the task as `lifecycle.unloadRequested` decides, given its final counts, in one
   * transaction. `not_found` for an unknown, expired or other organisation's task; `conflict` when
   * the lifecycle refuses (of two concurrent calls, the second sees the first's move). The caller
   * enqueues the `released` jobs.
   */
  startUnload(
    organizationId: string,
    taskId: string,
    now: string,
    lifecycle: TaskLifecycle,
  ): Promise<UnloadStart>;
  /**
   * Cancels the organisation's unfinished task in one transaction: the task becomes `cancelled`,
   * its pending, queued and running jobs `cancelled` (never claimed, renewed or recorded again), and
   * its file rows are deleted (the caller removes the files). `not_found` as for `startUnload`;
   * `conflict` when the task is already `completed`, `failed` or `cancelled`. Of a cancel and a job's
   * completion at once, either the job is recorded first and its files are among those deleted, or
   * the completion finds the task cancelled and writes nothing.
   */
  cancelTask(organizationId: string, taskId: string, now: string): Promise<TaskCancel>;
  /**
   * Takes the organisation's `failed` task back to work in one transaction: its failed jobs are
   * `queued` again with no attempt and no error, the task gets the status `lifecycle.retryRequested`
   * gives for their phase, without error and failed jobs. Its done jobs stay done. Returns the jobs
   * to enqueue: those, the task's jobs still queued, and its running jobs whose lease expired (their
   * worker gave up when the task failed). `not_found` as for `startUnload`; `conflict` when the
   * lifecycle refuses.
   */
  retryTask(
    organizationId: string,
    taskId: string,
    now: string,
    lifecycle: TaskLifecycle,
  ): Promise<TaskRetry>;
  /**
   * The jobs of active unexpired tasks that some worker should run now, oldest task first: the
   * `queued` ones (the queue may have lost them) and the `running` ones whose lease expired at
   * `now` (their worker died: `leaseExpired`). Never a job under a live lease. What a starting
   * process and the reconciler enqueue.
   *
   * With `queuedBefore` (the reconciler's), only the `queued` jobs last updated at or before it: a
   * job queued or requeued with a retry's backoff since then is still the queue's to deliver.
   * Running jobs whose lease expired are returned either way. Without it (a starting process),
   * every `queued` job.
   */
  resumableJobs(now: string, queuedBefore?: string): Promise<ResumableJob[]>;

  /**
   * Reserves the organisation's key for the request `reservation` describes (its `createdAt` is
   * now). The row is inserted first and the unique (organisation, key) decides: of concurrent
   * calls for one key, from any number of processes, exactly one is `reserved`. A key that expired,
   * or that a request reserved before `abandonedBefore` and never answered (it crashed or hung), is
   * taken over by one conditional update, which again only one caller wins. Otherwise `taken`,
   * with the key as it stands.
   */
  reserveIdempotencyKey(
    reservation: Omit<IdempotencyRecord, 'response'>,
    abandonedBefore: string,
  ): Promise<IdempotencyReservation>;
  /**
   * Stores the answer of the request holding the key (`token`); false, and nothing written, when
   * the key is no longer its own (taken over as abandoned) or already answered.
   */
  recordIdempotentResponse(
    organizationId: string,
    key: string,
    token: string,
    response: IdempotentResponse,
  ): Promise<boolean>;
  /**
   * Frees the key of a request that gave no answer worth keeping, so the next request with it
   * does the work; false when the key is no longer `token`'s or already answered.
   */
  releaseIdempotencyKey(organizationId: string, key: string, token: string): Promise<boolean>;
  /** Deletes every key that expired at `now`, answered or not; how many. */
  deleteExpiredIdempotencyKeys(now: string): Promise<number>;
  /**
   * Stores the webhook while its organisation has fewer than `maxPerOrganization`, checked and
   * inserted atomically (as `insertTask` does its cap); a refused webhook writes nothing.
   */
  insertWebhook(webhook: WebhookRecord, maxPerOrganization: number): Promise<WebhookAdmission>;
  /** The organisation's webhooks, oldest first, with their secrets (the caller decides what to show). */
  listWebhooks(organizationId: string): Promise<WebhookRecord[]>;
  /** The organisation's webhook; undefined for an unknown id or another organisation's. */
  findWebhook(organizationId: string, webhookId: string): Promise<WebhookRecord | undefined>;
  /**
   * Deletes the organisation's webhook with its deliveries (pending ones are never sent) and their
   * log; false for an unknown id or another organisation's.
   */
  deleteWebhook(organizationId: string, webhookId: string): Promise<boolean>;
  /** A page of the webhook's attempts, newest first (`attemptedAt`, then `id`), after the cursor. */
  listWebhookAttempts(
    webhookId: string,
    limit: number,
    after?: AttemptCursor,
  ): Promise<WebhookAttemptRecord[]>;
  /**
   * Leases up to `limit` pending deliveries due at `now` to `owner` until `now + leaseMs`, counts
   * one more attempt on each, and returns them, oldest due first. A delivery under another live
   * lease is never returned: of concurrent claims (any number of processes), each delivery goes to
   * one (PostgreSQL skips rows another claim has locked; SQLite runs one writer at a time). A
   * lease that expired (its deliverer died mid-attempt) is taken over.
   */
  claimWebhookDeliveries(lease: LeaseRequest, limit: number): Promise<ClaimedDelivery[]>;
  /**
   * Records the owner's attempt and moves the delivery on (`delivered`, due again at
   * `nextAttemptAt`, or `failed`), releasing the lease, in one transaction. `lease_lost` (and
   * nothing written) when the delivery is no longer pending under `owner`'s lease.
   */
  recordWebhookAttempt(
    deliveryId: string,
    owner: string,
    result: WebhookAttemptResult,
  ): Promise<{ outcome: 'recorded' } | LeaseLost>;
  /**
   * Releases the delivery leases of every owner but `owner`: like `releaseOtherLeases`, only for
   * the embedded mode's single worker, whose previous run died holding them. The deliveries are
   * due again at once.
   */
  releaseOtherWebhookLeases(owner: string): Promise<number>;
}
