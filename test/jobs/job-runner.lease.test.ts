import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { JobLanes } from '../../src/jobs/job-lanes.ts';
import { JobRunner } from '../../src/jobs/job-runner.ts';
import { LocalStorage } from '../../src/storage/local-storage.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { JobPhase, Store } from '../../src/store/store.ts';
import { storeUnavailable } from '../../src/store/store-unavailable.ts';
import type { StoredRequest } from '../../src/tasks/task-model.ts';
import { duck, expectedIntentCounts } from '../support/duck.ts';
import { memoryLanes } from '../support/lanes.ts';
import { holdExport, intentPlan, seedOrganization, taskRecord } from '../support/store-records.ts';

/**
 * A worker whose lease is taken over while its job runs must not record its outcome nor touch the
 * files of the worker that took over. Real SQLite store, DuckDB and files over the shared test
 * tree; the takeover is made to happen at a chosen point by running the second worker from inside
 * one of the first worker's store calls. Time is a fake clock: the second worker's clock is past
 * the first one's lease.
 */

const tree = inject('intentTree');
const ORG = 'org-1';
const TASK = 'task-1';
const JOB = 'job-1';
const LEASE_MS = 30_000;
const T0 = Date.parse('2024-06-02T00:00:00.000Z');
const A = 'worker-a';
const B = 'worker-b';

let expected: Record<string, number>;
let partitions: string[];
let dir: string;
let store: Store;
let queue: JobLanes;
const delivered: string[] = [];

