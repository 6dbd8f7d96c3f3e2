import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryQueue } from '../../src/queue/memory-queue.ts';
import { heldHandler, turn } from './queue-backends.ts';

// The behaviour every queue shares is in queue-conformance.test.ts; these are the memory queue's own.

afterEach(() => {
  vi.useRealTimers();
});

/** Only timers and the clock are faked: deliveries still happen on the next turn of the real event loop. */
const fakeTimers = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });

describe('MemoryQueue', () => {
  it('delivers on the next turn of the event loop, without polling', async () => {
    const queue = new MemoryQueue(2);
    const h = heldHandler();
    await queue.start(h.handler);
    await queue.enqueue(['a']);
    expect(h.delivered).toEqual([]);
    await turn();
    expect(h.delivered).toEqual(['a']);
    // A freed slot takes the next id at once.
    await queue.enqueue(['b', 'c']);
    await turn();
    await h.settle('a');
    expect(h.delivered).toEqual(['a', 'b', 'c']);
    await h.settleAll();
    await queue.close();
  });

  it('delivers a delayed id exactly when its delay has passed', async () => {
    fakeTimers();
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
    await h.settleAll();
    await queue.close();
  });

  it('waits again when a delay timer fires before the clock reached its end', async () => {
    fakeTimers();
    const queue = new MemoryQueue(1);
    const h = heldHandler();
    await queue.start(h.handler);
    await queue.enqueue(['later'], { delayMs: 1_000 });
    // The clock falls 5 ms behind the timer, as libuv's loop time can behind the real one.
    vi.setSystemTime(Date.now() - 5);
    vi.advanceTimersByTime(1_000);
    await turn();
    expect(h.delivered).toEqual([]);
    expect(await queue.depth()).toBe(1);
    vi.advanceTimersByTime(5);
    await turn();
    expect(h.delivered).toEqual(['later']);
    await h.settleAll();
    await queue.close();
  });

  it('leaves no timer behind once closed', async () => {
    fakeTimers();
    const queue = new MemoryQueue(1);
    const h = heldHandler();
    await queue.start(h.handler);
    await queue.enqueue(['running']);
    await queue.enqueue(['delayed'], { delayMs: 1_000 });
    await turn();
    const closing = queue.close();
    await h.settle('running');
    await closing;
    // No timer left to keep the process alive.
    expect(vi.getTimerCount()).toBe(0);
    expect(await queue.depth()).toBe(0);

    await queue.enqueue(['late'], { delayMs: 10 });
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5_000);
    await turn();
    expect(h.delivered).toEqual(['running']);
  });
});
