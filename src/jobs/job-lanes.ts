import type { JobHandler, JobQueue } from '../queue/queue.ts';
import type { JobPhase, JobRef } from '../store/store.ts';

type Lane = 'count' | 'unload';

function laneOf(phase: JobPhase): Lane {
  return phase === 'unload' ? 'unload' : 'count';
}

/**
 * Where jobs wait: one queue per phase, each with slots of its own, so a count never waits behind
 * an export (the exports of any number of tasks hold only the export slots). In each queue the
 * organisations take turns (the queue's groups), so one organisation's many jobs do not hold back
 * another's few.
 */
export class JobLanes {
  constructor(private readonly queues: Readonly<Record<Lane, JobQueue>>) {}

  /**
   * Enqueues each job in its lane (exports in the export lane, listings and counts in the count
   * lane), in its organisation's group, in the order given. A job whose lease expired
   * (`leaseExpired`: its worker died) is redelivered at once (see `EnqueueOptions.redeliver`).
   */
  async enqueue(
    jobs: readonly (JobRef & { leaseExpired?: boolean })[],
    options: { delayMs?: number } = {},
  ): Promise<void> {
    const batches = new Map<string, { lane: Lane; group: string; redeliver: boolean; ids: string[] }>();
    for (const job of jobs) {
      const lane = laneOf(job.phase);
      const redeliver = job.leaseExpired === true;
      const key = `${lane}\n${job.organizationId}\n${redeliver}`;
      const batch = batches.get(key);
      if (batch) batch.ids.push(job.id);
      else batches.set(key, { lane, group: job.organizationId, redeliver, ids: [job.id] });
    }
    for (const { lane, group, redeliver, ids } of batches.values()) {
      await this.queues[lane].enqueue(ids, { ...options, group, ...(redeliver && { redeliver }) });
    }
  }

  /** Starts delivering every lane's jobs to the handler. */
  async start(handler: JobHandler): Promise<void> {
    await Promise.all(this.lanes().map((queue) => queue.start(handler)));
  }

  /** Rejects when any lane cannot take or deliver jobs. */
  async ping(): Promise<void> {
    await Promise.all(this.lanes().map((queue) => queue.ping()));
  }

  /** True when any lane lost the ids it held (see `JobQueue.wasEmptied`). */
  async wasEmptied(): Promise<boolean> {
    const emptied = await Promise.all(this.lanes().map((queue) => queue.wasEmptied()));
    return emptied.includes(true);
  }

  /** Jobs waiting in every lane (see `JobQueue.depth`). */
  async depth(): Promise<number> {
    const depths = await Promise.all(this.lanes().map((queue) => queue.depth()));
    return depths.reduce((sum, n) => sum + n, 0);
  }

  /** Closes every lane (see `JobQueue.close`). */
  async close(): Promise<void> {
    await Promise.all(this.lanes().map((queue) => queue.close()));
  }

  private lanes(): JobQueue[] {
    return [this.queues.count, this.queues.unload];
  }
}
