import type { JobMetrics } from '../metrics/job-metrics.ts';
import type { ResumableJob, Store } from '../store/store.ts';
import type { JobLanes } from './job-lanes.ts';

export interface JobReconcilerOptions {
  store: Store;
  queue: JobLanes;
  /**
   * How long a queued job may wait before the reconciler counts it as lost by the queue and
   * enqueues it again (once per this interval): the queue delivers it before then unless it lost it.
   * @defaultValue 30 s
   */
  intervalMs?: number;
  /**
   * Time between two looks for jobs under an expired lease (their worker died): such a job is
   * redelivered at most this long after its lease expired, so a dead worker's jobs run again
   * within the lease time (30 s after its last renewal) plus this. One indexed query a pass.
   * @defaultValue 5 s (at most `intervalMs`)
   */
  leaseCheckMs?: number;
  clock?: () => Date;
  /** Passes that failed (the next one still comes). */
  log?: (message: string, fields: Record<string, unknown>) => void;
  /** Passes that enqueued jobs, with how many (at info level). */
  trace?: (message: string, fields: Record<string, unknown>) => void;
  /** Counts the jobs under an expired lease each pass enqueues (`leasesExpired`). */
  metrics?: JobMetrics;
}

/**
 * The queue only delivers, the store is the truth: the reconciler enqueues what the store says
 * should run now (`resumableJobs`): every `leaseCheckMs`, running jobs whose lease expired (their
 * worker died), and every queued job when the queue was found emptied (a Redis restarted empty, a
 * `FLUSHALL`) or out of reach; every `intervalMs`, also jobs queued for at least an interval that
 * the queue may have lost some other way.
 * The queue does not deliver again an id already waiting, and the store's claim refuses a job
 * another worker holds, so enqueuing a job twice costs one look-up.
 */
export class JobReconciler {
  private readonly intervalMs: number;
  private readonly leaseCheckMs: number;
  private readonly clock: () => Date;
  /** When the last pass that looked for lost queued jobs ran (ms since the epoch). */
  private lastFullPass: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = true;
  /** The store could not be reached since the last pass that went through. */
  private outage = false;

  constructor(private readonly options: JobReconcilerOptions) {
    this.intervalMs = options.intervalMs ?? 30_000;
    this.leaseCheckMs = Math.min(options.leaseCheckMs ?? 5_000, this.intervalMs);
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Schedules a pass every `leaseCheckMs`, the first one `leaseCheckMs` from now; the first that
   * also looks for lost queued jobs comes `intervalMs` from now.
   */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.lastFullPass = this.clock().getTime();
    this.schedule();
  }

  /** Cancels the next pass and waits for one under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /**
   * Tells the reconciler that the store or the queue could not be reached (a beat failed): deliveries
   * made meanwhile were dropped by handlers that could not claim their jobs, so the first pass that
   * goes through afterwards enqueues every queued job again, without waiting an interval.
   */
  outageSeen(): void {
    this.outage = true;
  }

  /**
   * One pass: enqueues the jobs under an expired lease and, once an interval has passed since the
   * last time (or when `full`), the queued jobs the queue may have lost; after the store could not
   * be reached, every queued job. Resolves with how many.
   */
  async reconcile(full = false): Promise<number> {
    const { store, queue, trace } = this.options;
    const now = this.clock();
    // A queue that does not answer lost its deliveries or will, and one that answers empty lost
    // them: this pass (or the first that gets through) enqueues every queued job.
    try {
      if (await queue.wasEmptied()) this.outage = true;
    } catch (error) {
      this.outage = true;
      throw error;
    }
    const afterOutage = this.outage;
    const lookForLost =
      full ||
      afterOutage ||
      this.lastFullPass === undefined ||
      now.getTime() - this.lastFullPass >= this.intervalMs;
    if (lookForLost) this.lastFullPass = now.getTime();
    // A job queued (or requeued with a retry's backoff) within the last interval is still the
    // queue's to deliver: only a later pass counts it as lost. Between those passes, no queued job.
    const lostSince = afterOutage ? now.getTime() : now.getTime() - this.intervalMs;
    const queuedBefore = new Date(lookForLost ? lostSince : 0).toISOString();
    let jobs: ResumableJob[];
    try {
      jobs = await store.resumableJobs(now.toISOString(), queuedBefore);
    } catch (error) {
      this.outage = true;
      throw error;
    }
    if (afterOutage) this.outage = false;
    if (jobs.length === 0) return 0;
    await queue.enqueue(jobs);
    const expired = jobs.filter((job) => job.leaseExpired).length;
    if (expired > 0) this.options.metrics?.leasesExpired(expired);
    trace?.('enqueued resumable jobs', { jobs: jobs.length });
    return jobs.length;
  }

  private schedule(): void {
    // A pass starts only after the previous one ended: a slow store never stacks them up.
    this.timer = setTimeout(() => {
      this.running = this.reconcile().catch((error) => {
        this.options.log?.('reconciling jobs failed', { error: String(error) });
        return 0;
      });
      void this.running.finally(() => {
        this.running = undefined;
        if (!this.stopped) this.schedule();
      });
    }, this.leaseCheckMs);
    // The server's own handles keep the process alive; the reconciler alone does not.
    this.timer.unref();
  }
}
