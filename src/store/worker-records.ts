/**
 * Which worker processes are alive. Each worker writes a beat every second or so; a worker whose
 * last beat is old enough is taken for dead, and the jobs it holds are handed over at once instead
 * of when their leases expire. The lease stays the guard against two owners: a worker taken for
 * dead that was only slow finds its lease lost at its next renewal and stops.
 */
export interface SilentWorkers {
  /** The owners whose last beat came at or before the cut-off, now forgotten. */
  owners: string[];
  /** Running jobs they held whose leases were ended. */
  jobs: number;
}

export interface WorkerStore {
  /** Records that `owner` (a worker process, as named in its leases) was alive at `now`. */
  beatWorker(owner: string, now: string): Promise<void>;

  /** Forgets `owner` (a worker stopping cleanly, after handing back its jobs). */
  forgetWorker(owner: string): Promise<void>;

  /**
   * Ends, as of `now`, the leases of running jobs held by workers whose last beat came at or
   * before `silentSince` (they died), and forgets those workers; one transaction. A job whose owner never
   * beat (or was forgotten) keeps its lease until it expires: only a worker known to have gone
   * silent loses its jobs early.
   */
  endSilentWorkers(silentSince: string, now: string): Promise<SilentWorkers>;

  /** The owners whose last beat came after `seenSince` (workers, and API processes that watch them), sorted. */
  liveWorkers(seenSince: string): Promise<string[]>;
}
