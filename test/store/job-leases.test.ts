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

const ORG = 'org-1';
const LEASE_MS = 30_000;
/** Times as fake `now` strings, in ms after the first claim. */
const T0 = Date.parse('2024-06-02T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const A = 'host-a:100:aaaa';
const B = 'host-b:200:bbbb';
const C = 'host-c:300:cccc';

function file(id: string, rows: number) {
  return { id, partition: 'p0', uri: `/out/p0/${id}.parquet`, rows, sizeBytes: rows * 10, sha256: null };
}

describe.each(STORE_BACKENDS)('job leases on $name', (backend) => {
  let opened: OpenedStore;
  let store: Store;

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    await seedOrganization(store, { id: ORG, createdAt: FIXTURE_CREATED });
  });
  afterEach(async () => {
    await opened.dispose();
  });

  const claim = (jobId: string, owner: string, ms: number) =>
    store.claimJob(jobId, { owner, now: at(ms), leaseMs: LEASE_MS });

  /** Everything a job's outcome could change: its jobs, its files and its task. */
  async function snapshot(taskId: string) {
    return {
      jobs: await store.listJobs(taskId),
      files: await store.listFiles(taskId),
      task: await store.findTask(ORG, taskId, at(0)),
    };
  }

  it('lets exactly one of many concurrent claims of a queued job win', async () => {
    await store.insertTask(...taskWithJobs('t1', 1));
    const claims = await Promise.all(
      Array.from({ length: 24 }, (_, i) => claim('t1-j0', i % 2 === 0 ? A : B, 0)),
    );
    const won = claims.filter((c) => c !== undefined);
    expect(won).toHaveLength(1);
    expect(won[0]).toMatchObject({ recovered: false, job: { status: 'running', attempts: 1 } });
    const [job] = await store.listJobs('t1');
    expect(job).toMatchObject({
      attempts: 1,
      leaseOwner: won[0]!.job.leaseOwner,
      leaseExpiresAt: at(LEASE_MS),
    });
  });

  it('lets exactly one of many concurrent takeovers of an expired lease win', async () => {
    await store.insertTask(...taskWithJobs('t1', 1));
    await claim('t1-j0', A, 0);
    const claims = await Promise.all(
      Array.from({ length: 24 }, (_, i) => claim('t1-j0', i % 2 === 0 ? B : C, LEASE_MS + 1)),
    );
    const won = claims.filter((c) => c !== undefined);
    expect(won).toHaveLength(1);
    expect(won[0]).toMatchObject({ recovered: true, job: { attempts: 2 } });
    expect([B, C]).toContain(won[0]!.job.leaseOwner);
  });

  it('keeps a job from other workers while its lease is live, and lets one take it over once it expired', async () => {
    await store.insertTask(...taskWithJobs('t1', 1));
    expect(await claim('t1-j0', A, 0)).toMatchObject({ recovered: false, job: { leaseOwner: A } });
    expect(await claim('t1-j0', B, 1)).toBeUndefined();
    expect(await claim('t1-j0', B, LEASE_MS - 1)).toBeUndefined();
    // Nor can the owner claim its own job twice (a duplicate delivery).
    expect(await claim('t1-j0', A, 1)).toBeUndefined();

    const takeover = await claim('t1-j0', B, LEASE_MS);
    expect(takeover).toMatchObject({
      recovered: true,
      job: { status: 'running', attempts: 2, leaseOwner: B, leaseExpiresAt: at(2 * LEASE_MS) },
    });
    expect(await store.renewLease('t1-j0', A, at(LEASE_MS + 1), LEASE_MS)).toBe('lost');
    expect(await claim('t1-j0', A, LEASE_MS + 1)).toBeUndefined();
  });

  it('renews only the owner lease, which then holds past its first expiry', async () => {
    await store.insertTask(...taskWithJobs('t1', 1));
    await claim('t1-j0', A, 0);
    expect(await store.renewLease('t1-j0', B, at(10_000), LEASE_MS)).toBe('lost');
    expect(await store.renewLease('t1-j0', A, at(10_000), LEASE_MS)).toBe('renewed');
    expect(await claim('t1-j0', B, LEASE_MS + 1)).toBeUndefined();
    expect((await store.listJobs('t1'))[0]).toMatchObject({ leaseOwner: A, leaseExpiresAt: at(40_000) });
    // Expired, but nobody took it over: still the owner's.
    expect(await store.renewLease('t1-j0', A, at(50_000), LEASE_MS)).toBe('renewed');
    expect(await store.renewLease('t1-j0', A, at(50_000), LEASE_MS)).toBe('renewed');
    // Not running (yet, or any more): nothing to renew.
    await store.insertTask(...taskWithJobs('t2', 1));
    expect(await store.renewLease('t2-j0', A, at(0), LEASE_MS)).toBe('lost');
  });

  it('refuses the outcome, failure or re-queue of a worker that does not hold the lease', async () => {
    await store.insertTask(...taskWithJobs('t1', 1, 'unload'));
    await claim('t1-j0', A, 0);
    const before = await snapshot('t1');
    const lost = { outcome: 'lease_lost' };
    expect(
      await store.completeJob('t1-j0', B, { counts: { p0: 9 }, files: [file('fb', 9)] }, at(1), holdExport),
    ).toEqual(lost);
    expect(await store.failJob('t1-j0', B, { code: 'x', message: 'y' }, at(1))).toEqual(lost);
    expect(await store.requeueJob('t1-j0', B, 'timed out', at(1))).toEqual(lost);
    expect(await snapshot('t1')).toEqual(before);
    expect(idsOf(await store.resumableJobs(at(1)))).toEqual([]);
  });

  it('keeps the results of the worker that took a job over from the one that lost it', async () => {
    await store.insertTask(...taskWithJobs('t1', 1, 'unload'));
    await claim('t1-j0', A, 0);
    await claim('t1-j0', B, LEASE_MS);
    const completion = await store.completeJob(
      't1-j0',
      B,
      { counts: { p0: 5 }, files: [file('fb', 5)] },
      at(LEASE_MS + 1),
      holdExport,
    );
    expect(completion).toEqual({ outcome: 'recorded', released: [], phaseEnded: true });
    const recorded = await snapshot('t1');
    expect(recorded.task).toMatchObject({ status: 'completed', totalCount: 5, completedJobs: 1 });

    // The first worker wakes up and reports: its outcome, failure or re-queue changes nothing.
    const late = at(LEASE_MS + 2);
    expect(
      await store.completeJob('t1-j0', A, { counts: { p0: 4 }, files: [file('fa', 4)] }, late, holdExport),
    ).toEqual({ outcome: 'lease_lost' });
    expect(await store.failJob('t1-j0', A, { code: 'x', message: 'y' }, late)).toEqual({
      outcome: 'lease_lost',
    });
    expect(await store.requeueJob('t1-j0', A, 'timed out', late)).toEqual({ outcome: 'lease_lost' });
    expect(await snapshot('t1')).toEqual(recorded);
    expect(recorded.files.map((f) => f.id)).toEqual(['fb']);
  });

  it('lets either the owner completion or a takeover win a race, never both', async () => {
    const jobs = 12;
    await store.insertTask(...taskWithJobs('t1', jobs));
    const ids = Array.from({ length: jobs }, (_, i) => `t1-j${i}`);
    for (const id of ids) await claim(id, A, 0);
    const results = await Promise.all(
      ids.map((id, i) =>
        Promise.all([
          store.completeJob(id, A, { counts: { [`p${i}`]: 1 }, files: [] }, at(LEASE_MS), holdExport),
          claim(id, B, LEASE_MS),
        ]),
      ),
    );
    const listed = await store.listJobs('t1');
    for (const [i, [completion, takeover]] of results.entries()) {
      const job = listed[i]!;
      if (completion.outcome === 'recorded') {
        expect(takeover).toBeUndefined();
        expect(job).toMatchObject({ status: 'done', attempts: 1, leaseOwner: null });
      } else {
        expect(completion).toEqual({ outcome: 'lease_lost' });
        expect(takeover).toMatchObject({ recovered: true });
        expect(job).toMatchObject({ status: 'running', attempts: 2, leaseOwner: B, counts: null });
      }
    }
    const done = listed.filter((job) => job.status === 'done').length;
    expect((await store.findTask(ORG, 't1', at(0)))!.completedJobs).toBe(done);
  });

  it('resumes queued jobs and expired leases, never a live lease', async () => {
    await store.insertTask(...taskWithJobs('t1', 3));
    await claim('t1-j0', A, 0);
    await claim('t1-j1', B, 20_000);
    expect(idsOf(await store.resumableJobs(at(1)))).toEqual(['t1-j2']);
    expect(idsOf(await store.resumableJobs(at(LEASE_MS - 1)))).toEqual(['t1-j2']);
    expect(idsOf(await store.resumableJobs(at(LEASE_MS)))).toEqual(['t1-j0', 't1-j2']);
    expect((await store.resumableJobs(at(LEASE_MS))).map((job) => job.leaseExpired)).toEqual([true, false]);
    expect(idsOf(await store.resumableJobs(at(20_000 + LEASE_MS)))).toEqual(['t1-j0', 't1-j1', 't1-j2']);
    // A renewal keeps it out again.
    await store.renewLease('t1-j0', A, at(LEASE_MS), LEASE_MS);
    expect(idsOf(await store.resumableJobs(at(LEASE_MS + 1)))).toEqual(['t1-j2']);
  });

  it('leaves out with queuedBefore a job requeued after it, never an expired lease', async () => {
    await store.insertTask(...taskWithJobs('t1', 3));
    // j0 failed for a while and was requeued at 1000 (with a retry's backoff); j1's worker died.
    await claim('t1-j0', A, 0);
    expect(await store.requeueJob('t1-j0', A, 'timed out', at(1000))).toEqual({ outcome: 'requeued' });
    await claim('t1-j1', B, 0);
    const now = at(LEASE_MS);
    expect(idsOf(await store.resumableJobs(now, at(999)))).toEqual(['t1-j1', 't1-j2']);
    // j1 was updated (claimed) at 0, after this queuedBefore, and is returned all the same.
    expect(idsOf(await store.resumableJobs(now, FIXTURE_CREATED))).toEqual(['t1-j1', 't1-j2']);
    expect(idsOf(await store.resumableJobs(now, at(1000)))).toEqual(['t1-j0', 't1-j1', 't1-j2']);
    expect(idsOf(await store.resumableJobs(now))).toEqual(['t1-j0', 't1-j1', 't1-j2']);
  });

  it('hands back every job of one owner at shutdown, without using up an attempt', async () => {
    await store.insertTask(...taskWithJobs('t1', 3));
    await claim('t1-j0', A, 0);
    await claim('t1-j1', A, 0);
    await claim('t1-j2', B, 0);
    expect(idsOf(await store.releaseLeases(A, at(1))).sort()).toEqual(['t1-j0', 't1-j1']);
    expect(idsOf(await store.resumableJobs(at(2)))).toEqual(['t1-j0', 't1-j1']);
    const [j0, , j2] = await store.listJobs('t1');
    expect(j0).toMatchObject({ status: 'queued', attempts: 0, leaseOwner: null, leaseExpiresAt: null });
    expect(j2).toMatchObject({ status: 'running', attempts: 1, leaseOwner: B });
    // The worker that handed the job back cannot record it any more; whoever claims it next can.
    expect(await store.completeJob('t1-j0', A, { counts: { p0: 1 }, files: [] }, at(2), holdExport)).toEqual({
      outcome: 'lease_lost',
    });
    expect(await claim('t1-j0', C, 3)).toMatchObject({
      recovered: false,
      job: { attempts: 1, leaseOwner: C },
    });
    expect(await store.releaseLeases(A, at(4))).toEqual([]);
  });

  it('hands back only the named jobs of one owner (runs it could not record), the others still running', async () => {
    await store.insertTask(...taskWithJobs('t1', 4));
    await claim('t1-j0', A, 0);
    await claim('t1-j1', A, 0);
    await claim('t1-j2', B, 0);
    // j2 is B's and j3 nobody's: naming them hands nothing back.
    expect(idsOf(await store.releaseLeases(A, at(1), ['t1-j1', 't1-j2', 't1-j3']))).toEqual(['t1-j1']);
    expect((await store.listJobs('t1')).map((j) => [j.status, j.attempts, j.leaseOwner])).toEqual([
      ['running', 1, A],
      ['queued', 0, null],
      ['running', 1, B],
      ['queued', 0, null],
    ]);
    expect(await store.releaseLeases(A, at(2), [])).toEqual([]);
    expect(await store.releaseLeases(A, at(2), ['t1-j1'])).toEqual([]);
    // A still holds j0: its outcome is recorded as usual.
    expect(
      await store.completeJob('t1-j0', A, { counts: { p0: 1 }, files: [] }, at(3), holdExport),
    ).toMatchObject({ outcome: 'recorded' });
  });

  it('releases every lease but one owner for a store with one worker (a restart of the embedded mode)', async () => {
    await store.insertTask(...taskWithJobs('t1', 4));
    await claim('t1-j0', A, 0);
    await claim('t1-j1', B, 0);
    await claim('t1-j2', C, 0);
    expect(idsOf(await store.releaseOtherLeases(C, at(1))).sort()).toEqual(['t1-j0', 't1-j1']);
    expect(idsOf(await store.resumableJobs(at(2)))).toEqual(['t1-j0', 't1-j1', 't1-j3']);
    expect((await store.listJobs('t1')).map((j) => [j.status, j.attempts, j.leaseOwner])).toEqual([
      ['queued', 1, null],
      ['queued', 1, null],
      ['running', 1, C],
      ['queued', 0, null],
    ]);
  });
});
