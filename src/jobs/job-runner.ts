import path from 'node:path';
import pMap from 'p-map';
import type { EngineLimits } from '../catalog/input-schema.ts';
import {
  type JobInputs,
  type ListedPartition,
  listInputs,
  manifestOf,
  parquetSource,
  stageInputs,
} from '../catalog/partition-inputs.ts';
import { compareText } from '../compare.ts';
import type { ParquetCompression } from '../engine/file-writer.ts';
import { parquetRowCounts } from '../engine/parquet-footer.ts';
import { countByFile, footerSchema } from '../engine/parquet-queries.ts';
import type { JobMetrics, JobVolume } from '../metrics/job-metrics.ts';
import type { Storage, StoredObject } from '../storage/storage.ts';
import type { JobOutcome, JobRecord, NewJob, Store, TaskLifecycle, TaskRecord } from '../store/store.ts';
import { batchByBytes } from '../tasks/planning/partition-batches.ts';
import type { TaskChanges } from '../tasks/task-changes.ts';
import { describeFailure } from '../tasks/task-failure.ts';
import { exportManifest, MANIFEST_NAME, MANIFEST_PARTITION, SUCCESS_NAME } from '../tasks/task-manifest.ts';
import {
  countsWhole,
  peopleOf,
  type StoredRequest,
  type TaskPlan,
  wholeExportKey,
} from '../tasks/task-model.ts';
import { removeTaskOutputs } from '../tasks/task-outputs.ts';
import { JobCancel } from './job-cancel.ts';
import { JOB_KINDS } from './job-catalog.ts';
import { type JobEngine, JobEngines } from './job-engines.ts';
import type { JobLanes } from './job-lanes.ts';
import { DEFAULT_LEASE_MS, JobLease, newLeaseOwner } from './job-lease.ts';
import { fileId, publishExport, writeExport } from './phases/export-files.ts';
import { FileChecksums } from './phases/file-checksums.ts';
import { countPeopleJob } from './phases/people-figures.ts';
import { countWhole } from './phases/segment-figures.ts';

/**
 * How many times `maxJobBytes` a filtered count job may read: it reads only the columns of its
 * filter into one aggregate, several times faster per input byte than an export, which reads every
 * column and writes them. (Measured on the 10M-row tree: the filtered count of all 549 MB takes
 * 0.15 s, its export 2.7 s.) A count split as finely as an export pays each job's start for little.
 */
export const COUNT_JOB_BYTES = 4;
/** Partitions whose files are copied at once (each copy is a request or two on an object store). */
const PARALLEL_COPIES = 4;

export interface JobRunnerOptions {
  store: Store;
  queue: JobLanes;
  storage: Storage;
  /** Root of exports: files land in `{outputPath}/{organization_id}/{task_id}/{partition}/`. */
  outputPath: string;
  /** The DuckDB of an export job (and of a count job, unless `countEngine` says otherwise). */
  engine: EngineLimits;
  /**
   * The DuckDB of a filtered count job: it reads a few columns and aggregates them, so it can do
   * with less memory than an export, which reads every column and writes Parquet.
   * @defaultValue `engine`
   */
  countEngine?: EngineLimits;
  /**
   * DuckDB instances kept started ahead of jobs, for exports and for counts (one per worker slot
   * hides each start-up).
   * @defaultValue none
   */
  warmEngines?: { unload: number; count: number };
  /**
   * Input bytes an export job reads at most (a filtered count job `COUNT_JOB_BYTES` times as many):
   * a job over more partitions keeps the first ones up to it and hands the rest to new jobs. Not
   * split: a task with a `limit` (its jobs each export up to it), a count that reads only footers,
   * and the one count job of a task counted whole (`countsWhole`). Undefined: jobs run as planned.
   */
  maxJobBytes?: number;
  /** Codec of exported files. @defaultValue `snappy` */
  compression?: ParquetCompression;
  /** Where a task goes when a job ends its phase (`TaskService.lifecycle`). */
  lifecycle: TaskLifecycle;
  /** Plans the jobs of a task whose input a `list` job listed (`TaskService.listPlanner`). */
  listPlanner: (task: TaskRecord, files: readonly StoredObject[]) => NewJob[];
  /**
   * Names this worker in the leases it takes; unique per process.
   * @defaultValue `newLeaseOwner()`: `{hostname}:{pid}:{random}`
   */
  owner?: string;
  /**
   * How long a claim holds a job without renewal (renewed every third of it while the job runs):
   * a dead worker's jobs are taken over this long after its last renewal.
   * @defaultValue 30 s
   */
  leaseMs?: number;
  /**
   * Told after each change of a task this runner commits, to wake readers waiting on it; and tells
   * the runner when a task whose job it runs was cancelled, so it stops the job at once.
   */
  changes?: TaskChanges;
  clock?: () => Date;
  /** Problems worth a warning (a failed job, a fallback). */
  log?: (message: string, fields: Record<string, unknown>) => void;
  /** Each finished job with where its time went, in ms (at info level). */
  trace?: (message: string, fields: Record<string, unknown>) => void;
  /** Records each settled run: outcome, duration and, when done, rows and bytes. */
  metrics?: JobMetrics;
}

