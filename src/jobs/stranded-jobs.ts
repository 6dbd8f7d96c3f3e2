import type { Store } from '../store/store.ts';
import type { JobLanes } from './job-lanes.ts';

/** Time between two tries to hand the jobs back while the store does not answer. */
const RETRY_MS = 1_000;

export interface StrandedJobsOptions {
  store: Store;
  queue: JobLanes;
  /** The lease owner of the runner whose jobs these are. */
  owner: string;
  clock?: () => Date;
  /** A hand-back that reached the store but not the queue (the reconciler enqueues them later). */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Jobs whose run ended while the store did not answer, so that neither their outcome nor a retry
 * could be recorded. They stay `running` under this worker's lease, which no longer renews it: left
 * alone, no worker would run them again before the lease expired (30 s). They are handed back
 * instead (queued again without using up an attempt, as at a shutdown) as soon as the store answers,
 * tried every second, and enqueued. A job another worker took over meanwhile is no longer this
 * worker's to hand back: the store's owner check leaves it alone.
 */
export class StrandedJobs {
  private readonly ids = new Set<string>();
  private readonly clock: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private handingBack: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: StrandedJobsOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Keeps a job to hand back at the next try. */
  add(jobId: string): void {
    this.ids.add(jobId);
    this.schedule();
  }

  /** One try: hands back every kept job if the store answers, and keeps them otherwise. */
  private async handBack(): Promise<void> {
    if (this.ids.size === 0) return;
    const ids = [...this.ids];
    const { store, queue, owner, log } = this.options;
    let released: Awaited<ReturnType<Store['releaseLeases']>>;
    try {
      released = await store.releaseLeases(owner, this.clock().toISOString(), ids);
    } catch {
      // Still out of reach: the next try comes.
      return;
    }
    for (const id of ids) this.ids.delete(id);
    try {
      if (released.length > 0) await queue.enqueue(released);
    } catch (error) {
      log?.('stranded jobs handed back but not enqueued', { jobs: released.length, error: String(error) });
    }
  }

  /** No more tries (at shutdown, which hands back every lease of the owner anyway). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.handingBack;
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.handingBack = this.handBack().finally(() => {
        this.timer = undefined;
        this.handingBack = undefined;
        if (this.ids.size > 0) this.schedule();
      });
    }, RETRY_MS);
    // The server's own handles keep the process alive; these tries alone do not.
    this.timer.unref();
  }
}
