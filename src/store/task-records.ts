import type { JobPhase, JobRecord, JobRef, NewJob } from './job-records.ts';

/** `completed`, `failed` and `cancelled` are final; `retry` takes a `failed` task back to work. */
export type TaskStatus = 'in_progress' | 'counted' | 'unloading' | 'completed' | 'failed' | 'cancelled';

export interface TaskError {
  code: string;
  message: string;
}

export interface TaskRecord {
  id: string;
  organizationId: string;
  type: string;
  /** A name for people, trimmed (the domain checked it); null without one. */
  name: string | null;
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

/** A move of a task's state: its new status, the jobs it adds, and its final counts if it ends counting. */
export interface TaskMove {
  status: TaskStatus;
  /** Jobs the move adds to the task (its `totalJobs` grows by as many); the queued ones are released. */
  jobs: NewJob[];
  /** The task's final counts, when the move ends its counting: stored sorted, with their total. */
  counts?: Record<string, number>;
  /** Figures of the whole segment to store on the task (`figuresJson`), replacing any before. */
  figures?: unknown;
}

/**
 * The task state machine, which the domain decides (`tasks/task-lifecycle.ts`) and the store
 * writes in the same transaction as what triggered the move.
 */
export interface TaskLifecycle {
  /** The last job of `phase` is done; `counts` are the phase's counts, merged. */
  phaseEnded(
    task: TaskRecord,
    phase: JobPhase,
    counts: Record<string, number>,
    /** The `partFigures` the phase's jobs recorded, in job order (none when none did). */
    parts?: readonly unknown[],
  ): TaskMove;
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

/** The cap `insertTask` enforces for the task's organisation. */
export interface TaskLimits {
  /** Most tasks the organisation may have in progress (`in_progress` or `unloading`) at once. */
  maxActiveTasks: number;
}

/** Whether `insertTask` stored the task; when it did not, how many of the organisation's tasks were in progress. */
export type TaskAdmission = { admitted: true } | { admitted: false; active: number };

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

/** Tasks, their files and what their jobs recorded; the moves a client asks for (unload, cancel, retry). */
export interface TaskStore {
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
   * With `search`, only tasks whose name contains it in any letter case (both folded alike, see
   * `searchKey`), or whose id starts with it.
   */
  listTasks(
    organizationId: string,
    now: string,
    limit: number,
    after?: TaskCursor,
    search?: string,
  ): Promise<TaskRecord[]>;

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
}
