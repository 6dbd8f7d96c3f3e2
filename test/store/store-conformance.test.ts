import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ClientRecord,
  NewJob,
  Store,
  TaskLifecycle,
  TaskRecord,
  UserRecord,
} from '../../src/store/store.ts';
import {
  FIXTURE_CREATED,
  FIXTURE_EXPIRES,
  holdExport,
  taskRecord,
  userRecord,
} from '../support/store-records.ts';
import { type OpenedStore, STORE_BACKENDS } from './store-backends.ts';

const ORG = 'org-1';
const NOW = '2024-06-02T00:00:00.000Z';

const user: UserRecord = userRecord({ organizationId: ORG, createdAt: FIXTURE_CREATED });

function client(id: string, createdAt: string): ClientRecord {
  return {
    id,
    organizationId: ORG,
    name: `client ${id}`,
    keyHash: `key-${id}`,
    keyPrefix: `kp-${id}`,
    secretHash: `secret-${id}`,
    scopes: ['read', 'write', 'admin'],
    createdBy: 'u1',
    createdAt,
    revokedAt: null,
  };
}

function task(id: string, createdAt: string, overrides: Partial<TaskRecord> = {}): TaskRecord {
  return taskRecord({
    id,
    organizationId: ORG,
    request: { view: { days: ['2024-05-01'] }, nested: { a: [1, 2] } },
    totalJobs: 2,
    createdAt,
    updatedAt: createdAt,
    expiresAt: FIXTURE_EXPIRES,
    ...overrides,
  });
}

function countJobs(taskId: string, partitions: string[][]): NewJob[] {
  return partitions.map((parts, seq) => ({
    id: `${taskId}-c${seq}`,
    phase: 'count',
    seq,
    partitions: parts,
    status: 'queued',
  }));
}

const WORKER = 'worker-1';
const LEASE = { owner: WORKER, now: NOW, leaseMs: 30_000 };
const LEASE_END = '2024-06-02T00:00:30.000Z';

