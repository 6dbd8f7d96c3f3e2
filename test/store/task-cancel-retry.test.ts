import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobOutcome, NewJob, Store, TaskRecord } from '../../src/store/store.ts';
import { jobsFor } from '../../src/tasks/planning/job-rows.ts';
import {
  FIXTURE_CREATED,
  FIXTURE_EXPIRES,
  holdExport,
  idsOf,
  seedOrganization,
  taskRecord,
  taskWithJobs,
} from '../support/store-records.ts';
import { type OpenedStore, STORE_BACKENDS } from './store-backends.ts';

const ORG = 'org-1';
const LEASE_MS = 30_000;
const T0 = Date.parse('2024-06-02T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const A = 'host-a:100:aaaa';
const B = 'host-b:200:bbbb';
/** The store tests' lifecycle: an export ends `completed` (the domain adds a manifest job first). */
const lifecycle = holdExport;

/** A task with `jobs` queued jobs (see `taskWithJobs`), exports by default, asking for an export. */
function task(id: string, jobs: number, phase: NewJob['phase'] = 'unload'): [TaskRecord, NewJob[]] {
  return taskWithJobs(id, jobs, phase, { request: { view: { perform_unload: true }, plan: {} } });
}

/** What an export job of partition `p{seq}` records: one file of `rows` rows. */
function exported(taskId: string, seq: number, rows: number): JobOutcome {
  const uri = `/out/${ORG}/${taskId}/p${seq}/data_0.parquet`;
  return {
    counts: { [`p${seq}`]: rows },
    files: [{ id: `${taskId}-f${seq}`, partition: `p${seq}`, uri, rows, sizeBytes: rows * 10, sha256: null }],
  };
}

describe.each(STORE_BACKENDS)('cancel and retry on $name', (backend) => {
  let opened: OpenedStore;
  let store: Store;

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    await seedOrganization(store, { id: ORG, createdAt: FIXTURE_CREATED });
    await seedOrganization(
      store,
      { id: 'org-2', createdAt: FIXTURE_CREATED },
      { id: 'u2', email: 'b@x.org' },
    );
  });
  afterEach(async () => {
    await opened.dispose();
  });

  const claim = (jobId: string, owner: string, ms: number) =>
    store.claimJob(jobId, { owner, now: at(ms), leaseMs: LEASE_MS });
  const statuses = async (taskId: string) =>
    Object.fromEntries((await store.listJobs(taskId)).map((job) => [job.id, job.status]));

  it('cancels a task with its unfinished jobs and files, after which no job of it runs or records', async () => {
    await store.insertTask(...task('t1', 4));
    await claim('t1-j0', A, 0);
    expect(await store.completeJob('t1-j0', A, exported('t1', 0, 5), at(1), lifecycle)).toMatchObject({
      outcome: 'recorded',
    });
    await claim('t1-j1', A, 2);
    await claim('t1-j2', B, 2);

    const cancelled = await store.cancelTask(ORG, 't1', at(10));
    expect(cancelled).toMatchObject({
      outcome: 'cancelled',
      stopped: 2,
      task: { id: 't1', status: 'cancelled', completedJobs: 1, updatedAt: at(10) },
    });
    expect(await store.findTask(ORG, 't1', at(11))).toMatchObject({ status: 'cancelled', updatedAt: at(10) });
    expect(await statuses('t1')).toEqual({
      't1-j0': 'done',
      't1-j1': 'cancelled',
      't1-j2': 'cancelled',
      't1-j3': 'cancelled',
    });
    expect((await store.listJobs('t1')).filter((job) => job.leaseOwner !== null)).toEqual([]);
    expect(await store.listFiles('t1')).toEqual([]);

    // The running jobs' workers: a renewal says cancelled, a completion writes nothing, nor do the rest.
    expect(await store.renewLease('t1-j1', A, at(20), LEASE_MS)).toBe('cancelled');
    expect(await store.completeJob('t1-j1', A, exported('t1', 1, 7), at(21), lifecycle)).toEqual({
      outcome: 'cancelled',
    });
    expect(
      await store.splitJob('t1-j2', B, { keep: ['p2'], jobs: jobsFor('unload', [['p9']], 'queued') }, at(21)),
    ).toEqual({
      outcome: 'task_inactive',
    });
    expect(await store.failJob('t1-j2', B, { code: 'job_failed', message: 'x' }, at(22))).toEqual({
      outcome: 'lease_lost',
    });
    expect(await store.requeueJob('t1-j2', B, 'x', at(22))).toEqual({ outcome: 'lease_lost' });
    // Later deliveries, and what a starting worker or the reconciler would enqueue: nothing.
    expect(await claim('t1-j3', A, 30)).toBeUndefined();
    expect(await claim('t1-j1', B, 10 * LEASE_MS)).toBeUndefined();
    expect(await store.resumableJobs(at(10 * LEASE_MS))).toEqual([]);
    expect(await store.releaseOtherLeases('host-c', at(40))).toEqual([]);
    expect(await store.findTask(ORG, 't1', at(50))).toMatchObject({
      status: 'cancelled',
      totalJobs: 4,
      completedJobs: 1,
      failedJobs: 0,
    });
    expect(await store.listFiles('t1')).toEqual([]);
  });

  it('cancels a task counted and waiting for its export, or still counting', async () => {
    await store.insertTask(taskRecord({ id: 't1', status: 'counted', expiresAt: FIXTURE_EXPIRES }), []);
    await store.insertTask(...task('t2', 1, 'count'));
    expect(await store.cancelTask(ORG, 't1', at(0))).toMatchObject({ outcome: 'cancelled', stopped: 0 });
    expect(await store.cancelTask(ORG, 't2', at(0))).toMatchObject({ outcome: 'cancelled', stopped: 0 });
    expect(await statuses('t2')).toEqual({ 't2-j0': 'cancelled' });
  });

  it.each(['completed', 'failed', 'cancelled'] as const)(
    'refuses to cancel a task %s, changing nothing',
    async (status) => {
      await store.insertTask(
        taskRecord({ id: 't1', status, updatedAt: FIXTURE_CREATED, expiresAt: FIXTURE_EXPIRES }),
        [],
      );
      expect(await store.cancelTask(ORG, 't1', at(0))).toEqual({ outcome: 'conflict', status });
      expect(await store.findTask(ORG, 't1', at(0))).toMatchObject({ status, updatedAt: FIXTURE_CREATED });
    },
  );

  it("answers not_found for another organisation's, an expired or an unknown task, changing nothing", async () => {
    await store.insertTask(...task('t1', 1));
    expect(await store.cancelTask('org-2', 't1', at(0))).toEqual({ outcome: 'not_found' });
    expect(await store.retryTask('org-2', 't1', at(0), lifecycle)).toEqual({ outcome: 'not_found' });
    expect(await store.cancelTask(ORG, 't1', FIXTURE_EXPIRES)).toEqual({ outcome: 'not_found' });
    expect(await store.cancelTask(ORG, 'nope', at(0))).toEqual({ outcome: 'not_found' });
    expect(await store.findTask(ORG, 't1', at(0))).toMatchObject({ status: 'unloading' });
    expect(await statuses('t1')).toEqual({ 't1-j0': 'queued' });
  });

  it('either records a job completing at the same moment as a cancel and deletes its files, or records nothing', async () => {
    for (let round = 0; round < 12; round++) {
      const id = `race${round}`;
      // Two running jobs and a queued one: the completion never ends the task.
      await store.insertTask(...task(id, 3));
      await claim(`${id}-j0`, A, 0);
      await claim(`${id}-j1`, B, 0);
      const [cancel, completion] = await Promise.all([
        store.cancelTask(ORG, id, at(5)),
        store.completeJob(`${id}-j0`, A, exported(id, 0, 9), at(5), lifecycle),
      ]);
      expect(cancel).toMatchObject({ outcome: 'cancelled' });
      expect(['recorded', 'cancelled']).toContain(completion.outcome);
      // Recorded first: the job is done, its files deleted by the cancel; else the job never ran.
      expect((await statuses(id))[`${id}-j0`]).toBe(completion.outcome === 'recorded' ? 'done' : 'cancelled');
      expect(await store.listFiles(id)).toEqual([]);
      expect(await store.findTask(ORG, id, at(6))).toMatchObject({
        status: 'cancelled',
        completedJobs: completion.outcome === 'recorded' ? 1 : 0,
      });
    }
  });

  it('of a cancel and the completion of the last job at once, leaves either a completed task with its files or a cancelled one without', async () => {
    for (let round = 0; round < 12; round++) {
      const id = `last${round}`;
      await store.insertTask(...task(id, 1));
      await claim(`${id}-j0`, A, 0);
      const [cancel, completion] = await Promise.all([
        store.cancelTask(ORG, id, at(5)),
        store.completeJob(`${id}-j0`, A, exported(id, 0, 9), at(5), lifecycle),
      ]);
      const after = await store.findTask(ORG, id, at(6));
      if (completion.outcome === 'recorded') {
        expect(cancel).toEqual({ outcome: 'conflict', status: 'completed' });
        expect(after?.status).toBe('completed');
        expect(await store.listFiles(id)).toHaveLength(1);
      } else {
        expect(completion).toEqual({ outcome: 'cancelled' });
        expect(cancel).toMatchObject({ outcome: 'cancelled' });
        expect(after?.status).toBe('cancelled');
        expect(await store.listFiles(id)).toEqual([]);
      }
    }
  });

  it('retries a failed export: its failed jobs and those nobody runs go back to the queue, its done jobs stay done', async () => {
    await store.insertTask(...task('t1', 5));
    // j0 done; j1 fails for good after 3 attempts and fails the task; j2 never ran; j3 was running and
    // its worker gave up (lease expires); j4 is still running under a live lease.
    await claim('t1-j0', A, 0);
    await store.completeJob('t1-j0', A, exported('t1', 0, 5), at(1), lifecycle);
    await claim('t1-j3', B, 0);
    await claim('t1-j4', B, 25_000);
    await claim('t1-j1', A, 2);
    await store.failJob('t1-j1', A, { code: 'input_unreadable', message: 'p1 is not Parquet' }, at(3));
    expect(await store.completeJob('t1-j3', B, exported('t1', 3, 1), at(4), lifecycle)).toEqual({
      outcome: 'task_inactive',
    });
    expect(await store.findTask(ORG, 't1', at(5))).toMatchObject({
      status: 'failed',
      failedJobs: 1,
      error: { code: 'input_unreadable', message: 'p1 is not Parquet' },
    });

    const now = at(LEASE_MS + 1);
    const retried = await store.retryTask(ORG, 't1', now, lifecycle);
    if (retried.outcome !== 'retried') throw new Error(retried.outcome);
    expect(idsOf(retried.released)).toEqual(['t1-j1', 't1-j2', 't1-j3']);
    expect(retried.released[0]).toEqual({ id: 't1-j1', phase: 'unload', organizationId: ORG });
    expect(retried.task).toMatchObject({ status: 'unloading', failedJobs: 0, error: null, completedJobs: 1 });
    expect(await store.findTask(ORG, 't1', now)).toMatchObject({
      status: 'unloading',
      failedJobs: 0,
      error: null,
      completedAt: null,
      updatedAt: now,
    });
    const jobs = Object.fromEntries((await store.listJobs('t1')).map((job) => [job.id, job]));
    expect(jobs['t1-j0']).toMatchObject({ status: 'done', attempts: 1 });
    expect(jobs['t1-j1']).toMatchObject({ status: 'queued', attempts: 0, error: null, leaseOwner: null });
    expect(jobs['t1-j3']).toMatchObject({ status: 'queued', leaseOwner: null });
    expect(jobs['t1-j4']).toMatchObject({ status: 'running', leaseOwner: B });

    // A second retry while it runs is refused; the task then ends with every job's counts.
    expect(await store.retryTask(ORG, 't1', now, lifecycle)).toEqual({
      outcome: 'conflict',
      status: 'unloading',
    });
    for (const seq of [1, 2, 3]) {
      expect(await claim(`t1-j${seq}`, A, LEASE_MS + 2)).toBeDefined();
      await store.completeJob(`t1-j${seq}`, A, exported('t1', seq, seq * 10), at(LEASE_MS + 3), lifecycle);
    }
    await store.completeJob('t1-j4', B, exported('t1', 4, 40), at(LEASE_MS + 4), lifecycle);
    const done = await store.findTask(ORG, 't1', at(LEASE_MS + 5));
    expect(done).toMatchObject({
      status: 'completed',
      totalJobs: 5,
      completedJobs: 5,
      failedJobs: 0,
      totalCount: 105,
    });
    expect(JSON.parse(done!.countsJson!)).toEqual({ p0: 5, p1: 10, p2: 20, p3: 30, p4: 40 });
    expect(await store.listFiles('t1')).toHaveLength(5);
  });

  it('retries a failed count back to in_progress, and keeps the first error of a second failure', async () => {
    await store.insertTask(...task('t1', 2, 'count'));
    await claim('t1-j0', A, 0);
    await store.failJob('t1-j0', A, { code: 'storage_unreachable', message: 'first' }, at(1));
    const retried = await store.retryTask(ORG, 't1', at(2), lifecycle);
    expect(retried).toMatchObject({ outcome: 'retried', task: { status: 'in_progress', error: null } });
    expect(idsOf((retried as { released: { id: string }[] }).released)).toEqual(['t1-j0', 't1-j1']);
    await claim('t1-j0', A, 3);
    await store.failJob('t1-j0', A, { code: 'access_denied', message: 'second' }, at(4));
    expect(await store.findTask(ORG, 't1', at(5))).toMatchObject({
      status: 'failed',
      failedJobs: 1,
      error: { code: 'access_denied', message: 'second' },
    });
  });

  it.each(['in_progress', 'counted', 'unloading', 'completed', 'cancelled'] as const)(
    'refuses to retry a task %s, changing nothing',
    async (status) => {
      await store.insertTask(
        taskRecord({ id: 't1', status, updatedAt: FIXTURE_CREATED, expiresAt: FIXTURE_EXPIRES }),
        [],
      );
      expect(await store.retryTask(ORG, 't1', at(0), lifecycle)).toEqual({ outcome: 'conflict', status });
      expect(await store.findTask(ORG, 't1', at(0))).toMatchObject({ status, updatedAt: FIXTURE_CREATED });
    },
  );
});
