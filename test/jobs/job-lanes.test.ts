import { afterEach, describe, expect, it } from 'vitest';
import { JobLanes } from '../../src/jobs/job-lanes.ts';
import { MemoryQueue } from '../../src/queue/memory-queue.ts';
import { heldHandler, quiet, releaseAll, waitFor } from '../queue/queue-backends.ts';

let lanes: JobLanes | undefined;
afterEach(async () => {
  await releaseAll();
  await lanes?.close();
});

describe('job lanes', () => {
  it('runs a count while exports hold every export slot, and takes turns between organisations', async () => {
    lanes = new JobLanes({ count: new MemoryQueue(1), unload: new MemoryQueue(1) });
    const h = heldHandler();
    await lanes.start(h.handler);
    // Organisation A: two exports (one slot) and two counts; B comes later with one count.
    await lanes.enqueue([
      { id: 'a-export-1', phase: 'unload', organizationId: 'A' },
      { id: 'a-export-2', phase: 'unload', organizationId: 'A' },
      { id: 'a-count-1', phase: 'count', organizationId: 'A' },
      { id: 'a-count-2', phase: 'count', organizationId: 'A' },
    ]);
    await waitFor(() => h.delivered.length >= 2);
    await lanes.enqueue([{ id: 'b-count', phase: 'count', organizationId: 'B' }]);
    expect(h.running().sort()).toEqual(['a-count-1', 'a-export-1']);
    expect(await lanes.depth()).toBe(3);

    // The export still runs; the count slot frees and B's count goes ahead of A's second.
    await h.settle('a-count-1');
    await waitFor(() => h.delivered.length >= 3);
    expect(h.delivered[2]).toBe('b-count');
    expect(h.running().sort()).toEqual(['a-export-1', 'b-count']);
  });

  it('redelivers a job whose lease expired even while the queue still counts it as running', async () => {
    lanes = new JobLanes({ count: new MemoryQueue(2), unload: new MemoryQueue(2) });
    const h = heldHandler();
    await lanes.start(h.handler);
    const job = { id: 'a-export', phase: 'unload', organizationId: 'A' } as const;
    await lanes.enqueue([job]);
    await waitFor(() => h.delivered.length >= 1);
    // The reconciler finds it again: queued (a lost delivery) is dropped, an expired lease is not.
    await lanes.enqueue([{ ...job, leaseExpired: false }]);
    await lanes.enqueue([{ ...job, leaseExpired: true }]);
    await waitFor(() => h.delivered.length >= 2);
    await quiet();
    expect(h.delivered).toEqual(['a-export', 'a-export']);
    expect(h.running()).toEqual(['a-export', 'a-export']);
  });
});
