import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import pMap from 'p-map';
import { EngineTimeoutError, type Sandbox, SandboxPool } from '../engine/duckdb-sandbox.ts';
import { ParquetFooterError, parquetRowCounts } from '../engine/parquet-footer.ts';
import {
  countByFile,
  exportPartitioned,
  exportRows,
  type ParquetCompression,
  type ParquetSource,
  type PartitionedFile,
} from '../engine/parquet-queries.ts';
import { JobError, TASK_ERROR_CODES, type TaskErrorCode } from '../errors.ts';
import type { JobQueue } from '../queue/queue.ts';
import type { Storage, StoredObject } from '../storage/storage.ts';
import { StorageError } from '../storage/storage-error.ts';
import type {
  JobOutcome,
  JobRecord,
  ManifestEntry,
  Store,
  TaskRecord,
  UnloadPlanner,
} from '../store/store.ts';
import type { EngineLimits } from './input-schema.ts';
import { JOB_KINDS } from './job-catalog.ts';
import type { TaskChanges } from './task-changes.ts';
import type { StoredRequest, TaskPlan } from './task-model.ts';

export interface JobRunnerOptions {
  store: Store;
  queue: JobQueue;
  storage: Storage;
  /** Root of exports: files land in `{outputPath}/{organization_id}/{task_id}/{partition}/`. */
  outputPath: string;
  engine: EngineLimits;
  /** DuckDB instances kept started ahead of jobs (one per worker slot hides each start-up). */
  warmEngines?: number;
  /** Codec of exported files. @defaultValue `snappy` */
  compression?: ParquetCompression;
  unloadPlanner: UnloadPlanner;
  /** Told after each change of a task this runner commits, to wake readers waiting on it. */
  changes?: TaskChanges;
  clock?: () => Date;
  /** Problems worth a warning (a failed job, a fallback). */
  log?: (message: string, fields: Record<string, unknown>) => void;
  /** Each finished job with where its time went, in ms (at info level). */
  trace?: (message: string, fields: Record<string, unknown>) => void;
}

interface PartitionInput {
  partition: string;
  objects: StoredObject[];
  localPaths: string[];
}

/** The inputs of one job, staged locally until `release`. */
interface JobInputs {
  partitions: PartitionInput[];
  /** Local path → storage URI, so error messages name the object, not the cache file. */
  uriOf: Map<string, string>;
  release(): void;
}

/** Partition folders listed at once (each is one LIST request on an object store). */
const PARALLEL_LISTINGS = 16;
/** Partitions published at once (each upload is a few requests on an object store). */
const PARALLEL_PUBLISHES = 4;

/**
 * Runs one delivered job: claims it in the store, queries DuckDB, records the outcome, and hands
 * any jobs the outcome released back to the queue. Safe to run twice for the same id.
 */
export class JobRunner {
  private readonly clock: () => Date;
  private readonly engines: SandboxPool;

  constructor(private readonly options: JobRunnerOptions) {
    this.clock = options.clock ?? (() => new Date());
    const { threads, memoryLimit } = options.engine;
    this.engines = new SandboxPool({ threads, memoryLimit }, options.warmEngines ?? 0);
    this.engines.warm();
  }

  /** Closes the DuckDB instances kept ready (after the queue has stopped delivering jobs). */
  async close(): Promise<void> {
    await this.engines.close();
  }

