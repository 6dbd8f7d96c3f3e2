import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { LeaseRenewal, Store } from '../store/store.ts';

/** How long a claim holds a job without renewal: a dead worker's jobs are taken over after it. */
export const DEFAULT_LEASE_MS = 30_000;

/**
 * Names one worker process for its leases: host and pid tell an operator where a job runs, the
 * random part keeps a restarted process (same pid in a fresh container) from passing for the
 * one that died.
 */
export function newLeaseOwner(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export interface JobLeaseOptions {
  store: Store;
  jobId: string;
  owner: string;
  leaseMs: number;
  clock: () => Date;
  /** Told once, when a renewal finds the lease lost, or a renewal fails. */
  log?: (message: string, fields: Record<string, unknown>) => void;
  /** Called once, when a renewal finds the job cancelled with its task: the run should stop. */
  onCancelled?: () => void;
}

/**
 * Keeps a claimed job's lease alive: renews it every third of the lease while the job runs, so
 * two renewals can fail (a slow store) before another worker may take the job over. Once a
 * renewal finds the lease lost, `lost` stays true and renewals stop; once one finds the job
 * cancelled, `cancelled` does (and `onCancelled` is told): the fallback for a worker that missed the
 * cancel's notification.
 */
export class JobLease {
  private lostLease = false;
  private cancelledJob = false;
  private stopped = false;
  private renewing: Promise<LeaseRenewal> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: JobLeaseOptions) {
    this.timer = setInterval(() => {
      // A renewal still waiting on the store is not doubled.
      if (!this.renewing) void this.renew();
    }, options.leaseMs / 3);
    // A lease alone does not keep the process alive.
    this.timer.unref();
  }

  /** True once the store said another worker holds the job (or it was handed back). */
  get lost(): boolean {
    return this.lostLease;
  }

  /** True once the store said the job was cancelled with its task. */
  get cancelled(): boolean {
    return this.cancelledJob;
  }

  /**
   * Renews now and tells whether the lease is still held (false too once the job was cancelled):
   * called before a step that must not happen twice (publishing an export). A store error counts as held: the outcome is checked
   * by the store when it is recorded.
   */
  async renew(): Promise<boolean> {
    if (this.lostLease || this.cancelledJob || this.stopped) return this.held;
    const { store, jobId, owner, leaseMs, clock, log } = this.options;
    this.renewing = store
      .renewLease(jobId, owner, clock().toISOString(), leaseMs)
      .catch((error): LeaseRenewal => {
        log?.('lease renewal failed', { jobId, owner, error: String(error) });
        return 'renewed';
      });
    try {
      const renewal = await this.renewing;
      // A renewal answered after the job was recorded finds it done: that is no loss.
      if (renewal !== 'renewed' && !this.stopped && this.held) {
        clearInterval(this.timer);
        if (renewal === 'cancelled') {
          this.cancelledJob = true;
          this.options.onCancelled?.();
        } else {
          this.lostLease = true;
          log?.('lease lost', { jobId, owner });
        }
      }
      return this.held;
    } finally {
      this.renewing = undefined;
    }
  }

  /**
   * Renews now and throws `LeaseLostError` unless the lease is still held: the guard before a step
   * only the lease holder may take (publishing replaces folders a new owner may already have written).
   */
  async hold(): Promise<void> {
    if (!(await this.renew())) throw new LeaseLostError(this.options.jobId);
  }

  private get held(): boolean {
    return !this.lostLease && !this.cancelledJob;
  }

  /** Stops renewing: call when the job is settled (or abandoned). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }
}

/** Ends a run whose lease was lost (or whose job was cancelled) before a step only its holder may take. */
export class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`lease of job ${jobId} lost`);
  }
}
