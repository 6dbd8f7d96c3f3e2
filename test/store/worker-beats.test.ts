import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.ts';
import {
  FIXTURE_CREATED,
  holdExport,
  idsOf,
  seedOrganization,
  taskWithJobs,
} from '../support/store-records.ts';
import { type OpenedStore, STORE_BACKENDS } from './store-backends.ts';

/**
 * Worker beats on each store backend: a worker silent since a cut-off loses its running jobs' leases
 * at once (the reconciler then finds them, another worker may claim them); a beating worker, a
 * worker that never beat and a worker forgotten at a clean stop keep theirs until they expire.
 */

const ORG = 'org-1';
const LEASE_MS = 30_000;
const T0 = Date.parse('2024-06-02T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const A = 'host-a:100:aaaa';
const B = 'host-b:200:bbbb';
const C = 'host-c:300:cccc';

describe.each(STORE_BACKENDS)('worker beats on $name', (backend) => {
  let opened: OpenedStore;
  let store: Store;

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    await seedOrganization(store, { id: ORG, createdAt: FIXTURE_CREATED });
    await store.insertTask(...taskWithJobs('t1', 4));
  });
  afterEach(async () => {
    await opened.dispose();
  });

  const claim = (jobId: string, owner: string, ms: number) =>
    store.claimJob(jobId, { owner, now: at(ms), leaseMs: LEASE_MS });

  it('lists the owners that beat after a time, sorted; a forgotten one is gone', async () => {
    await store.beatWorker(B, at(0));
    await store.beatWorker(A, at(2_000));
    await store.beatWorker(C, at(3_000));
    expect(await store.liveWorkers(at(1_000))).toEqual([A, C]);
    expect(await store.liveWorkers(at(-1))).toEqual([A, B, C]);
    expect(await store.liveWorkers(at(3_000))).toEqual([]);
    await store.forgetWorker(C);
    expect(await store.liveWorkers(at(-1))).toEqual([A, B]);
  });

  it("ends a silent worker's leases at once, and only its own", async () => {
    await store.beatWorker(A, at(0));
    await store.beatWorker(B, at(0));
    await claim('t1-j0', A, 0);
    await claim('t1-j1', A, 0);
    await claim('t1-j2', B, 0);
    // B goes on beating; A's last beat was at 0.
    await store.beatWorker(B, at(4_000));
    expect(idsOf(await store.resumableJobs(at(5_000)))).toEqual(['t1-j3']);

    const silent = await store.endSilentWorkers(at(1_000), at(5_000));
    expect(silent).toEqual({ owners: [A], jobs: 2 });
    const jobs = await store.listJobs('t1');
    expect(jobs.map((job) => [job.id, job.leaseOwner, job.leaseExpiresAt])).toEqual([
      ['t1-j0', A, at(5_000)],
      ['t1-j1', A, at(5_000)],
      ['t1-j2', B, at(LEASE_MS)],
      ['t1-j3', null, null],
    ]);
    // The reconciler's look now finds them as expired leases, long before the 30 s.
    const resumable = await store.resumableJobs(at(5_000));
    expect(resumable.map((job) => [job.id, job.leaseExpired])).toEqual([
      ['t1-j0', true],
      ['t1-j1', true],
      ['t1-j3', false],
    ]);
    // Another worker takes one over; the silent one's renewal then finds it lost.
    expect(await claim('t1-j0', C, 5_001)).toMatchObject({ recovered: true, job: { leaseOwner: C } });
    expect(await store.renewLease('t1-j0', A, at(5_002), LEASE_MS)).toBe('lost');
    // A is forgotten: a second look ends nothing more.
    expect(await store.endSilentWorkers(at(1_000), at(5_003))).toEqual({ owners: [], jobs: 0 });
  });

  it('keeps the leases of beating workers, of workers that never beat and of forgotten ones', async () => {
    await store.beatWorker(A, at(0));
    await store.beatWorker(B, at(0));
    await claim('t1-j0', A, 0);
    await claim('t1-j1', B, 0);
    // C never beat (an older process); B stopped cleanly and was forgotten.
    await claim('t1-j2', C, 0);
    await store.forgetWorker(B);
    await store.beatWorker(A, at(3_000));
    expect(await store.endSilentWorkers(at(1_000), at(5_000))).toEqual({ owners: [], jobs: 0 });
    expect((await store.listJobs('t1')).map((job) => job.leaseExpiresAt)).toEqual([
      at(LEASE_MS),
      at(LEASE_MS),
      at(LEASE_MS),
      null,
    ]);
  });

  it('lets a worker taken for dead keep a job nobody took yet, by renewing it', async () => {
    await store.beatWorker(A, at(0));
    await claim('t1-j0', A, 0);
    expect(await store.endSilentWorkers(at(1_000), at(5_000))).toEqual({ owners: [A], jobs: 1 });
    // A was only paused: it beats again and renews before any other worker claimed the job.
    await store.beatWorker(A, at(5_100));
    expect(await store.renewLease('t1-j0', A, at(5_100), LEASE_MS)).toBe('renewed');
    expect(await claim('t1-j0', B, 5_200)).toBeUndefined();
    // Beating again made it known: it is judged again like any other.
    expect(await store.endSilentWorkers(at(5_000), at(9_000))).toEqual({ owners: [], jobs: 0 });
  });

  it('leaves alone jobs that are not running and leases that already ended', async () => {
    await store.beatWorker(A, at(0));
    await claim('t1-j0', A, 0);
    await claim('t1-j1', A, 0);
    expect(
      await store.completeJob('t1-j1', A, { counts: { p0: 1 }, files: [] }, at(100), holdExport),
    ).toMatchObject({
      outcome: 'recorded',
    });
    // The lease of j0 already expired at 30 s: ending it "now" at 40 s would only push it on.
    expect(await store.endSilentWorkers(at(1_000), at(40_000))).toEqual({ owners: [A], jobs: 0 });
    const [j0, j1] = await store.listJobs('t1');
    expect(j0).toMatchObject({ status: 'running', leaseExpiresAt: at(LEASE_MS) });
    expect(j1).toMatchObject({ status: 'done', leaseOwner: null });
  });
});
