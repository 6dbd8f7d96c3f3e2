import type pino from 'pino';

/**
 * The order a service closes its parts in, whichever of them a process built. First what takes new
 * work or holds clients waiting (long polls, the API, its sweeper), then what starts work (the
 * reconciler, the deliverer), then the queue with its running jobs, and only then what those jobs
 * use (the runner's DuckDB, the store, the guard), the shared Redis connections last.
 */
export const SHUTDOWN_ORDER = [
  /** Readers waiting for a change get their answer now rather than hold the close up. */
  'task-changes',
  'api',
  'idempotent-requests',
  'job-reconciler',
  'slice-sweeper',
  'audience-scheduler',
  'webhook-deliverer',
  /** Running jobs get SHUTDOWN_GRACE to finish... */
  'job-queue',
  /** ...and whatever still runs then is handed back (a worker's leases are released). */
  'job-leases',
  /** A worker stopping cleanly is forgotten, not taken for dead. */
  'worker-liveness',
  'job-runner',
  'task-service',
  'metrics-server',
  'store',
  'sql-guard',
  'change-feed',
  'limits-redis',
] as const;

export type ShutdownStep = (typeof SHUTDOWN_ORDER)[number];

/** A service's life: built part by part, running, then closed once (a failed start closes what it built). */
export type ServiceState = 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * The one list of what a running service must close. Each builder registers the closers of the
 * parts it made, in whatever order it makes them; `close` runs them in {@link SHUTDOWN_ORDER}.
 */
export class ShutdownPlan {
  private readonly closers = new Map<ShutdownStep, () => Promise<unknown>>();
  private closing: Promise<void> | undefined;
  private current: ServiceState = 'starting';

  constructor(private readonly log: pino.Logger) {}

  get state(): ServiceState {
    return this.current;
  }

  /** Registers the closer of `step`; each step belongs to one part. */
  add(step: ShutdownStep, close: () => Promise<unknown> | unknown): void {
    if (this.closers.has(step)) throw new Error(`shutdown step ${step} is registered twice`);
    this.closers.set(step, async () => close());
  }

  /** The steps registered so far, in the order `close` runs them. */
  steps(): ShutdownStep[] {
    return SHUTDOWN_ORDER.filter((step) => this.closers.has(step));
  }

  /** The start is over: from now on, only `close` changes the state. */
  started(): void {
    if (this.current === 'starting') this.current = 'running';
  }

  /**
   * Runs every registered closer in order, once (a second call waits for the first). A closer that
   * fails does not keep the later ones from running, so the store and connections are closed anyway;
   * the first failure is thrown at the end.
   */
  close(): Promise<void> {
    this.closing ??= this.runClosers();
    return this.closing;
  }

  private async runClosers(): Promise<void> {
    this.current = 'stopping';
    let failure: { error: unknown } | undefined;
    for (const step of SHUTDOWN_ORDER) {
      const close = this.closers.get(step);
      if (!close) continue;
      try {
        await close();
      } catch (error) {
        this.log.warn({ err: error, step }, 'a part of the service failed to close');
        failure ??= { error };
      }
    }
    this.current = 'stopped';
    if (failure) throw failure.error;
  }
}
