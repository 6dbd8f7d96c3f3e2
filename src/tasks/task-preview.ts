import { activationProfile } from '../activation/profiles.ts';
import { type ListedPartition, listInputs, parquetSource, stageInputs } from '../catalog/partition-inputs.ts';
import { compareText } from '../compare.ts';
import type { TaskPreview } from '../contract/task-schemas.ts';
import { EngineTimeoutError, isOutOfMemory, type Sandbox, SandboxPool } from '../engine/duckdb-sandbox.ts';
import { type ParquetSource, type PreviewOptions, previewRows } from '../engine/parquet-queries.ts';
import { peopleValuesSql, previewPeople } from '../engine/people-queries.ts';
import { previewProfileRows } from '../engine/profile-files.ts';
import type { ColumnInfo } from '../engine/sql-guard.ts';
import { AppError } from '../errors.ts';
import { type Storage, sizeOfObjects } from '../storage/storage.ts';
import { StorageError } from '../storage/storage-error.ts';
import type { Store, TaskRecord } from '../store/store.ts';
import { peopleQueryOf } from './people-query.ts';
import { objectsByFolder } from './planning/partition-folders.ts';
import { LISTED_AT_CREATION } from './planning/task-planner.ts';
import { describeFailure } from './task-failure.ts';
import {
  type IntentRequestView,
  intentPartitionKeys,
  type PeoplePlan,
  peopleOf,
  profileOf,
  type StoredRequest,
  type TaskPlan,
} from './task-model.ts';

/** How previews are bounded in one API process. */
export interface PreviewLimits {
  /** DuckDB memory of one preview. */
  memoryLimit: string;
  /** Longest one preview may look for its rows before it answers `preview_timeout`. */
  timeoutMs: number;
  /** Previews one process runs at once; more answer `preview_busy`. @defaultValue 2 */
  concurrency?: number;
}

export interface TaskPreviewsOptions {
  store: Store;
  storage: Storage;
  limits: PreviewLimits;
  clock: () => Date;
}

/** Partitions listed ahead of the one being read (each is one LIST request on an object store). */
const LIST_AHEAD = 4;
/** Intent partition columns: an export keeps them in its path, so does a preview without `select`. */
const INTENT_PARTITION_COLUMNS = ['day', 'prefix', 'score'];

/**
 * Sample rows of a task's segment, read in the API process without exporting: the task's partitions
 * are walked in order, one partition's files staged and queried at a time, until `limit` rows pass
 * its filter. Each preview runs in its own locked-down DuckDB (one thread, the input's folders only,
 * no spilling), under a time limit, and only a few run at once per process.
 */
export class TaskPreviews {
  private readonly pool: SandboxPool;
  private readonly concurrency: number;
  private running = 0;

  constructor(private readonly options: TaskPreviewsOptions) {
    this.concurrency = options.limits.concurrency ?? 2;
    // One instance kept ready once previews are asked for: a start costs 10-40 ms of the answer.
    this.pool = new SandboxPool({ threads: 1, memoryLimit: options.limits.memoryLimit }, 1);
  }

  /**
   * Takes one of the slots previews and overlaps share (released by the caller with `running -= 1`),
   * and warms the instance kept ready; with every slot taken, a 503 to try again in a second.
   */
  private takeSlot(): void {
    if (this.running >= this.concurrency) {
      throw new AppError(
        'preview_busy',
        `${this.concurrency} previews or overlaps are running on this server; try again in a second`,
        [],
        { 'retry-after': '1' },
      );
    }
    this.running += 1;
    this.pool.warm();
  }

  /** The first `limit` rows of the task's segment; the task is the caller's, found by `TaskReader.find`. */
  async preview(task: TaskRecord, limit: number): Promise<TaskPreview> {
    if (task.status === 'failed') {
      throw new AppError(
        'task_state_conflict',
        `task ${task.id} is failed (${task.error?.code ?? 'error'}); a failed task has no preview, create it again`,
      );
    }
    this.takeSlot();
    const uriOf = new Map<string, string>();
    try {
      return await this.walk(task, limit, uriOf);
    } catch (error) {
      throw this.answerFor(error, uriOf);
    } finally {
      this.running -= 1;
    }
  }