  readonly handle = async (jobId: string): Promise<void> => {
    const { store, queue } = this.options;
    const claimed = await store.claimJob(jobId, this.now());
    if (!claimed) return;
    const { job, task } = claimed;
    const kind = JOB_KINDS[job.phase];
    const plan = (task.request as StoredRequest).plan;
    // An un-filtered count reads only Parquet footers and needs no engine. Otherwise the job's DuckDB
    // opens while its inputs are listed and staged: the two waits overlap.
    const engine = job.phase === 'count' && plan.whereSql === null ? undefined : this.openEngine(job, plan);
    // Its failure is handled where it is awaited; until then it must not count as unhandled.
    engine?.catch(() => undefined);
    let inputs: JobInputs | undefined;
    const started = performance.now();
    const times: Record<string, number> = {};
    const lap = (name: string, since: number) => {
      times[name] = Math.round(performance.now() - since);
      return performance.now();
    };
    try {
      // An un-filtered count needs only the Parquet footers (ranged reads on object stores).
      // An export reads exactly the objects a count of the same task read, if it had one.
      const manifest =
        job.phase === 'unload' && plan.limit === null ? await store.countManifest(task.id) : {};
      inputs = await this.inputs(job, plan, job.phase === 'count' && plan.whereSql === null, manifest);
      let mark = lap('inputs', started);
      const outcome =
        job.phase === 'count'
          ? await this.count(job, plan, inputs, engine)
          : await this.unload(job, task, plan, inputs, engine!, lap);
      mark = lap(job.phase, mark);
      const released = await store.completeJob(jobId, outcome, this.now(), this.options.unloadPlanner);
      if (released.length > 0) await queue.enqueue(released);
      lap('store', mark);
      this.options.trace?.('job done', {
        jobId,
        taskId: task.id,
        phase: job.phase,
        partitions: job.partitions.length,
        files: inputs.partitions.reduce((n, p) => n + p.localPaths.length, 0),
        ms: { ...times, total: Math.round(performance.now() - started) },
      });
    } catch (error) {
      const failure = describeFailure(error, inputs?.uriOf);
      this.options.log?.('job failed', { jobId, taskId: task.id, attempt: job.attempts, code: failure.code });
      if (failure.permanent || job.attempts >= kind.maxAttempts) {
        await store.failJob(jobId, { code: failure.code, message: failure.message }, this.now());
      } else {
        await store.requeueJob(jobId, failure.message, this.now());
        await queue.enqueue([jobId], { delayMs: kind.backoffMs(job.attempts) });
      }
    } finally {
      inputs?.release();
      this.options.changes?.notify(task.id);
      if (engine) await this.retireEngine(engine);
    }
  };

  private async count(
    job: JobRecord,
    plan: TaskPlan,
    inputs: JobInputs,
    engine: Promise<JobEngine> | undefined,
  ): Promise<JobOutcome> {
    const files = inputs.partitions.flatMap((input) => input.localPaths);
    const counts: Record<string, number> = Object.fromEntries(job.partitions.map((p) => [p, 0]));
    if (files.length === 0) return { counts, files: [], manifest: manifestOf(inputs) };
    // Without a filter the footers hold the answer.
    const whereSql = plan.whereSql;
    const byFile =
      whereSql === null || !engine
        ? await parquetRowCounts(files).then((rows) => new Map(files.map((file, i) => [file, rows[i]!])))
        : await countByFile((await engine).sandbox, source(files, plan), whereSql);
    for (const input of inputs.partitions) {
      counts[input.partition] = input.localPaths.reduce((sum, file) => sum + (byFile.get(file) ?? 0), 0);
    }
    return { counts, files: [], manifest: manifestOf(inputs) };
  }

  private async unload(
    job: JobRecord,
    task: TaskRecord,
    plan: TaskPlan,
    inputs: JobInputs,
    engine: Promise<JobEngine>,
    lap: (name: string, since: number) => number,
  ): Promise<JobOutcome> {
    const counts: Record<string, number> = Object.fromEntries(job.partitions.map((p) => [p, 0]));
    const files: JobOutcome['files'] = [];
    let mark = performance.now();
    const { sandbox, scratch } = await engine;
    mark = lap('engineWait', mark);
    const written = plan.hiveTypes
      ? await this.exportIntent(sandbox, scratch, plan, inputs).catch((error: unknown) => {
          // Writing every partition at once keeps a buffer per open file; when the job's memory
          // cannot hold them, write one partition at a time instead.
          if (!/Out of Memory/i.test(String(error))) throw error;
          this.options.log?.('export by partition after running out of memory', { jobId: job.id });
          return this.exportByFolder(sandbox, scratch, plan, inputs);
        })
      : await this.exportByFolder(sandbox, scratch, plan, inputs);
    mark = lap('write', mark);
    const byPartition = new Map<string, PartitionedFile[]>();
    for (const file of written)
      byPartition.set(file.partition, [...(byPartition.get(file.partition) ?? []), file]);
    // Uploads of different partitions overlap; an object store is latency-bound per request.
    await pMap(
      [...byPartition.keys()].sort(),
      async (partition) => {
        const local = byPartition.get(partition)!;
        const destination = this.options.storage.join(
          this.options.outputPath,
          `${task.organizationId}/${task.id}/${partition}`,
        );
        const published = await this.options.storage.publish(
          local.map((file) => file.path),
          destination,
        );
        const byName = new Map(local.map((file) => [path.basename(file.path), file.rows]));
        for (const file of published) {
          const rows = byName.get(path.basename(file.uri)) ?? 0;
          files.push({
            id: fileId(task.id, file.uri),
            partition,
            uri: file.uri,
            rows,
            sizeBytes: file.sizeBytes,
          });
          counts[partition] = (counts[partition] ?? 0) + rows;
        }
      },
      { concurrency: PARALLEL_PUBLISHES },
    );
    lap('publish', mark);
    files.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
    return { counts, files };
  }

