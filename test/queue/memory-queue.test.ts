import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryQueue } from '../../src/queue/memory-queue.ts';

/** One turn of the event loop: the queue delivers on the turn after an enqueue. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A handler that records each delivery and holds it until the test settles it. */
function heldHandler() {
  const delivered: string[] = [];
  const held = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  const handler = (id: string) =>
    new Promise<void>((resolve, reject) => {
      delivered.push(id);
      held.set(id, { resolve, reject });
    });
  const settle = async (id: string, error?: Error) => {
    const job = held.get(id);
    if (!job) throw new Error(`${id} is not running`);
    held.delete(id);
    if (error) job.reject(error);
    else job.resolve();
    await turn();
  };
  return { handler, delivered, running: () => [...held.keys()], settle };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('MemoryQueue', () => {
  it('delivers in FIFO order, at most `concurrency` at once', async () => {
    const queue = new MemoryQueue(2);
    const h = heldHandler();
    // Ids enqueued before start wait for it.
    await queue.enqueue(['a', 'b']);
    await queue.start(h.handler);
    await queue.enqueue(['c', 'd', 'e']);
    await turn();
    expect(h.delivered).toEqual(['a', 'b']);

    await h.settle('b');
    expect(h.delivered).toEqual(['a', 'b', 'c']);
    expect(h.running()).toEqual(['a', 'c']);
    await h.settle('a');
    await h.settle('c');
    expect(h.delivered).toEqual(['a', 'b', 'c', 'd', 'e']);
    await h.settle('d');
    await h.settle('e');
    await queue.close();
  });

  it('does not deliver an id again while it waits or runs, but does once it settled', async () => {
    const queue = new MemoryQueue(1);
    const h = heldHandler();
    await queue.start(h.handler);
    await queue.enqueue(['a', 'b']);
    await turn();
    expect(h.delivered).toEqual(['a']);

    // `a` is running and `b` waiting: both duplicates are dropped.
    await queue.enqueue(['a', 'b', 'b']);
    await turn();
    await h.settle('a');
    await h.settle('b');
    expect(h.delivered).toEqual(['a', 'b']);

    // Delivery is at least once: a settled id enqueued again runs again.
    await queue.enqueue(['a']);
    await turn();
    expect(h.delivered).toEqual(['a', 'b', 'a']);
    await h.settle('a');
    await queue.close();
  });

  it('delivers a delayed id only once its delay has passed', async () => {
    // Only timers and the clock are faked: deliveries still happen on the next turn of the real event loop.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const queue = new MemoryQueue(2);
    const h = heldHandler();
    await queue.start(h.handler);
    await queue.enqueue(['later'], { delayMs: 1_000 });
    await queue.enqueue(['now']);
    await turn();
    expect(h.delivered).toEqual(['now']);

    vi.advanceTimersByTime(999);
    await turn();
    expect(h.delivered).toEqual(['now']);
    vi.advanceTimersByTime(1);
    await turn();
    expect(h.delivered).toEqual(['now', 'later']);
    await h.settle('now');
    await h.settle('later');
    await queue.close();
  });

  it('keeps delivering after a handler rejects', async () => {
    const queue = new MemoryQueue(1);
    const h = heldHandler();
    await queue.start(h.handler);
    await queue.enqueue(['bad', 'good']);
    await turn();
    await h.settle('bad', new Error('disk on fire'));
    expect(h.delivered).toEqual(['bad', 'good']);
    await h.settle('good');
    // The rejected id is free again, like a settled one.
    await queue.enqueue(['bad']);
    await turn();
    expect(h.delivered).toEqual(['bad', 'good', 'bad']);
    await h.settle('bad');
    await queue.close();
  });

  it('closes once running handlers settle, and drops waiting and delayed ids', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const queue = new MemoryQueue(1);
    const h = heldHandler();
    await queue.start(h.handler);
    await queue.enqueue(['running', 'waiting']);
    await queue.enqueue(['delayed'], { delayMs: 1_000 });
    await turn();
    expect(h.delivered).toEqual(['running']);

    let closed = false;
    const closing = queue.close().then(() => {
      closed = true;
    });
    await turn();
    expect(closed).toBe(false);
    await h.settle('running');
    await closing;
    expect(closed).toBe(true);
    // No timer left to keep the process alive.
    expect(vi.getTimerCount()).toBe(0);

    await queue.enqueue(['after-close']);
    vi.advanceTimersByTime(5_000);
    await turn();
    expect(h.delivered).toEqual(['running']);
  });

  it('answers ping until it is closed', async () => {
    const queue = new MemoryQueue(1);
    await expect(queue.ping()).resolves.toBeUndefined();
    await queue.close();
    await expect(queue.ping()).rejects.toThrow('queue is closed');
  });

  it('waits again when a delay timer fires before the clock reached its end', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const queue = new MemoryQueue(1);
    const h = heldHandler();
    await queue.start(h.handler);
    await queue.enqueue(['later'], { delayMs: 1_000 });
    // The clock falls 5 ms behind the timer, as libuv's loop time can fall behind the real one.
    vi.setSystemTime(Date.now() - 5);
    vi.advanceTimersByTime(1_000);
    await turn();
    expect(h.delivered).toEqual([]);
    vi.advanceTimersByTime(5);
    await turn();
    expect(h.delivered).toEqual(['later']);
    await h.settle('later');
    await queue.close();
  });

  it('counts the ids waiting and delayed as its depth, not those running', async () => {
    const queue = new MemoryQueue(1);
    const h = heldHandler();
    await queue.enqueue(['a', 'b', 'c']);
    await queue.enqueue(['d'], { delayMs: 60_000 });
    expect(await queue.depth()).toBe(4);
    await queue.start(h.handler);
    expect(await queue.depth()).toBe(3);
    for (const id of ['a', 'b', 'c']) await h.settle(id);
    expect(await queue.depth()).toBe(1);
    await queue.close();
    expect(await queue.depth()).toBe(0);
  });
});
