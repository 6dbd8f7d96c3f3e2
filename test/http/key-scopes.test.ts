import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, call, type Reply, signUp, startTestServer, type TestServer } from '../support/api.ts';

/**
 * API key scopes: chosen at creation, stored and listed with the key, checked on every request
 * before the body is read; a key used outside them gets a 403 naming the scope it lacks.
 */

let t: TestServer;
let ada: Account;

beforeAll(async () => {
  t = await startTestServer();
  ada = await signUp(t.url, 'Scoped Org');
});
afterAll(async () => t?.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const TASK = {
  days: ['2024-05-01'],
  topic_id_prefixes: ['4eyes_101'],
  scores: ['high'],
  perform_unload: false,
};

function createKey(body: Record<string, unknown>): Promise<Reply> {
  return call(t.url, 'POST', '/client/v1', { headers: bearer(ada.token), body });
}

async function keyWith(scopes?: string[]): Promise<string> {
  const reply = await createKey({ name: `key ${scopes?.join('+') ?? 'default'}`, ...(scopes && { scopes }) });
  expect(reply.status).toBe(201);
  return reply.body.api_key;
}

const as = (key: string) => ({ 'x-api-key': key });

describe('creating keys with scopes', () => {
  it('stores the scopes asked for (in read, write, admin order) and lists them; no scopes is all three', async () => {
    const made = await createKey({ name: 'pipeline', scopes: ['write', 'read'] });
    expect(made.status).toBe(201);
    expect(made.body.scopes).toEqual(['read', 'write']);
    const plain = await createKey({ name: 'plain' });
    expect(plain.body.scopes).toEqual(['read', 'write', 'admin']);

    const listed = await call(t.url, 'GET', '/client/v1', { headers: bearer(ada.token) });
    const byId = new Map(listed.body.clients.map((c: { client_id: string }) => [c.client_id, c]));
    expect(byId.get(made.body.client_id)).toMatchObject({ name: 'pipeline', scopes: ['read', 'write'] });
    expect(byId.get(plain.body.client_id)).toMatchObject({ scopes: ['read', 'write', 'admin'] });
    // The key made at sign-up, without scopes, keeps everything a key could do before scopes.
    expect(byId.get(ada.clientId)).toMatchObject({ scopes: ['read', 'write', 'admin'] });
  });

  it('refuses an unknown, an empty, a repeated or a non-list scopes with a 400 saying what to send', async () => {
    const cases: Array<[unknown, string, string]> = [
      [['read', 'delete'], 'scopes[1]', 'must be one of read, write, admin'],
      [[], 'scopes', 'must not be empty'],
      [['read', 'read'], 'scopes', 'has a duplicate (items 0 and 1 are the same); list each value once'],
      ['read', 'scopes', 'must be array'],
    ];
    for (const [scopes, field, message] of cases) {
      const reply = await createKey({ name: 'bad', scopes });
      expect(reply.status, JSON.stringify(reply.body)).toBe(400);
      expect(reply.body.code).toBe('validation_failed');
      expect(reply.body.errors).toEqual([{ field, message }]);
      expect(reply.body.detail).toBe(`${field}: ${message}`);
    }
    const listed = await call(t.url, 'GET', '/client/v1', { headers: bearer(ada.token) });
    expect(listed.body.clients.map((c: { name: string }) => c.name)).not.toContain('bad');
  });
});

describe('using keys within and outside their scopes', () => {
  it('a read key reads tasks, the catalog and estimates, and is refused creating: 403 naming write', async () => {
    const writer = await keyWith(['write']);
    const reader = await keyWith(['read']);
    const created = await call(t.url, 'POST', '/api/v1/intent_hive_tasks', {
      headers: as(writer),
      body: TASK,
    });
    expect(created.status).toBe(202);

    for (const path of [
      '/api/v1/status',
      `/api/v1/status/${created.body.task_id}`,
      '/api/v1/catalog/intent',
    ]) {
      expect([path, (await call(t.url, 'GET', path, { headers: as(reader) })).status]).toEqual([path, 200]);
    }
    const estimate = await call(t.url, 'POST', '/api/v1/intent_hive_tasks/estimate', {
      headers: as(reader),
      body: TASK,
    });
    expect(estimate.status).toBe(200);

    const refused = await call(t.url, 'POST', '/api/v1/intent_hive_tasks', {
      headers: as(reader),
      body: TASK,
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'scope_missing', status: 403 });
    expect(refused.body.detail).toBe(
      "this API key lacks the 'write' scope (it has read); create a key with scopes [read, write] " +
        '(POST /client/v1 with "scopes", `audiences keys create NAME --scope read --scope write`, or ' +
        'the console\'s "API keys" page) and send it instead',
    );
    // Nothing was created by the refused call.
    const listed = await call(t.url, 'GET', '/api/v1/status', { headers: as(reader) });
    expect(listed.body.tasks.map((x: { task_id: string }) => x.task_id)).toEqual([created.body.task_id]);
  });

  it('a write key acts but does not read: 403 naming read; the check comes before the body is read', async () => {
    const writer = await keyWith(['write']);
    const refused = await call(t.url, 'GET', '/api/v1/status', { headers: as(writer) });
    expect([refused.status, refused.body.code]).toEqual([403, 'scope_missing']);
    expect(refused.body.detail).toContain("lacks the 'read' scope (it has write)");
    // An invalid body with a key outside its scope: the scope decides, not the body.
    const reader = await keyWith(['read']);
    const malformed = await call(t.url, 'POST', '/api/v1/intent_hive_tasks', {
      headers: as(reader),
      rawBody: '{"days":',
    });
    expect([malformed.status, malformed.body.code]).toEqual([403, 'scope_missing']);
  });

  it('webhooks need admin; admin alone reads no task; no key manages keys, whatever its scopes', async () => {
    const admin = await keyWith(['admin']);
    const readWrite = await keyWith(['read', 'write']);
    const hooks = await call(t.url, 'GET', '/api/v1/webhooks', { headers: as(admin) });
    expect(hooks.status).toBe(200);
    const refused = await call(t.url, 'GET', '/api/v1/webhooks', { headers: as(readWrite) });
    expect([refused.status, refused.body.code]).toEqual([403, 'scope_missing']);
    expect(refused.body.detail).toContain('create a key with scopes [read, write, admin]');
    expect((await call(t.url, 'GET', '/api/v1/status', { headers: as(admin) })).status).toBe(403);

    for (const key of [admin, await keyWith()]) {
      const minted = await call(t.url, 'POST', '/client/v1', { headers: as(key), body: { name: 'more' } });
      expect([minted.status, minted.body.code]).toEqual([401, 'unauthorized']);
      expect(minted.body.detail).toContain('API keys cannot manage API clients');
    }
  });

  it('a user’s login holds every scope', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/status'],
      ['GET', '/api/v1/webhooks'],
    ] as const) {
      expect((await call(t.url, method, path, { headers: bearer(ada.token) })).status).toBe(200);
    }
    const created = await call(t.url, 'POST', '/api/v1/intent_hive_tasks', {
      headers: bearer(ada.token),
      body: TASK,
    });
    expect(created.status).toBe(202);
  });
});
