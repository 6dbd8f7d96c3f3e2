import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store, TaskRecord } from '../../src/store/store.ts';
import { FIXTURE_CREATED, seedOrganization, taskRecord } from '../support/store-records.ts';
import { type OpenedStore, STORE_BACKENDS } from './store-backends.ts';

const ORG = 'org-1';
const NOW = '2024-06-02T00:00:00.000Z';

/** Task `id`, named `name`, created `minute` minutes after the fixture time (newer: larger). */
function named(id: string, name: string | null, minute: number): TaskRecord {
  const createdAt = new Date(Date.parse(FIXTURE_CREATED) + minute * 60_000).toISOString();
  return taskRecord({ id, organizationId: ORG, name, createdAt });
}

describe.each(STORE_BACKENDS)('task names and the task search on $name', (backend) => {
  let opened: OpenedStore;
  let store: Store;

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    await seedOrganization(store, { id: ORG });
    await seedOrganization(store, { id: 'org-2' }, { id: 'u2', email: 'b@example.com' });
  });
  afterEach(async () => {
    await opened.dispose();
  });

  const ids = async (search: string, limit = 10) =>
    (await store.listTasks(ORG, NOW, limit, undefined, search)).map((task) => task.id);

  it('keeps a name as given, and lists it', async () => {
    const record = named('a1', 'Cloud Security — May', 0);
    await store.insertTask(record, []);
    expect(await store.findTask(ORG, 'a1', NOW)).toEqual(record);
    expect((await store.listTasks(ORG, NOW, 10))[0]!.name).toBe('Cloud Security — May');
  });

  it('finds names containing the text in any letter case, Unicode letters included', async () => {
    await store.insertTask(named('a1', 'Cloud Security — May', 0), []);
    await store.insertTask(named('a2', 'ÉTÉ CAMPAIGN', 1), []);
    await store.insertTask(named('a3', 'weekly cloud', 2), []);
    await store.insertTask(named('a4', null, 3), []);
    await store.insertTask({ ...named('b1', 'cloud elsewhere', 4), organizationId: 'org-2' }, []);
    expect(await ids('CLOUD')).toEqual(['a3', 'a1']);
    expect(await ids('security — may')).toEqual(['a1']);
    // SQLite's own lower() knows ASCII only: the folded column matches É and é alike.
    expect(await ids('été')).toEqual(['a2']);
    // Full-width letters fold to plain ones (NFKC).
    expect(await ids('ｃｌｏｕｄ')).toEqual(['a3', 'a1']);
    expect(await ids('nothing like it')).toEqual([]);
  });

  it('takes % and _ literally, and matches the start of a task id', async () => {
    await store.insertTask(named('5f3a-1', '100% reach', 0), []);
    await store.insertTask(named('5f3b-2', '100 reach', 1), []);
    await store.insertTask(named('c-3', 'a_b', 2), []);
    await store.insertTask(named('c-4', 'axb', 3), []);
    expect(await ids('100%')).toEqual(['5f3a-1']);
    expect(await ids('a_b')).toEqual(['c-3']);
    expect(await ids('5F3A')).toEqual(['5f3a-1']);
    expect(await ids('5f3')).toEqual(['5f3b-2', '5f3a-1']);
    // An id is matched from its start only.
    expect(await ids('3a')).toEqual([]);
  });

  it('pages through the matches with the cursor, newest first', async () => {
    for (let i = 0; i < 5; i += 1) await store.insertTask(named(`m${i}`, `match ${i}`, i), []);
    await store.insertTask(named('x', 'other', 10), []);
    const first = await store.listTasks(ORG, NOW, 2, undefined, 'MATCH');
    expect(first.map((t) => t.id)).toEqual(['m4', 'm3']);
    const last = first.at(-1)!;
    const next = await store.listTasks(ORG, NOW, 10, { createdAt: last.createdAt, id: last.id }, 'match');
    expect(next.map((t) => t.id)).toEqual(['m2', 'm1', 'm0']);
  });
});
