import type { JobMetrics } from '../metrics/job-metrics.ts';
import type { Store } from '../store/store.ts';
import type { JobLanes } from './job-lanes.ts';

export interface JobReconcilerOptions {
  store: Store;
  queue: JobLanes;
  /**
   * Time between two passes. With 30 s leases, a job whose worker died runs again within a
   * minute of its last renewal, and a job the queue lost within this interval.
   * @defaultValue 30 s
   */
  intervalMs?: number;
  clock?: () => Date;
  /** Passes that failed (the next one still comes). */
  log?: (message: string, fields: Record<string, unknown>) => void;
  /** Passes that enqueued jobs, with how many (at info level). */
  trace?: (message: string, fields: Record<string, unknown>) => void;
  /** Counts the jobs under an expired lease each pass enqueues (`leasesExpired`). */
  metrics?: JobMetrics;
}

/**
 * The queue only delivers, the store is the truth: every `intervalMs` the reconciler enqueues
 * what the store says should run now (`resumableJobs`): jobs queued for at least an interval that
 * the queue may have lost (a Redis restarted empty, a `FLUSHALL`) and running jobs whose lease
 * expired (their worker died).
 * The queue does not deliver again an id already waiting, and the store's claim refuses a job
 * another worker holds, so enqueuing a job twice costs one look-up.
 */
export class JobReconciler {
  private readonly intervalMs: number;
  private readonly clock: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = true;

  constructor(private readonly options: JobReconcilerOptions) {
    this.intervalMs = options.intervalMs ?? 30_000;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Schedules a pass every `intervalMs`, the first one `intervalMs` from now. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** Cancels the next pass and waits for one under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass: enqueues the resumable jobs and resolves with how many there were. */
  async reconcile(): Promise<number> {
    const { store, queue, trace } = this.options;
    const now = this.clock();
    // A job queued (or requeued with a retry's backoff) within the last interval is still the
    // queue's to deliver: only the next pass counts it as lost.
    const queuedBefore = new Date(now.getTime() - this.intervalMs).toISOString();
    const jobs = await store.resumableJobs(now.toISOString(), queuedBefore);
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
    }, this.intervalMs);
    // The server's own handles keep the process alive; the reconciler alone does not.
    this.timer.unref();
  }
}
