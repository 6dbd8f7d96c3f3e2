import { randomUUID } from 'node:crypto';
import type { Principal } from '../accounts/account-service.ts';
import { type ColumnInfo, ExpressionError, guardSelect, guardWhere } from '../engine/sql-guard.ts';
import { AppError, invalidField } from '../errors.ts';
import type { JobQueue } from '../queue/queue.ts';
import type { StagedFiles, Storage, StoredObject } from '../storage/storage.ts';
import { StorageError } from '../storage/storage-error.ts';
import type { NewJob, Store, TaskCursor, TaskRecord, UnloadPlanner } from '../store/store.ts';
import { parseDays } from './days.ts';
import type { InputPathPolicy } from './input-paths.ts';
import { resolveInput } from './input-paths.ts';
import type { InputSchemas } from './input-schema.ts';
import { batchPartitions, jobsFor, partitionsPerJob } from './partition-batches.ts';
import type { TaskChanges } from './task-changes.ts';
import {
  type GenericRequestView,
  type IntentRequestView,
  intentPartitionKey,
  SCORES,
  type Score,
  type StoredRequest,
  type TaskPlan,
  type TaskType,
} from './task-model.ts';
import type { SerializedDetail, TaskViews } from './task-view.ts';

export interface CommonTaskBody {
  input_path?: string;
  limit?: number;
  perform_unload?: boolean;
  select?: string;
  where_expr?: string;
}

export interface IntentTaskBody extends CommonTaskBody {
  days: string[];
  topic_id_prefixes: string[];
  scores: string[];
}

export interface GenericTaskBody extends CommonTaskBody {
  input_path: string;
}

export interface TaskServiceOptions {
  store: Store;
  queue: JobQueue;
  storage: Storage;
  schemas: InputSchemas;
  views: TaskViews;
  /** Wakes readers waiting for a task to change; without it, waits end at their deadline. */
  changes?: TaskChanges;
  intentInputPath: string;
  inputPolicy: InputPathPolicy;
  taskTtlMs: number;
  /** Jobs a task is spread over (see `jobsPerTask`). */
  jobsPerTask: number;
  /** Most partitions (days × prefixes × scores, or folders) one task may cover. */
  maxPartitions: number;
  /** Most tasks an organisation may have in progress at once. */
  maxActiveTasks: number;
  clock?: () => Date;
}

/** The intent tree's Hive columns and their types. */
export const INTENT_HIVE_TYPES = { day: 'DATE', prefix: 'VARCHAR', score: 'VARCHAR' };
const ORDERED_COLUMNS = { score: SCORES };
const PREFIX = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Conditions of a status read: `If-None-Match` and how long to wait for a change. */
export interface ReadConditions {
  ifNoneMatch?: string;
  waitMs?: number;
  /** Aborts the wait (the client went away). */
  signal?: AbortSignal;
}

export type TaskAnswer =
  | { etag: string; detail: SerializedDetail; notModified?: never }
  | { etag: string; notModified: true };

/** A waiting reader reads the store again this often, to see changes made by other processes. */
const RECHECK_MS = 2_000;

export interface CreatedTask {
  task_id: string;
  status: string;
  total_jobs: number;
  completed_jobs: number;
}

/** Creating, reading and unloading tasks: the domain behind the task routes. */
export class TaskService {
  private readonly clock: () => Date;

