import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, call, type Reply, signUp, startTestServer, type TestServer } from '../support/api.ts';

let t: TestServer;

/** Each concern gets its own server, so one limit's counters cannot trip another's test. */
function withServer(env: Record<string, string> = {}) {
  beforeAll(async () => {
    t = await startTestServer(env);
  });
  afterAll(async () => t?.close());
}

describe('requests per key per minute', () => {
  withServer({ RATE_LIMIT_PER_MINUTE: '15' });
  it('answers 429 with Retry-After and RateLimit headers past the limit, per key', async () => {
    const a = await signUp(t.url);
    const b = await signUp(t.url);
    // Sign-ups spent part of the address's budget on unauthenticated calls; keys have their own.
    const statuses: number[] = [];
    let last: Reply | undefined;
    for (let i = 0; i < 16; i++) {
      last = await call(t.url, 'GET', '/api/v1/status', { headers: { 'x-api-key': a.apiKey } });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 15).every((s) => s === 200)).toBe(true);
    expect(statuses[15]).toBe(429);
    expect(last!.body.code).toBe('rate_limited');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('ratelimit-limit')).toBe('15');
    expect(last!.headers.get('ratelimit-remaining')).toBe('0');
    // Another organisation's key has its own budget; probes are never limited.
    expect((await call(t.url, 'GET', '/api/v1/status', { headers: { 'x-api-key': b.apiKey } })).status).toBe(
      200,
    );
    for (let i = 0; i < 20; i++) expect((await call(t.url, 'GET', '/healthz')).status).toBe(200);
  });
});

// Login throttling (growing waits, never a lock) is tested through HTTP with a fake clock in
// test/http/accounts.test.ts, and its rules in test/accounts/login-throttle.test.ts.

describe('password policy', () => {
  withServer();
  it.each([
    ['short1!', /at least 12 characters/],
    ['password1234', /commonly used password/],
    ['Qwerty123456!', /commonly used password/],
    ['qwertyuiop123', /commonly used password/],
    ['iloveyou2024!', /commonly used password/],
    ['password2024!!', /too easy to guess: Add more words/],
    ['aaaaaaaaaaaaaaaa', /Repeated characters/],
    ['121212121212', /Repeated character patterns/],
  ])('rejects %j with a message that says what is needed', async (password, message) => {
    const reply = await call(t.url, 'POST', '/auth/v1/register', {
      body: {
        email: `weak-${Math.random()}@example.com`,
        password,
        first_name: 'A',
        last_name: 'B',
        organization_name: 'Weak',
      },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0].field).toBe('password');
    expect(reply.body.errors[0].message).toMatch(message);
  });

  it('rejects a password that contains the e-mail name', async () => {
    const reply = await call(t.url, 'POST', '/auth/v1/register', {
      body: {
        email: 'margaret.hamilton@example.com',
        password: 'margaret.hamilton-1969',
        first_name: 'M',
        last_name: 'H',
        organization_name: 'Apollo',
      },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0].message).toMatch(/e-mail/);
  });
});

describe('tasks in progress per organisation', () => {
  withServer({ MAX_ACTIVE_TASKS: '1', WORKER_CONCURRENCY: '1' });
  it('answers 429 past the cap while a task runs, and accepts again once it finished', async () => {
    const account = await signUp(t.url);
    const api = apiClient(t.url, account.apiKey);
    const body = {
      days: ['2024-05-01', '2024-05-02', '2024-05-03'],
      topic_id_prefixes: ['4eyes_101', '4eyes_102', '4eyes_103', '4eyes_104'],
      scores: ['low', 'medium', 'high'],
      where_expr: 'intent_score > 10',
    };
    const first = await api.post('/api/v1/intent_hive_tasks', body);
    expect(first.status).toBe(202);
    const second = await api.post('/api/v1/intent_hive_tasks', body);
    expect(second.status).toBe(429);
    expect(second.body.code).toBe('too_many_active_tasks');
    expect(second.headers.get('retry-after')).toBeTruthy();
    await api.waitFor(first.body.task_id, ['completed']);
    expect((await api.post('/api/v1/intent_hive_tasks', body)).status).toBe(202);
  });
});
