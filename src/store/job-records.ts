import type {
  ExportSchema,
  FileRecord,
  ManifestEntry,
  TaskError,
  TaskLifecycle,
  TaskRecord,
} from './task-records.ts';

/**
 * `list`: lists a large input and plans the task's count or export jobs (a generic task whose input
 * is too large to list while the client waits); `count` and `unload` read partitions; `reduce`: one
 * hash bucket of a unique count whose count jobs each saw part of it (see `tasks/unique-slices.ts`);
 * `manifest`:
 * the last job of an export, which writes its `manifest.json` and `_SUCCESS`.
 */
export type JobPhase = 'list' | 'count' | 'reduce' | 'unload' | 'manifest';

/**
 * `pending`: planned but not released to the queue yet. `cancelled`: its task was cancelled before
 * it ended; it never runs nor records again.
 */
export type JobStatus = 'pending' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

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
  /**
   * Figures of this job's part of the segment (any JSON value), kept on the job and handed to the
   * lifecycle with its phase's others when the phase ends (`TaskLifecycle.phaseEnded`).
   */
  partFigures?: unknown;
}

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
  /** When the job last changed before this claim (queued, or its lease last renewed): its wait. */
  queuedAt: string;
}

/**
 * The job is no longer `running` under the caller's lease: another worker took it over, or it
 * was handed back or finished. Nothing was written.
 */
export interface LeaseLost {
  outcome: 'lease_lost';
}

export type JobCompletion =
  /**
   * The outcome is stored; `released` are the jobs it released (the caller enqueues them);
   * `phaseEnded` when it was the last job of its phase, and the task moved on.
   */
  | { outcome: 'recorded'; released: JobRef[]; phaseEnded: boolean }
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

/** The worker's moves of a job: claimed under a lease, renewed, and settled only by the lease holder. */
export interface JobStore {
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
   * `jobs` (queued, of the same phase, planned by the caller; renumbered after the task's other jobs); the task's
   * job total grows by as many, all in one transaction. The caller enqueues the `released` jobs and
   * runs on with `keep`. `lease_lost` (and no change) when the job is not running under `owner`'s
   * lease; `task_inactive` when its task failed, expired or was cancelled meanwhile.
   */
  splitJob(
    jobId: string,
    owner: string,
    split: { keep: string[]; jobs: NewJob[] },
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
   * Hands every job `owner` holds back to `queued` (a graceful shutdown), or only those of
   * `jobIds` it holds (runs whose outcome could not be recorded), without counting the interrupted
   * run as an attempt, and returns them for the caller to enqueue. The owner's own later calls for
   * those jobs get `lease_lost`.
   */
  releaseLeases(owner: string, now: string, jobIds?: readonly string[]): Promise<JobRef[]>;

  /**
   * Hands every running job not held by `owner` back to `queued`, live lease or not, and returns
   * them. Only for a process that knows it is the store's only worker (the embedded mode on
   * its SQLite file): the leases it finds are those of its own previous run, which died, and its
   * restart resumes their jobs at once instead of waiting for the leases to expire. Never call it
   * where other workers share the store.
   */
  releaseOtherLeases(owner: string, now: string): Promise<JobRef[]>;

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
}
