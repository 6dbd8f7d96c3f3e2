import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobCompletion, NewJob, Store, TaskLifecycle, TaskRecord } from '../../src/store/store.ts';
import { taskLifecycle } from '../../src/tasks/task-lifecycle.ts';
import { idsOf, queuedJobs, seedOrganization, taskRecord } from '../support/store-records.ts';
import { type OpenedStore, STORE_BACKENDS } from './store-backends.ts';

let opened: OpenedStore;
let store: Store;
const ORG = 'org-1';
const now = () => new Date().toISOString();
const WORKER = 'worker-1';
const lease = () => ({ owner: WORKER, now: now(), leaseMs: 30_000 });

function releasedBy(completion: JobCompletion): string[] {
  if (completion.outcome !== 'recorded') throw new Error(`not recorded: ${completion.outcome}`);
  return idsOf(completion.released);
}

describe.each(STORE_BACKENDS)('completion on $name', (backend) => {
  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    await seedOrganization(store, { id: ORG, createdAt: now() });
  });
  afterEach(async () => {
    await opened.dispose();
  });

  function task(performUnload: boolean, jobs: number): { record: TaskRecord; jobs: NewJob[] } {
    return {
      record: taskRecord({
        id: randomUUID(),
        organizationId: ORG,
        request: { view: { perform_unload: performUnload } },
        totalJobs: jobs,
        createdAt: new Date().toISOString(),
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      }),
      jobs: queuedJobs(Array.from({ length: jobs }, () => randomUUID())),
    };
  }

  /** One export job per non-empty partition. */
  const exportJobs = (counts: Record<string, number>): NewJob[] =>
    Object.keys(counts)
      .filter((p) => counts[p]! > 0)
      .map((p, seq) => ({ id: randomUUID(), phase: 'unload', seq, partitions: [p], status: 'queued' }));
  /**
   * The domain's lifecycle, except that the end of a count exports at once when the task asked
   * for it (`perform_unload`): a phase end that releases jobs, for the store to apply exactly once.
   */
  const domain = taskLifecycle((_t, counts) => exportJobs(counts));
  const planner: TaskLifecycle = {
    phaseEnded(t, phase, counts) {
      if (phase !== 'count' || !(t.request as { view: { perform_unload: boolean } }).view.perform_unload) {
        return domain.phaseEnded(t, phase, counts);
      }
      const jobs = exportJobs(counts);
      return { status: jobs.length > 0 ? 'unloading' : 'completed', jobs, counts };
    },
    unloadRequested: (t, counts) => domain.unloadRequested(t, counts),
    retryRequested: (t, phase) => domain.retryRequested(t, phase),
  };

  async function runAll(jobIds: string[], rows: (i: number) => number) {
    await Promise.all(jobIds.map((id) => store.claimJob(id, lease())));
    return Promise.all(
      jobIds.map((id, i) =>
        store
          .completeJob(id, WORKER, { counts: { [`p${i}`]: rows(i) }, files: [] }, now(), planner)
          .then(releasedBy),
      ),
    );
  }

  it('moves the task on exactly once when many jobs finish at the same moment', async () => {
    const { record, jobs } = task(true, 40);
    await store.insertTask(record, jobs);
    const released = await runAll(
      jobs.map((j) => j.id),
      (i) => (i % 4 === 0 ? 0 : i),
    );
    // Exactly one completion (the last) released the export jobs: one per non-empty partition.
    const releasing = released.filter((ids) => ids.length > 0);
    expect(releasing).toHaveLength(1);
    expect(releasing[0]).toHaveLength(30);
    const after = (await store.findTask(ORG, record.id, now()))!;
    expect(after.status).toBe('unloading');
    expect(after.completedJobs).toBe(40);
    expect(after.totalJobs).toBe(70);
    const expectedTotal = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? 0 : i)).reduce(
      (a, b) => a + b,
      0,
    );
    expect(after.totalCount).toBe(expectedTotal);
  });

  it('stops at counted when the export is held, and unload moves it on once', async () => {
    const { record, jobs } = task(false, 3);
    await store.insertTask(record, jobs);
    await runAll(
      jobs.map((j) => j.id),
      () => 5,
    );
    expect((await store.findTask(ORG, record.id, now()))!.status).toBe('counted');
    const [first, second] = await Promise.all([
      store.startUnload(ORG, record.id, now(), planner),
      store.startUnload(ORG, record.id, now(), planner),
    ]);
    expect([first.outcome, second.outcome].sort()).toEqual(['conflict', 'started']);
    expect(await store.startUnload('other-org', record.id, now(), planner)).toEqual({ outcome: 'not_found' });
  });

  it('ignores a duplicate delivery of a finished job', async () => {
    const { record, jobs } = task(false, 2);
    await store.insertTask(record, jobs);
    const [a] = jobs;
    await store.claimJob(a!.id, lease());
    await store.completeJob(a!.id, WORKER, { counts: { p0: 7 }, files: [] }, now(), planner);
    expect(await store.claimJob(a!.id, lease())).toBeUndefined();
    expect(await store.completeJob(a!.id, WORKER, { counts: { p0: 7 }, files: [] }, now(), planner)).toEqual({
      outcome: 'lease_lost',
    });
    const after = (await store.findTask(ORG, record.id, now()))!;
    expect(after.completedJobs).toBe(1);
    expect(after.status).toBe('in_progress');
  });

  it('replaces the counts and files of a job that runs again', async () => {
    const { record, jobs } = task(true, 1);
    await store.insertTask(record, jobs);
    const [job] = jobs;
    await store.claimJob(job!.id, lease());
    const completion = await store.completeJob(
      job!.id,
      WORKER,
      { counts: { p0: 3 }, files: [] },
      now(),
      planner,
    );
    const [unloadId] = releasedBy(completion);
    await store.claimJob(unloadId!, lease());
    // The worker died after claiming; once its lease expired, another worker takes the job over.
    const later = new Date(Date.now() + 60_000).toISOString();
    const takeover = await store.claimJob(unloadId!, { owner: 'worker-2', now: later, leaseMs: 30_000 });
    expect(takeover).toMatchObject({ recovered: true, job: { attempts: 2, leaseOwner: 'worker-2' } });
    const file = {
      id: 'f'.repeat(32),
      partition: 'p0',
      uri: '/x/p0/data_0.parquet',
      rows: 3,
      sizeBytes: 10,
      sha256: null,
    };
    const ended = await store.completeJob(
      unloadId!,
      'worker-2',
      { counts: { p0: 3 }, files: [file] },
      later,
      planner,
    );
    expect(await store.listFiles(record.id)).toHaveLength(1);
    const after = (await store.findTask(ORG, record.id, now()))!;
    // The export's end releases its manifest job; the counts are final.
    expect(ended).toMatchObject({ outcome: 'recorded', released: [{ phase: 'manifest' }] });
    expect(after.status).toBe('unloading');
    expect(after.totalCount).toBe(3);
  });

  it('fails the task when a job fails for good, and no later job of it runs', async () => {
    const { record, jobs } = task(true, 2);
    await store.insertTask(record, jobs);
    const [a, b] = jobs;
    await store.claimJob(a!.id, lease());
    await store.failJob(a!.id, WORKER, { code: 'input_unreadable', message: 'bad file x.parquet' }, now());
    const after = (await store.findTask(ORG, record.id, now()))!;
    expect(after.status).toBe('failed');
    expect(after.error).toEqual({ code: 'input_unreadable', message: 'bad file x.parquet' });
    expect(after.failedJobs).toBe(1);
    expect(await store.claimJob(b!.id, lease())).toBeUndefined();
    expect(idsOf(await store.resumableJobs(now()))).toEqual([]);
  });

  it('hides expired tasks and other organisations tasks', async () => {
    const { record, jobs } = task(true, 1);
    await store.insertTask(record, jobs);
    expect(await store.findTask('other', record.id, now())).toBeUndefined();
    const later = new Date(Date.now() + 2 * 86_400_000).toISOString();
    expect(await store.findTask(ORG, record.id, later)).toBeUndefined();
    expect(idsOf(await store.resumableJobs(later))).toEqual([]);
  });
});
