import { randomUUID } from 'node:crypto';
import type { Principal } from '../accounts/account-service.ts';
import type { FooterRows } from '../catalog/footer-rows.ts';
import type { GenericTaskBody, IntentTaskBody } from '../contract/task-body-schemas.ts';
import type {
  DataWarnings,
  TaskCreatedReply,
  TaskEstimateReply,
  TaskList,
  TaskPreview,
} from '../contract/task-schemas.ts';
import { AppError } from '../errors.ts';
import type { JobLanes } from '../jobs/job-lanes.ts';
import { settlesWithin } from '../settles-within.ts';
import type { StoredObject } from '../storage/storage.ts';
import type { JobRef, NewJob, Store, TaskLifecycle, TaskRecord } from '../store/store.ts';
import { jobsFor, listJob } from './planning/job-rows.ts';
import { type PlannedTask, TaskPlanner, type TaskPlannerOptions } from './planning/task-planner.ts';
import { dataWarnings, type IntentDataValues, refuseWarnings } from './requests/data-warnings.ts';
import type { TaskChanges } from './task-changes.ts';
import { decodeCursor, encodeCursor } from './task-cursor.ts';
import { TaskEstimator } from './task-estimator.ts';
import { taskLifecycle } from './task-lifecycle.ts';
import {
  ADDED,
  firstJobPhase,
  type IntentRequestView,
  REMOVED,
  type StoredRequest,
  wholeExportKey,
} from './task-model.ts';
import { removeTaskOutputs } from './task-outputs.ts';
import { type PreviewLimits, type SegmentsWork, TaskPreviews } from './task-preview.ts';
import { type ReadConditions, type TaskAnswer, TaskReader, taskNotFound } from './task-reader.ts';
import type { TaskViews } from './task-view.ts';

/** The folder of the service's own area that holds split exports' parts not delivered. */
const HELD_BACK = 'held-back';

/** How long a request waits for the queue to take its jobs before it leaves them to the reconciler. */
const HAND_OVER_MS = 2_000;

/** How old a listing of the intent tree a create's warnings may start from (see `warningsOf`). */
export const INTENT_DATA_MAX_AGE_MS = 60_000;

export interface TaskServiceOptions extends TaskPlannerOptions {
  store: Store;
  queue: JobLanes;
  views: TaskViews;
  /** Wakes readers waiting for a task to change; without it, waits end at their deadline. */
  changes?: TaskChanges;
  taskTtlMs: number;
  /** Most tasks an organisation may have in progress at once. */
  maxActiveTasks: number;
  /** Rows of input files from their footers, shared with the intent catalog. */
  footers: FooterRows;
  /** How previews are bounded. @defaultValue 256MB, 10 s, 2 at once */
  preview?: PreviewLimits;
  /** Root of exports (as the job runner's `outputPath`): a cancel removes the task's folder under it. */
  outputPath: string;
  /**
   * Root of the service's own area (`SNAPSHOT_PATH`): a split export keeps its parts not delivered
   * (holdouts) in `{snapshotPath}/{organization_id}/held-back/{task_id}/`.
   */
  snapshotPath: string;
  clock?: () => Date;
  /**
   * The days, prefixes and scores the server's intent tree holds (the catalog's): intent requests
   * over it are answered with warnings for values without data. `fresh: false` may answer from a
   * recent listing of the tree (a request that would be warned asks again with `fresh: true`).
   * Absent: no warnings.
   */
  intentData?: (fresh: boolean) => Promise<IntentDataValues>;
  /** Cancels and retries (at info level), and files of a cancelled task that could not be removed. */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** Creating, reading, unloading, cancelling and retrying tasks: the domain behind the task routes. */
export class TaskService {
  private readonly clock: () => Date;
  private readonly planner: TaskPlanner;
  private readonly reader: TaskReader;
  private readonly estimator: TaskEstimator;
  private readonly previews: TaskPreviews;

  constructor(private readonly options: TaskServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.planner = new TaskPlanner(options);
    const { store, views, changes, storage } = options;
    this.reader = new TaskReader({ store, views, changes, clock: this.clock });
    this.estimator = new TaskEstimator({
      planner: this.planner,
      storage,
      footers: options.footers,
      warnings: (request, body) => this.warningsOf(request, body),
    });
    this.previews = new TaskPreviews({
      store,
      storage,
      limits: options.preview ?? { memoryLimit: '256MB', timeoutMs: 10_000 },
      clock: this.clock,
    });
  }

