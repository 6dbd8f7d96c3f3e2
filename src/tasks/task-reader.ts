import type { Principal } from '../accounts/account-service.ts';
import { AppError } from '../errors.ts';
import type { Store, TaskRecord } from '../store/store.ts';
import type { SerializedDetail } from './task-answer-cache.ts';
import type { TaskChanges } from './task-changes.ts';
import type { TaskViews } from './task-view.ts';

export interface TaskReaderOptions {
  store: Store;
  views: TaskViews;
  /** Wakes readers waiting for a task to change; without it, waits end at their deadline. */
  changes?: TaskChanges;
  clock: () => Date;
}

/** Conditions of a status read: whether the reader already holds a version, and how long to wait for a change. */
export interface ReadConditions {
  /**
   * Whether the reader already holds the version with this entity tag (HTTP reads it from
   * `If-None-Match`); without it the read is unconditional.
   */
  isCurrent?: (etag: string) => boolean;
  waitMs?: number;
  /** Aborts the wait (the client went away). */
  signal?: AbortSignal;
}

export type TaskAnswer =
  | { etag: string; detail: SerializedDetail; notModified?: never }
  | { etag: string; notModified: true };

/** A waiting reader reads the store again this often, to see changes made by other processes. */
const RECHECK_MS = 2_000;

/** Reads of one task of the reader's organisation, with long polling for the next change. */
export class TaskReader {
  constructor(private readonly options: TaskReaderOptions) {}

  /**
   * The task detail, serialised (large answers of settled tasks are served from a cache), with its
   * entity tag. A reader that already holds the current version (`isCurrent`) gets `notModified`,
   * after waiting up to `waitMs` for the task to change (long polling).
   */
  async read(principal: Principal, taskId: string, conditions: ReadConditions = {}): Promise<TaskAnswer> {
    const { views, changes, clock } = this.options;
    const deadline = clock().getTime() + (conditions.waitMs ?? 0);
    for (;;) {
      // Watch before reading, so a change committed in between still wakes this reader.
      const watch = conditions.isCurrent && conditions.waitMs ? changes?.watch(taskId) : undefined;
      // The version alone answers a read of a cached or unchanged task; the full row only on a miss.
      const version = await this.options.store.findTaskVersion(
        principal.organizationId,
        taskId,
        clock().toISOString(),
      );
      if (!version) {
        watch?.cancel();
        throw taskNotFound(taskId);
      }
      const etag = views.etag(version);
      if (!conditions.isCurrent?.(etag)) {
        watch?.cancel();
        const cached = views.cachedDetail(version);
        if (cached) return { etag, detail: cached };
        const task = await this.find(principal, taskId);
        return { etag: views.etag(task), detail: await views.detailJson(task) };
      }
      const remaining = deadline - clock().getTime();
      if (!watch || remaining <= 0 || conditions.signal?.aborted) {
        watch?.cancel();
        return { etag, notModified: true };
      }
      await watch.next(Math.min(remaining, RECHECK_MS), conditions.signal);
    }
  }

  /** The task's row; `task_not_found` when it is unknown, expired or another organisation's. */
  async find(principal: Principal, taskId: string): Promise<TaskRecord> {
    const task = await this.options.store.findTask(
      principal.organizationId,
      taskId,
      this.options.clock().toISOString(),
    );
    if (!task) throw taskNotFound(taskId);
    return task;
  }
}

export function taskNotFound(taskId: string): AppError {
  return new AppError('task_not_found', `no task ${taskId} in your organisation (it may have expired)`);
}