  constructor(private readonly options: TaskServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  async createIntentTask(principal: Principal, body: IntentTaskBody): Promise<CreatedTask> {
    const days = parseDays(body.days);
    const prefixes = uniqueStrings(body.topic_id_prefixes, 'topic_id_prefixes', (value) =>
      PREFIX.test(value)
        ? undefined
        : 'use letters, digits, "_", "-" or "." (a topic prefix such as 4eyes_103)',
    );
    const scores = uniqueStrings(body.scores, 'scores', (value) =>
      (SCORES as readonly string[]).includes(value) ? undefined : 'is not a score; use low, medium or high',
    ) as Score[];
    this.checkLimit(body);
    const partitionCount = days.length * prefixes.length * scores.length;
    this.checkPartitionCount(partitionCount);
    const inputRoot =
      body.input_path === undefined
        ? this.options.intentInputPath
        : await resolveInput(body.input_path, this.options.inputPolicy);
    await this.checkCapacity(principal);

    const partitions: string[] = [];
    for (const day of days) {
      for (const prefix of prefixes) {
        for (const score of scores) partitions.push(intentPartitionKey(day, prefix, score));
      }
    }
    // The schema is needed only to check an expression or a column list.
    const sample = needsSchema(body) ? await this.firstFile(inputRoot) : undefined;
    const columns = sample ? await this.columnsOf(sample, true, INTENT_HIVE_TYPES) : undefined;
    const plan = await this.plan(
      body,
      inputRoot,
      columns,
      true,
      INTENT_HIVE_TYPES,
      Object.keys(INTENT_HIVE_TYPES),
      false,
    );
    const view: IntentRequestView = {
      days,
      topic_id_prefixes: prefixes,
      scores,
      input_path: inputRoot,
      limit: plan.limit,
      perform_unload: body.perform_unload ?? true,
      select: body.select === undefined ? null : plan.columns,
      where_expr: body.where_expr ?? null,
    };
    const batches = batchPartitions(
      partitions,
      partitionsPerJob(partitions.length, this.options.jobsPerTask),
    );
    return this.insert(principal, 'intent_hive', { view, plan }, batches);
  }

  async createGenericTask(principal: Principal, body: GenericTaskBody): Promise<CreatedTask> {
    this.checkLimit(body);
    const inputRoot = await resolveInput(body.input_path, this.options.inputPolicy);
    await this.checkCapacity(principal);
    const files = await this.fromStorage(() => this.options.storage.list(inputRoot, { recursive: true }));
    if (files.length === 0) {
      throw new AppError('input_path_not_found', 'input_path: the folder holds no .parquet files', [
        { field: 'input_path', message: 'the folder holds no .parquet files' },
      ]);
    }
    const filesPerPartition = new Map<string, number>();
    for (const file of files) {
      const relative = file.uri.slice(inputRoot.replace(/\/+$/, '').length + 1);
      const partition = relative.includes('/') ? relative.slice(0, relative.lastIndexOf('/')) : '.';
      filesPerPartition.set(partition, (filesPerPartition.get(partition) ?? 0) + 1);
    }
    const partitions = [...filesPerPartition.keys()].sort();
    this.checkPartitionCount(partitions.length);
    const hive = sameHiveKeys(partitions);
    const columns = needsSchema(body) ? await this.columnsOf(files[0]!, hive, undefined) : undefined;
    const hiveKeys = hive ? partitions[0]!.split('/').map((segment) => segment.split('=', 1)[0]!) : [];
    const plan = await this.plan(body, inputRoot, columns, hive, undefined, hiveKeys, true);
    const view: GenericRequestView = {
      input_path: inputRoot,
      limit: plan.limit,
      perform_unload: body.perform_unload ?? true,
      select: body.select === undefined ? null : plan.columns,
      where_expr: body.where_expr ?? null,
    };
    const perJob = partitionsPerJob(partitions.length, this.options.jobsPerTask);
    const batches = batchPartitions(partitions, perJob, (p) => filesPerPartition.get(p) ?? 0);
    return this.insert(principal, 'generic_parquet', { view, plan }, batches);
  }

  /**
   * The task detail, serialised (large answers of settled tasks are served from a cache), with its
   * entity tag. A reader that already holds the current version (`ifNoneMatch`) gets `notModified`,
   * after waiting up to `waitMs` for the task to change (long polling).
   */
  async getJson(principal: Principal, taskId: string, conditions: ReadConditions = {}): Promise<TaskAnswer> {
    const { views, changes } = this.options;
    const deadline = this.clock().getTime() + (conditions.waitMs ?? 0);
    for (;;) {
      // Watch before reading, so a change committed in between still wakes this reader.
      const watch = conditions.ifNoneMatch && conditions.waitMs ? changes?.watch(taskId) : undefined;
      // The version alone answers a read of a cached or unchanged task; the full row only on a miss.
      const version = await this.options.store.findTaskVersion(
        principal.organizationId,
        taskId,
        this.clock().toISOString(),
      );
      if (!version) {
        watch?.cancel();
        throw taskNotFound(taskId);
      }
      const etag = views.etag(version);
      if (!conditions.ifNoneMatch || !etagMatches(conditions.ifNoneMatch, etag)) {
        watch?.cancel();
        const cached = views.cachedDetail(version);
        if (cached) return { etag, detail: cached };
        const task = await this.find(principal, taskId);
        return { etag: views.etag(task), detail: await views.detailJson(task) };
      }
      const remaining = deadline - this.clock().getTime();
      if (!watch || remaining <= 0 || conditions.signal?.aborted) {
        watch?.cancel();
        return { etag, notModified: true };
      }
      await watch.next(Math.min(remaining, RECHECK_MS), conditions.signal);
    }
  }

  async list(principal: Principal, limit: number, cursor: string | undefined) {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const now = this.clock().toISOString();
    const tasks = await this.options.store.listTasks(principal.organizationId, now, limit + 1, after);
    const page = tasks.slice(0, limit);
    const last = page.at(-1);
    return {
      tasks: page.map((task) => this.options.views.summary(task)),
      next_cursor:
        tasks.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }

  async unload(principal: Principal, taskId: string): Promise<CreatedTask> {
    const now = this.clock().toISOString();
    const result = await this.options.store.startUnload(
      principal.organizationId,
      taskId,
      now,
      this.unloadPlanner,
    );
    if (result.outcome === 'not_found') throw taskNotFound(taskId);
    if (result.outcome !== 'conflict') this.options.changes?.notify(taskId);
    if (result.outcome === 'conflict') {
      const task = await this.find(principal, taskId);
      throw new AppError(
        'task_state_conflict',
        `task ${taskId} is ${task.status}; only a counted task (created with perform_unload: false) can be unloaded`,
      );
    }
    await this.options.queue.enqueue(result.released);
    const task = await this.find(principal, taskId);
    return {
      task_id: task.id,
      status: task.status,
      total_jobs: task.totalJobs,
      completed_jobs: task.completedJobs,
    };
  }

  /** Plans export jobs over the partitions that have rows; null while the client holds the export. */
  readonly unloadPlanner: UnloadPlanner = (task, counts) => {
    const request = task.request as StoredRequest;
    if (!request.view.perform_unload && task.status === 'in_progress') return null;
    const partitions = Object.keys(counts)
      .filter((p) => (counts[p] ?? 0) > 0)
      .sort();
    const batches = batchPartitions(
      partitions,
      partitionsPerJob(partitions.length, this.options.jobsPerTask),
    );
    return jobsFor('unload', batches, 'queued');
  };

  private async find(principal: Principal, taskId: string): Promise<TaskRecord> {
    const task = await this.options.store.findTask(
      principal.organizationId,
      taskId,
      this.clock().toISOString(),
    );
    if (!task) throw taskNotFound(taskId);
    return task;
  }

  private async insert(
    principal: Principal,
    type: TaskType,
    request: StoredRequest,
    batches: string[][],
  ): Promise<CreatedTask> {
    const now = this.clock();
    // A task that exports has no count phase: its export jobs run at once, in one pass over the data,
    // and the rows they write are its counts (exact, or capped by a limit). Only a task held for
    // review (perform_unload: false) is counted first.
    const exportsNow = request.view.perform_unload;
    const jobs: NewJob[] = jobsFor(exportsNow ? 'unload' : 'count', batches, 'queued');
    const task: TaskRecord = {
      id: randomUUID(),
      organizationId: principal.organizationId,
      type,
      status: exportsNow ? 'unloading' : 'in_progress',
      request,
      totalJobs: jobs.length,
      completedJobs: 0,
      failedJobs: 0,
      totalCount: null,
      countsJson: null,
      error: null,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      completedAt: null,
      expiresAt: new Date(now.getTime() + this.options.taskTtlMs).toISOString(),
    };
    await this.options.store.insertTask(task, jobs);
    await this.options.queue.enqueue(jobs.map((job) => job.id));
    return { task_id: task.id, status: task.status, total_jobs: task.totalJobs, completed_jobs: 0 };
  }

  private async plan(
    body: CommonTaskBody,
    inputRoot: string,
    columns: ColumnInfo[] | undefined,
    hive: boolean,
    hiveTypes: Record<string, string> | undefined,
    hiveKeys: readonly string[],
    nestedPartitions: boolean,
  ): Promise<TaskPlan> {
    const known = columns ?? [];
    let whereSql: string | null = null;
    // Without `select`, exports hold the files' own columns (partition columns stay in the path):
    // named when the schema is known, else all columns of files read without Hive columns.
    let selected: string[] | null = columns
      ? known.map((c) => c.name).filter((name) => !hiveKeys.includes(name))
      : null;
    try {
      if (body.where_expr !== undefined) {
        if (!columns) throw noDataFor('where_expr');
        whereSql = await guardWhere(body.where_expr, known, {
          orderedColumns: hiveTypes ? ORDERED_COLUMNS : {},
        });
      }
      if (body.select !== undefined) {
        if (!columns) throw noDataFor('select');
        selected = await guardSelect(body.select, known);
      }
    } catch (error) {
      if (error instanceof ExpressionError)
        throw new AppError(error.code, error.message, [{ field: error.field, message: error.message }]);
      throw error;
    }
    return {
      inputRoot,
      hive,
      ...(hiveTypes ? { hiveTypes } : {}),
      whereSql,
      columns: selected,
      limit: body.limit ?? null,
      nestedPartitions,
    };
  }

  private checkLimit(body: CommonTaskBody): void {
    if (body.limit !== undefined && body.perform_unload === false) {
      throw invalidField(
        'limit',
        'a task with a limit exports straight away; drop limit to count first, or drop perform_unload: false',
      );
    }
  }

  private checkPartitionCount(count: number): void {
    if (count > this.options.maxPartitions) {
      throw new AppError(
        'too_many_partitions',
        `the task covers ${count} partitions; the limit is ${this.options.maxPartitions}. Split it into several tasks`,
      );
    }
  }

  private async checkCapacity(principal: Principal): Promise<void> {
    const active = await this.options.store.countActiveTasks(principal.organizationId);
    if (active >= this.options.maxActiveTasks) {
      throw new AppError(
        'too_many_active_tasks',
        `your organisation has ${active} tasks in progress (the limit is ${this.options.maxActiveTasks}); wait for some to finish`,
        [],
        { 'retry-after': '5' },
      );
    }
  }

  private async firstFile(root: string): Promise<StoredObject | undefined> {
    const [first] = await this.fromStorage(() =>
      this.options.storage.list(root, { recursive: true, limit: 1 }),
    );
    return first;
  }

  /** Storage failures at creation are the client's to fix (400) or passing (503), never a 500. */
  private async fromStorage<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      if (!error.permanent)
        throw new AppError('storage_unavailable', `input_path: ${error.message}; try again later`);
      throw new AppError('input_unreadable', `input_path: ${error.message}`, [
        { field: 'input_path', message: error.message },
      ]);
    }
  }