/**
 * Runs one delivered job: claims it in the store with a lease, queries DuckDB, records the
 * outcome, and hands any jobs the outcome released back to the queue. Safe to run twice for the
 * same id, and on many workers at once: only the lease holder runs a job and records its outcome.
 * A job whose task is cancelled stops mid-query (`JobCancel`) and records nothing; one that had
 * published files when it learnt of the cancel removes the task's folder again.
 */
export class JobRunner {
  /** The lease owner of this runner's jobs. */
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly clock: () => Date;
  /** The DuckDB instances of export jobs, and of filtered count jobs. */
  private readonly engines: Readonly<Record<'unload' | 'count', JobEngines>>;
  /** Checksums of local input files an export copies. */
  private readonly checksums = new FileChecksums();

  constructor(private readonly options: JobRunnerOptions) {
    this.owner = options.owner ?? newLeaseOwner();
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.clock = options.clock ?? (() => new Date());
    const engines = (engine: EngineLimits, warm: number) =>
      new JobEngines({
        storage: options.storage,
        engine,
        warm,
        ...(options.log ? { log: options.log } : {}),
      });
    this.engines = {
      unload: engines(options.engine, options.warmEngines?.unload ?? 0),
      count: engines(options.countEngine ?? options.engine, options.warmEngines?.count ?? 0),
    };
  }

  /** Closes the DuckDB instances kept ready (after the queue has stopped delivering jobs). */
  async close(): Promise<void> {
    await Promise.all([this.engines.unload.close(), this.engines.count.close()]);
  }

