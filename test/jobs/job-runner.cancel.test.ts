import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { InProcessChangeFeed } from '../../src/changes/in-process-change-feed.ts';
import type { JobLanes } from '../../src/jobs/job-lanes.ts';
import { JobRunner } from '../../src/jobs/job-runner.ts';
import { LocalStorage } from '../../src/storage/local-storage.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { TaskChanges } from '../../src/tasks/task-changes.ts';
import { taskLifecycle } from '../../src/tasks/task-lifecycle.ts';
import type { StoredRequest } from '../../src/tasks/task-model.ts';
import { expectedIntentCounts } from '../support/duck.ts';
import { memoryLanes } from '../support/lanes.ts';
import { largeTree } from '../support/large-tree.ts';
import { intentPlan, seedOrganization, taskRecord } from '../support/store-records.ts';

/**
 * A worker whose job's task is cancelled: real SQLite store, DuckDB and files. The cancel is made in
 * the store (as the API does) at chosen points: while the export's query runs, and between its
 * publish and its record.
 */

const ORG = 'org-1';
const TASK = 'task-1';
const JOB = 'job-1';

let dir: string;
let store: Store;
let queue: JobLanes;
let big: string;

beforeAll(async () => {
  big = await largeTree();
});
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-runner-cancel-'));
  store = await openStore({ dataDir: path.join(dir, 'data') });
  queue = memoryLanes(1);
  await queue.start(async () => {});
});
afterEach(async () => {
  await queue.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** An export task of every partition of `tree` in one job. */
async function insertExport(tree: string): Promise<void> {
  const created = new Date(Date.now() - 60_000).toISOString();
  await seedOrganization(store, { id: ORG, createdAt: created });
  const request: StoredRequest = {
    view: { perform_unload: true } as StoredRequest['view'],
    plan: intentPlan(tree),
  };
  const partitions = Object.keys(await expectedIntentCounts(tree)).sort();
  await store.insertTask(
    taskRecord({
      id: TASK,
      organizationId: ORG,
      status: 'unloading',
      request,
      createdAt: created,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    }),
    [{ id: JOB, phase: 'unload', seq: 0, partitions, status: 'queued' }],
  );
}

interface Logged {
  message: string;
  fields: Record<string, unknown>;
}

function runner(options: { store?: Store; leaseMs?: number; changes?: TaskChanges; logged?: Logged[] }) {
  const logged = options.logged ?? [];
  return new JobRunner({
    owner: 'worker-a',
    leaseMs: options.leaseMs ?? 30_000,
    store: options.store ?? store,
    queue,
    storage: new LocalStorage(path.join(dir, 'scratch')),
    outputPath: path.join(dir, 'exports'),
    engine: { memoryLimit: '512MB', threads: 1, timeoutMs: 60_000 },
    lifecycle: taskLifecycle(() => []),
    listPlanner: () => [],
    ...(options.changes ? { changes: options.changes } : {}),
    log: (message, fields) => logged.push({ message, fields }),
    trace: (message, fields) => logged.push({ message, fields }),
  });
}

const taskFolder = () => path.join(dir, 'exports', ORG, TASK);
const now = () => new Date().toISOString();

/** Resolves once the job's `COPY` has started writing into its scratch folder. */
async function exportWriting(): Promise<void> {
  await vi.waitFor(() => expect(fs.existsSync(path.join(dir, 'scratch', JOB, 'out'))).toBe(true), {
    timeout: 30_000,
    interval: 10,
  });
}

describe('a job whose task is cancelled', () => {
  it('removes what it published when the cancel lands between its publish and its record; a redelivery does nothing', async () => {
    await insertExport(inject('intentTree'));
    const logged: Logged[] = [];
    const published: string[] = [];
    const cancelling = Object.assign(Object.create(store) as Store, {
      async completeJob(...args: Parameters<Store['completeJob']>) {
        published.push(...fs.readdirSync(taskFolder()));
        expect(await store.cancelTask(ORG, TASK, now())).toMatchObject({ outcome: 'cancelled', stopped: 1 });
        return store.completeJob(...args);
      },
    });
    const worker = runner({ store: cancelling, logged });
    try {
      await worker.handle(JOB);
      expect(published.length).toBeGreaterThan(0);
      expect(fs.existsSync(taskFolder())).toBe(false);
      expect(logged.map((entry) => entry.message)).toEqual(['job stopped: its task was cancelled']);
      expect(await store.listFiles(TASK)).toEqual([]);
      expect((await store.listJobs(TASK))[0]).toMatchObject({
        status: 'cancelled',
        attempts: 1,
        counts: null,
      });

      // Delivered again (at-least-once): not claimed, nothing written.
      await worker.handle(JOB);
      expect(fs.existsSync(taskFolder())).toBe(false);
      expect((await store.listJobs(TASK))[0]).toMatchObject({ status: 'cancelled', attempts: 1 });
      expect(logged).toHaveLength(1);
    } finally {
      await worker.close();
    }
  });

  it('hears the cancel through the task change feed from another process and stops its query at once', async () => {
    await insertExport(big);
    // Two processes' change notifiers over one feed: the API's, which notifies, and the worker's.
    const feed = new InProcessChangeFeed();
    const api = new TaskChanges({ feed });
    const logged: Logged[] = [];
    const worker = runner({ changes: new TaskChanges({ feed }), logged });
    try {
      const running = worker.handle(JOB);
      await exportWriting();
      await store.cancelTask(ORG, TASK, now());
      const cancelledAt = performance.now();
      api.notify(TASK);
      await running;
      // The export takes seconds on one thread; the lease (30 s) had no renewal due.
      expect(performance.now() - cancelledAt).toBeLessThan(2_000);
      expect(logged.map((entry) => entry.message)).toEqual([
        'interrupting a job: its task was cancelled',
        'job stopped: its task was cancelled',
      ]);
      expect(logged[0]!.fields).toMatchObject({ via: 'feed', jobId: JOB, taskId: TASK });
      expect(fs.existsSync(taskFolder())).toBe(false);
      expect((await store.listJobs(TASK))[0]).toMatchObject({ status: 'cancelled', counts: null });
    } finally {
      await worker.close();
      await feed.close();
    }
  });

  it('stops its query at its next lease renewal when no notification reaches it', async () => {
    await insertExport(big);
    const logged: Logged[] = [];
    // Renewed every 200 ms; no change feed.
    const worker = runner({ leaseMs: 600, logged });
    try {
      const running = worker.handle(JOB);
      await exportWriting();
      await store.cancelTask(ORG, TASK, now());
      const cancelledAt = performance.now();
      await running;
      expect(performance.now() - cancelledAt).toBeLessThan(2_000);
      expect(logged.map((entry) => entry.message)).toEqual([
        'interrupting a job: its task was cancelled',
        'job stopped: its task was cancelled',
      ]);
      expect(logged[0]!.fields).toMatchObject({ via: 'lease' });
      expect(fs.existsSync(taskFolder())).toBe(false);
      expect(await store.listFiles(TASK)).toEqual([]);
    } finally {
      await worker.close();
    }
  });
});