beforeAll(async () => {
  expected = await expectedIntentCounts(tree);
  partitions = Object.keys(expected).sort().slice(0, 3);
});

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-runner-lease-'));
  store = await openStore({ dataDir: path.join(dir, 'data') });
  queue = memoryLanes(1);
  delivered.length = 0;
  await queue.start(async (id) => {
    delivered.push(id);
  });
});
afterEach(async () => {
  await queue.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function insertTask(phase: JobPhase): Promise<void> {
  const created = new Date(T0 - 60_000).toISOString();
  await seedOrganization(store, { id: ORG, createdAt: created });
  const request: StoredRequest = {
    view: { perform_unload: phase === 'unload' } as StoredRequest['view'],
    plan: intentPlan(tree),
  };
  const task = taskRecord({
    id: TASK,
    organizationId: ORG,
    status: phase === 'count' ? 'in_progress' : 'unloading',
    request,
    createdAt: created,
    expiresAt: new Date(T0 + 86_400_000).toISOString(),
  });
  await store.insertTask(task, [{ id: JOB, phase, seq: 0, partitions, status: 'queued' }]);
}

interface Logged {
  message: string;
  fields: Record<string, unknown>;
}

function runner(owner: string, now: number, runnerStore: Store, logged: Logged[] = []): JobRunner {
  const storage = new LocalStorage(path.join(dir, 'scratch'));
  return new JobRunner({
    owner,
    leaseMs: LEASE_MS,
    clock: () => new Date(now),
    store: runnerStore,
    queue,
    storage,
    outputPath: path.join(dir, 'exports'),
    engine: { memoryLimit: '256MB', threads: 1, timeoutMs: 60_000 },
    lifecycle: holdExport,
    listPlanner: () => [],
    log: (message, fields) => logged.push({ message, fields }),
  });
}

/** The store as worker A sees it, with `hooks` run in place of some of its methods. */
function storeWith(hooks: Partial<Store>): Store {
  return Object.assign(Object.create(store) as Store, hooks);
}

/** Rows of the exported files on disk, per partition, read by an independent DuckDB. */
async function rowsOnDisk(): Promise<Record<string, number>> {
  const root = path.join(dir, 'exports', ORG, TASK);
  const rows = await duck<{ part: string; n: bigint }>(
    `SELECT regexp_extract(filename, '${root}/(.*)/[^/]+$', 1) AS part, count(*) AS n
     FROM read_parquet('${root}/**/*.parquet', hive_partitioning = false, filename = true) GROUP BY ALL`,
  );
  return Object.fromEntries(rows.map((row) => [row.part, Number(row.n)]));
}

const expectedOf = (keys: string[]) => Object.fromEntries(keys.map((key) => [key, expected[key]!]));

describe('a job whose lease is taken over while it runs', () => {
  it('is exported and recorded by the new owner only: the first worker neither publishes nor records', async () => {
    await insertTask('unload');
    const loggedA: Logged[] = [];
    const calls: string[] = [];
    const storeA = storeWith({
      // Worker A's first renewal (at the latest, the one before it publishes) finds that worker B,
      // whose clock is past A's lease, took the job over and ran it to the end.
      async renewLease(jobId, owner, now, leaseMs) {
        calls.push('renew');
        if (calls.filter((call) => call === 'renew').length === 1) {
          await runner(B, T0 + LEASE_MS, store).handle(JOB);
        }
        return store.renewLease(jobId, owner, now, leaseMs);
      },
      async completeJob(...args) {
        calls.push('complete');
        return store.completeJob(...args);
      },
      async failJob(...args) {
        calls.push('fail');
        return store.failJob(...args);
      },
      async requeueJob(...args) {
        calls.push('requeue');
        return store.requeueJob(...args);
      },
    });
    const workerA = runner(A, T0, storeA, loggedA);
    try {
      await workerA.handle(JOB);
    } finally {
      await workerA.close();
    }

    expect(calls).toEqual(['renew']);
    expect(loggedA.map((entry) => entry.message)).toEqual(['lease lost']);
    const [job] = await store.listJobs(TASK);
    expect(job).toMatchObject({ status: 'done', attempts: 2, counts: expectedOf(partitions) });
    const task = await store.findTask(ORG, TASK, new Date(T0).toISOString());
    expect(task).toMatchObject({
      status: 'completed',
      completedJobs: 1,
      totalCount: sum(expectedOf(partitions)),
    });
    // What B recorded is what is on disk, every row once.
    const files = await store.listFiles(TASK);
    const recorded: Record<string, number> = {};
    for (const file of files) recorded[file.partition] = (recorded[file.partition] ?? 0) + file.rows;
    expect(recorded).toEqual(expectedOf(partitions));
    expect(await rowsOnDisk()).toEqual(expectedOf(partitions));
    for (const file of files) expect(fs.existsSync(file.uri)).toBe(true);
    expect(delivered).toEqual([]);
  });

  it('is not recorded when the takeover comes after the work, just before the outcome', async () => {
    await insertTask('count');
    const loggedA: Logged[] = [];
    const storeA = storeWith({
      // Worker B takes the job over (its run is still going) just as A reports its outcome.
      async completeJob(jobId, owner, outcome, now, lifecycle) {
        const takeover = await store.claimJob(jobId, {
          owner: B,
          now: new Date(T0 + LEASE_MS).toISOString(),
          leaseMs: LEASE_MS,
        });
        expect(takeover).toMatchObject({ recovered: true });
        return store.completeJob(jobId, owner, outcome, now, lifecycle);
      },
    });
    const workerA = runner(A, T0, storeA, loggedA);
    try {
      await workerA.handle(JOB);
    } finally {
      await workerA.close();
    }

    expect(loggedA.map((entry) => entry.message)).toEqual(['lease lost: the outcome was not recorded']);
    const [job] = await store.listJobs(TASK);
    expect(job).toMatchObject({ status: 'running', attempts: 2, leaseOwner: B, counts: null });
    expect(await store.findTask(ORG, TASK, new Date(T0).toISOString())).toMatchObject({
      status: 'in_progress',
      completedJobs: 0,
      totalCount: null,
    });
    // B died in turn; C takes the job over once B's lease expired, and its counts are recorded.
    const workerC = runner('worker-c', T0 + 2 * LEASE_MS, store);
    try {
      await workerC.handle(JOB);
    } finally {
      await workerC.close();
    }
    expect(await store.findTask(ORG, TASK, new Date(T0).toISOString())).toMatchObject({
      status: 'counted',
      completedJobs: 1,
      totalCount: sum(expectedOf(partitions)),
      countsJson: JSON.stringify(expectedOf(partitions)),
    });
    expect((await store.listJobs(TASK))[0]).toMatchObject({ status: 'done', attempts: 3 });
  });

  it('runs a job once while its lease is live: a duplicate delivery to another worker does nothing', async () => {
    await insertTask('count');
    const loggedB: Logged[] = [];
    const storeA = storeWith({
      async completeJob(...args) {
        // Delivered to B while A still holds it: B's claim is refused and B does nothing.
        await runner(B, T0 + LEASE_MS - 1, store, loggedB).handle(JOB);
        return store.completeJob(...args);
      },
    });
    const workerA = runner(A, T0, storeA);
    try {
      await workerA.handle(JOB);
    } finally {
      await workerA.close();
    }
    expect(loggedB).toEqual([]);
    const [job] = await store.listJobs(TASK);
    expect(job).toMatchObject({ status: 'done', attempts: 1, counts: expectedOf(partitions) });
    expect(await store.findTask(ORG, TASK, new Date(T0).toISOString())).toMatchObject({
      status: 'counted',
      completedJobs: 1,
      totalCount: sum(expectedOf(partitions)),
    });
  });
});

describe('a job whose outcome the store could not record (it did not answer)', () => {
  it('is handed back as soon as the store answers again, without using up an attempt, and runs again', async () => {
    await insertTask('count');
    const loggedA: Logged[] = [];
    let down = true;
    let releaseTries = 0;
    const unavailable = () => Promise.reject(storeUnavailable());
    // Worker A counts while the store is up, and it goes down as A reports its outcome.
    const storeA = storeWith({
      completeJob: (...args) => (down ? unavailable() : store.completeJob(...args)),
      requeueJob: (...args) => (down ? unavailable() : store.requeueJob(...args)),
      failJob: (...args) => (down ? unavailable() : store.failJob(...args)),
      releaseLeases(...args) {
        releaseTries += 1;
        return down ? unavailable() : store.releaseLeases(...args);
      },
    });
    const workerA = runner(A, T0, storeA, loggedA);
    try {
      await workerA.handle(JOB);
      // Neither the count nor a retry was recorded: the job is still A's, and tried while it is down.
      expect((await store.listJobs(TASK))[0]).toMatchObject({
        status: 'running',
        leaseOwner: A,
        attempts: 1,
      });
      await vi.waitFor(() => expect(releaseTries).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
      expect(delivered).toEqual([]);
      down = false;
      // Back well before the lease (30 s of A's clock, which stands still) could expire.
      await vi.waitFor(() => expect(delivered).toEqual([JOB]), { timeout: 10_000 });
    } finally {
      await workerA.close();
    }
    expect(loggedA.map((entry) => entry.message)).toEqual([
      'job failed',
      'job not recorded: handed back once the store answers',
    ]);
    expect((await store.listJobs(TASK))[0]).toMatchObject({
      status: 'queued',
      attempts: 0,
      leaseOwner: null,
    });
    // Any worker claims it at once, as a first attempt, and its counts are DuckDB's.
    const workerB = runner(B, T0 + 1_000, store);
    try {
      await workerB.handle(JOB);
    } finally {
      await workerB.close();
    }
    expect((await store.listJobs(TASK))[0]).toMatchObject({
      status: 'done',
      attempts: 1,
      counts: expectedOf(partitions),
    });
    expect(await store.findTask(ORG, TASK, new Date(T0).toISOString())).toMatchObject({
      status: 'counted',
      totalCount: sum(expectedOf(partitions)),
    });
  });
});

describe('a job whose outcome the store refused (an error other than an outage)', () => {
  it('is not handed back: it waits for its lease, so each takeover uses up an attempt', async () => {
    await insertTask('count');
    let releaseTries = 0;
    const refused = () => Promise.reject(new Error('value too long for type character varying(36)'));
    const storeA = storeWith({
      completeJob: () => refused(),
      requeueJob: () => refused(),
      releaseLeases(...args) {
        releaseTries += 1;
        return store.releaseLeases(...args);
      },
    });
    const workerA = runner(A, T0, storeA);
    try {
      await expect(workerA.handle(JOB)).rejects.toThrow('value too long');
      // Longer than a stranded job waits between two tries to hand it back.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    } finally {
      await workerA.close();
    }
    expect(releaseTries).toBe(0);
    expect(delivered).toEqual([]);
    expect((await store.listJobs(TASK))[0]).toMatchObject({ status: 'running', leaseOwner: A, attempts: 1 });
  });
});

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