  /** Closes what the service keeps open (the DuckDB instance ready for previews). */
  async close(): Promise<void> {
    await this.previews.close();
  }

  async createIntentTask(principal: Principal, body: IntentTaskBody): Promise<TaskCreatedReply> {
    const planned = await this.planner.intent(body, () => this.checkCapacity(principal));
    const warnings = await this.warningsOf(planned.request, body);
    if (body.strict) refuseWarnings(warnings);
    const request = warnings.length > 0 ? { ...planned.request, warnings } : planned.request;
    return { ...(await this.insert(principal, { ...planned, request })), warnings };
  }

  async createGenericTask(principal: Principal, body: GenericTaskBody): Promise<TaskCreatedReply> {
    return this.insert(principal, await this.planner.generic(body, () => this.checkCapacity(principal)));
  }

  /**
   * What an intent task would read (partitions, files, bytes, rows from footers), validated as a
   * create is; stores nothing and does not count against the cap on tasks in progress.
   */
  estimateIntentTask(body: IntentTaskBody): Promise<TaskEstimateReply> {
    return this.estimator.intent(body);
  }

  /** What a generic task would read; see `estimateIntentTask`. */
  estimateGenericTask(body: GenericTaskBody): Promise<TaskEstimateReply> {
    return this.estimator.generic(body);
  }

  /** The task detail with its entity tag, or `notModified`; see `TaskReader.read`. */
  getJson(principal: Principal, taskId: string, conditions?: ReadConditions): Promise<TaskAnswer> {
    return this.reader.read(principal, taskId, conditions);
  }

  /**
   * The first `limit` rows of the task's segment (its filter and columns applied), read now without
   * exporting: for any task of the caller's organisation that has not failed (409) or expired (404).
   */
  async preview(principal: Principal, taskId: string, limit: number): Promise<TaskPreview> {
    return this.previews.preview(await this.reader.find(principal, taskId), limit);
  }

  /** The caller's task; `task_not_found` when it is unknown, expired or another organisation's. */
  find(principal: Principal, taskId: string): Promise<TaskRecord> {
    return this.reader.find(principal, taskId);
  }

  /** Runs `work` over the whole segments of `tasks` in one sandbox bounded as a preview; see `TaskPreviews.readSegments`. */
  readSegments<T>(tasks: readonly TaskRecord[], work: SegmentsWork<T>): Promise<T> {
    return this.previews.readSegments(tasks, work);
  }

  /**
   * A link to the manifest of the task's export, signed now: the stable `manifest_url` of webhook
   * bodies leads here. 409 until an export of the task has completed.
   */
  async manifestLink(principal: Principal, taskId: string): Promise<string> {
    const task = await this.reader.find(principal, taskId);
    const link = await this.options.views.manifestLink(task);
    if (link === null) {
      throw new AppError(
        'task_state_conflict',
        `task ${taskId} has no manifest (status ${task.status}): an export writes it when it completes`,
      );
    }
    return link;
  }

  /**
   * A page of the organisation's tasks, newest first; with `search` (trimmed; blank is none), only
   * those whose name contains it in any letter case, or whose id starts with it.
   */
  async list(
    principal: Principal,
    limit: number,
    cursor: string | undefined,
    search?: string,
  ): Promise<TaskList> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const now = this.clock().toISOString();
    const text = search?.trim() || undefined;
    const tasks = await this.options.store.listTasks(principal.organizationId, now, limit + 1, after, text);
    const page = tasks.slice(0, limit);
    const last = page.at(-1);
    return {
      tasks: page.map((task) => this.options.views.summary(task)),
      next_cursor:
        tasks.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }

  async unload(principal: Principal, taskId: string): Promise<TaskCreatedReply> {
    const now = this.clock().toISOString();
    const result = await this.options.store.startUnload(
      principal.organizationId,
      taskId,
      now,
      this.lifecycle,
    );
    if (result.outcome === 'not_found') throw taskNotFound(taskId);
    if (result.outcome !== 'conflict') this.options.changes?.notify(taskId);
    if (result.outcome === 'conflict') {
      const task = await this.reader.find(principal, taskId);
      throw new AppError(
        'task_state_conflict',
        `task ${taskId} is ${task.status}; only a counted task (created with perform_unload: false) can be unloaded`,
      );
    }
    await this.handOver(result.released);
    return summaryOf(await this.reader.find(principal, taskId));
  }