  readonly handle = async (jobId: string): Promise<void> => {
    const { store, queue } = this.options;
    const { owner, leaseMs, clock } = this;
    const claimed = await store.claimJob(jobId, { owner, now: this.now(), leaseMs });
    if (!claimed) return;
    const { task } = claimed;
    let { job } = claimed;
    if (claimed.recovered) {
      this.options.metrics?.leasesRecovered();
      this.options.log?.('job taken over from an expired lease', {
        jobId,
        taskId: task.id,
        attempt: job.attempts,
      });
    }
    const { log, trace, changes } = this.options;
    const lease = new JobLease({
      store,
      jobId,
      owner,
      leaseMs,
      clock,
      ...(log ? { log } : {}),
      onCancelled: () => cancel.cancel('lease'),
    });
    const kind = JOB_KINDS[job.phase];
    const plan = (task.request as StoredRequest).plan;
    // An un-filtered count reads only Parquet footers and needs no engine. Otherwise the job's DuckDB
    // opens while its inputs are listed and staged: the two waits overlap.
    const countsFooters = job.phase === 'count' && plan.whereSql === null && !countsWhole(plan);
    // An export of whole files reads only their footers (rows, schema, codec) and copies them.
    const copies = job.phase === 'unload' && plan.copyFiles === true;
    const footersOnly = countsFooters || copies;
    const engines = job.phase === 'unload' ? this.engines.unload : this.engines.count;
    const engine =
      countsFooters || job.phase === 'list' || job.phase === 'manifest'
        ? undefined
        : engines.open(job.id, plan);
    // Its failure is handled where it is awaited; until then it must not count as unhandled.
    engine?.catch(() => undefined);
    const cancel = new JobCancel({
      store,
      task,
      jobId,
      engine,
      clock,
      ...(changes ? { changes } : {}),
      ...(trace ? { trace } : {}),
      ...(log ? { log } : {}),
    });
    let inputs: JobInputs | undefined;
    const started = performance.now();
    const times: Record<string, number> = {};
    const lap = (name: string, since: number) => {
      times[name] = Math.round(performance.now() - since);
      return performance.now();
    };
    try {
      if (job.phase === 'list') {
        if (await this.expand(job, task, plan, lease)) {
          this.options.metrics?.jobSettled('list', 'done', secondsSince(started));
        }
        return;
      }
      if (job.phase === 'manifest') {
        const stopped = (outcome: JobOutcome) => this.stopped(job, task, started, cancel, outcome);
        if (await this.finish(job, task, lease, stopped)) {
          this.options.metrics?.jobSettled('manifest', 'done', secondsSince(started));
        }
        return;
      }
      // An export reads exactly the objects a count of the same task read, if it had one.
      const manifest =
        job.phase === 'unload' && plan.limit === null ? await store.countManifest(task.id) : {};
      // An export written whole (people, a single file) is one job over every partition counted.
      const whole = job.phase === 'unload' && wholeExportKey(plan) !== null;
      const partitions = whole ? Object.keys(manifest).sort(compareText) : job.partitions;
      const listed = await listInputs(this.options.storage, partitions, plan, manifest);
      const kept = footersOnly ? listed : await this.split(job, task, plan, listed);
      if (!kept) return;
      if (!whole) job = { ...job, partitions: kept.map((input) => input.partition) };
      inputs = await stageInputs(this.options.storage, kept, { footersOnly });
      let mark = lap('inputs', started);
      const outcome =
        job.phase === 'count'
          ? await this.count(job, plan, inputs, engine)
          : copies
            ? await this.copyFiles(job, task, inputs, engine!, lease)
            : await this.unload(job, task, plan, inputs, engine!, lap, lease);
      mark = lap(job.phase, mark);
      // Renewals stop before the outcome is recorded: one answered after it would find the job done.
      lease.stop();
      if (lease.lost) return;
      const completion = await store.completeJob(jobId, owner, outcome, this.now(), this.options.lifecycle);
      if (completion.outcome === 'lease_lost') return this.leaseLost(jobId, task.id);
      if (completion.outcome === 'cancelled') return await this.stopped(job, task, started, cancel, outcome);
      if (completion.outcome === 'recorded' && completion.released.length > 0) {
        await queue.enqueue(completion.released);
      }
      lap('store', mark);
      this.options.metrics?.jobSettled(
        job.phase,
        'done',
        secondsSince(started),
        volumeOf(outcome, inputs, countsFooters),
      );
      this.options.trace?.('job done', {
        jobId,
        taskId: task.id,
        phase: job.phase,
        partitions: job.partitions.length,
        files: inputs.partitions.reduce((n, p) => n + p.localPaths.length, 0),
        ms: { ...times, total: Math.round(performance.now() - started) },
      });
    } catch (error) {
      lease.stop();
      // Interrupted, or refused by the store, because the task was cancelled: not a failure.
      if (cancel.cancelled || lease.cancelled) return await this.stopped(job, task, started, cancel);
      // Another worker runs the job now: this run's failure is no longer the job's.
      if (lease.lost) return;
      const failure = describeFailure(error, inputs?.uriOf);
      this.options.log?.('job failed', { jobId, taskId: task.id, attempt: job.attempts, code: failure.code });
      if (failure.permanent || job.attempts >= kind.maxAttempts) {
        const failed = await store.failJob(
          jobId,
          owner,
          { code: failure.code, message: failure.message },
          this.now(),
        );
        if (failed.outcome === 'lease_lost') this.leaseLost(jobId, task.id);
        else this.options.metrics?.jobSettled(job.phase, 'failed', secondsSince(started));
      } else {
        const requeued = await store.requeueJob(jobId, owner, failure.message, this.now());
        if (requeued.outcome === 'lease_lost') this.leaseLost(jobId, task.id);
        else {
          await queue.enqueue([{ id: jobId, phase: job.phase, organizationId: task.organizationId }], {
            delayMs: kind.backoffMs(job.attempts),
          });
          this.options.metrics?.jobSettled(job.phase, 'requeued', secondsSince(started));
        }
      }
    } finally {
      lease.stop();
      cancel.stop();
      inputs?.release();
      this.options.changes?.notify(task.id);
      if (engine) await engines.retire(engine);
    }
  };

