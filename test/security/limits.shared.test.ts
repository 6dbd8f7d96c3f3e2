import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisLoginThrottle } from '../../src/accounts/redis-login-throttle.ts';
import { type OpenedStore, STORE_BACKENDS } from '../store/store-backends.ts';
import { apiClient, call, type Reply, signUp } from '../support/api.ts';
import { type ApiApp, startApiApp } from '../support/api-app.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';

/**
 * The limits hold for a deployment, not per process: two API processes (two apps, each with its
 * own Redis connection, over one store) share them. No worker runs, so created tasks stay in
 * progress for as long as the test needs.
 */
const TASK = {
  days: ['2024-05-01'],
  topic_id_prefixes: ['4eyes_101'],
  scores: ['low'],
  perform_unload: false,
};

describe.each(STORE_BACKENDS)('the cap on tasks in progress on $name', (backend) => {
  let opened: OpenedStore;
  let apps: ApiApp[];

  beforeEach(async () => {
    opened = await backend.open();
    apps = [
      await startApiApp({ store: opened.store, maxActiveTasks: 3 }),
      await startApiApp({ store: opened.store, maxActiveTasks: 3 }),
    ];
  });
  afterEach(async () => {
    for (const app of apps) await app.close();
    await opened.dispose();
  });

  it('admits exactly 3 of 20 concurrent creates split over two API processes; 429 with Retry-After for the rest', async () => {
    const account = await signUp(apps[0]!.url);
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        apiClient(apps[i % 2]!.url, account.apiKey).post('/api/v1/intent_hive_tasks', TASK),
      ),
    );
    expect(replies.filter((r) => r.status === 202)).toHaveLength(3);
    const refused = replies.filter((r) => r.status !== 202);
    expect(refused).toHaveLength(17);
    for (const reply of refused) {
      expect(reply.status).toBe(429);
      expect(reply.body.code).toBe('too_many_active_tasks');
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const listed = await apiClient(apps[1]!.url, account.apiKey).get('/api/v1/status?limit=100');
    expect(listed.body.tasks.map((t: { status: string }) => t.status)).toEqual(Array(3).fill('in_progress'));

    // The cap is per organisation: another one still gets its three.
    const other = await signUp(apps[1]!.url);
    const theirs = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        apiClient(apps[i % 2]!.url, other.apiKey).post('/api/v1/intent_hive_tasks', TASK),
      ),
    );
    expect(theirs.map((r) => r.status).sort()).toEqual([202, 202, 202, 429, 429, 429]);
  });
});

describe('the rate limit on Redis', () => {
  let redis: TestRedis[];
  let apps: ApiApp[];
  let opened: OpenedStore;

  beforeEach(async () => {
    const first = await openTestRedis();
    redis = [first, await openTestRedis(first.prefix)];
    opened = await STORE_BACKENDS[0]!.open();
    apps = [];
    for (const r of redis) {
      apps.push(
        await startApiApp({
          store: opened.store,
          rateLimitPerMinute: 10,
          rateLimitRedis: r.redis,
          rateLimitPrefix: r.prefix,
        }),
      );
    }
    // A process counting in its own memory, as before.
    apps.push(await startApiApp({ store: opened.store, rateLimitPerMinute: 10 }));
  });
  afterEach(async () => {
    for (const app of apps) await app.close();
    await opened.dispose();
    for (const r of redis) await r.close();
  });

  it('counts the requests of one key over both processes: 10 of 20 concurrent ones pass, 10 get 429', async () => {
    // Signing up spends the address's budget (counted apart from the key's) on the third process.
    const key = (await signUp(apps[2]!.url)).apiKey;
    const status = (url: string) => call(url, 'GET', '/api/v1/status', { headers: { 'x-api-key': key } });
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => status(apps[i % 2]!.url)));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(10);
    const limited = replies.filter((r) => r.status === 429);
    expect(limited).toHaveLength(10);
    for (const reply of limited) {
      expect(reply.body.code).toBe('rate_limited');
      expect(reply.headers.get('ratelimit-limit')).toBe('10');
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // The 21st request, sequential, on either process: still limited.
    expect((await status(apps[0]!.url)).status).toBe(429);
    expect((await status(apps[1]!.url)).status).toBe(429);
    // A process that counts in memory has counted none of them.
    expect((await status(apps[2]!.url)).status).toBe(200);
    // The counts live under the prefix the processes were given.
    expect((await redis[0]!.redis.keys(`${redis[0]!.prefix}*`)).length).toBeGreaterThan(0);
  });
});

describe('login throttling on Redis', () => {
  const now = Date.parse('2026-12-06T12:00:00Z');
  let redis: TestRedis[];
  let apps: ApiApp[];
  let opened: OpenedStore;

  beforeEach(async () => {
    const first = await openTestRedis();
    redis = [first, await openTestRedis(first.prefix)];
    opened = await STORE_BACKENDS[0]!.open();
    apps = [];
    for (const r of redis) {
      // A fixed clock: the first wait (1 s after the allowance) must not lapse while the test runs.
      const throttle = new RedisLoginThrottle(r.redis, { prefix: r.prefix, clock: () => now });
      apps.push(await startApiApp({ store: opened.store, throttle }));
    }
  });
  afterEach(async () => {
    for (const app of apps) await app.close();
    await opened.dispose();
    for (const r of redis) await r.close();
  });

  it('makes an e-mail wait after its allowance of failed logins whichever process the attempts reach', async () => {
    const account = await signUp(apps[0]!.url);
    const login = (i: number, password: string): Promise<Reply> =>
      call(apps[i % 2]!.url, 'POST', '/auth/v1/login', { body: { email: account.email, password } });
    for (let i = 0; i < 11; i++) expect((await login(i, 'a wrong guess!!')).status).toBe(401);
    for (const i of [0, 1]) {
      const blocked = await login(i, account.password);
      expect(blocked.status).toBe(429);
      expect(blocked.body.code).toBe('rate_limited');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('lets no more than the allowance of 20 concurrent wrong passwords over both processes be checked', async () => {
    const email = `nobody-${randomUUID()}@example.com`;
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(apps[i % 2]!.url, 'POST', '/auth/v1/login', { body: { email, password: 'a wrong guess!!' } }),
      ),
    );
    expect(replies.filter((r) => r.status === 401)).toHaveLength(11);
    expect(replies.filter((r) => r.status === 429)).toHaveLength(9);
  });
});