  private async columnsOf(file: StoredObject, hive: boolean, hiveTypes: Record<string, string> | undefined) {
    // The schema is in the footer: one ranged read on an object store, never the whole object.
    let staged: StagedFiles | undefined;
    try {
      staged = await this.options.storage.stage([file], { footersOnly: true });
      return await this.options.schemas.columns(file, staged.paths[0]!, hive, hiveTypes);
    } catch (error) {
      const message = `could not read ${file.uri} as Parquet (${firstLine(error)})`;
      throw new AppError('input_unreadable', `input_path: ${message}`, [{ field: 'input_path', message }]);
    } finally {
      staged?.release();
    }
  }
}

/**
 * DuckDB reads `k=v` folders as columns only when every file has the same keys, so a generic tree
 * gets Hive columns when all its partition folders share one key list (and it has one at all).
 */
export function sameHiveKeys(partitions: readonly string[]): boolean {
  const keysOf = (partition: string) =>
    partition === '.'
      ? ''
      : partition
          .split('/')
          .map((segment) => segment.split('=', 1)[0] + (segment.includes('=') ? '=' : ''))
          .join('/');
  const first = keysOf(partitions[0] ?? '.');
  return first.includes('=') && partitions.every((p) => keysOf(p) === first);
}

function needsSchema(body: CommonTaskBody): boolean {
  return body.where_expr !== undefined || body.select !== undefined;
}

function noDataFor(field: 'where_expr' | 'select'): ExpressionError {
  return new ExpressionError(
    field,
    'expression_invalid',
    `${field}: the input holds no data yet, so its columns are unknown`,
  );
}

function uniqueStrings(
  values: readonly string[],
  field: string,
  problem: (value: string) => string | undefined,
) {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    const message = problem(value);
    if (message) throw invalidField(`${field}[${index}]`, `${JSON.stringify(value).slice(0, 60)} ${message}`);
    seen.add(value);
  });
  return [...seen];
}

function taskNotFound(taskId: string): AppError {
  return new AppError('task_not_found', `no task ${taskId} in your organisation (it may have expired)`);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200);
}

function encodeCursor(cursor: TaskCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

function decodeCursor(cursor: string): TaskCursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
  } catch {
    // fall through to the 400 below
  }
  throw invalidField('cursor', 'is not a cursor this API handed out; use next_cursor from the previous page');
}

/** `If-None-Match` against an entity tag, weak comparison (RFC 9110 §13.1.2): `*` or any listed tag. */
function etagMatches(header: string, etag: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}
