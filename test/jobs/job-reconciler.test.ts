import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobLanes } from '../../src/jobs/job-lanes.ts';
import { JobReconciler } from '../../src/jobs/job-reconciler.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { memoryLanes } from '../support/lanes.ts';
import { parseScrape, sampleSum } from '../support/prometheus.ts';
import { FIXTURE_EXPIRES, queuedJobs, seedOrganization, taskRecord } from '../support/store-records.ts';

/**
 * The queue lost jobs the store says are queued (Redis restarted empty), or a worker died with a
 * job: the reconciler's passes enqueue them. Fake timers and clock; a real SQLite store and the
 * memory queue.
 */

const T0 = Date.parse('2024-06-02T00:00:00.000Z');
const INTERVAL = 30_000;
const LEASE_MS = 30_000;
const CREATED = '2024-06-01T00:00:00.000Z';

let dir: string;
let store: Store;
let queue: JobLanes;
let now: number;
let passes: number;
let delivered: string[];
let deliveredOne: () => void;

/** Resolves once the queue has delivered `count` ids in all. */
function deliveries(count: number): Promise<void> {
  return new Promise((resolve) => {
    deliveredOne = () => {
      if (delivered.length >= count) resolve();
    };
  });
}

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-reconciler-'));
  store = await openStore({ dataDir: dir });
  queue = memoryLanes(4);
  now = T0;
  passes = 0;
  delivered = [];
  deliveredOne = () => undefined;
  // Nothing runs the jobs: the test sees what the queue delivers.
  await queue.start(async (id) => {
    delivered.push(id);
    deliveredOne();
  });
  await seedOrganization(store, { createdAt: CREATED });
  await store.insertTask(
    taskRecord({ id: 't1', totalJobs: 2, createdAt: CREATED, expiresAt: FIXTURE_EXPIRES }),
    queuedJobs(['j0', 'j1']),
  );
});
afterEach(async () => {
  vi.useRealTimers();
  await queue.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A reconciler over the test's store, looking for expired leases every `leaseCheckMs` (default: each interval). */
function reconciler(metrics?: Metrics, leaseCheckMs = INTERVAL): JobReconciler {
  // The store as the reconciler sees it, counting its passes.
  const counting: Store = Object.assign(Object.create(store) as Store, {
    resumableJobs(at: string, queuedBefore?: string) {
      passes += 1;
      return store.resumableJobs(at, queuedBefore);
    },
  });
  return new JobReconciler({
    store: counting,
    queue,
    intervalMs: INTERVAL,
    leaseCheckMs,
    clock: () => new Date(now),
    ...(metrics?.jobs ? { metrics: metrics.jobs } : {}),
  });
}

async function leasesExpired(metrics: Metrics): Promise<number> {
  const samples = parseScrape(await metrics.scrape());
  expect(samples.some((s) => s.name === 'audiences_leases_expired_total')).toBe(true);
  return sampleSum(samples, 'audiences_leases_expired_total');
}

describe('the job reconciler', () => {
  it('enqueues every queued job at the next pass once the queue says it lost what it held', async () => {
    // The memory lanes, but saying once, when the test asks, that they were emptied (as the Redis
    // queue says after a FLUSHALL).
    let emptied = false;
    const lanes = queue;
    queue = Object.assign(Object.create(lanes) as JobLanes, {
      async wasEmptied() {
        const was = emptied;
        emptied = false;
        return was;
      },
    });
    const reconciling = reconciler(undefined, 5_000);
    reconciling.start();
    try {
      // j0 and j1 are queued in the store only; 5 s in, nothing says the queue lost them.
      now = T0 + 5_000;
      await vi.advanceTimersByTimeAsync(5_000);
      expect(passes).toBe(1);
      expect(delivered).toEqual([]);

      emptied = true;
      const delivery = deliveries(2);
      now = T0 + 10_000;
      await vi.advanceTimersByTimeAsync(5_000);
      await delivery;
      expect(delivered.sort()).toEqual(['j0', 'j1']);
    } finally {
      await reconciling.stop();
      queue = lanes;
    }
  });

  it('enqueues a queued job nobody delivered within one interval, and one whose lease expired at the next pass', async () => {
    // j1 runs on a worker (a live lease, until T0 + 31 s); j0 is queued in the store, but the queue lost it.
    const claimedAt = new Date(T0 + 1000).toISOString();
    expect(await store.claimJob('j1', { owner: 'w1', now: claimedAt, leaseMs: LEASE_MS })).toBeDefined();
    const metrics = new Metrics({ jobs: {}, defaultMetrics: false });
    const reconciling = reconciler(metrics);
    reconciling.start();
    try {
      await vi.advanceTimersByTimeAsync(INTERVAL - 1);
      expect(passes).toBe(0);

      let delivery = deliveries(1);
      now = T0 + INTERVAL;
      await vi.advanceTimersByTimeAsync(1);
      expect(passes).toBe(1);
      await delivery;
      expect(delivered).toEqual(['j0']);
      // A queued job is no expired lease.
      expect(await leasesExpired(metrics)).toBe(0);

      // The worker running j1 died: no renewal since it claimed. The next pass, after its lease
      // expired, enqueues it (and j0 again: it is still queued in the store); the redelivery goes first.
      delivery = deliveries(3);
      now = T0 + 2 * INTERVAL;
      await vi.advanceTimersByTimeAsync(INTERVAL);
      expect(passes).toBe(2);
      await delivery;
      expect(delivered).toEqual(['j0', 'j1', 'j0']);
      expect(await leasesExpired(metrics)).toBe(1);
    } finally {
      await reconciling.stop();
    }
  });

  it('leaves a job requeued within the last interval to its backoff, and enqueues it at the next pass', async () => {
    // j0 failed and was requeued (its retry delayed) 5 s before the pass; j1 has been queued since CREATED.
    await store.claimJob('j0', { owner: 'w1', now: new Date(T0).toISOString(), leaseMs: LEASE_MS });
    await store.requeueJob('j0', 'w1', 'timed out', new Date(T0 + INTERVAL - 5000).toISOString());
    const reconciling = reconciler();
    reconciling.start();
    try {
      let delivery = deliveries(1);
      now = T0 + INTERVAL;
      await vi.advanceTimersByTimeAsync(INTERVAL);
      await delivery;
      expect(delivered).toEqual(['j1']);

      delivery = deliveries(3);
      now = T0 + 2 * INTERVAL;
      await vi.advanceTimersByTimeAsync(INTERVAL);
      await delivery;
      expect(delivered).toEqual(['j1', 'j0', 'j1']);
    } finally {
      await reconciling.stop();
    }
  });

  it('leaves a job under a live lease alone, and stops passing once stopped', async () => {
    await store.claimJob('j0', { owner: 'w1', now: new Date(T0).toISOString(), leaseMs: 10 * LEASE_MS });
    await store.claimJob('j1', { owner: 'w2', now: new Date(T0).toISOString(), leaseMs: 10 * LEASE_MS });
    const reconciling = reconciler();
    reconciling.start();
    now = T0 + INTERVAL;
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(passes).toBe(1);
    expect(await reconciling.reconcile()).toBe(0);
    await reconciling.stop();
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(passes).toBe(2);
    expect(delivered).toEqual([]);
  });

  it('looks for expired leases every leaseCheckMs, and for lost queued jobs only every interval', async () => {
    // j1 runs on a worker that dies right after its claim: its lease ends at T0 + 31 s. j0 is
    // queued in the store, lost by the queue.
    await store.claimJob('j1', { owner: 'w1', now: new Date(T0 + 1000).toISOString(), leaseMs: LEASE_MS });
    const reconciling = reconciler(undefined, 5_000);
    reconciling.start();
    try {
      // Passes at 5, 10, ... 30 s: nothing expired yet, and j0 waits for the interval.
      for (let tick = 1; tick <= 5; tick++) {
        now = T0 + tick * 5_000;
        await vi.advanceTimersByTimeAsync(5_000);
      }
      expect(passes).toBe(5);
      expect(delivered).toEqual([]);

      // At 30 s: a full pass (an interval since the start) finds j0 lost; j1's lease still runs.
      let delivery = deliveries(1);
      now = T0 + 30_000;
      await vi.advanceTimersByTimeAsync(5_000);
      await delivery;
      expect(delivered).toEqual(['j0']);

      // At 35 s j1's lease has expired: it is redelivered at once, j0 not again before 60 s.
      delivery = deliveries(2);
      now = T0 + 35_000;
      await vi.advanceTimersByTimeAsync(5_000);
      await delivery;
      // The memory queue delivers on the next turns of the event loop: a third delivery would be there.
      for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(delivered).toEqual(['j0', 'j1']);
      expect(passes).toBe(7);
    } finally {
      await reconciling.stop();
    }
  });
});
