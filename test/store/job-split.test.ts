import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.ts';
import { jobsFor } from '../../src/tasks/planning/job-rows.ts';
import { FIXTURE_CREATED, holdExport, seedOrganization, taskRecord } from '../support/store-records.ts';
import { type OpenedStore, STORE_BACKENDS } from './store-backends.ts';

const ORG = 'org-1';
const NOW = '2024-06-02T00:00:00.000Z';
const W1 = 'host-a:100:aaaa';
const W2 = 'host-b:200:bbbb';
const LEASE = { owner: W1, now: NOW, leaseMs: 30_000 };

/**
 * A job over more input than a worker should read at once hands part of its partitions to new jobs
 * (`splitJob`): the task then has more jobs, and its counts are those of all of them.
 */
describe.each(STORE_BACKENDS)('splitting a job on $name', (backend) => {
  let opened: OpenedStore;
  let store: Store;

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    await seedOrganization(store, { id: ORG, createdAt: FIXTURE_CREATED });
    // Two count jobs: j0 over p0-p4 and j1 over p5.
    await store.insertTask(taskRecord({ id: 't1', totalJobs: 2 }), [
      { id: 'j0', phase: 'count', seq: 0, partitions: ['p0', 'p1', 'p2', 'p3', 'p4'], status: 'queued' },
      { id: 'j1', phase: 'count', seq: 1, partitions: ['p5'], status: 'queued' },
    ]);
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('narrows the job, queues the rest after the task’s jobs, and counts them in the task', async () => {
    await store.claimJob('j0', LEASE);
    const split = await store.splitJob(
      'j0',
      W1,
      { keep: ['p0', 'p1'], jobs: jobsFor('count', [['p2', 'p3'], ['p4']], 'queued') },
      NOW,
    );
    expect(split.outcome).toBe('split');
    const released = split.outcome === 'split' ? split.released : [];
    expect(released).toHaveLength(2);
    for (const ref of released) expect(ref).toMatchObject({ phase: 'count', organizationId: ORG });

    const jobs = await store.listJobs('t1');
    expect(jobs.map((job) => [job.seq, job.partitions, job.status])).toEqual([
      [0, ['p0', 'p1'], 'running'],
      [1, ['p5'], 'queued'],
      [2, ['p2', 'p3'], 'queued'],
      [3, ['p4'], 'queued'],
    ]);
    expect(jobs.slice(2).map((job) => job.id)).toEqual(released.map((ref) => ref.id));
    expect(await store.findTask(ORG, 't1', NOW)).toMatchObject({ totalJobs: 4, completedJobs: 0 });

    // The task is counted once every job, old and new, is done: with the counts of all of them.
    const outcomes: Record<string, Record<string, number>> = {
      j0: { p0: 1, p1: 2 },
      j1: { p5: 6 },
      [released[0]!.id]: { p2: 3, p3: 4 },
      [released[1]!.id]: { p4: 5 },
    };
    for (const [jobId, counts] of Object.entries(outcomes)) {
      if (jobId !== 'j0') await store.claimJob(jobId, LEASE);
      await store.completeJob(jobId, W1, { counts, files: [] }, NOW, holdExport);
    }
    expect(await store.findTask(ORG, 't1', NOW)).toMatchObject({
      status: 'counted',
      totalJobs: 4,
      completedJobs: 4,
      totalCount: 21,
      countsJson: '{"p0":1,"p1":2,"p2":3,"p3":4,"p4":5,"p5":6}',
    });
  });

  it('refuses a worker that does not hold the job, and changes nothing', async () => {
    await store.claimJob('j0', LEASE);
    const before = await store.listJobs('t1');
    expect(
      await store.splitJob('j0', W2, { keep: ['p0'], jobs: jobsFor('count', [['p1']], 'queued') }, NOW),
    ).toEqual({
      outcome: 'lease_lost',
    });
    // A queued job is held by nobody.
    expect(
      await store.splitJob('j1', W1, { keep: ['p5'], jobs: jobsFor('count', [], 'queued') }, NOW),
    ).toEqual({
      outcome: 'lease_lost',
    });
    expect(await store.listJobs('t1')).toEqual(before);
    expect(await store.findTask(ORG, 't1', NOW)).toMatchObject({ totalJobs: 2 });
  });

  it('adds no job to a task that failed meanwhile', async () => {
    await store.claimJob('j0', LEASE);
    await store.claimJob('j1', { ...LEASE, owner: W2 });
    await store.failJob('j1', W2, { code: 'input_unreadable', message: 'bad file' }, NOW);
    expect(
      await store.splitJob('j0', W1, { keep: ['p0'], jobs: jobsFor('count', [['p1']], 'queued') }, NOW),
    ).toEqual({
      outcome: 'task_inactive',
    });
    expect(await store.listJobs('t1')).toHaveLength(2);
  });

  it('replaces a list job with the jobs it planned, counted in the task', async () => {
    await store.insertTask(taskRecord({ id: 't2', totalJobs: 1 }), [
      { id: 'l0', phase: 'list', seq: 0, partitions: [], status: 'queued' },
    ]);
    await store.claimJob('l0', LEASE);
    const planned = [
      { id: 'c0', phase: 'count' as const, seq: 0, partitions: ['a', 'b'], status: 'queued' as const },
      { id: 'c1', phase: 'count' as const, seq: 1, partitions: ['c'], status: 'queued' as const },
    ];
    expect(await store.expandJob('l0', W2, planned, NOW)).toEqual({ outcome: 'lease_lost' });
    expect(await store.expandJob('l0', W1, planned, NOW)).toEqual({
      outcome: 'expanded',
      released: [
        { id: 'c0', phase: 'count', organizationId: ORG },
        { id: 'c1', phase: 'count', organizationId: ORG },
      ],
    });
    const jobs = await store.listJobs('t2');
    expect(jobs.map((job) => [job.id, job.phase, job.status])).toEqual([
      ['l0', 'list', 'done'],
      ['c0', 'count', 'queued'],
      ['c1', 'count', 'queued'],
    ]);
    expect(await store.findTask(ORG, 't2', NOW)).toMatchObject({ totalJobs: 3, completedJobs: 1 });
    // A repeated delivery of the list job finds it done.
    expect(await store.expandJob('l0', W1, planned, NOW)).toEqual({ outcome: 'lease_lost' });
  });
});
