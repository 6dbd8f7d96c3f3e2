/** A pending wait for the next change of one task. */
export interface TaskWatch {
  /** Resolves at the task's next change, after `ms`, or when `signal` aborts, whichever comes first. */
  next(ms: number, signal?: AbortSignal): Promise<void>;
  /** Stops watching (a watch that has resolved needs no cancel). */
  cancel(): void;
}

/**
 * Wakes status readers that wait for a task to change (long polling). The job runner and the task
 * service call `notify` after each change they commit. The notification is only a shortcut: a
 * waiting reader also reads the store again on its own every few seconds, so a change committed by
 * another process is still seen.
 */
export class TaskChanges {
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;

  /** Starts watching before the task is read, so a change between the read and the wait is not lost. */
  watch(taskId: string): TaskWatch {
    let changed = false;
    let wake: (() => void) | undefined;
    const onChange = () => {
      changed = true;
      wake?.();
    };
    this.add(taskId, onChange);
    const cancel = () => this.remove(taskId, onChange);
    return {
      cancel,
      next: (ms, signal) =>
        new Promise<void>((resolve) => {
          if (changed || this.closed || signal?.aborted) {
            cancel();
            resolve();
            return;
          }
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            cancel();
            resolve();
          };
          const timer = setTimeout(done, ms);
          signal?.addEventListener('abort', done, { once: true });
          wake = done;
        }),
    };
  }

  /** The task changed: wakes everyone waiting on it. */
  notify(taskId: string): void {
    const waiting = this.waiters.get(taskId);
    if (!waiting) return;
    this.waiters.delete(taskId);
    for (const onChange of waiting) onChange();
  }

  /** Number of readers waiting, over all tasks. */
  get size(): number {
    let total = 0;
    for (const waiting of this.waiters.values()) total += waiting.size;
    return total;
  }

  /** Wakes every waiting reader and answers later waits at once (the server is stopping). */
  close(): void {
    this.closed = true;
    const all = [...this.waiters.values()];
    this.waiters.clear();
    for (const waiting of all) for (const onChange of waiting) onChange();
  }

  private add(taskId: string, onChange: () => void): void {
    let waiting = this.waiters.get(taskId);
    if (!waiting) {
      waiting = new Set();
      this.waiters.set(taskId, waiting);
    }
    waiting.add(onChange);
  }

  private remove(taskId: string, onChange: () => void): void {
    const waiting = this.waiters.get(taskId);
    if (!waiting) return;
    waiting.delete(onChange);
    if (waiting.size === 0) this.waiters.delete(taskId);
  }
}
