import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientRecord, NewJob, Store, TaskRecord, UserRecord } from '../../src/store/store.ts';
import {
  FIXTURE_CREATED,
  FIXTURE_EXPIRES,
  idsOf,
  organizationRecord,
  queuedJobs,
  taskRecord,
  userRecord,
} from '../support/store-records.ts';
import { type OpenedStore, STORE_BACKENDS } from './store-backends.ts';

/**
 * What must hold when many requests reach the store at once, as they do from several API processes:
 * the cap on tasks in progress and the uniqueness of an e-mail. On PostgreSQL the calls run on
 * separate pooled connections, truly concurrently; SQLite must give the same answers.
 */
const NOW = '2024-06-02T00:00:00.000Z';

function organization(id: string) {
  return organizationRecord({ id, name: `org ${id}`, createdAt: FIXTURE_CREATED });
}

function user(id: string, organizationId: string, email: string): UserRecord {
  return userRecord({ id, organizationId, email, createdAt: FIXTURE_CREATED });
}

function task(id: string, organizationId: string, status: TaskRecord['status'] = 'in_progress'): TaskRecord {
  return taskRecord({
    id,
    organizationId,
    status,
    request: { view: {} },
    createdAt: FIXTURE_CREATED,
    expiresAt: FIXTURE_EXPIRES,
  });
}

function jobsOf(taskId: string): NewJob[] {
  return queuedJobs([`${taskId}-c0`]);
}

function client(id: string, organizationId: string): ClientRecord {
  return {
    id,
    organizationId,
    name: id,
    keyHash: `key-${id}`,
    keyPrefix: `kp-${id}`,
    secretHash: `secret-${id}`,
    scopes: ['read', 'write', 'admin'],
    createdBy: 'u',
    createdAt: FIXTURE_CREATED,
    revokedAt: null,
  };
}

describe.each(STORE_BACKENDS)('concurrent calls on $name', (backend) => {
  let opened: OpenedStore;
  let store: Store;

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    for (const org of ['a', 'b']) {
      expect(
        await store.createOrganizationWithUser(organization(org), user(`u-${org}`, org, `${org}@x.io`)),
      ).toBe(true);
    }
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('admits exactly the cap of 20 concurrent tasks of one organisation, and others are unaffected', async () => {
    const limits = { maxActiveTasks: 5 };
    const ids = Array.from({ length: 20 }, (_, i) => `a${i}`);
    const others = Array.from({ length: 4 }, (_, i) => `b${i}`);
    const answers = await Promise.all([
      ...ids.map((id) => store.insertTask(task(id, 'a'), jobsOf(id), limits)),
      ...others.map((id) => store.insertTask(task(id, 'b'), jobsOf(id), limits)),
    ]);
    const mine = answers.slice(0, ids.length);
    expect(mine.filter((a) => a.admitted)).toHaveLength(5);
    // Every refusal saw the organisation full.
    expect(mine.filter((a) => !a.admitted)).toEqual(Array(15).fill({ admitted: false, active: 5 }));
    expect(answers.slice(ids.length).every((a) => a.admitted)).toBe(true);
    expect(await store.countActiveTasks('a')).toBe(5);
    expect(await store.countActiveTasks('b')).toBe(4);

    // A refused task left nothing behind: neither the task nor its jobs.
    const admitted = ids.filter((_, i) => mine[i]!.admitted);
    for (const [i, id] of ids.entries()) {
      expect(await store.findTask('a', id, NOW)).toEqual(mine[i]!.admitted ? task(id, 'a') : undefined);
      expect((await store.listJobs(id)).map((j) => j.id)).toEqual(mine[i]!.admitted ? [`${id}-c0`] : []);
    }
    expect((await store.listTasks('a', NOW, 100)).map((t) => t.id).sort()).toEqual(admitted.sort());
    expect(idsOf(await store.resumableJobs(NOW))).toHaveLength(5 + 4);
  });

  it('counts only tasks in progress against the cap, and admits again once one ends', async () => {
    const limits = { maxActiveTasks: 2 };
    // Finished tasks, and tasks inserted without limits, are stored as they are.
    expect(await store.insertTask(task('done', 'a', 'completed'), [])).toEqual({ admitted: true });
    expect(await store.insertTask(task('held', 'a', 'counted'), [])).toEqual({ admitted: true });
    expect(await store.insertTask(task('t1', 'a'), jobsOf('t1'), limits)).toEqual({ admitted: true });
    expect(await store.insertTask(task('t2', 'a', 'unloading'), [], limits)).toEqual({ admitted: true });
    expect(await store.insertTask(task('t3', 'a'), jobsOf('t3'), limits)).toEqual({
      admitted: false,
      active: 2,
    });

    await store.claimJob('t1-c0', { owner: 'w1', now: NOW, leaseMs: 30_000 });
    await store.failJob('t1-c0', 'w1', { code: 'x', message: 'y' }, NOW);
    expect(await store.insertTask(task('t3', 'a'), jobsOf('t3'), limits)).toEqual({ admitted: true });
    expect(await store.countActiveTasks('a')).toBe(2);
  });

  it('gives exactly one of 10 concurrent sign-ups with one e-mail the account, and keeps no other organisation', async () => {
    const orgs = Array.from({ length: 10 }, (_, i) => `r${i}`);
    const answers = await Promise.all(
      orgs.map((org) =>
        store.createOrganizationWithUser(organization(org), user(`u-${org}`, org, 'same@x.io')),
      ),
    );
    expect(answers.filter(Boolean)).toHaveLength(1);
    const winner = orgs[answers.indexOf(true)]!;
    expect(await store.findUserByEmail('same@x.io')).toEqual(user(`u-${winner}`, winner, 'same@x.io'));

    // The losers' organisations were rolled back: nothing can refer to them.
    for (const org of orgs) {
      const insert = store.insertClient(client(`c-${org}`, org));
      if (org === winner) await expect(insert).resolves.toBeUndefined();
      else await expect(insert).rejects.toThrow();
    }
  });
});
