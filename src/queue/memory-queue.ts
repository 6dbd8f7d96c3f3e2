import TinyQueue from 'tinyqueue';
import type { EnqueueOptions, JobHandler, JobQueue } from './queue.ts';

/** A waiting id: its place in its group's line when it came, and the order it came in. */
interface Waiting {
  id: string;
  group: string;
  place: number;
  seq: number;
}

/**
 * The embedded queue, in memory, delivered to the handler as soon as a slot is free (no polling).
 * Groups take turns the way the shared queue's do: an id's place is the number of its group's ids
 * waiting when it came (1 for a group with nothing waiting), and the lowest place goes first, ties in
 * the order they came. On restart the worker refills it from the store.
 */
export class MemoryQueue implements JobQueue {
  private readonly waiting = new TinyQueue<Waiting>([], (a, b) => a.place - b.place || a.seq - b.seq);
  /** Ids waiting per group (a group with none is absent). */
  private readonly waitingPerGroup = new Map<string, number>();
  private seq = 0;
  /** Ids waiting, so a duplicate enqueue is not delivered twice at once. */
  private readonly queued = new Set<string>();
  /** Ids being handled, with how many deliveries of each run (more than one after `redeliver`). */
  private readonly handling = new Map<string, number>();
  /** Ids enqueued while being handled, with their group: delivered again once that handling settles. */
  private readonly again = new Map<string, string>();
  /** Each delay's timer with the number of ids it holds back (for `depth`). */
  private readonly timers = new Map<NodeJS.Timeout, number>();
  private readonly running = new Set<Promise<void>>();
  private handler: JobHandler | undefined;
  private closed = false;

  constructor(private readonly concurrency: number) {}

  async enqueue(jobIds: readonly string[], options: EnqueueOptions = {}): Promise<void> {
    if (this.closed) return;
    const group = options.group ?? '';
    if (options.delayMs && options.delayMs > 0) {
      this.delay(jobIds, group, Date.now() + options.delayMs);
      return;
    }
    for (const id of jobIds) {
      if (this.queued.has(id)) continue;
      if (this.handling.has(id) && !options.redeliver) {
        this.again.set(id, group);
        continue;
      }
      this.queued.add(id);
      const waiting = (this.waitingPerGroup.get(group) ?? 0) + 1;
      this.waitingPerGroup.set(group, waiting);
      // A redelivery started before anything now waiting: it goes ahead of every place.
      const place = options.redeliver ? 0 : waiting;
      this.waiting.push({ id, group, place, seq: this.seq++ });
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

  /** Never: what this queue holds lives and ends with its process. */
  async wasEmptied(): Promise<boolean> {
    await this.ping();
    return false;
  }

  async depth(): Promise<number> {
    let delayed = 0;
    for (const count of this.timers.values()) delayed += count;
    return this.waiting.length + delayed;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.keys()) clearTimeout(timer);
    this.timers.clear();
    while (this.waiting.length > 0) this.waiting.pop();
    this.queued.clear();
    this.again.clear();
    this.waitingPerGroup.clear();
    await Promise.allSettled([...this.running]);
  }

  /** Accepts the ids at `due` (ms since the epoch). */
  private delay(jobIds: readonly string[], group: string, due: number): void {
    // A timer can fire a millisecond or two early (libuv measures from the start of the loop's
    // turn): the rest is waited again, so an id is never accepted before its delay has passed.
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (Date.now() < due) this.delay(jobIds, group, due);
        else void this.enqueue(jobIds, { group });
      },
      Math.max(0, due - Date.now()),
    );
    this.timers.set(timer, jobIds.length);
  }

  private drain(): void {
    const handler = this.handler;
    if (!handler) return;
    while (!this.closed && this.running.size < this.concurrency && this.waiting.length > 0) {
      const { id, group } = this.waiting.pop()!;
      this.queued.delete(id);
      this.handling.set(id, (this.handling.get(id) ?? 0) + 1);
      const left = this.waitingPerGroup.get(group)! - 1;
      if (left > 0) this.waitingPerGroup.set(group, left);
      else this.waitingPerGroup.delete(group);
      const run = handler(id)
        .catch(() => {
          // The handler records failures in the store; nothing to do here but keep the queue alive.
        })
        .finally(() => {
          this.running.delete(run);
          const others = this.handling.get(id)! - 1;
          if (others > 0) this.handling.set(id, others);
          else this.handling.delete(id);
          const group = this.again.get(id);
          if (others === 0 && group !== undefined) {
            this.again.delete(id);
            void this.enqueue([id], { group });
          }
          this.drain();
        });
      this.running.add(run);
    }
  }
}