  /**
   * Cancels an unfinished task: `cancelled` at once in the store with its jobs (a worker running one
   * hears of it through the task change feed and interrupts its query), its file rows deleted and
   * its output folder removed. 409 for a task already `completed`, `failed` or `cancelled`.
   */
  async cancel(principal: Principal, taskId: string): Promise<TaskCreatedReply> {
    const { store, storage, outputPath, changes, log } = this.options;
    const result = await store.cancelTask(principal.organizationId, taskId, this.clock().toISOString());
    if (result.outcome === 'not_found') throw taskNotFound(taskId);
    if (result.outcome === 'conflict') {
      throw new AppError(
        'task_state_conflict',
        `task ${taskId} is ${result.status}; only a task that has not ended (in_progress, counted or unloading) can be cancelled`,
      );
    }
    const { task, stopped } = result;
    changes?.notify(task.id);
    log?.('task cancelled', { taskId: task.id, organizationId: task.organizationId, runningJobs: stopped });
    // The cancel stands whatever happens here: a job still publishing removes its files itself.
    await removeTaskOutputs(storage, outputPath, task).catch((error: unknown) =>
      log?.('files of a cancelled task not removed', { taskId: task.id, error: String(error) }),
    );
    return summaryOf(task);
  }

  /**
   * Runs a `failed` task's failed jobs again: the task goes back to the status of their phase and
   * continues where it stopped (its done jobs are not run again). 409 in any other status.
   */
  async retry(principal: Principal, taskId: string): Promise<TaskCreatedReply> {
    const { store, changes, log } = this.options;
    const now = this.clock().toISOString();
    const result = await store.retryTask(principal.organizationId, taskId, now, this.lifecycle);
    if (result.outcome === 'not_found') throw taskNotFound(taskId);
    if (result.outcome === 'conflict') {
      throw new AppError(
        'task_state_conflict',
        `task ${taskId} is ${result.status}; only a failed task can be retried`,
      );
    }
    changes?.notify(taskId);
    await this.handOver(result.released);
    log?.('task retried', { taskId, jobs: result.released.length });
    return summaryOf(result.task);
  }

  /** The task state machine, with export jobs over the partitions that have rows (or people). */
  readonly lifecycle: TaskLifecycle = taskLifecycle((task, counts) => {
    const { plan } = task.request as StoredRequest;
    // A delta run exports who joined and who left, even when nobody is a member any more.
    if (plan.delta) return jobsFor('unload', [[ADDED, REMOVED]], 'queued');
    // A people export or a single file is one job over every partition the count read (see `JobRunner`).
    const whole = wholeExportKey(plan);
    if (whole !== null) {
      return Object.values(counts).some((n) => n > 0) ? jobsFor('unload', [[whole]], 'queued') : [];
    }
    const partitions = Object.keys(counts)
      .filter((p) => (counts[p] ?? 0) > 0)
      .sort();
    return jobsFor('unload', this.planner.exportBatches(partitions), 'queued');
  });

  /** Plans the count or export jobs of a generic task once a `list` job listed its whole input. */
  readonly listPlanner = (task: TaskRecord, files: readonly StoredObject[]): NewJob[] => {
    const request = task.request as StoredRequest;
    return jobsFor(firstJobPhase(request), this.planner.listed(request, files), 'queued');
  };

  /**
   * Plans a task of either kind as a create does (every check, the same 400s), without the cap on
   * tasks in progress: for a saved audience's run, which `AudienceService` stores with its run.
   */
  plan(kind: 'intent' | 'generic', body: IntentTaskBody | GenericTaskBody): Promise<PlannedTask> {
    const admit = async () => {};
    return kind === 'intent'
      ? this.planner.intent(body as IntentTaskBody, admit)
      : this.planner.generic(body as GenericTaskBody, admit);
  }

  /** The task record and jobs of a planned task, to be stored (`insertTask`) and then released. */
  newTask(
    organizationId: string,
    { type, name, request, batches, listing }: PlannedTask,
    id: string = randomUUID(),
  ): { record: TaskRecord; jobs: NewJob[] } {
    const now = this.clock();
    const exportsNow = firstJobPhase(request) === 'unload';
    // An input too large to list now gets one job that lists it and plans the others.
    const jobs: NewJob[] = listing ? listJob() : jobsFor(firstJobPhase(request), batches, 'queued');
    const record: TaskRecord = {
      id,
      organizationId,
      type,
      name: name ?? null,
      status: exportsNow ? 'unloading' : 'in_progress',
      request: this.withHeldBack(request, `${organizationId}/${HELD_BACK}/${id}`),
      totalJobs: jobs.length,
      completedJobs: 0,
      failedJobs: 0,
      totalCount: null,
      countsJson: null,
      figuresJson: null,
      error: null,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      completedAt: null,
      expiresAt: new Date(now.getTime() + this.options.taskTtlMs).toISOString(),
    };
    return { record, jobs };
  }