  /**
   * Runs `work` over the whole segments of `tasks` (every partition that holds rows, staged) in one
   * sandbox bounded as a preview is: its memory limit, time limit and the previews' concurrency.
   * The bounds reach the caller as `EngineTimeoutError` or DuckDB's out-of-memory error, for it to
   * say what to do; other failures are answered as a preview's.
   */
  async readSegments<T>(tasks: readonly TaskRecord[], work: SegmentsWork<T>): Promise<T> {
    this.takeSlot();
    const uriOf = new Map<string, string>();
    const releases: (() => void)[] = [];
    try {
      const segments: StagedSegment[] = [];
      for (const task of tasks) {
        const { plan } = task.request as StoredRequest;
        // Not by counts: a task counted whole (unique_by) keeps one count, not one per partition.
        const partitions = await this.partitionsOf(task, plan, false);
        const staged = await stageInputs(this.options.storage, await partitions.slice(0, partitions.length), {
          footersOnly: false,
        });
        releases.push(() => staged.release());
        for (const [local, uri] of staged.uriOf) uriOf.set(local, uri);
        segments.push({
          task,
          plan,
          files: staged.partitions.flatMap((input) => input.localPaths),
          bytes: staged.partitions.reduce((sum, input) => sum + sizeOfObjects(input.objects), 0),
        });
      }
      const sandbox = await this.pool.open({
        allowedDirectories: [
          ...new Set(
            tasks.flatMap((task) =>
              this.options.storage.localInputDirs((task.request as StoredRequest).plan.inputRoot),
            ),
          ),
        ],
        // Bounded by its memory: an overlap too large for it is refused, not spilled.
        tempDirectory: '',
        timeoutMs: this.options.limits.timeoutMs,
      });
      try {
        return await work(sandbox, segments);
      } finally {
        this.pool.retire(sandbox);
      }
    } catch (error) {
      if (error instanceof EngineTimeoutError || isOutOfMemory(error)) throw error;
      throw this.answerFor(error, uriOf);
    } finally {
      for (const release of releases) release();
      this.running -= 1;
    }
  }

  /** Closes the DuckDB instance kept ready. */
  async close(): Promise<void> {
    await this.pool.close();
  }

  private async walk(task: TaskRecord, limit: number, uriOf: Map<string, string>): Promise<TaskPreview> {
    const { storage, clock, limits } = this.options;
    const { plan } = task.request as StoredRequest;
    const deadline = clock().getTime() + limits.timeoutMs;
    const people = peopleOf(plan);
    const partitions = await this.partitionsOf(task, plan, people === null);
    const sandbox = await this.pool.open({
      allowedDirectories: storage.localInputDirs(plan.inputRoot),
      // A preview reads a few rows: it never needs to spill, so it gets no folder to write to.
      tempDirectory: '',
      timeoutMs: limits.timeoutMs,
    });
    try {
      if (people) return await this.people(sandbox, plan, people, partitions, limit, uriOf);
      let columns: ColumnInfo[] | undefined;
      const rows: TaskPreview['rows'] = [];
      for (let i = 0; i < partitions.length && rows.length < limit; i += LIST_AHEAD) {
        const listed = await partitions.slice(i, i + LIST_AHEAD);
        for (const input of listed) {
          if (rows.length >= limit) break;
          if (input.objects.length === 0) continue;
          if (clock().getTime() > deadline) throw new EngineTimeoutError(limits.timeoutMs);
          const found = await this.read(sandbox, plan, input, limit - rows.length, false, uriOf);
          columns ??= found.columns;
          rows.push(...found.rows);
        }
      }
      return { columns: columns ?? (await this.columnsOnly(sandbox, plan, uriOf)), rows };
    } finally {
      this.pool.retire(sandbox);
    }
  }

  /**
   * A people task's first people, as its export writes them: every partition of the request is
   * staged, since a person's row folds all of their rows.
   */
  private async people(
    sandbox: Sandbox,
    plan: TaskPlan,
    people: PeoplePlan,
    partitions: LazyPartitions,
    limit: number,
    uriOf: Map<string, string>,
  ): Promise<TaskPreview> {
    const listed = await partitions.slice(0, partitions.length);
    const staged = await stageInputs(this.options.storage, listed, { footersOnly: false });
    try {
      for (const [local, uri] of staged.uriOf) uriOf.set(local, uri);
      const files = staged.partitions.flatMap((input) => input.localPaths);
      const source = parquetSource(files, plan);
      const query = peopleQueryOf(plan, people);
      const profile = profileOf(plan);
      // A profile export's rows are its files' rows: the encoded identifiers in the platform's columns.
      const found =
        profile && files.length > 0
          ? await previewProfileRows(
              sandbox,
              peopleValuesSql(source, query),
              activationProfile(profile.name),
              limit,
            )
          : await previewPeople(sandbox, source, query, limit);
      return { columns: found.columns, rows: found.rows };
    } finally {
      staged.release();
    }
  }

  /** One partition's rows: its files staged (downloaded from an object store), queried, released. */
  private async read(
    sandbox: Sandbox,
    plan: TaskPlan,
    input: ListedPartition,
    limit: number,
    footersOnly: boolean,
    uriOf: Map<string, string>,
  ) {
    const staged = await stageInputs(this.options.storage, [input], { footersOnly });
    try {
      for (const [local, uri] of staged.uriOf) uriOf.set(local, uri);
      const files = staged.partitions[0]!.localPaths;
      return await previewRows(sandbox, sourceOf(plan, files), {
        ...shownColumns(plan),
        whereSql: plan.whereSql ?? undefined,
        limit,
      });
    } finally {
      staged.release();
    }
  }

