/** Receives one job id; resolves when the job is settled (done, re-queued or failed). */
export type JobHandler = (jobId: string) => Promise<void>;

/**
 * Delivers job ids to one handler, at least once. It knows nothing of tasks: the store holds every
 * job's state, so a queue that loses its contents is refilled from the store on start.
 */
export interface JobQueue {
  enqueue(jobIds: readonly string[], options?: { delayMs?: number }): Promise<void>;
  /** Starts delivering to the handler with the queue's concurrency. */
  start(handler: JobHandler): Promise<void>;
  /** Throws when the queue cannot take or deliver jobs. */
  ping(): Promise<void>;
  /** Stops delivering and waits for running handlers. */
  close(): Promise<void>;
}