  /** Intent partitions are column values: one `COPY … PARTITION_BY` writes the whole batch. */
  private async exportIntent(
    sandbox: Sandbox,
    scratch: string,
    plan: TaskPlan,
    inputs: JobInputs,
  ): Promise<PartitionedFile[]> {
    const files = inputs.partitions.flatMap((input) => input.localPaths);
    if (files.length === 0) return [];
    return exportPartitioned(sandbox, source(files, plan), {
      ...(plan.columns ? { columns: plan.columns } : {}),
      whereSql: plan.whereSql ?? undefined,
      limit: plan.limit ?? undefined,
      targetDir: path.join(scratch, 'out'),
      ...(this.options.compression ? { compression: this.options.compression } : {}),
      partitionBy: [
        // A DATE names its folder YYYY-MM-DD, as the partition keys do; cheaper than formatting each row.
        { column: 'day', value: '"day"' },
        { column: 'prefix', value: '"prefix"' },
        { column: 'score', value: '"score"' },
      ],
    });
  }

  /** Generic partitions are folders: one `COPY` each, until the job's `limit` is spent. */
  private async exportByFolder(
    sandbox: Sandbox,
    scratch: string,
    plan: TaskPlan,
    inputs: JobInputs,
  ): Promise<PartitionedFile[]> {
    const written: PartitionedFile[] = [];
    let remaining = plan.limit ?? Number.POSITIVE_INFINITY;
    for (const [index, input] of inputs.partitions.entries()) {
      if (input.localPaths.length === 0 || remaining <= 0) continue;
      // Without a column list the files' own columns are written: read them without Hive columns.
      const from = plan.columns ? source(input.localPaths, plan) : { files: input.localPaths, hive: false };
      const files = await exportRows(sandbox, from, {
        ...(plan.columns ? { columns: plan.columns } : {}),
        whereSql: plan.whereSql ?? undefined,
        limit: Number.isFinite(remaining) ? remaining : undefined,
        targetDir: path.join(scratch, String(index)),
        ...(this.options.compression ? { compression: this.options.compression } : {}),
      });
      for (const file of files) {
        written.push({ ...file, partition: input.partition });
        remaining -= file.rows;
      }
    }
    return written;
  }

  private async inputs(
    job: JobRecord,
    plan: TaskPlan,
    footersOnly: boolean,
    manifest: Record<string, ManifestEntry[]>,
  ): Promise<JobInputs> {
    const { storage } = this.options;
    const listed = await pMap(
      job.partitions,
      (partition): Promise<StoredObject[]> | StoredObject[] => {
        const counted = manifest[partition];
        if (counted) return counted;
        const folder = partition === '.' ? plan.inputRoot : storage.join(plan.inputRoot, partition);
        return storage.list(folder, { recursive: !plan.nestedPartitions });
      },
      { concurrency: PARALLEL_LISTINGS },
    );
    const fromManifest = job.partitions.some((partition) => manifest[partition] !== undefined);
    const staged = await storage.stage(listed.flat(), { footersOnly, verify: fromManifest });
    const uriOf = new Map<string, string>();
    let offset = 0;
    const partitions = job.partitions.map((partition, i) => {
      const objects = listed[i]!;
      const localPaths = staged.paths.slice(offset, offset + objects.length);
      offset += objects.length;
      for (const [j, local] of localPaths.entries()) uriOf.set(local, objects[j]!.uri);
      return { partition, objects, localPaths };
    });
    return { partitions, uriOf, release: staged.release };
  }

