import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store, TaskRecord, TaskStatus } from '../../src/store/store.ts';
import { FIXTURE_CREATED, FIXTURE_EXPIRES, seedOrganization, taskRecord } from '../support/store-records.ts';
import { type OpenedStore, STORE_BACKENDS } from './store-backends.ts';

const NOW = '2024-06-02T00:00:00.000Z';
const EARLIER = '2024-06-01T12:00:00.000Z';

function task(
  id: string,
  organizationId: string,
  status: TaskStatus,
  expiresAt = FIXTURE_EXPIRES,
): TaskRecord {
  return taskRecord({ id, organizationId, status, createdAt: FIXTURE_CREATED, expiresAt });
}

describe.each(STORE_BACKENDS)('countTasksByStatus on $name', (backend) => {
  let opened: OpenedStore;
  let store: Store;

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    for (const org of ['org-a', 'org-b']) {
      await seedOrganization(
        store,
        { id: org, name: org, createdAt: FIXTURE_CREATED },
        { id: `u-${org}`, email: `${org}@example.com` },
      );
    }
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('names every status, 0 when no task has it', async () => {
    expect(await store.countTasksByStatus(NOW)).toEqual({
      in_progress: 0,
      counted: 0,
      unloading: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
    });
  });

  it('counts the unexpired tasks of every organisation by status', async () => {
    const tasks = [
      task('a1', 'org-a', 'completed'),
      task('a2', 'org-a', 'completed'),
      task('a3', 'org-a', 'in_progress'),
      task('b1', 'org-b', 'completed'),
      task('b2', 'org-b', 'failed'),
      task('b3', 'org-b', 'counted'),
      task('b5', 'org-b', 'cancelled'),
      // Expired: not counted, whatever its status.
      task('a4', 'org-a', 'completed', EARLIER),
      task('b4', 'org-b', 'unloading', EARLIER),
    ];
    for (const record of tasks) await store.insertTask(record, []);
    expect(await store.countTasksByStatus(NOW)).toEqual({
      in_progress: 1,
      counted: 1,
      unloading: 0,
      completed: 3,
      failed: 1,
      cancelled: 1,
    });
    // Expiry is measured against the time asked about.
    expect((await store.countTasksByStatus(FIXTURE_CREATED)).completed).toBe(4);
  });
});
