import { describe, expect, it } from 'vitest';
import type { ChangeFeed } from '../../src/changes/change-feed.ts';
import { InProcessChangeFeed } from '../../src/changes/in-process-change-feed.ts';
import { TaskChanges } from '../../src/tasks/task-changes.ts';

/** Resolves to 'woken' or 'pending' after the current turn of the event loop. */
async function state(promise: Promise<void>): Promise<'woken' | 'pending'> {
  return Promise.race([
    promise.then(() => 'woken' as const),
    new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending'))),
  ]);
}

describe('TaskChanges', () => {
  it('wakes the readers of the task that changed, and only them', async () => {
    const changes = new TaskChanges();
    const a1 = changes.watch('a').next(60_000);
    const a2 = changes.watch('a').next(60_000);
    const b = changes.watch('b').next(60_000);
    expect(changes.size).toBe(3);
    changes.notify('a');
    expect(await state(a1)).toBe('woken');
    expect(await state(a2)).toBe('woken');
    expect(await state(b)).toBe('pending');
    expect(changes.size).toBe(1);
    changes.notify('b');
    expect(await state(b)).toBe('woken');
    expect(changes.size).toBe(0);
  });

  it('tells a follower of every change of its task, here and from another process, until it unfollows', async () => {
    const feed = new InProcessChangeFeed();
    const worker = new TaskChanges({ feed });
    const api = new TaskChanges({ feed });
    const seen: string[] = [];
    const unfollow = worker.follow('a', () => seen.push('a'));
    worker.follow('b', () => seen.push('b'));
    await worker.listening();
    api.notify('a');
    api.notify('c');
    api.notify('a');
    expect(seen).toEqual(['a', 'a']);
    unfollow();
    api.notify('a');
    api.notify('b');
    expect(seen).toEqual(['a', 'a', 'b']);
    // Followers are not readers waiting on a status.
    expect(worker.size).toBe(0);

    // Without a feed (the embedded mode), a change notified in the process.
    const alone = new TaskChanges();
    let heard = 0;
    alone.follow('a', () => {
      heard += 1;
    });
    alone.notify('a');
    expect(heard).toBe(1);
  });

  it('keeps a change that happens between the watch and the wait', async () => {
    const changes = new TaskChanges();
    const watch = changes.watch('a');
    changes.notify('a');
    expect(await state(watch.next(60_000))).toBe('woken');
  });

  it('ends a wait at its timeout, on abort, or on close, and leaves nothing registered', async () => {
    const changes = new TaskChanges();
    await changes.watch('a').next(5);
    expect(changes.size).toBe(0);

    const controller = new AbortController();
    const aborted = changes.watch('a').next(60_000, controller.signal);
    expect(await state(aborted)).toBe('pending');
    controller.abort();
    expect(await state(aborted)).toBe('woken');
    expect(changes.size).toBe(0);

    const cancelled = changes.watch('a');
    cancelled.cancel();
    expect(changes.size).toBe(0);

    const open = changes.watch('b').next(60_000);
    changes.close();
    expect(await state(open)).toBe('woken');
    // After close, waits end at once.
    expect(await state(changes.watch('c').next(60_000))).toBe('woken');
    expect(changes.size).toBe(0);
  });

  it('subscribes to its feed at the first watch only, so a process that only notifies listens to nothing', async () => {
    const feed = new InProcessChangeFeed();
    let subscriptions = 0;
    const counting: ChangeFeed = {
      publish: (taskId) => feed.publish(taskId),
      subscribe: (onChange) => {
        subscriptions += 1;
        return feed.subscribe(onChange);
      },
      close: () => feed.close(),
    };
    const worker = new TaskChanges({ feed: counting });
    const api = new TaskChanges({ feed: counting });
    worker.notify('a');
    expect(subscriptions).toBe(0);
    const wait = api.watch('a').next(60_000);
    api.watch('b').cancel();
    expect(subscriptions).toBe(1);
    worker.notify('a');
    expect(await state(wait)).toBe('woken');
  });

  it('never throws from notify when its feed throws or rejects, and still wakes its own readers', async () => {
    for (const publish of [
      () => {
        throw new Error('feed down');
      },
      () => Promise.reject(new Error('feed down')),
    ]) {
      const feed: ChangeFeed = {
        publish,
        subscribe: () => ({ ready: Promise.resolve(), cancel: () => {} }),
        close: async () => {},
      };
      const changes = new TaskChanges({ feed });
      const wait = changes.watch('a').next(60_000);
      expect(() => changes.notify('a')).not.toThrow();
      expect(await state(wait)).toBe('woken');
    }
  });
});
