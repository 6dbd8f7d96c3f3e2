import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudiencesClient } from '../../src/client/index.ts';
import { startTestServer, type TestServer } from '../support/api.ts';
import { failure } from './client-failure.ts';

/** Key scopes, password changes and logouts through the typed client, against the real server. */

let t: TestServer;
const password = 'violet-Tangerine-Harbor-42';
const newPassword = 'amber-Lighthouse-Orchard-77';
const email = `client-sessions-${Date.now()}@example.com`;

beforeAll(async () => {
  t = await startTestServer();
  await new AudiencesClient({ baseUrl: t.url }).register({
    email,
    password,
    first_name: 'Ada',
    last_name: 'Lovelace',
    organization_name: 'Sessions Co',
  });
});
afterAll(async () => t?.close());

async function loggedIn(secret = password): Promise<AudiencesClient> {
  const client = new AudiencesClient({ baseUrl: t.url });
  await client.login({ email, password: secret });
  return client;
}

describe('key scopes through the client', () => {
  it('creates a key with scopes, lists them, and a call outside them throws 403 scope_missing', async () => {
    const account = await loggedIn();
    const key = await account.createKey({ name: 'dashboard', scopes: ['read'] });
    expect(key.scopes).toEqual(['read']);
    expect((await account.listKeys()).find((k) => k.client_id === key.client_id)?.scopes).toEqual(['read']);
    expect((await account.createKey({ name: 'everything' })).scopes).toEqual(['read', 'write', 'admin']);

    const reader = new AudiencesClient({ baseUrl: t.url, apiKey: key.api_key });
    expect((await reader.catalog()).days.length).toBeGreaterThan(0);
    const refused = await failure(reader.listWebhooks());
    expect(refused).toMatchObject({ status: 403, code: 'scope_missing' });
    expect(refused.detail).toContain("lacks the 'admin' scope");
  });

  it('an unknown scope is a 400 naming the ones there are', async () => {
    const account = await loggedIn();
    // A caller without the types (plain JavaScript) can send anything.
    const error = await failure(account.createKey({ name: 'x', scopes: ['delete' as 'read'] }));
    expect(error).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(error.errors).toEqual([{ field: 'scopes[0]', message: 'must be one of read, write, admin' }]);
  });
});

describe('sessions through the client', () => {
  it('logout ends the token on the server; the client stops sending it', async () => {
    const account = await loggedIn();
    const token = await (async () => {
      const login = await new AudiencesClient({ baseUrl: t.url }).login({ email, password });
      return login.token;
    })();
    const same = new AudiencesClient({ baseUrl: t.url, token });
    expect(Array.isArray(await same.listKeys())).toBe(true);
    await same.logout();
    // Another holder of that token is refused, the client itself now sends none.
    const other = new AudiencesClient({ baseUrl: t.url, token });
    expect(await failure(other.listKeys())).toMatchObject({ status: 401, code: 'session_ended' });
    expect(await failure(same.listKeys())).toMatchObject({ status: 401, code: 'unauthorized' });
    // Logging out again (say, after an answer was lost) is no error.
    await other.logout();
    // The other session goes on.
    expect(Array.isArray(await account.listKeys())).toBe(true);
  });

  it('changePassword ends the other sessions, keeps this one; a wrong current password is 403', async () => {
    const caller = await loggedIn();
    const other = await loggedIn();
    const wrong = await failure(
      caller.changePassword({ current_password: 'nope-nope-nope', new_password: newPassword }),
    );
    expect(wrong).toMatchObject({ status: 403, code: 'current_password_wrong' });
    expect(wrong.errors[0]?.field).toBe('current_password');

    const weak = await failure(caller.changePassword({ current_password: password, new_password: 'short' }));
    expect(weak).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(weak.errors[0]?.field).toBe('new_password');

    const changed = await caller.changePassword({ current_password: password, new_password: newPassword });
    // `other`, and the logins of the three tests above that were not logged out.
    expect(changed.other_sessions_ended).toBe(4);
    expect(await failure(other.listKeys())).toMatchObject({ status: 401, code: 'session_ended' });
    expect(Array.isArray(await caller.listKeys())).toBe(true);
    expect(await failure(loggedIn(password))).toMatchObject({ status: 401, code: 'invalid_credentials' });
    await loggedIn(newPassword);
  });
});