  /**
   * Hands a finished job's DuckDB back to the pool, which closes it shortly (closing blocks the
   * thread, and the readers woken by the job's end are answered first), then removes its scratch
   * folder. An engine that failed to open has neither.
   */
  private async retireEngine(engine: Promise<JobEngine>): Promise<void> {
    const opened = await engine.catch(() => undefined);
    if (!opened) return;
    this.engines.retire(opened.sandbox, () => {
      fs.rm(opened.scratch, { recursive: true, force: true }).catch((error: unknown) =>
        this.options.log?.('scratch folder not removed', { scratch: opened.scratch, error: String(error) }),
      );
    });
  }

  /** One locked-down DuckDB per job, allowed only the job's input root and its own scratch folder. */
  private async openEngine(job: JobRecord, plan: TaskPlan): Promise<JobEngine> {
    const scratch = path.join(this.options.storage.scratchDir(), job.id);
    await fs.rm(scratch, { recursive: true, force: true });
    await fs.mkdir(path.join(scratch, 'tmp'), { recursive: true });
    try {
      const sandbox = await this.engines.open({
        timeoutMs: this.options.engine.timeoutMs,
        allowedDirectories: [...this.options.storage.localInputDirs(plan.inputRoot), scratch],
        tempDirectory: path.join(scratch, 'tmp'),
      });
      return { sandbox, scratch };
    } catch (error) {
      await fs.rm(scratch, { recursive: true, force: true });
      throw error;
    }
  }

  private now(): string {
    return this.clock().toISOString();
  }
}

/** A job's DuckDB and the scratch folder it writes into. */
interface JobEngine {
  sandbox: Sandbox;
  scratch: string;
}

function manifestOf(inputs: JobInputs): Record<string, ManifestEntry[]> {
  return Object.fromEntries(
    inputs.partitions.map((input) => [
      input.partition,
      input.objects.map((o) => ({ uri: o.uri, size: o.size, ...(o.etag ? { etag: o.etag } : {}) })),
    ]),
  );
}

function source(files: string[], plan: TaskPlan): ParquetSource {
  return { files, hive: plan.hive, ...(plan.hiveTypes ? { hiveTypes: plan.hiveTypes } : {}) };
}

/** Stable per task and file, so a link handed out before a job re-ran still works. */
function fileId(taskId: string, uri: string): string {
  return createHash('sha256').update(`${taskId}\n${uri}`).digest('hex').slice(0, 32);
}

/** What a failed job records: the task's `error` and whether trying again can help. */
export interface JobFailure {
  code: TaskErrorCode;
  message: string;
  permanent: boolean;
}

/** Turns an engine or storage failure into an error a user can act on, and decides whether to retry. */
export function describeFailure(error: unknown, uriOf: ReadonlyMap<string, string> = new Map()): JobFailure {
  // A storage code is a task code as it is (the type checks it); the error knows its permanence.
  if (error instanceof JobError || error instanceof StorageError)
    return { code: error.code, message: error.message, permanent: error.permanent };
  if (error instanceof EngineTimeoutError) {
    return failure('job_timeout', `${error.message}; narrow the task or ask for a longer JOB_TIMEOUT`);
  }
  let message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 1000);
  for (const [local, uri] of uriOf) message = message.replaceAll(local, uri);
  message = message.slice(0, 500);
  if (error instanceof ParquetFooterError) {
    return failure('input_unreadable', `the input could not be read: ${message}`);
  }
  if (/Out of Memory/i.test(message)) {
    return failure('out_of_memory', `the query ran out of memory: ${message}`);
  }
  // The client's filter failed on the data (a cast of a text to a number, an overflow): theirs to change.
  if (/^(Conversion|Out of Range|Binder) Error/i.test(message)) {
    return failure('expression_failed', `where_expr failed on the data: ${message}`);
  }
  if (/Invalid Input Error|Parquet|magic bytes|Corrupt|IO Error/i.test(message)) {
    return failure('input_unreadable', `the input could not be read: ${message}`);
  }
  return failure('job_failed', message);
}

/** Codes whose permanence the catalogue fixes. */
type FixedTaskErrorCode = {
  [K in TaskErrorCode]: (typeof TASK_ERROR_CODES)[K]['permanent'] extends boolean ? K : never;
}[TaskErrorCode];

function failure(code: FixedTaskErrorCode, message: string): JobFailure {
  return { code, message, permanent: TASK_ERROR_CODES[code].permanent };
}