  /**
   * A split export with parts not delivered (holdouts) keeps them in the service's own area, in a
   * folder named by the task (`folder`, under `snapshotPath`); any other request as it is.
   */
  private withHeldBack(request: StoredRequest, folder: string): StoredRequest {
    const { splits } = request.plan;
    if (!splits?.splits.some((split) => !split.deliver)) return request;
    const heldBack = this.options.storage.join(this.options.snapshotPath, folder);
    return { ...request, plan: { ...request.plan, splits: { ...splits, heldBack } } };
  }

  /** Hands a stored task's jobs to the queue. */
  async release(task: TaskRecord, jobs: readonly NewJob[]): Promise<void> {
    await this.handOver(
      jobs.map((job) => ({ id: job.id, phase: job.phase, organizationId: task.organizationId })),
    );
  }

  /**
   * Enqueues jobs the store already holds as queued, waiting at most {@link HAND_OVER_MS}: when the
   * queue cannot take them (Redis restarting), the request still succeeds, since the store is the
   * truth, and the workers' reconciler enqueues them once the queue is back.
   */
  private async handOver(jobs: readonly JobRef[]): Promise<void> {
    if (jobs.length === 0) return;
    const enqueued = this.options.queue.enqueue(jobs);
    // A failure after the wait is the reconciler's to make good, like one within it.
    enqueued.catch(() => undefined);
    const taken = await settlesWithin(enqueued, HAND_OVER_MS).catch((error: unknown) => String(error));
    if (taken === true) return;
    this.options.log?.('jobs left for the reconciler: the queue did not take them', {
      jobs: jobs.length,
      error: taken === false ? `the queue did not answer within ${HAND_OVER_MS} ms` : taken,
    });
  }

  private async insert(principal: Principal, planned: PlannedTask): Promise<TaskCreatedReply> {
    const { record: task, jobs } = this.newTask(principal.organizationId, planned);
    // The final word on the cap: checked and inserted atomically, whatever runs concurrently.
    const admission = await this.options.store.insertTask(task, jobs, {
      maxActiveTasks: this.options.maxActiveTasks,
    });
    if (!admission.admitted) throw this.tooManyActive(admission.active);
    await this.release(task, jobs);
    return { task_id: task.id, status: task.status, total_jobs: task.totalJobs, completed_jobs: 0 };
  }

  /** Warnings for the requested values the server's intent tree holds no rows for (none for another input). */
  private async warningsOf(request: StoredRequest, body: IntentTaskBody): Promise<DataWarnings> {
    const read = this.options.intentData;
    if (body.input_path !== undefined || !read) return [];
    // Best effort: a tree the catalog cannot read now (a storage outage, an unreadable footer) is the
    // task's problem to report when it runs, as before; the create is not refused for it.
    const warningsFrom = async (fresh: boolean) => {
      const data = await read(fresh).catch(() => undefined);
      return data ? dataWarnings(request.view as IntentRequestView, data) : [];
    };
    // Listing the tree costs more than the rest of a create (10,000 partitions: ~30 ms): a recent
    // listing answers when it holds every value asked for, and a fresh one confirms each warning, so
    // a day that has just arrived is never warned about. A day removed since the recent listing goes
    // unwarned until it is listed again (at most INTENT_DATA_MAX_AGE_MS later); the task counts it 0.
    const recent = await warningsFrom(false);
    return recent.length === 0 ? recent : warningsFrom(true);
  }

  /**
   * The early, cheap check: an organisation at its cap hears so before any input is read. It can
   * pass for several concurrent requests at once; `insert` admits atomically.
   */
  private async checkCapacity(principal: Principal): Promise<void> {
    const active = await this.options.store.countActiveTasks(principal.organizationId);
    if (active >= this.options.maxActiveTasks) throw this.tooManyActive(active);
  }

  private tooManyActive(active: number): AppError {
    return new AppError(
      'too_many_active_tasks',
      `your organisation has ${active} tasks in progress (the limit is ${this.options.maxActiveTasks}); wait for some to finish`,
      [],
      { 'retry-after': '5' },
    );
  }
}

/** What a request that starts or changes a task answers. */
function summaryOf(task: TaskRecord): TaskCreatedReply {
  return {
    task_id: task.id,
    status: task.status,
    total_jobs: task.totalJobs,
    completed_jobs: task.completedJobs,
  };
}