  /**
   * A `list` job: lists the task's whole input and stores the jobs planned from it in its place.
   * False when its outcome was not recorded (the lease was lost, the task ended).
   */
  private async expand(job: JobRecord, task: TaskRecord, plan: TaskPlan, lease: JobLease): Promise<boolean> {
    const { storage, store, queue, listPlanner } = this.options;
    const files = await storage.list(plan.inputRoot, { recursive: true });
    const jobs = listPlanner(task, files);
    lease.stop();
    if (lease.lost) return false;
    const expanded = await store.expandJob(job.id, this.owner, jobs, this.now());
    if (expanded.outcome === 'lease_lost') this.leaseLost(job.id, task.id);
    if (expanded.outcome !== 'expanded') return false;
    await queue.enqueue(expanded.released);
    this.options.trace?.('input listed', {
      jobId: job.id,
      taskId: task.id,
      files: files.length,
      jobs: jobs.length,
    });
    return true;
  }

  /**
   * A `manifest` job, the last of an export: writes `manifest.json` (every file the export recorded,
   * with its rows, bytes and checksum) and then `_SUCCESS` at the task's output root, and completes
   * the task at the time the manifest says. False when its outcome was not recorded (and when its
   * task was cancelled meanwhile, after removing what it wrote).
   */
  private async finish(
    job: JobRecord,
    task: TaskRecord,
    lease: JobLease,
    stopped: (outcome: JobOutcome) => Promise<void>,
  ): Promise<boolean> {
    const { store, storage, outputPath, queue } = this.options;
    const [files, schema] = await Promise.all([store.listFiles(task.id), store.exportSchema(task.id)]);
    const root = storage.join(outputPath, `${task.organizationId}/${task.id}`);
    const completedAt = this.now();
    const manifest = exportManifest({
      task,
      files: files.filter((file) => file.partition !== MANIFEST_PARTITION),
      schema,
      root,
      completedAt,
      defaultCompression: this.options.compression ?? 'snappy',
    });
    if (!(await lease.renew())) throw new LeaseLostError(job.id);
    const written = await storage.write(
      storage.join(root, MANIFEST_NAME),
      `${JSON.stringify(manifest, null, 2)}\n`,
    );
    await storage.write(storage.join(root, SUCCESS_NAME), '');
    lease.stop();
    if (lease.lost) return false;
    const outcome: JobOutcome = {
      counts: {},
      files: [
        {
          id: fileId(task.id, written.uri),
          partition: MANIFEST_PARTITION,
          uri: written.uri,
          rows: 0,
          sizeBytes: written.sizeBytes,
          sha256: null,
        },
      ],
    };
    const completion = await store.completeJob(
      job.id,
      this.owner,
      outcome,
      completedAt,
      this.options.lifecycle,
    );
    if (completion.outcome === 'lease_lost') this.leaseLost(job.id, task.id);
    // Cancelled while the manifest was written: it goes with the rest of the task's files.
    if (completion.outcome === 'cancelled') await stopped(outcome);
    if (completion.outcome !== 'recorded') return false;
    await queue.enqueue(completion.released);
    return true;
  }