  /**
   * The columns of a segment none of whose partitions holds a file: those of the input's first
   * file (its footer is all that is read), or none when the input is empty.
   */
  private async columnsOnly(sandbox: Sandbox, plan: TaskPlan, uriOf: Map<string, string>) {
    const [first] = await this.options.storage.list(plan.inputRoot, { recursive: true, limit: 1 });
    if (!first) return [];
    const input = { partition: '.', objects: [first], counted: false };
    return (await this.read(sandbox, plan, input, 0, true, uriOf)).columns;
  }

  /**
   * The partitions to walk, in key order, each listed when its turn comes. Those of a counted or
   * completed task that hold rows (its counts say which); else every partition of its request
   * (intent) or of its jobs (generic). A generic task whose input a worker is still listing walks
   * the input's first objects, grouped by folder.
   */
  private async partitionsOf(task: TaskRecord, plan: TaskPlan, byCounts: boolean): Promise<LazyPartitions> {
    const { store, storage } = this.options;
    const lazy = (keys: string[]): LazyPartitions => ({
      length: keys.length,
      slice: (from, to) => listInputs(storage, keys.slice(from, to), plan, {}),
    });
    // Counts capped by a limit say nothing of the partitions' rows.
    if (byCounts && task.countsJson !== null && plan.limit === null) {
      const counts = JSON.parse(task.countsJson) as Record<string, number>;
      return lazy(sorted(Object.keys(counts).filter((key) => (counts[key] ?? 0) > 0)));
    }
    if (task.type === 'intent_hive') {
      const view = (task.request as StoredRequest).view as IntentRequestView;
      return lazy(sorted(intentPartitionKeys(view.days, view.topic_id_prefixes, view.scores)));
    }
    const jobs = await store.listJobs(task.id);
    const keys = new Set(jobs.flatMap((job) => job.partitions));
    if (keys.size > 0) return lazy(sorted([...keys]));
    const objects = await storage.list(plan.inputRoot, { recursive: true, limit: LISTED_AT_CREATION });
    const byFolder = objectsByFolder(objects, plan.inputRoot);
    const inputs = sorted([...byFolder.keys()]).map((partition) => ({
      partition,
      objects: byFolder.get(partition)!,
      counted: false,
    }));
    return { length: inputs.length, slice: async (from, to) => inputs.slice(from, to) };
  }

  /** What the client is told when a preview fails: a problem it can act on, else the error itself (a 500). */
  private answerFor(error: unknown, uriOf: ReadonlyMap<string, string>): unknown {
    if (error instanceof AppError) return error;
    if (error instanceof EngineTimeoutError) {
      return new AppError(
        'preview_timeout',
        `the preview found fewer rows than asked within ${Math.round(error.timeoutMs / 1000)} s and was stopped; narrow the task or its filter, or ask for fewer rows`,
      );
    }
    const failure = describeFailure(error, uriOf);
    if (error instanceof StorageError && !failure.permanent) {
      return new AppError('storage_unavailable', `${failure.message}; try again later`, [], {
        'retry-after': '5',
      });
    }
    if (failure.code === 'job_failed') return error;
    return new AppError('preview_failed', failure.message);
  }
}

/** A task's whole segment, staged: its plan and its local files. */
export interface StagedSegment {
  task: TaskRecord;
  plan: TaskPlan;
  files: string[];
  /** The size of its input objects, whole. */
  bytes: number;
}

/** What runs over staged segments in one bounded sandbox. */
export type SegmentsWork<T> = (sandbox: Sandbox, segments: StagedSegment[]) => Promise<T>;

/** Partitions listed a few at a time, as the walk reaches them. */
interface LazyPartitions {
  length: number;
  slice(from: number, to: number): Promise<ListedPartition[]>;
}

/** Staged files read as an export of the task reads them (see `job-export.ts`). */
function sourceOf(plan: TaskPlan, files: string[]): ParquetSource {
  // Without a column list an export holds the files' own columns: generic files are read without Hive columns.
  if (!plan.columns && !plan.hiveTypes) return { files, hive: false };
  return parquetSource(files, plan);
}

function shownColumns(plan: TaskPlan): Pick<PreviewOptions, 'columns' | 'exclude'> {
  if (plan.columns) return { columns: plan.columns };
  return plan.hiveTypes ? { exclude: INTENT_PARTITION_COLUMNS } : {};
}

function sorted(keys: string[]): string[] {
  return keys.sort(compareText);
}
