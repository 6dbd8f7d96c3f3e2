import type { ChangeFeed, ChangeSubscription } from '../changes/change-feed.ts';

/** A pending wait for the next change of one task. */
export interface TaskWatch {
  /** Resolves at the task's next change, after `ms`, or when `signal` aborts, whichever comes first. */
  next(ms: number, signal?: AbortSignal): Promise<void>;
  /** Stops watching (a watch that has resolved needs no cancel). */
  cancel(): void;
}

export interface TaskChangesOptions {
  /**
   * Carries notifications between processes: `notify` publishes to it, and a change published by any
   * process wakes this one's readers. The caller owns the feed and closes it after `close` and after
   * everything that notifies has stopped. Without a feed, only readers of this process are woken
   * (the embedded mode, where the job runner and the readers share the process).
   */
  feed?: ChangeFeed;
}

/**
 * Wakes status readers that wait for a task to change (long polling). The job runner and the task
 * service call `notify` after each change they commit. The notification is only a shortcut: a
 * waiting reader also reads the store again on its own every few seconds, so a change whose
 * notification was lost (another process without a feed, Redis down) is still seen.
 */
export class TaskChanges {
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Callbacks told of every change of a task until they unfollow it (`follow`). */
  private readonly followers = new Map<string, Set<() => void>>();
  private readonly feed: ChangeFeed | undefined;
  private subscription: ChangeSubscription | undefined;
  private closed = false;

  constructor(options: TaskChangesOptions = {}) {
    this.feed = options.feed;
  }

  /**
   * Subscribes to the feed (the first `watch` does it too) and resolves once changes published by
   * other processes reach this one. It never rejects; during a feed outage it waits.
   */
  listening(): Promise<void> {
    if (!this.feed || this.closed) return Promise.resolve();
    // Subscribed at the first need, so a process that only notifies (a worker) listens to nothing.
    this.subscription ??= this.feed.subscribe((taskId) => this.wake(taskId));
    return this.subscription.ready;
  }

  /** Starts watching before the task is read, so a change between the read and the wait is not lost. */
  watch(taskId: string): TaskWatch {
    void this.listening();
    let changed = false;
    let wake: (() => void) | undefined;
    const onChange = () => {
      changed = true;
      wake?.();
    };
    add(this.waiters, taskId, onChange);
    const cancel = () => remove(this.waiters, taskId, onChange);
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

  /**
   * Calls `onChange` at each change of the task, notified here or published by another process,
   * until the returned function is called: how a worker running one of the task's jobs hears that
   * it was cancelled. Like every notification, a change may be missed (a feed outage).
   */
  follow(taskId: string, onChange: () => void): () => void {
    void this.listening();
    // A function per follow, so the same callback followed twice is unfollowed one at a time.
    const follower = () => onChange();
    add(this.followers, taskId, follower);
    return () => remove(this.followers, taskId, follower);
  }

  /**
   * The task changed: wakes everyone waiting on it, here at once and in other processes through the
   * feed. Never throws, even when the feed is down (still after `close`, so changes committed while
   * the process stops reach the others).
   */
  notify(taskId: string): void {
    this.wake(taskId);
    if (!this.feed) return;
    try {
      // A feed logs its own failures; this process's readers are already woken.
      Promise.resolve(this.feed.publish(taskId)).catch(() => {});
    } catch {
      // Likewise for a feed that throws instead of rejecting.
    }
  }

  /** Number of readers waiting, over all tasks. */
  get size(): number {
    let total = 0;
    for (const waiting of this.waiters.values()) total += waiting.size;
    return total;
  }

  /**
   * Wakes every waiting reader, answers later waits at once and stops listening to the feed (the
   * server is stopping). The feed itself stays open: its owner closes it.
   */
  close(): void {
    this.closed = true;
    this.subscription?.cancel();
    const all = [...this.waiters.values()];
    this.waiters.clear();
    for (const waiting of all) for (const onChange of waiting) onChange();
  }

  /** Wakes this process's readers of the task (a change notified here or published elsewhere). */
  private wake(taskId: string): void {
    for (const onChange of [...(this.followers.get(taskId) ?? [])]) onChange();
    const waiting = this.waiters.get(taskId);
    if (!waiting) return;
    this.waiters.delete(taskId);
    for (const onChange of waiting) onChange();
  }
}

function add(callbacks: Map<string, Set<() => void>>, taskId: string, onChange: () => void): void {
  let set = callbacks.get(taskId);
  if (!set) {
    set = new Set();
    callbacks.set(taskId, set);
  }
  set.add(onChange);
}

function remove(callbacks: Map<string, Set<() => void>>, taskId: string, onChange: () => void): void {
  const set = callbacks.get(taskId);
  if (!set) return;
  set.delete(onChange);
  if (set.size === 0) callbacks.delete(taskId);
}