  /**
   * Bounds the job's input by `maxJobBytes` (a filtered count's by `COUNT_JOB_BYTES` times that):
   * keeps its first partitions up to the bound and stores the rest as new jobs, enqueued at once so
   * other slots and workers take them. Undefined when the job may not go on (its lease was lost,
   * its task ended).
   */
  private async split(
    job: JobRecord,
    task: TaskRecord,
    plan: TaskPlan,
    listed: ListedPartition[],
  ): Promise<ListedPartition[] | undefined> {
    const { maxJobBytes, store, queue } = this.options;
    // A count with figures over the whole segment needs all of it in one job (see `countsWhole`), and
    // so does an export written whole (see `wholeExportKey`).
    if (job.phase === 'count' ? countsWhole(plan) : wholeExportKey(plan) !== null) return listed;
    if (maxJobBytes === undefined || plan.limit !== null || listed.length < 2) return listed;
    const sizes = listed.map(({ partition, objects }) => ({
      partition,
      bytes: objects.reduce((sum, object) => sum + object.size, 0),
    }));
    const bound = job.phase === 'count' ? COUNT_JOB_BYTES * maxJobBytes : maxJobBytes;
    const [keep, ...rest] = batchByBytes(sizes, bound);
    if (!keep || rest.length === 0) return listed;
    const split = await store.splitJob(job.id, this.owner, { keep, rest }, this.now());
    if (split.outcome === 'lease_lost') {
      this.leaseLost(job.id, task.id);
      return undefined;
    }
    if (split.outcome === 'task_inactive') return undefined;
    await queue.enqueue(split.released);
    this.options.trace?.('job split', { jobId: job.id, taskId: task.id, jobs: 1 + rest.length });
    const kept = new Set(keep);
    return listed.filter((input) => kept.has(input.partition));
  }

  private async count(
    job: JobRecord,
    plan: TaskPlan,
    inputs: JobInputs,
    engine: Promise<JobEngine> | undefined,
  ): Promise<JobOutcome> {
    const files = inputs.partitions.flatMap((input) => input.localPaths);
    const counts: Record<string, number> = Object.fromEntries(job.partitions.map((p) => [p, 0]));
    const people = peopleOf(plan);
    if (people) {
      const figures = await countPeopleJob(plan, people, inputs, (await engine!).sandbox);
      return { counts: figures.counts, files: [], manifest: manifestOf(inputs), figures: figures.view };
    }
    if (countsWhole(plan)) {
      const figures = await countWhole(job, plan, inputs, (await engine!).sandbox);
      return { counts: figures.counts, files: [], manifest: manifestOf(inputs), figures: figures.view };
    }
    if (files.length === 0) return { counts, files: [], manifest: manifestOf(inputs) };
    // Without a filter the footers hold the answer.
    const whereSql = plan.whereSql;
    const byFile =
      whereSql === null || !engine
        ? await parquetRowCounts(files).then((rows) => new Map(files.map((file, i) => [file, rows[i]!])))
        : await countByFile((await engine).sandbox, parquetSource(files, plan), whereSql);
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
    lease: JobLease,
  ): Promise<JobOutcome> {
    const { storage, outputPath, compression, log } = this.options;
    let mark = performance.now();
    const { sandbox, scratch } = await engine;
    mark = lap('engineWait', mark);
    const written = await writeExport({
      sandbox,
      scratch,
      plan,
      inputs,
      ...(compression ? { compression } : {}),
      ...(log ? { log: (message, fields) => log(message, { jobId: job.id, ...fields }) } : {}),
    });
    mark = lap('write', mark);
    // Publishing replaces the partitions' folders: a worker that lost the job must not touch the
    // files its new owner may already have recorded.
    if (!(await lease.renew())) throw new LeaseLostError(job.id);
    const files = await publishExport(written.files, { storage, outputPath, task });
    lap('publish', mark);
    const counts: Record<string, number> = Object.fromEntries(job.partitions.map((p) => [p, 0]));
    for (const file of files) counts[file.partition] = (counts[file.partition] ?? 0) + file.rows;
    return { counts, files, ...(written.columns.length > 0 ? { schema: { columns: written.columns } } : {}) };
  }

