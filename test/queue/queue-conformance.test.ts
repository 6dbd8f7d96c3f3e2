import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  heldHandler,
  QUEUE_BACKENDS,
  type QueueSpace,
  quiet,
  releaseAll,
  turn,
  waitFor,
} from './queue-backends.ts';

describe.each(QUEUE_BACKENDS)('JobQueue ($name)', (backend) => {
  let space: QueueSpace;
  beforeEach(() => {
    space = backend.space();
  });
  afterEach(async () => {
    await releaseAll();
    await space.dispose();
  });

  it('delivers in FIFO order, never more than `concurrency` at once', async () => {
    const queue = space.open({ concurrency: 2 });
    const h = heldHandler();
    // Ids enqueued before start wait for it.
    await queue.enqueue(['a', 'b']);
    await queue.start(h.handler);
    await queue.enqueue(['c', 'd', 'e']);
    await waitFor(() => h.delivered.length >= 2);
    await quiet();
    expect(h.delivered).toEqual(['a', 'b']);

    await h.settle('b');
    await waitFor(() => h.delivered.length >= 3);
    expect(h.delivered).toEqual(['a', 'b', 'c']);
    expect(h.running().sort()).toEqual(['a', 'c']);
    await h.settle('a');
    await h.settle('c');
    await waitFor(() => h.delivered.length >= 5);
    expect(h.delivered).toEqual(['a', 'b', 'c', 'd', 'e']);
    await h.settle('d');
    await h.settle('e');
    expect(h.maxRunning()).toBe(2);
  });

  it('lets groups take turns: a group with many ids waiting does not hold back another', async () => {
    const queue = space.open({ concurrency: 1 });
    const h = heldHandler();
    await queue.enqueue(['a1', 'a2', 'a3', 'a4'], { group: 'org-a' });
    await queue.enqueue(['b1', 'b2'], { group: 'org-b' });
    await queue.enqueue(['c1'], { group: 'org-c' });
    await queue.start(h.handler);
    for (let n = 1; n <= 7; n++) {
      await waitFor(() => h.delivered.length >= n);
      await h.settle(h.delivered[n - 1]!);
    }
    // One of each group in turn, each group's own ids in order, then what is left of org-a.
    expect(h.delivered).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
  });

  it("delivers a group's first id ahead of the ids another group queued earlier", async () => {
    const queue = space.open({ concurrency: 1 });
    const h = heldHandler();
    await queue.start(h.handler);
    await queue.enqueue(['a1', 'a2', 'a3', 'a4', 'a5'], { group: 'org-a' });
    await waitFor(() => h.delivered.length >= 1);
    // a1 runs, a2-a5 wait: org-b's id arrives now and goes next.
    await queue.enqueue(['b1'], { group: 'org-b' });
    await quiet(100);
    await h.settle('a1');
    await waitFor(() => h.delivered.length >= 2);
    expect(h.delivered).toEqual(['a1', 'b1']);
    await h.settleAll();
  });

  it("delivers a redelivered id ahead of its group's waiting ids", async () => {
    const queue = space.open({ concurrency: 1 });
    const h = heldHandler();
    await queue.start(h.handler);
    await queue.enqueue(['a1', 'a2', 'a3'], { group: 'org-a' });
    await queue.enqueue(['b1', 'b2'], { group: 'org-b' });
    await waitFor(() => h.delivered.length >= 1);
    // a1 runs; a2, b1, a3, b2 wait. x's worker died: its redelivery goes ahead of them all.
    await queue.enqueue(['x'], { group: 'org-a', redeliver: true });
    await quiet(100);
    for (let n = 1; n <= 6; n++) {
      await waitFor(() => h.delivered.length >= n);
      await h.settle(h.delivered[n - 1]!);
    }
    expect(h.delivered).toEqual(['a1', 'x', 'b1', 'a2', 'b2', 'a3']);
  });

  it('does not deliver an id twice at once; one enqueued while it runs comes again once it settled', async () => {
    const queue = space.open({ concurrency: 1 });
    const h = heldHandler();
    await queue.start(h.handler);
    await queue.enqueue(['a', 'b']);
    await waitFor(() => h.delivered.length >= 1);
    expect(h.delivered).toEqual(['a']);

    // `a` is running and `b` waiting: `b`'s duplicates are dropped, `a` comes again after it settles
    // (its state may have changed meanwhile: a task retried the moment its job failed).
    await queue.enqueue(['a', 'b', 'b']);
    await quiet();
    expect(h.delivered).toEqual(['a']);
    await h.settle('a');
    await waitFor(() => h.delivered.length >= 2);
    await h.settle('b');
    await waitFor(() => h.delivered.length >= 3);
    expect(h.delivered).toEqual(['a', 'b', 'a']);
    await h.settle('a');
    await quiet();
    expect(h.delivered).toEqual(['a', 'b', 'a']);

    // Delivery is at least once: a settled id enqueued again runs again.
    await queue.enqueue(['b']);
    await waitFor(() => h.delivered.length >= 4);
    expect(h.delivered).toEqual(['a', 'b', 'a', 'b']);
    await h.settle('b');
  });

  it('delivers an id enqueued with `redeliver` again while it runs (its worker is taken as dead)', async () => {
    const queue = space.open({ concurrency: 2 });
    const h = heldHandler();
    await queue.start(h.handler);
    await queue.enqueue(['a'], { group: 'org-a' });
    await waitFor(() => h.delivered.length >= 1);
    // A plain duplicate of the running id waits for that delivery to end; a redelivery does not.
    await queue.enqueue(['a'], { group: 'org-a' });
    await quiet();
    expect(h.delivered).toEqual(['a']);
    await queue.enqueue(['a'], { group: 'org-a', redeliver: true });
    await waitFor(() => h.delivered.length >= 2);
    expect(h.delivered).toEqual(['a', 'a']);
    expect(h.running()).toEqual(['a', 'a']);
    await h.settle('a');
    await h.settle('a');
    // The plain duplicate, once: after the delivery it came during.
    await waitFor(() => h.delivered.length >= 3);
    await h.settle('a');
    await quiet();
    expect(h.delivered).toEqual(['a', 'a', 'a']);
  });

  it('delivers a delayed id after its delay, never before', async () => {
    const queue = space.open({ concurrency: 2 });
    const h = heldHandler();
    await queue.start(h.handler);
    const enqueuedAt = Date.now();
    await queue.enqueue(['later'], { delayMs: 300 });
    await queue.enqueue(['now']);
    await waitFor(() => h.delivered.includes('now'));
    await waitFor(() => h.delivered.includes('later'));
    expect(h.delivered).toEqual(['now', 'later']);
    const waited = h.deliveredAt[1]! - enqueuedAt;
    expect(waited).toBeGreaterThanOrEqual(300);
    // Generous: only that the delay ends at all, not how promptly.
    expect(waited).toBeLessThan(10_000);
    await h.settleAll();
  });

  it('delivers the retry a handler enqueues with a delay for its own id while it still runs', async () => {
    const queue = space.open({ concurrency: 1 });
    const delivered: number[] = [];
    let retriedAt = 0;
    // Like the job runner on a transient failure: re-enqueue its own id with a backoff, then settle.
    await queue.start(async (id) => {
      delivered.push(Date.now());
      if (delivered.length === 1) {
        retriedAt = Date.now();
        await queue.enqueue([id], { delayMs: 300 });
      }
    });
    await queue.enqueue(['flaky']);
    await waitFor(() => delivered.length >= 2);
    expect(delivered[1]! - retriedAt).toBeGreaterThanOrEqual(300);
    await quiet();
    expect(delivered).toHaveLength(2);
  });

  it('keeps delivering after a handler rejects', async () => {
    const queue = space.open({ concurrency: 1 });
    const h = heldHandler();
    await queue.start(h.handler);
    await queue.enqueue(['bad', 'good']);
    await waitFor(() => h.delivered.length >= 1);
    await h.settle('bad', new Error('disk on fire'));
    await waitFor(() => h.delivered.length >= 2);
    expect(h.delivered).toEqual(['bad', 'good']);
    await h.settle('good');
    // The rejected id is free again, like a settled one.
    await queue.enqueue(['bad']);
    await waitFor(() => h.delivered.length >= 3);
    expect(h.delivered).toEqual(['bad', 'good', 'bad']);
    await h.settle('bad');
  });

  it('closes once running handlers settle, and delivers nothing after', async () => {
    const queue = space.open({ concurrency: 1 });
    const h = heldHandler();
    await queue.start(h.handler);
    await queue.enqueue(['running', 'waiting']);
    await queue.enqueue(['delayed'], { delayMs: 300 });
    await waitFor(() => h.delivered.length >= 1);
    expect(h.delivered).toEqual(['running']);

    let closed = false;
    const closing = queue.close().then(() => {
      closed = true;
    });
    await quiet(100);
    expect(closed).toBe(false);
    await h.settle('running');
    await closing;
    expect(closed).toBe(true);

    // Ids enqueued after close are ignored; waiting and delayed ones are not delivered here.
    await queue.enqueue(['after-close']);
    await quiet(600);
    expect(h.delivered).toEqual(['running']);
    await expect(queue.close()).resolves.toBeUndefined();
  });

  it('answers ping until it is closed', async () => {
    const queue = space.open({ concurrency: 1 });
    await expect(queue.ping()).resolves.toBeUndefined();
    await queue.close();
    await expect(queue.ping()).rejects.toThrow('queue is closed');
    await expect(queue.wasEmptied()).rejects.toThrow('queue is closed');
  });

  it('does not say it was emptied while it holds what it was given', async () => {
    const queue = space.open({ concurrency: 1 });
    await queue.wasEmptied(); // a fresh Redis counts as emptied: the first look takes that
    await queue.enqueue(['a', 'b']);
    expect(await queue.wasEmptied()).toBe(false);
    expect(await queue.depth()).toBe(2);
  });

  it('counts the ids waiting and delayed as its depth, not those running', async () => {
    const queue = space.open({ concurrency: 1 });
    const h = heldHandler();
    expect(await queue.depth()).toBe(0);
    await queue.enqueue(['a', 'b', 'c']);
    await queue.enqueue(['d'], { delayMs: 60_000 });
    // A duplicate of a waiting id adds nothing.
    await queue.enqueue(['b']);
    expect(await queue.depth()).toBe(4);

    await queue.start(h.handler);
    await waitFor(() => h.delivered.length >= 1);
    await turn();
    expect(await queue.depth()).toBe(3);
    await h.settle('a');
    await waitFor(() => h.delivered.length >= 2);
    expect(await queue.depth()).toBe(2);
    await h.settleAll();
  });
});
