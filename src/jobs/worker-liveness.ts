import type { WorkerStore } from '../store/store.ts';

/** How often a worker beats. */
export const DEFAULT_BEAT_MS = 1_000;
/**
 * How long a worker may go without a beat before it is taken for dead: four beats missed in a row.
 * A worker whose event loop is busy, or whose machine pauses, for less than this keeps its jobs.
 */
export const DEFAULT_SILENCE_MS = 4_000;

export interface WorkerLivenessOptions {
  store: WorkerStore;
  /** The worker's name in its leases. */
  owner: string;
  /** @defaultValue {@link DEFAULT_BEAT_MS} */
  beatMs?: number;
  /** @defaultValue {@link DEFAULT_SILENCE_MS} */
  silenceMs?: number;
  clock?: () => Date;
  /** Told when silent workers' leases were ended, with how many jobs: enqueue them now. */
  onJobsFreed: (jobs: number) => void;
  /** Told when a beat failed: the store could not be reached. */
  onBeatFailed?: () => void;
  /** Beats or looks that failed (the next ones still come). */
  log?: (message: string, fields: Record<string, unknown>) => void;
  /** The workers taken for dead (the service logs them as a warning). */
  trace?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Failover in seconds rather than a lease's time: every worker beats (`beatWorker`) every
 * `beatMs`, and after each beat looks for workers silent for `silenceMs` (`endSilentWorkers`),
 * whose leases then end at once; the reconciler enqueues their jobs.
 *
 * A worker judges others only once its own beats have gone through steadily for `silenceMs` (no
 * failure, no gap as long as the silence): after a store outage (every beat failed), after a pause of
 * its own, or at start, the others have not had the time to beat either, and their silence says
 * nothing. A worker wrongly taken for dead (a
 * pause longer than `silenceMs`) loses only jobs another worker claims first; its next lease
 * renewal says so and it stops them, as after an expired lease.
 */
export class WorkerLiveness {
  private readonly beatMs: number;
  private readonly silenceMs: number;
  private readonly clock: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** When the current run of beats without a gap began (ms since the epoch). */
  private steadySince: number | undefined;
  private lastBeat: number | undefined;

  constructor(private readonly options: WorkerLivenessOptions) {
    this.beatMs = options.beatMs ?? DEFAULT_BEAT_MS;
    this.silenceMs = options.silenceMs ?? DEFAULT_SILENCE_MS;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Beats now, then every `beatMs`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.tick();
  }

  /** Stops beating and forgets this worker (call after its jobs were handed back). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.options.store.forgetWorker(this.options.owner).catch(() => undefined);
  }

  /**
   * One beat, then, when this worker has beaten steadily for `silenceMs`, one look for silent
   * workers. Resolves with the jobs freed (0 when it did not look).
   */
  async beat(): Promise<number> {
    const { store, owner, log } = this.options;
    const now = this.clock().getTime();
    try {
      await store.beatWorker(owner, new Date(now).toISOString());
    } catch (error) {
      this.steadySince = undefined;
      this.options.onBeatFailed?.();
      log?.('worker beat failed', { owner, error: String(error) });
      return 0;
    }
    // A gap as long as the silence (a pause of its own, a store that hardly answered): the others
    // may have had one too. Shorter gaps are a busy machine's, and do not stop it from judging (a
    // worker wrongly taken for dead only loses its jobs to a takeover its lease then reports).
    if (this.lastBeat === undefined || now - this.lastBeat > this.silenceMs) this.steadySince = now;
    this.lastBeat = now;
    if (now - (this.steadySince ?? now) < this.silenceMs) return 0;
    return this.endSilentWorkers(now);
  }

  private async endSilentWorkers(now: number): Promise<number> {
    const { store, owner, log, trace, onJobsFreed } = this.options;
    try {
      const silent = await store.endSilentWorkers(
        new Date(now - this.silenceMs).toISOString(),
        new Date(now).toISOString(),
      );
      if (silent.owners.length > 0) trace?.('workers taken for dead', { ...silent, by: owner });
      if (silent.jobs > 0) onJobsFreed(silent.jobs);
      return silent.jobs;
    } catch (error) {
      log?.('looking for silent workers failed', { owner, error: String(error) });
      return 0;
    }
  }

  private tick(): void {
    const started = Date.now();
    this.running = this.beat().then(() => undefined);
    void this.running.finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      // Every `beatMs` from the start of the last beat, however long the store took to answer it.
      this.timer = setTimeout(() => this.tick(), Math.max(0, started + this.beatMs - Date.now()));
      // The server's own handles keep the process alive; the beats alone do not.
      this.timer.unref();
    });
  }
}
