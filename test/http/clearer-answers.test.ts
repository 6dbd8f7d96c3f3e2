import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_PREFIX } from '../../src/accounts/api-keys.ts';
import { type Account, apiClient, call, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { intentPrefixes } from '../support/duck.ts';

/**
 * Answers that say what to do: the allowed input roots, one message for every page size out of
 * range, and 401s that tell a revoked key, an unknown key and a key sent as a bearer token apart.
 */

let t: TestServer;
let account: Account;
let api: ReturnType<typeof apiClient>;
let prefix: string;

beforeAll(async () => {
  // A webhook to page the deliveries of, on this machine: it receives nothing (no task completes).
  t = await startTestServer({ WEBHOOK_ALLOW_HTTP: '1', WEBHOOK_ALLOW_PRIVATE: '1' });
  account = await signUp(t.url, 'Clear Answers Ltd');
  api = apiClient(t.url, account.apiKey);
  [prefix] = (await intentPrefixes(t.intentTree)) as [string];
});
afterAll(async () => t?.close());

describe('input_path_forbidden', () => {
  it('names the allowed folders as the guard compares them (their real paths)', async () => {
    // The test server allows its data folder and the shared tree (LOCAL_INPUT_ROOTS).
    const roots = [t.dataDir, t.intentTree].map((dir) => fs.realpathSync(dir));
    for (const [route, body] of [
      ['/api/v1/generic_parquet_tasks', { input_path: '/etc' }],
      ['/api/v1/generic_parquet_tasks/estimate', { input_path: '/etc' }],
      [
        '/api/v1/intent_hive_tasks',
        { days: ['2024-05-01'], topic_id_prefixes: [prefix], scores: ['high'], input_path: '/var/tmp' },
      ],
      ['/api/v1/generic_parquet_tasks', { input_path: 'relative/path' }],
    ] as const) {
      const reply = await api.post(route, body);
      expect(reply.status, route).toBe(400);
      expect(reply.body.code).toBe('input_path_forbidden');
      expect(reply.body.errors[0].field).toBe('input_path');
      expect(reply.body.detail).toContain(`allowed: folders under ${roots.join(', ')}`);
    }
  });

  it('never names the export folder, which no input may reach', async () => {
    const reply = await api.post('/api/v1/generic_parquet_tasks', { input_path: '/etc' });
    expect(reply.body.detail).not.toContain('exports');
  });
});

describe('limit out of range', () => {
  const routes = async () => {
    const task = await api.createIntentTask({
      days: ['2024-05-01'],
      topic_id_prefixes: [prefix],
      scores: ['high'],
      perform_unload: false,
    });
    const webhook = await api.post('/api/v1/webhooks', {
      url: 'http://127.0.0.1:9/hook',
      events: ['task.completed'],
    });
    expect(webhook.status, JSON.stringify(webhook.body)).toBe(201);
    return [
      '/api/v1/status',
      '/api/v1/audiences',
      `/api/v1/tasks/${task}/preview`,
      `/api/v1/webhooks/${webhook.body.id}/deliveries`,
    ];
  };

  it('answers ?limit=1000 as it answers ?limit=500: "must be from 1 to 100"', async () => {
    for (const route of await routes()) {
      for (const limit of ['500', '1000', '123456', '0', 'ten', '2.5', '']) {
        const reply = await api.get(`${route}?limit=${limit}`);
        expect(reply.status, `${route}?limit=${limit}`).toBe(400);
        expect(reply.body).toMatchObject({
          code: 'validation_failed',
          detail: 'limit: must be from 1 to 100',
          errors: [{ field: 'limit', message: 'must be from 1 to 100' }],
        });
      }
      expect((await api.get(`${route}?limit=100`)).status, route).toBe(200);
    }
  });
});

describe('401 answers that say what to do', () => {
  const get = (headers: Record<string, string>) => call(t.url, 'GET', '/api/v1/status', { headers });
  const createKey = async (name: string) =>
    (
      await call(t.url, 'POST', '/client/v1', {
        body: { name },
        headers: { authorization: `Bearer ${account.token}` },
      })
    ).body;

  it('a revoked key: says it was revoked and how to get a new one, nothing of its client', async () => {
    const client = await createKey('revoked-soon');
    expect((await get({ 'x-api-key': client.api_key })).status).toBe(200);
    const revoked = await call(t.url, 'DELETE', `/client/v1/${client.client_id}`, {
      headers: { authorization: `Bearer ${account.token}` },
    });
    expect(revoked.status).toBe(204);
    const reply = await get({ 'x-api-key': client.api_key });
    expect(reply.status).toBe(401);
    expect(reply.body.code).toBe('unauthorized');
    expect(reply.body.detail).toMatch(
      /^the API key in X-API-Key was revoked; create one with POST \/client\/v1/,
    );
    // Nothing about whose it was, or when.
    for (const secret of ['revoked-soon', client.client_id, account.organizationId, 'Clear Answers']) {
      expect(reply.body.detail).not.toContain(secret);
    }
  });

  it('an unknown key, well formed or not: says to check it, unlike a revoked one', async () => {
    const client = await createKey('to-revoke');
    await call(t.url, 'DELETE', `/client/v1/${client.client_id}`, {
      headers: { authorization: `Bearer ${account.token}` },
    });
    const revoked = (await get({ 'x-api-key': client.api_key })).body.detail;
    const wellFormed = `${API_KEY_PREFIX}${'A'.repeat(43)}`;
    for (const key of [wellFormed, 'dlvr_short', 'not-a-key']) {
      const reply = await get({ 'x-api-key': key });
      expect(reply.status).toBe(401);
      expect(reply.body.code).toBe('unauthorized');
      expect(reply.body.detail).toMatch(
        /^the API key in X-API-Key is not a key of this server: check that it was copied whole/,
      );
      expect(reply.body.detail).not.toBe(revoked);
    }
  });

  it('an API key sent as Authorization: Bearer: says to send it as X-API-Key', async () => {
    const reply = await get({ authorization: `Bearer ${account.apiKey}` });
    expect(reply.status).toBe(401);
    expect(reply.body.detail).toMatch(/this is an API key: send it in the X-API-Key header instead$/);
    // On the account routes, which take no API key at all, the answer says to log in.
    const attempts: Array<Record<string, string>> = [
      { authorization: `Bearer ${account.apiKey}` },
      { 'x-api-key': account.apiKey },
    ];
    for (const headers of attempts) {
      const keys = await call(t.url, 'GET', '/client/v1', { headers });
      expect(keys.status).toBe(401);
      expect(keys.body.detail).toMatch(/^API keys cannot manage API clients/);
    }
  });

  it('a login token in X-API-Key, a bad token, another scheme: each says what to send', async () => {
    expect((await get({ 'x-api-key': account.token })).body.detail).toMatch(
      /^X-API-Key holds a login token, not an API key: send the token as Authorization: Bearer/,
    );
    expect((await get({ authorization: `Bearer ${account.token}x` })).body.detail).toMatch(
      /^the login token in Authorization: Bearer has expired or is not valid; log in again/,
    );
    expect((await get({ authorization: `Basic ${account.apiKey}` })).body.detail).toMatch(
      /^the Authorization header must be "Bearer <token>"/,
    );
    // The right credentials still work.
    expect((await get({ authorization: `Bearer ${account.token}` })).status).toBe(200);
    expect((await get({ 'x-api-key': account.apiKey })).status).toBe(200);
  });
});
