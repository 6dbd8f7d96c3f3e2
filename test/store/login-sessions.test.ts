import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionRecord, Store } from '../../src/store/store.ts';
import { seedOrganization } from '../support/store-records.ts';
import { type OpenedStore, STORE_BACKENDS } from './store-backends.ts';

/**
 * Login sessions in the store, on every backend: recorded only against the password hash a login
 * checked, ended once, all but one ended by a password change (in the same transaction as the new
 * hash), swept when expired.
 */

const HOUR = 3_600_000;
const NOW = Date.parse('2024-06-02T00:00:00.000Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();

/** Session `id` of user `u1`, opened `opened` ms after NOW, for an hour. */
function session(id: string, opened = 0, userId = 'u1'): Omit<SessionRecord, 'endedAt'> {
  return { id, userId, organizationId: 'org-1', createdAt: at(opened), expiresAt: at(opened + HOUR) };
}

describe.each(STORE_BACKENDS)('login sessions on $name', (backend) => {
  let opened: OpenedStore;
  let store: Store;

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    expect(await seedOrganization(store, {}, { passwordHash: 'hash-1' })).toBe(true);
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('records a session as given, ends it once, and keeps the first end', async () => {
    expect(await store.insertSession(session('s1'), 'hash-1')).toBe(true);
    expect(await store.findSession('s1')).toEqual({ ...session('s1'), endedAt: null });
    expect(await store.endSession('s1', at(1000))).toBe(true);
    expect(await store.endSession('s1', at(2000))).toBe(false);
    expect(await store.findSession('s1')).toEqual({ ...session('s1'), endedAt: at(1000) });
    expect(await store.endSession('nobody', at(2000))).toBe(false);
    expect(await store.findSession('nobody')).toBeUndefined();
  });

  it('records no session against a password hash that is no longer the user’s', async () => {
    expect(await store.insertSession(session('s1'), 'another hash')).toBe(false);
    expect(await store.findSession('s1')).toBeUndefined();
  });

  it('changes the password and ends every other live session of the user, not the caller’s', async () => {
    await seedOrganization(store, { id: 'org-2' }, { id: 'u2', email: 'b@example.com', passwordHash: 'h' });
    for (const id of ['keep', 'other-1', 'other-2', 'logged-out']) {
      expect(await store.insertSession(session(id), 'hash-1')).toBe(true);
    }
    expect(await store.endSession('logged-out', at(1000))).toBe(true);
    expect(await store.insertSession({ ...session('bob'), organizationId: 'org-2', userId: 'u2' }, 'h')).toBe(
      true,
    );

    const change = {
      userId: 'u1',
      oldHash: 'hash-1',
      newHash: 'hash-2',
      keepSessionId: 'keep',
      at: at(5000),
    };
    expect(await store.changePassword(change)).toEqual({ changed: true, sessionsEnded: 2 });
    expect(await store.findUserByEmail('a@example.com')).toMatchObject({ passwordHash: 'hash-2' });
    expect((await store.findSession('keep'))?.endedAt).toBeNull();
    expect((await store.findSession('other-1'))?.endedAt).toBe(at(5000));
    expect((await store.findSession('other-2'))?.endedAt).toBe(at(5000));
    // An ended session keeps its first end; another user's sessions are not touched.
    expect((await store.findSession('logged-out'))?.endedAt).toBe(at(1000));
    expect((await store.findSession('bob'))?.endedAt).toBeNull();

    // The old hash no longer changes anything, nor opens a session; the new one does.
    expect(await store.changePassword({ ...change, newHash: 'hash-3' })).toEqual({ changed: false });
    expect(await store.findUserByEmail('a@example.com')).toMatchObject({ passwordHash: 'hash-2' });
    expect(await store.insertSession(session('late'), 'hash-1')).toBe(false);
    expect(await store.insertSession(session('fresh', 6000), 'hash-2')).toBe(true);
  });

  it('does not count sessions that expired before the change as ended by it', async () => {
    expect(await store.insertSession(session('live'), 'hash-1')).toBe(true);
    expect(await store.insertSession(session('keep'), 'hash-1')).toBe(true);
    // Opened last, so no later login has swept it yet.
    expect(await store.insertSession(session('old', -2 * HOUR), 'hash-1')).toBe(true);
    const change = { userId: 'u1', oldHash: 'hash-1', newHash: 'hash-2', keepSessionId: 'keep', at: at(0) };
    expect(await store.changePassword(change)).toEqual({ changed: true, sessionsEnded: 1 });
    expect((await store.findSession('old'))?.endedAt).toBeNull();
  });

  it("sweeps the user's expired sessions, ended or not, when the user opens another", async () => {
    expect(await store.insertSession(session('expired', -2 * HOUR), 'hash-1')).toBe(true);
    expect(await store.insertSession(session('ended', -2 * HOUR), 'hash-1')).toBe(true);
    expect(await store.endSession('ended', at(-HOUR - 1000))).toBe(true);
    expect(await store.insertSession(session('live', -HOUR / 2), 'hash-1')).toBe(true);
    expect(await store.insertSession(session('new'), 'hash-1')).toBe(true);
    expect(await store.findSession('expired')).toBeUndefined();
    expect(await store.findSession('ended')).toBeUndefined();
    expect(await store.findSession('live')).toMatchObject({ endedAt: null });
  });

  it('leaves no session of a login that raced a password change alive (20 races)', async () => {
    for (let round = 0; round < 20; round++) {
      const [oldHash, newHash] = [`hash-${round + 1}`, `hash-${round + 2}`];
      const login = session(`race-${round}`, round);
      const change = { userId: 'u1', oldHash, newHash, keepSessionId: 'keep', at: at(round) };
      const [recorded, changed] = await Promise.all([
        store.insertSession(login, oldHash),
        store.changePassword(change),
      ]);
      expect(changed.changed).toBe(true);
      // Either the login lost (nothing recorded) or its session was recorded first and then ended.
      const found = await store.findSession(login.id);
      if (recorded) expect(found?.endedAt).toBe(at(round));
      else expect(found).toBeUndefined();
    }
  });
});
