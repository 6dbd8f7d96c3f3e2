import type { JobHandler, JobQueue } from './queue.ts';

/**
 * The embedded queue: a FIFO in memory, delivered to the handler as soon as a slot is free (no
 * polling). On restart the worker refills it from the store.
 */
export class MemoryQueue implements JobQueue {
  private readonly waiting: string[] = [];
  /** Ids waiting or running, so a duplicate enqueue is not delivered twice at once. */
  private readonly pending = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private handler: JobHandler | undefined;
  private closed = false;

  constructor(private readonly concurrency: number) {}

  async enqueue(jobIds: readonly string[], options: { delayMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    if (options.delayMs && options.delayMs > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.enqueue(jobIds);
      }, options.delayMs);
      this.timers.add(timer);
      return;
    }
    for (const id of jobIds) {
      if (this.pending.has(id)) continue;
      this.pending.add(id);
      this.waiting.push(id);
    }
    // Delivered on the next turn of the event loop: the caller (a request creating a task) answers
    // its client first, instead of waiting behind the start of the jobs it queued.
    setImmediate(() => this.drain());
  }

  async start(handler: JobHandler): Promise<void> {
    this.handler = handler;
    this.drain();
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('queue is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.waiting.length = 0;
    await Promise.allSettled([...this.running]);
  }

  private drain(): void {
    const handler = this.handler;
    if (!handler) return;
    while (!this.closed && this.running.size < this.concurrency && this.waiting.length > 0) {
      const id = this.waiting.shift()!;
      const run = handler(id)
        .catch(() => {
          // The handler records failures in the store; nothing to do here but keep the queue alive.
        })
        .finally(() => {
          this.running.delete(run);
          this.pending.delete(id);
          this.drain();
        });
      this.running.add(run);
    }
  }
}
