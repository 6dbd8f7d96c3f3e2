/** Receives one job id; resolves when the job is settled (done, re-queued or failed). */
export type JobHandler = (jobId: string) => Promise<void>;

export interface EnqueueOptions {
  /** Accept the ids only after this delay (a retry's backoff). */
  delayMs?: number;
  /**
   * Whose ids these are (an organisation). Groups take turns at the queue's slots: an id's place is
   * the number of its group's ids waiting when it came (1 when the group had none), the lowest place
   * goes first and equal places in the order they came. However many ids one group has waiting,
   * another group's first id waits behind at most one of them per group.
   * @defaultValue `''` (one group: plain FIFO)
   */
  group?: string;
  /**
   * The ids' earlier deliveries are dead (the worker that held them died and its lease expired):
   * deliver them even while the queue still counts one of them as being handled, which a shared
   * queue does until it notices the dead process. Such an id may meet another delivery of itself;
   * the handler's claim in the store lets only one of them run the job. A redelivered id goes ahead of
   * every waiting id (place 0), whatever its group: its job started before anything now waiting.
   * @defaultValue `false`
   */
  redeliver?: boolean;
}

/**
 * Delivers job ids to one handler, at least once. It knows nothing of tasks: the store holds every
 * job's state, so a queue that loses its contents is refilled from the store on start. An id can
 * be delivered more than once: the handler asks the store whether the job is still to run.
 */
export interface JobQueue {
  /**
   * Accepts ids for delivery, in order within their group, the groups taking turns (see
   * `EnqueueOptions.group`); resolves once they are accepted, before they are delivered. With
   * `delayMs`, the ids are accepted only after that delay. An id already waiting is not delivered a
   * second time; an id being handled is delivered once more after that handling settled (unless
   * enqueued with `redeliver`: then at once), since its state may have changed meanwhile (a task
   * retried the moment its job failed). Ids enqueued before
   * `start` wait for it; after `close` they are ignored.
   */
  enqueue(jobIds: readonly string[], options?: EnqueueOptions): Promise<void>;
  /**
   * Starts delivering to the handler, at most the queue's concurrency at a time. A handler that
   * rejects does not stop the queue: it records failures in the store itself.
   */
  start(handler: JobHandler): Promise<void>;
  /** Rejects when the queue cannot take or deliver jobs (for readiness). */
  ping(): Promise<void>;
  /**
   * Resolves true when the queue lost every id it held since the last look (a Redis restarted
   * empty, a `FLUSHALL`): once per loss, to whichever process looks first, so that one enqueues
   * again what the store says should run; a queue that never held ids (a fresh Redis) counts as
   * having lost them. Rejects as `ping` does when the queue cannot be reached.
   */
  wasEmptied(): Promise<boolean>;
  /**
   * How many ids wait for delivery: those waiting for a free slot plus those delayed, not those
   * being handled (the queue-depth metric). A shared queue counts every process's ids.
   */
  depth(): Promise<number>;
  /**
   * Stops delivering, drops the ids not yet delivered (waiting or delayed: the store still holds
   * them) and resolves once the running handlers have settled.
   */
  close(): Promise<void>;
}