  /**
   * The job's task was cancelled: its run ends without a record. The cancel removed the task's
   * files, but an export that published after that leaves its own: the task's folder is removed
   * again (a worker that dies in between leaves them; see README "Cancelling a task").
   */
  private async stopped(
    job: JobRecord,
    task: TaskRecord,
    started: number,
    cancel: JobCancel,
    outcome?: JobOutcome,
  ): Promise<void> {
    const { storage, outputPath, metrics, trace, log } = this.options;
    if (outcome && outcome.files.length > 0) {
      await removeTaskOutputs(storage, outputPath, task).catch((error: unknown) =>
        log?.('files of a cancelled task not removed', { taskId: task.id, error: String(error) }),
      );
    }
    metrics?.jobSettled(job.phase, 'cancelled', secondsSince(started));
    trace?.('job stopped: its task was cancelled', {
      jobId: job.id,
      taskId: task.id,
      phase: job.phase,
      // From the cancel heard (by the feed or the lease) to the job's end; 0 when the store told first.
      msSinceCancel: cancel.msSinceCancel,
    });
  }

  /**
   * An export of whole files (`TaskPlan.copyFiles`): each partition's input files are copied as
   * they are (on the object store's side where it can), their rows read from their footers, their
   * schema and codec from the first footers; local files are checksummed, copies an object store
   * made are not (the worker never sees their bytes: `sha256` is null).
   */
  private async copyFiles(
    job: JobRecord,
    task: TaskRecord,
    inputs: JobInputs,
    engine: Promise<JobEngine>,
    lease: JobLease,
  ): Promise<JobOutcome> {
    const { storage, outputPath } = this.options;
    const staged = inputs.partitions.flatMap((input) => input.localPaths);
    const rows = await parquetRowCounts(staged);
    const schema = await footerSchema((await engine).sandbox, staged);
    // Publishing replaces the partitions' folders: only the lease holder may.
    if (!(await lease.renew())) throw new LeaseLostError(job.id);
    const counts: Record<string, number> = Object.fromEntries(job.partitions.map((p) => [p, 0]));
    const files: JobOutcome['files'] = [];
    let offset = 0;
    const partitions = inputs.partitions.map((input) => {
      const first = offset;
      offset += input.objects.length;
      return { input, rows: rows.slice(first, offset) };
    });
    await pMap(
      partitions.filter(({ input }) => input.objects.length > 0),
      async ({ input, rows: partitionRows }) => {
        const names = input.objects.map((_, i) => `data_${i}.parquet`);
        const destination = storage.join(outputPath, `${task.organizationId}/${task.id}/${input.partition}`);
        const copied = await storage.copy(input.objects, names, destination);
        const byName = new Map(names.map((name, i) => [name, i]));
        for (const file of copied) {
          const i = byName.get(path.basename(file.uri))!;
          const source = input.objects[i]!;
          const local = input.localPaths[i] === source.uri;
          files.push({
            id: fileId(task.id, file.uri),
            partition: input.partition,
            uri: file.uri,
            rows: partitionRows[i]!,
            sizeBytes: file.sizeBytes,
            sha256: local ? await this.checksums.of(source) : null,
          });
          counts[input.partition] = (counts[input.partition] ?? 0) + partitionRows[i]!;
        }
      },
      { concurrency: PARALLEL_COPIES },
    );
    files.sort((a, b) => compareText(a.uri, b.uri));
    return { counts, files, ...(schema ? { schema } : {}) };
  }

  private leaseLost(jobId: string, taskId: string): void {
    this.options.log?.('lease lost: the outcome was not recorded', { jobId, taskId, owner: this.owner });
  }

  private now(): string {
    return this.clock().toISOString();
  }
}

/** Ends a run whose lease was lost before it could publish. */
class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`lease of job ${jobId} lost`);
  }
}

function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}

/**
 * What a finished job read and wrote; a footers-only count opened no object in full (an export of
 * whole files counts the bytes it copied as read).
 */
function volumeOf(outcome: JobOutcome, inputs: JobInputs, footersOnly: boolean): JobVolume {
  const objects = inputs.partitions.flatMap((input) => input.objects);
  return {
    rowsRead: Object.values(outcome.counts).reduce((sum, n) => sum + n, 0),
    bytesRead: footersOnly ? 0 : objects.reduce((sum, object) => sum + object.size, 0),
    rowsWritten: outcome.files.reduce((sum, file) => sum + file.rows, 0),
    bytesWritten: outcome.files.reduce((sum, file) => sum + file.sizeBytes, 0),
  };
}
