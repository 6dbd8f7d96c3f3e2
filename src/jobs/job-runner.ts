import type { EngineLimits } from '../catalog/input-schema.ts';
import type { ParquetCompression } from '../engine/file-writer.ts';
import type { JobMetrics } from '../metrics/job-metrics.ts';
import type { Storage, StoredObject } from '../storage/storage.ts';
import type { ClaimedJob, JobPhase, NewJob, Store, TaskLifecycle, TaskRecord } from '../store/store.ts';
import { isStoreUnavailable } from '../store/store-unavailable.ts';
import type { TaskChanges } from '../tasks/task-changes.ts';
import { describeFailure } from '../tasks/task-failure.ts';
import type { StoredRequest } from '../tasks/task-model.ts';
import { removeTaskOutputs, taskSlicesRoot } from '../tasks/task-outputs.ts';
import { slicesUsedUntil } from '../tasks/unique-slices.ts';
import { JobCancel } from './job-cancel.ts';
import { JOB_KINDS } from './job-catalog.ts';
import { type JobEngine, JobEngines } from './job-engines.ts';
import type { JobLanes } from './job-lanes.ts';
import { DEFAULT_LEASE_MS, JobLease, newLeaseOwner } from './job-lease.ts';
import { CountPhase } from './phases/count.ts';
import { ListPhase } from './phases/list.ts';
import { ManifestPhase } from './phases/manifest.ts';
import type { JobBytes, JobRun, Phase, PhaseDeps, PhaseResult, SliceBounds } from './phases/phase.ts';
import { ReducePhase } from './phases/reduce.ts';
import { UnloadPhase } from './phases/unload.ts';
import { StrandedJobs } from './stranded-jobs.ts';

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
   * Jobs this process runs at once, exports and counts (its queue lanes' slots): as many DuckDB
   * instances are kept started ahead of jobs (one per slot hides each start-up), and a split
   * task's jobs share the cores only as far as they can run here side by side.
   * @defaultValue none kept started; the cores shared by every job of a split task
   */
  slots?: { unload: number; count: number };
  /**
   * Input bytes an export job, and a filtered count job, reads at most: a job over more partitions
   * keeps the first ones up to it and hands the rest to new jobs. Not split: a task with a `limit`
   * (its jobs each export up to it), a count that reads only footers, and the one count job of a
   * task counted whole (`countsWhole`). Undefined: jobs run as planned.
   */
  maxJobBytes?: JobBytes;
  /**
   * Input bytes of a unique count's, or a people export's, count job (see `sliceBounds` in
   * `composition/engine-budgets.ts`); a larger task is sliced by hash.
   * @defaultValue a count job's `maxJobBytes`
   */
  sliceBounds?: SliceBounds;
  /**
   * Jobs of a phase that run at once across every worker (live workers times their slots): a task
   * split into jobs is split into a multiple of it where its partitions allow (`batchForSlots`).
   * @defaultValue jobs split by bytes alone
   */
  workerSlots?: (phase: 'count' | 'unload') => Promise<number>;
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

/** A job's run as the runner keeps it: what the phase sees, and what settling and cleaning up need. */
interface RunState {
  run: JobRun;
  cancel: JobCancel;
  /** The engines the job's DuckDB came from, to hand it back to. */
  engines: JobEngines | undefined;
  started: number;
  times: Record<string, number>;
}

/**
 * The worker's loop body: claims a delivered job in the store with a lease, runs its phase
 * (`phases/`: list, count, unload, manifest), and settles the outcome (recorded, failed, retried
 * later, or dropped because its task was cancelled), handing any jobs the outcome released back to
 * the queue. Safe to run twice for the same id, and on many workers at once: only the lease holder
 * runs a job and records its outcome. A job whose task is cancelled stops mid-query (`JobCancel`) and
 * records nothing; one that had published files when it learnt of the cancel removes the task's
 * folder again.
 */
export class JobRunner {
  /** The lease owner of this runner's jobs. */
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly clock: () => Date;
  /** The DuckDB instances of export jobs, and of filtered count jobs. */
  private readonly engines: Readonly<Record<'unload' | 'count', JobEngines>>;
  private readonly phases: Readonly<Record<JobPhase, Phase>>;
  /** Runs that ended while the store did not answer, handed back once it does. */
  private readonly stranded: StrandedJobs;

  constructor(private readonly options: JobRunnerOptions) {
    this.owner = options.owner ?? newLeaseOwner();
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.clock = options.clock ?? (() => new Date());
    const engines = (engine: EngineLimits, slots: number | undefined) =>
      new JobEngines({
        storage: options.storage,
        engine,
        ...(slots === undefined ? {} : { slots }),
        ...(options.log ? { log: options.log } : {}),
      });
    this.engines = {
      unload: engines(options.engine, options.slots?.unload),
      count: engines(options.countEngine ?? options.engine, options.slots?.count),
    };
    const { store, queue, storage, outputPath, compression, maxJobBytes, sliceBounds, workerSlots } = options;
    const { listPlanner, log, trace } = options;
    const deps: PhaseDeps = {
      store,
      queue,
      storage,
      outputPath,
      listPlanner,
      owner: this.owner,
      now: () => this.now(),
      leaseLost: (jobId, taskId) => this.leaseLost(jobId, taskId),
      ...(compression ? { compression } : {}),
      ...(maxJobBytes !== undefined ? { maxJobBytes } : {}),
      ...(sliceBounds !== undefined ? { sliceBounds } : {}),
      ...(workerSlots !== undefined ? { workerSlots } : {}),
      ...(log ? { log } : {}),
      ...(trace ? { trace } : {}),
    };
    this.stranded = new StrandedJobs({
      store,
      queue,
      owner: this.owner,
      clock: this.clock,
      ...(log ? { log } : {}),
    });
    this.phases = {
      list: new ListPhase(deps),
      count: new CountPhase(deps),
      reduce: new ReducePhase(deps),
      unload: new UnloadPhase(deps),
      manifest: new ManifestPhase(deps),
    };
  }

  /** Closes the DuckDB instances kept ready (after the queue has stopped delivering jobs). */
  async close(): Promise<void> {
    await this.stranded.stop();
    await Promise.all([this.engines.unload.close(), this.engines.count.close()]);
  }

  /** Claim → phase → settle, for one delivered job id. */
  readonly handle = async (jobId: string): Promise<void> => {
    const claiming = performance.now();
    const claimed = await this.options.store.claimJob(jobId, {
      owner: this.owner,
      now: this.now(),
      leaseMs: this.leaseMs,
    });
    if (!claimed) return;
    const state = this.begin(claimed, performance.now() - claiming);
    const { run, cancel, engines } = state;
    try {
      const result = await this.phases[run.job.phase].run(run);
      await this.settle(state, result);
    } catch (error) {
      await this.failed(state, error).catch((unrecorded: unknown) => {
        // Any other error (the store refusing the record, the queue not taking the retry) keeps the
        // lease's expiry as the retry: each takeover uses up an attempt, so a job whose record
        // always fails ends failed instead of running again and again.
        if (!isStoreUnavailable(unrecorded)) throw unrecorded;
        this.strand(state, unrecorded);
      });
    } finally {
      // A phase that ended before it said how its task's jobs share the cores lets its engine go on.
      run.sharedBy(1);
      run.lease.stop();
      cancel.stop();
      run.inputs?.release();
      this.options.changes?.notify(run.task.id);
      if (run.engine && engines) await engines.retire(run.engine);
    }
  };

  /**
   * Starts a claimed job's run: its lease renewals, its cancel watch and, when its phase needs one,
   * its DuckDB (opening while the phase lists and stages its inputs: the two waits overlap).
   */
  private begin({ job, task, recovered, queuedAt }: ClaimedJob, claimMs: number): RunState {
    const { store, log, trace, changes } = this.options;
    if (recovered) {
      this.options.metrics?.leasesRecovered();
      log?.('job taken over from an expired lease', {
        jobId: job.id,
        taskId: task.id,
        attempt: job.attempts,
      });
    }
    const plan = (task.request as StoredRequest).plan;
    const lane = this.phases[job.phase].engine(plan);
    const engines = lane ? this.engines[lane] : undefined;
    let sharedBy: (jobs: number) => void = () => {};
    const sharing = new Promise<number>((resolve) => {
      sharedBy = resolve;
    });
    const inputRoot = this.phases[job.phase].inputRoot?.(task, job) ?? plan.inputRoot;
    const engine: Promise<JobEngine> | undefined = engines?.open(job.id, plan, sharing, inputRoot);
    // Its failure is handled where it is awaited; until then it must not count as unhandled.
    engine?.catch(() => undefined);
    const lease = new JobLease({
      store,
      jobId: job.id,
      owner: this.owner,
      leaseMs: this.leaseMs,
      clock: this.clock,
      ...(log ? { log } : {}),
      onCancelled: () => cancel.cancel('lease'),
    });
    const cancel = new JobCancel({
      store,
      task,
      jobId: job.id,
      engine,
      clock: this.clock,
      ...(changes ? { changes } : {}),
      ...(trace ? { trace } : {}),
      ...(log ? { log } : {}),
    });
    const started = performance.now();
    // Waiting for a slot (from the job's last change to its claim), and the claim itself.
    const times: Record<string, number> = {
      queued: Math.max(0, this.clock().getTime() - Date.parse(queuedAt) - Math.round(claimMs)),
      claim: Math.round(claimMs),
    };
    let mark = started;
    const lap = (name: string) => {
      const now = performance.now();
      times[name] = Math.round(now - mark);
      mark = now;
    };
    const record = (name: string, ms: number) => {
      times[name] = ms;
    };
    return {
      run: { job, task, plan, lease, engine, sharedBy, lap, record },
      cancel,
      engines,
      started,
      times,
    };
  }

  /** Records a phase's result in the store (only while this worker holds the job's lease). */
  private async settle(state: RunState, result: PhaseResult): Promise<void> {
    const { store, queue, lifecycle } = this.options;
    const { job, task, lease } = state.run;
    // Renewals stop before the outcome is recorded: one answered after it would find the job done.
    lease.stop();
    if (result.settle === 'none' || lease.lost) return;
    if (result.settle === 'expand') {
      const expanded = await store.expandJob(job.id, this.owner, result.jobs, this.now());
      if (expanded.outcome === 'lease_lost') return this.leaseLost(job.id, task.id);
      if (expanded.outcome !== 'expanded') return;
      await queue.enqueue(expanded.released);
      return this.done(state, { files: result.files, jobs: result.jobs.length });
    }
    const { outcome } = result;
    const completion = await store.completeJob(
      job.id,
      this.owner,
      outcome,
      result.at ?? this.now(),
      lifecycle,
    );
    if (completion.outcome === 'lease_lost') return this.leaseLost(job.id, task.id);
    // Cancelled while the phase ran: what it wrote goes with the rest of the task's files.
    if (completion.outcome === 'cancelled') return this.stopped(state, outcome);
    if (completion.outcome === 'recorded' && completion.released.length > 0) {
      await queue.enqueue(completion.released);
    }
    // The slices of a sliced count are nobody's once its last reader ended (see `slicesUsedUntil`).
    const { plan } = state.run;
    if (completion.outcome === 'recorded' && completion.phaseEnded && slicesUsedUntil(plan) === job.phase) {
      const { storage, outputPath } = this.options;
      await storage.remove(taskSlicesRoot(storage, outputPath, task)).catch(() => undefined);
    }
    state.run.lap('store');
    this.done(state, { files: result.files ?? 0 }, result.volume);
  }

  /** A run that threw: dropped if its task was cancelled or its lease lost, else retried or failed. */
  private async failed(state: RunState, error: unknown): Promise<void> {
    const { store, queue, log, metrics } = this.options;
    const { job, task, lease, inputs } = state.run;
    lease.stop();
    // Interrupted, or refused by the store, because the task was cancelled: not a failure.
    if (state.cancel.cancelled || lease.cancelled) return this.stopped(state);
    // Another worker runs the job now: this run's failure is no longer the job's.
    if (lease.lost) return;
    const failure = describeFailure(error, inputs?.uriOf);
    log?.('job failed', { jobId: job.id, taskId: task.id, attempt: job.attempts, code: failure.code });
    const kind = JOB_KINDS[job.phase];
    if (failure.permanent || job.attempts >= kind.maxAttempts) {
      const error = { code: failure.code, message: failure.message };
      const failed = await store.failJob(job.id, this.owner, error, this.now());
      if (failed.outcome === 'lease_lost') return this.leaseLost(job.id, task.id);
      metrics?.jobSettled(job.phase, 'failed', secondsSince(state.started));
      return;
    }
    const requeued = await store.requeueJob(job.id, this.owner, failure.message, this.now());
    if (requeued.outcome === 'lease_lost') return this.leaseLost(job.id, task.id);
    await queue.enqueue([{ id: job.id, phase: job.phase, organizationId: task.organizationId }], {
      delayMs: kind.backoffMs(job.attempts),
    });
    metrics?.jobSettled(job.phase, 'requeued', secondsSince(state.started));
  }

  /** A settled job's metrics and its trace line: where its time went, in ms. */
  private done(
    { run, started, times }: RunState,
    fields: Record<string, number>,
    volume?: Parameters<JobMetrics['jobSettled']>[3],
  ): void {
    const { job, task } = run;
    const total = Math.round(performance.now() - started);
    this.options.metrics?.jobSettled(job.phase, 'done', secondsSince(started), volume);
    this.options.metrics?.jobSteps(job.phase, { ...times, total });
    this.options.trace?.('job done', {
      jobId: job.id,
      taskId: task.id,
      phase: job.phase,
      partitions: job.partitions.length,
      ...fields,
      ms: { ...times, total },
    });
  }

  /**
   * The job's task was cancelled: its run ends without a record. The cancel removed the task's
   * files, but an export that published after that leaves its own: the task's folder is removed
   * again (a worker that dies in between leaves them; see README "Cancelling a task").
   */
  private async stopped({ run, cancel, started }: RunState, outcome?: PhaseOutcome): Promise<void> {
    const { storage, outputPath, metrics, trace, log } = this.options;
    const { job, task } = run;
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
   * Neither the run's outcome nor its retry could be recorded (the store did not answer): the job
   * is handed back once the store answers again, instead of waiting out its lease.
   */
  private strand({ run }: RunState, error: unknown): void {
    const { job, task } = run;
    this.options.log?.('job not recorded: handed back once the store answers', {
      jobId: job.id,
      taskId: task.id,
      error: String(error),
    });
    this.stranded.add(job.id);
  }

  private leaseLost(jobId: string, taskId: string): void {
    this.options.log?.('lease lost: the outcome was not recorded', { jobId, taskId, owner: this.owner });
  }

  private now(): string {
    return this.clock().toISOString();
  }
}

type PhaseOutcome = Extract<PhaseResult, { settle: 'record' }>['outcome'];

function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
