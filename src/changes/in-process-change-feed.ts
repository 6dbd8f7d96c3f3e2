import type { ChangeFeed, ChangeSubscription } from './change-feed.ts';

/**
 * A feed within one process: `publish` calls every subscriber before it returns. It links several
 * `TaskChanges` of one process (and stands for separate processes in tests).
 */
export class InProcessChangeFeed implements ChangeFeed {
  private readonly subscribers = new Set<(taskId: string) => void>();
  private closed = false;

  publish(taskId: string): void {
    if (this.closed) return;
    for (const onChange of [...this.subscribers]) onChange(taskId);
  }

  subscribe(onChange: (taskId: string) => void): ChangeSubscription {
    // A function per subscription, so the same callback subscribed twice is cancelled one at a time.
    const subscriber = (taskId: string) => onChange(taskId);
    if (!this.closed) this.subscribers.add(subscriber);
    return { ready: Promise.resolve(), cancel: () => this.subscribers.delete(subscriber) };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscribers.clear();
  }
}
