/**
 * The store is the truth: accounts, tasks, jobs, counts and files. Implementations sit side by side
 * (`kysely-store.ts` over SQLite or PostgreSQL); the domain only sees this interface.
 */

export type TaskStatus = 'in_progress' | 'counted' | 'unloading' | 'completed' | 'failed';
export type JobPhase = 'count' | 'unload';
/** `pending`: planned but not released to the queue yet. */
export type JobStatus = 'pending' | 'queued' | 'running' | 'done' | 'failed';

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
}

export interface FileRecord {
  id: string;
  taskId: string;
  jobId: string;
  partition: string;
  uri: string;
  rows: number;
  sizeBytes: number;
  createdAt: string;
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
  files: Array<Pick<FileRecord, 'id' | 'partition' | 'uri' | 'rows' | 'sizeBytes'>>;
  /** The objects a count job read, per partition. */
  manifest?: Record<string, ManifestEntry[]>;
}

/**
 * Plans the export jobs of a task once its counts are known (empty partitions need no job);
 * null keeps the task `counted` until a client asks for the export.
 */
export type UnloadPlanner = (task: TaskRecord, counts: Record<string, number>) => NewJob[] | null;

export interface TaskCursor {
  createdAt: string;
  id: string;
}

export type UnloadStart =
  | { outcome: 'started'; released: string[] }
  | { outcome: 'not_found' }
  | { outcome: 'conflict' };

export interface Store {
  ping(): Promise<void>;
  close(): Promise<void>;

  /** Creates both in one transaction; false when the e-mail is taken. */
  createOrganizationWithUser(organization: OrganizationRecord, user: UserRecord): Promise<boolean>;
  findUserByEmail(email: string): Promise<UserRecord | undefined>;
  insertClient(client: ClientRecord): Promise<void>;
  listClients(organizationId: string): Promise<ClientRecord[]>;
  /** True when an active client of that organisation was revoked. */
  revokeClient(organizationId: string, clientId: string, at: string): Promise<boolean>;
  findActiveClientByKeyHash(keyHash: string): Promise<ClientRecord | undefined>;

  insertTask(task: TaskRecord, jobs: NewJob[]): Promise<void>;
  /** The organisation's task, unless it expired before `now`. */
  findTask(organizationId: string, taskId: string, now: string): Promise<TaskRecord | undefined>;
  /**
   * What names a task's version (status, job counters, `updated_at`), without the large columns:
   * a status read served from cache needs nothing more.
   */
  findTaskVersion(organizationId: string, taskId: string, now: string): Promise<TaskVersion | undefined>;
  listTasks(organizationId: string, now: string, limit: number, after?: TaskCursor): Promise<TaskRecord[]>;
  countActiveTasks(organizationId: string): Promise<number>;
  listJobs(taskId: string): Promise<JobRecord[]>;
  listFiles(taskId: string): Promise<FileRecord[]>;
  /** The objects the task's count jobs read, per partition (empty for a task without a count phase). */
  countManifest(taskId: string): Promise<Record<string, ManifestEntry[]>>;
  findFile(fileId: string): Promise<(FileRecord & { organizationId: string; expiresAt: string }) | undefined>;

  /**
   * Marks a deliverable job running and returns it with its task; undefined when the job is
   * finished, not released, or its task failed or expired (a stale or duplicate delivery).
   */
  claimJob(jobId: string, now: string): Promise<{ job: JobRecord; task: TaskRecord } | undefined>;
  /**
   * Records a job's outcome and, when it was the last of its phase, moves the task on, all in one
   * transaction. Returns the ids of jobs it released to the queue.
   */
  completeJob(jobId: string, outcome: JobOutcome, now: string, planUnload: UnloadPlanner): Promise<string[]>;
  /** Puts a running job back in the queue after a transient failure. */
  requeueJob(jobId: string, error: string, now: string): Promise<void>;
  /** Fails the job for good and, with it, the task. */
  failJob(jobId: string, error: TaskError, now: string): Promise<void>;
  /** Moves a `counted` task to `unloading` with its export jobs. */
  startUnload(
    organizationId: string,
    taskId: string,
    now: string,
    planUnload: UnloadPlanner,
  ): Promise<UnloadStart>;
  /** Jobs that were released or running when the process stopped, oldest task first. */
  resumableJobIds(now: string): Promise<string[]>;
}