describe.each(STORE_BACKENDS)('store on $name', (backend) => {
  let opened: OpenedStore;
  let store: Store;

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    expect(
      await store.createOrganizationWithUser({ id: ORG, name: 'Acme', createdAt: FIXTURE_CREATED }, user),
    ).toBe(true);
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('answers ping while open', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('finds a user by e-mail and refuses a second organisation with the same e-mail', async () => {
    expect(await store.findUserByEmail('a@example.com')).toEqual(user);
    expect(await store.findUserByEmail('b@example.com')).toBeUndefined();
    const taken = await store.createOrganizationWithUser(
      { id: 'org-2', name: 'Other', createdAt: FIXTURE_CREATED },
      { ...user, id: 'u2', organizationId: 'org-2' },
    );
    expect(taken).toBe(false);
  });

  it('lists clients newest first, finds them by key hash, and revokes once', async () => {
    const older = client('c1', '2024-06-01T10:00:00.000Z');
    // Scopes come back as they were stored, in their order.
    const newer = {
      ...client('c2', '2024-06-01T11:00:00.000Z'),
      scopes: ['read' as const, 'admin' as const],
    };
    await store.insertClient(older);
    await store.insertClient(newer);
    expect(await store.listClients(ORG)).toEqual([newer, older]);
    expect(await store.listClients('org-2')).toEqual([]);
    expect(await store.findClientByKeyHash('key-c1')).toEqual(older);

    expect(await store.revokeClient('org-2', 'c1', NOW)).toBe(false);
    expect(await store.revokeClient(ORG, 'c1', NOW)).toBe(true);
    expect(await store.revokeClient(ORG, 'c1', NOW)).toBe(false);
    expect(await store.findClientByKeyHash('key-c1')).toEqual({ ...older, revokedAt: NOW });
    expect(await store.findClientByKeyHash('key-c9')).toBeUndefined();
    expect(await store.listClients(ORG)).toEqual([newer, { ...older, revokedAt: NOW }]);
  });

  it('returns a task as it was inserted, and its version', async () => {
    const record = task('t1', FIXTURE_CREATED);
    await store.insertTask(record, countJobs('t1', [['p0'], ['p1', 'p2']]));
    expect(await store.findTask(ORG, 't1', NOW)).toEqual(record);
    expect(await store.findTaskVersion(ORG, 't1', NOW)).toEqual({
      id: 't1',
      status: 'in_progress',
      totalJobs: 2,
      completedJobs: 0,
      failedJobs: 0,
      updatedAt: FIXTURE_CREATED,
    });
    expect(await store.findTaskVersion('org-2', 't1', NOW)).toBeUndefined();
    expect(await store.findTaskVersion(ORG, 't1', FIXTURE_EXPIRES)).toBeUndefined();
    expect(await store.countActiveTasks(ORG)).toBe(1);
  });

  it('pages tasks newest first with a cursor, without their counts', async () => {
    const counted = task('t2', '2024-06-01T12:00:00.000Z', {
      status: 'completed',
      totalCount: 12,
      countsJson: '{"p0":12}',
      figuresJson: '{"unique_count":3}',
      error: { code: 'x', message: 'y' },
    });
    await store.insertTask(task('t1', '2024-06-01T11:00:00.000Z'), []);
    await store.insertTask(counted, []);
    // Same creation time as t2: the id breaks the tie.
    await store.insertTask(task('t3', '2024-06-01T12:00:00.000Z'), []);

    const first = await store.listTasks(ORG, NOW, 2);
    expect(first.map((t) => t.id)).toEqual(['t3', 't2']);
    expect(first[1]).toEqual({ ...counted, countsJson: null, figuresJson: null });
    const rest = await store.listTasks(ORG, NOW, 2, { createdAt: first[1]!.createdAt, id: first[1]!.id });
    expect(rest.map((t) => t.id)).toEqual(['t1']);
    expect(await store.listTasks(ORG, FIXTURE_EXPIRES, 10)).toEqual([]);
    expect(await store.countActiveTasks(ORG)).toBe(2);
  });

  it('claims a job with its task, and lists jobs with their counts', async () => {
    const record = task('t1', FIXTURE_CREATED);
    await store.insertTask(record, countJobs('t1', [['p0'], ['p1', 'p2']]));
    const claimed = await store.claimJob('t1-c1', LEASE);
    expect(claimed).toEqual({
      job: {
        id: 't1-c1',
        taskId: 't1',
        phase: 'count',
        seq: 1,
        partitions: ['p1', 'p2'],
        status: 'running',
        attempts: 1,
        counts: null,
        error: null,
        leaseOwner: WORKER,
        leaseExpiresAt: LEASE_END,
      },
      task: record,
      recovered: false,
      // Queued when the task was created: the claim says how long it waited.
      queuedAt: record.createdAt,
    });
    expect(await store.requeueJob('t1-c1', WORKER, 'timed out', NOW)).toEqual({ outcome: 'requeued' });
    await store.claimJob('t1-c0', LEASE);
    await store.completeJob('t1-c0', WORKER, { counts: { p0: 4 }, files: [] }, NOW, holdExport);

    expect(await store.listJobs('t1')).toEqual([
      {
        id: 't1-c0',
        taskId: 't1',
        phase: 'count',
        seq: 0,
        partitions: ['p0'],
        status: 'done',
        attempts: 1,
        counts: { p0: 4 },
        error: null,
        leaseOwner: null,
        leaseExpiresAt: null,
      },
      {
        id: 't1-c1',
        taskId: 't1',
        phase: 'count',
        seq: 1,
        partitions: ['p1', 'p2'],
        status: 'queued',
        attempts: 1,
        counts: null,
        error: 'timed out',
        leaseOwner: null,
        leaseExpiresAt: null,
      },
    ]);
    expect(await store.resumableJobs(NOW)).toEqual([
      { id: 't1-c1', phase: 'count', organizationId: ORG, leaseExpired: false },
    ]);
  });

  it("stores a count job's figures with its task, replacing earlier ones, left out of claims and listings", async () => {
    await store.insertTask(task('t1', FIXTURE_CREATED), countJobs('t1', [['p0'], ['p1']]));
    const figures = {
      unique_count: 9,
      unique_counts: { p0: 5 },
      breakdowns: { country: [{ value: null, count: 4, unique_count: 2 }] },
    };
    await store.claimJob('t1-c0', LEASE);
    expect(
      await store.completeJob('t1-c0', WORKER, { counts: { p0: 5 }, files: [], figures }, NOW, holdExport),
    ).toEqual({ outcome: 'recorded', released: [], phaseEnded: false });
    expect(JSON.parse((await store.findTask(ORG, 't1', NOW))!.figuresJson!)).toEqual(figures);
    // The claim hands the job its task without the figures, which can be large.
    expect(await store.claimJob('t1-c1', LEASE)).toMatchObject({ task: { id: 't1', figuresJson: null } });
    const replaced = { unique_count: 10, unique_counts: null, breakdowns: null };
    await store.completeJob(
      't1-c1',
      WORKER,
      { counts: { p1: 7 }, files: [], figures: replaced },
      NOW,
      holdExport,
    );
    const counted = await store.findTask(ORG, 't1', NOW);
    expect(counted).toMatchObject({ status: 'counted', totalCount: 12 });
    expect(JSON.parse(counted!.figuresJson!)).toEqual(replaced);
    // A task without figures has none; listings leave them out like the counts.
    await store.insertTask(task('t2', '2024-06-01T11:00:00.000Z'), []);
    expect((await store.findTask(ORG, 't2', NOW))!.figuresJson).toBeNull();
    expect((await store.listTasks(ORG, NOW, 10)).map((t) => t.figuresJson)).toEqual([null, null]);
  });

  it("keeps each job's part figures and hands its phase's parts to the lifecycle, whose move's figures replace the task's", async () => {
    await store.insertTask(task('t1', FIXTURE_CREATED, { totalJobs: 2 }), countJobs('t1', [['p0'], ['p1']]));
    const seen: unknown[][] = [];
    const merging: TaskLifecycle = {
      ...holdExport,
      phaseEnded(_task, _phase, counts, parts = []) {
        seen.push([...parts]);
        return { status: 'counted', jobs: [], counts, figures: { parts: parts.length } };
      },
    };
    // Completed out of order: the parts come back in job order.
    await store.claimJob('t1-c1', LEASE);
    await store.completeJob(
      't1-c1',
      WORKER,
      { counts: { p1: 2 }, files: [], partFigures: { job: 1 } },
      NOW,
      merging,
    );
    expect(seen).toEqual([]);
    await store.claimJob('t1-c0', LEASE);
    expect(
      await store.completeJob(
        't1-c0',
        WORKER,
        { counts: { p0: 3 }, files: [], partFigures: { job: 0 } },
        NOW,
        merging,
      ),
    ).toEqual({ outcome: 'recorded', released: [], phaseEnded: true });
    expect(seen).toEqual([[{ job: 0 }, { job: 1 }]]);
    const counted = await store.findTask(ORG, 't1', NOW);
    expect(counted).toMatchObject({ status: 'counted', totalCount: 5 });
    expect(JSON.parse(counted!.figuresJson!)).toEqual({ parts: 2 });
  });

  it('records the final counts, the manifest and the files of a task', async () => {
    await store.insertTask(task('t1', FIXTURE_CREATED, { totalJobs: 2 }), countJobs('t1', [['p0'], ['p1']]));
    const manifest0 = { p0: [{ uri: '/in/p0/a.parquet', size: 10, etag: 'e0' }] };
    const manifest1 = { p1: [{ uri: '/in/p1/a.parquet', size: 20 }] };
    await store.claimJob('t1-c0', LEASE);
    await store.completeJob(
      't1-c0',
      WORKER,
      { counts: { p0: 5 }, files: [], manifest: manifest0 },
      NOW,
      holdExport,
    );
    await store.claimJob('t1-c1', LEASE);
    await store.completeJob(
      't1-c1',
      WORKER,
      { counts: { p1: 7 }, files: [], manifest: manifest1 },
      NOW,
      holdExport,
    );

    const counted = await store.findTask(ORG, 't1', NOW);
    expect(counted).toMatchObject({ status: 'counted', totalCount: 12, countsJson: '{"p0":5,"p1":7}' });
    expect(await store.countManifest('t1')).toEqual({ ...manifest0, ...manifest1 });

    const exportJob: NewJob = { id: 't1-u0', phase: 'unload', seq: 0, partitions: ['p1'], status: 'queued' };
    expect(
      await store.startUnload(ORG, 't1', NOW, {
        ...holdExport,
        unloadRequested: () => ({ status: 'unloading', jobs: [exportJob] }),
      }),
    ).toEqual({
      outcome: 'started',
      released: [{ id: 't1-u0', phase: 'unload', organizationId: ORG }],
    });
    // The claim hands the job its task without the counts, which can be large.
    expect(await store.claimJob('t1-u0', LEASE)).toMatchObject({
      task: { id: 't1', status: 'unloading', totalCount: 12, countsJson: null },
    });
    const file = {
      id: 'f1',
      partition: 'p1',
      uri: '/out/p1/data_0.parquet',
      rows: 7,
      sizeBytes: 3_000_000_000,
      sha256: 'ab'.repeat(32),
    };
    expect(await store.exportSchema('t1')).toBeUndefined();
    const columns = [
      { name: 'person_id', type: 'BIGINT' },
      { name: 'topic_ids', type: 'VARCHAR[]' },
    ];
    expect(
      await store.completeJob(
        't1-u0',
        WORKER,
        { counts: { p1: 7 }, files: [file], schema: { columns, codec: 'zstd' } },
        NOW,
        holdExport,
      ),
    ).toEqual({ outcome: 'recorded', released: [], phaseEnded: true });
    // What the manifest lists: each file's checksum, and the columns (and codec) the export wrote.
    expect(await store.exportSchema('t1')).toEqual({ columns, codec: 'zstd' });

    const stored = { ...file, taskId: 't1', jobId: 't1-u0', createdAt: NOW };
    expect(await store.listFiles('t1')).toEqual([stored]);
    expect(await store.findFile('f1')).toEqual({
      ...stored,
      organizationId: ORG,
      expiresAt: FIXTURE_EXPIRES,
    });
    expect(await store.findFile('f2')).toBeUndefined();
    expect(await store.findTask(ORG, 't1', NOW)).toMatchObject({
      status: 'completed',
      totalJobs: 3,
      completedJobs: 3,
      completedAt: NOW,
    });
    expect(await store.countActiveTasks(ORG)).toBe(0);
  });
});
