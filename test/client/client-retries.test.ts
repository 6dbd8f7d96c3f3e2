import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AudiencesClient, AudiencesError } from '../../src/client/index.ts';
import { type Account, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { intentPrefixes } from '../support/duck.ts';
import { type FlakyProxy, startFlakyProxy } from './flaky-proxy.ts';

let t: TestServer;
let account: Account;
let proxy: FlakyProxy;
let prefixes: string[];
/** The waits the client asked for, in order (the fake sleep returns at once). */
let sleeps: number[];

const unavailable = { answer: 503, headers: { 'retry-after': '0' }, body: 'try later' };

function client(baseUrl = proxy.url, options: { random?: () => number } = {}) {
  return new AudiencesClient({
    baseUrl,
    apiKey: account.apiKey,
    retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 300 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: options.random ?? (() => 0.5),
  });
}

beforeAll(async () => {
  t = await startTestServer();
  account = await signUp(t.url, 'Retries');
  proxy = await startFlakyProxy(t.url);
  prefixes = await intentPrefixes(t.intentTree);
});
afterAll(async () => {
  await proxy?.close();
  await t?.close();
});
beforeEach(() => {
  sleeps = [];
  proxy.seen.length = 0;
  proxy.plan();
});

describe('retries', () => {
  it('a read answered 503 (Retry-After: 0) twice then forwarded succeeds on the third attempt', async () => {
    proxy.plan(unavailable, unavailable);
    const catalog = await client().catalog();
    expect(catalog.prefixes).toEqual(prefixes);
    expect(proxy.seen.map((r) => `${r.method} ${r.url}`)).toEqual(
      Array(3).fill('GET /api/v1/catalog/intent'),
    );
    expect(sleeps).toEqual([0, 0]);
  });

  it('a create whose answer is lost is retried with the same Idempotency-Key and makes one task', async () => {
    proxy.plan({ forward: true, thenAnswer: 503 });
    const created = await client().createIntentTask({
      days: ['2024-05-01'],
      topic_id_prefixes: prefixes.slice(0, 1),
      scores: ['high'],
      perform_unload: false,
    });
    expect(proxy.seen).toHaveLength(2);
    const [first, second] = proxy.seen.map((r) => r.headers['idempotency-key']);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).toBe(first);
    // Both attempts reached the server; the organisation has the one task.
    const direct = new AudiencesClient({ baseUrl: t.url, apiKey: account.apiKey });
    const tasks = (await direct.listTasks()).tasks;
    expect(tasks.map((task) => task.task_id)).toEqual([created.task_id]);
  });

  it('gives up after the attempts, with the last answer as an AudiencesError (a non-JSON body too)', async () => {
    proxy.plan(unavailable, unavailable, unavailable, unavailable, unavailable);
    const error = await client()
      .listTasks()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AudiencesError);
    expect(error).toMatchObject({ status: 503, code: 'server_error' });
    expect((error as AudiencesError).detail).toContain('try later');
    expect(proxy.seen).toHaveLength(4);
  });

  it('backs off exponentially with full jitter when there is no Retry-After, up to maxDelayMs', async () => {
    const bare = { answer: 502 };
    proxy.plan(bare, bare, bare);
    await client().catalog();
    // random() = 0.5 of min(300, 100 * 2^(n-1)).
    expect(sleeps).toEqual([50, 100, 150]);
  });

  it('honours Retry-After given as an HTTP date, and 429', async () => {
    const at = new Date(Date.now() + 5000).toUTCString();
    proxy.plan({ answer: 429, headers: { 'retry-after': at } });
    await client().catalog();
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(3000);
    expect(sleeps[0]).toBeLessThanOrEqual(5000);
  });

  it('does not retry login on 5xx', async () => {
    proxy.plan(unavailable, unavailable);
    const error = await client()
      .login({ email: account.email, password: account.password })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503 });
    expect(proxy.seen).toHaveLength(1);
  });

  it('retries network errors, then fails with status 0 and code network_error', async () => {
    // A port that was just free: nothing listens there.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const error = await client(`http://127.0.0.1:${port}`)
      .getTask('00000000-0000-0000-0000-000000000000')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AudiencesError);
    expect(error).toMatchObject({ status: 0, code: 'network_error' });
    expect(sleeps).toHaveLength(3);
  });
});
