import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ResolvedAddress } from '../../src/webhooks/address-guard.ts';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, expectedIntentCounts, intentPrefixes } from '../support/duck.ts';
import { signatureValid, startReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const EVENTS = ['task.counted', 'task.completed', 'task.failed', 'task.cancelled'];
/** How far the deliverers' clock runs ahead of real time: tests move it instead of waiting out backoffs. */
let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);

let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

/** One organisation's API client per server, for tests that create nothing. */
const shared = new Map<TestServer, ReturnType<typeof apiClient>>();
async function sharedClient(server: TestServer) {
  let api = shared.get(server);
  if (!api) {
    api = apiClient(server.url, (await signUp(server.url)).apiKey);
    shared.set(server, api);
  }
  return api;
}

/** An organisation's API client with a webhook on `hookPath` of the receiver; and the webhook. */
async function subscribed(server: TestServer, hookPath: string, events: string[]) {
  const api = apiClient(server.url, (await signUp(server.url)).apiKey);
  const created = await api.post('/api/v1/webhooks', { url: `${receiver.url}${hookPath}`, events });
  expect(created.status).toBe(201);
  return { api, webhook: created.body as { id: string; secret: string } };
}

describe('webhooks to a local receiver (http and private addresses allowed)', () => {
  let server: TestServer;
  let prefix: string;
  beforeAll(async () => {
    server = await startTestServer(
      { WEBHOOK_ALLOW_HTTP: '1', WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_RETRY_FOR: '1h' },
      { webhooks: { clock, random: () => 0.5, pollMs: 50 } },
    );
    prefix = (await intentPrefixes(server.intentTree))[0]!;
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    offsetMs = 0;
  });

  /** A count of one day, prefix and score, held for review: it ends `counted`. */
  const countBody = () => ({
    days: ['2024-05-01'],
    topic_id_prefixes: [prefix],
    scores: ['high'],
    perform_unload: false,
  });

  it('creates a webhook with a secret shown once, lists it without, and deletes it only for its organisation', async () => {
    const api = apiClient(server.url, (await signUp(server.url)).apiKey);
    const created = await api.post('/api/v1/webhooks', {
      url: `${receiver.url}/crud`,
      events: ['task.completed'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      url: `${receiver.url}/crud`,
      events: ['task.completed'],
      created_at: expect.any(String),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/),
    });
    // Standard Webhooks: 24 to 64 random bytes.
    const key = Buffer.from(created.body.secret.slice('whsec_'.length), 'base64');
    expect(key.length).toBeGreaterThanOrEqual(24);
    expect(key.length).toBeLessThanOrEqual(64);

    const listed = await api.get('/api/v1/webhooks');
    expect(listed.status).toBe(200);
    const { secret: _secret, ...shown } = created.body;
    expect(listed.body).toEqual({ webhooks: [shown] });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);

    const other = apiClient(server.url, (await signUp(server.url, 'Other')).apiKey);
    expect((await other.get('/api/v1/webhooks')).body).toEqual({ webhooks: [] });
    const foreignDelete = await other.delete(`/api/v1/webhooks/${created.body.id}`);
    expect(foreignDelete.status).toBe(404);
    expect(foreignDelete.body.code).toBe('webhook_not_found');
    expect((await other.get(`/api/v1/webhooks/${created.body.id}/deliveries`)).status).toBe(404);

    const deleted = await api.delete(`/api/v1/webhooks/${created.body.id}`);
    expect(deleted.status).toBe(204);
    expect((await api.get('/api/v1/webhooks')).body).toEqual({ webhooks: [] });
    expect((await api.delete(`/api/v1/webhooks/${created.body.id}`)).status).toBe(404);
  });

  it.each([
    [{ url: 'https://hooks.example.com/x', events: [] }, 'events', 'must not be empty'],
    [
      { url: 'https://hooks.example.com/x', events: ['task.started'] },
      'events[0]',
      `must be one of ${EVENTS.join(', ')}`,
    ],
    [{ url: 'https://hooks.example.com/x', events: ['task.failed', 'task.failed'] }, 'events', 'duplicate'],
    [{ url: 'https://hooks.example.com/x' }, 'events', 'is required'],
    [{ events: ['task.failed'] }, 'url', 'is required'],
    [{ url: 'hooks.example.com/x', events: ['task.failed'] }, 'url', 'is not an absolute URL'],
    [
      { url: 'ftp://hooks.example.com/x', events: ['task.failed'] },
      'url',
      'must be an https:// URL, not ftp:',
    ],
    [
      { url: 'https://user:pw@hooks.example.com/x', events: ['task.failed'] },
      'url',
      'must not carry credentials',
    ],
    [
      { url: 'https://hooks.example.com/x', events: ['task.failed'], secret: 'mine' },
      'secret',
      'is not a known field',
    ],
  ])('refuses %j with a 400 naming %s', async (body, field, message) => {
    const api = await sharedClient(server);
    const reply = await api.post('/api/v1/webhooks', body);
    expect(reply.status).toBe(400);
    expect(reply.headers.get('content-type')).toContain('application/problem+json');
    expect(reply.body.errors).toEqual([{ field, message: expect.stringContaining(message) }]);
  });

  it('caps the webhooks of an organisation at 20', async () => {
    const api = apiClient(server.url, (await signUp(server.url)).apiKey);
    for (let i = 0; i < 20; i += 1) {
      expect(
        (await api.post('/api/v1/webhooks', { url: `${receiver.url}/cap`, events: ['task.failed'] })).status,
      ).toBe(201);
    }
    const refused = await api.post('/api/v1/webhooks', {
      url: `${receiver.url}/cap`,
      events: ['task.failed'],
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('too_many_webhooks');
  });

  it('delivers task.counted signed per Standard Webhooks, with the task summary as its body', async () => {
    const { api, webhook } = await subscribed(server, '/counted', ['task.counted']);
    const taskId = await api.createIntentTask(countBody());
    const task = await api.waitFor(taskId, ['counted']);
    const [hook] = await receiver.waitFor('/counted', 1);
    expect(signatureValid(webhook.secret, hook!)).toBe(true);
    // The same check fails with another secret or a changed body: it does check.
    expect(signatureValid(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, hook!)).toBe(false);
    expect(
      signatureValid(webhook.secret, { ...hook!, body: hook!.body.replace('counted', 'complete') }),
    ).toBe(false);
    expect(hook!.headers['content-type']).toBe('application/json');
    expect(hook!.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(Math.abs(Number(hook!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);

    const expectedTotal = Object.values(
      await expectedIntentCounts(
        server.intentTree,
        `day = DATE '2024-05-01' AND prefix = '${prefix}' AND score = 'high'`,
      ),
    ).reduce((a, b) => a + b, 0);
    expect(JSON.parse(hook!.body)).toEqual({
      type: 'task.counted',
      timestamp: task.updated_at,
      data: {
        task_id: taskId,
        status: 'counted',
        total_count: expectedTotal,
        created_at: task.created_at,
        updated_at: task.updated_at,
        completed_at: null,
      },
    });

    const log = await api.get(`/api/v1/webhooks/${webhook.id}/deliveries`);
    expect(log.status).toBe(200);
    expect(log.body).toEqual({
      deliveries: [
        {
          id: expect.any(String),
          event: 'task.counted',
          event_id: hook!.headers['webhook-id'],
          task_id: taskId,
          attempt: 1,
          outcome: 'delivered',
          status_code: 200,
          error: null,
          attempted_at: expect.any(String),
          next_attempt_at: null,
        },
      ],
      next_cursor: null,
    });
  });

  it('retries after a 500 with the same webhook-id and body, and logs both attempts newest first', async () => {
    receiver.answer('/retry', 500, 200);
    const { api, webhook } = await subscribed(server, '/retry', ['task.counted']);
    await api.waitFor(await api.createIntentTask(countBody()), ['counted']);
    const [first] = await receiver.waitFor('/retry', 1);
    const pending = await pollLog(api, webhook.id, (d) => d.length === 1);
    expect(pending[0]).toMatchObject({
      attempt: 1,
      outcome: 'retrying',
      status_code: 500,
      error: 'the receiver answered 500',
    });
    // 5 s doubled 0 times, half fixed and half jittered (random 0.5): 3.75 s later.
    expect(Date.parse(pending[0].next_attempt_at) - Date.parse(pending[0].attempted_at)).toBe(3_750);
    // Nothing is sent again before the backoff has passed.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received('/retry')).toHaveLength(1);

    offsetMs = 4_000;
    const [, second] = await receiver.waitFor('/retry', 2);
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(second!.body).toBe(first!.body);
    expect(signatureValid(webhook.secret, second!)).toBe(true);
    const log = await pollLog(api, webhook.id, (d) => d.length === 2);
    expect(log.map((d: Attempt) => [d.attempt, d.outcome, d.status_code, d.event_id])).toEqual([
      [2, 'delivered', 200, first!.headers['webhook-id']],
      [1, 'retrying', 500, first!.headers['webhook-id']],
    ]);
    // Pages of one, through the cursor.
    const page1 = await api.get(`/api/v1/webhooks/${webhook.id}/deliveries?limit=1`);
    expect(page1.body.deliveries.map((d: Attempt) => d.attempt)).toEqual([2]);
    const page2 = await api.get(
      `/api/v1/webhooks/${webhook.id}/deliveries?limit=1&cursor=${page1.body.next_cursor}`,
    );
    expect(page2.body).toMatchObject({ deliveries: [{ attempt: 1 }], next_cursor: null });
    expect((await api.get(`/api/v1/webhooks/${webhook.id}/deliveries?limit=0`)).body.errors).toEqual([
      { field: 'limit', message: 'must be from 1 to 100' },
    ]);
  });

  it('gives a delivery up once WEBHOOK_RETRY_FOR has passed since its event', async () => {
    receiver.answer('/gone', 503);
    const { api, webhook } = await subscribed(server, '/gone', ['task.counted']);
    await api.waitFor(await api.createIntentTask(countBody()), ['counted']);
    await pollLog(api, webhook.id, (d) => d.length === 1);
    // Past the hour of WEBHOOK_RETRY_FOR: the next attempt is the last.
    offsetMs = 2 * 3_600_000;
    const log = await pollLog(api, webhook.id, (d) => d.length === 2);
    expect(log.map((d: Attempt) => [d.attempt, d.outcome, d.status_code, d.next_attempt_at])).toEqual([
      [2, 'failed', 503, null],
      [1, 'retrying', 503, expect.any(String)],
    ]);
    offsetMs = 48 * 3_600_000;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received('/gone')).toHaveLength(2);
  });

  it('sends no pending retry of a deleted webhook, while it sends the kept one due with it', async () => {
    receiver.answer('/deleted', 500);
    receiver.answer('/kept', 500, 200);
    const { api, webhook } = await subscribed(server, '/deleted', ['task.counted']);
    // A second webhook of the organisation, not deleted: one event, two retries due together.
    const kept = await api.post('/api/v1/webhooks', {
      url: `${receiver.url}/kept`,
      events: ['task.counted'],
    });
    expect(kept.status).toBe(201);
    await api.waitFor(await api.createIntentTask(countBody()), ['counted']);
    await pollLog(api, webhook.id, (d) => d.length === 1);
    await pollLog(api, kept.body.id, (d) => d.length === 1);
    expect((await api.delete(`/api/v1/webhooks/${webhook.id}`)).status).toBe(204);
    offsetMs = 3_600_000;
    // The deliverer ran once the clock moved: it sent the kept webhook's retry and recorded it...
    await receiver.waitFor('/kept', 2);
    const log = await pollLog(api, kept.body.id, (d) => d.length === 2);
    expect(log.map((d: Attempt) => [d.attempt, d.outcome])).toEqual([
      [2, 'delivered'],
      [1, 'retrying'],
    ]);
    // ...and did not send the deleted one's, due as early, in that look or the next ones.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received('/deleted')).toHaveLength(1);
    expect(receiver.received('/kept')).toHaveLength(2);
  });

  it('delivers task.completed after an export and task.failed after a failure, each to its subscribers', async () => {
    const { api, webhook } = await subscribed(server, '/lifecycle', ['task.completed', 'task.failed']);
    const exported = await api.createIntentTask({
      days: ['2024-05-02'],
      topic_id_prefixes: [prefix],
      scores: ['medium'],
    });
    const done = await api.waitFor(exported, ['completed']);
    const [completed] = await receiver.waitFor('/lifecycle', 1);
    expect(JSON.parse(completed!.body)).toEqual({
      type: 'task.completed',
      timestamp: done.completed_at,
      data: {
        task_id: exported,
        status: 'completed',
        total_count: done.total_count,
        manifest_url: `${server.url}/api/v1/tasks/${exported}/manifest`,
        created_at: done.created_at,
        updated_at: done.updated_at,
        completed_at: done.completed_at,
      },
    });
    expect(done.total_count).toBeGreaterThan(0);
    // The body's manifest_url is stable: with the API key it redirects to a link signed now.
    const manifest = await api.get(`/api/v1/tasks/${exported}/manifest`);
    expect(manifest.status).toBe(200);
    // Downloads answer as files (application/octet-stream): the test reads the text as JSON.
    expect(JSON.parse(manifest.body)).toMatchObject({ task_id: exported, total_rows: done.total_count });
    const redirect = await fetch(`${server.url}/api/v1/tasks/${exported}/manifest`, { redirect: 'manual' });
    expect(redirect.status).toBe(401);

    const broken = path.join(server.dataDir, 'broken');
    fs.mkdirSync(broken);
    await duck(`COPY (SELECT range AS id FROM range(100)) TO '${broken}/a.parquet'`);
    fs.writeFileSync(path.join(broken, 'b.parquet'), 'this is not a Parquet file');
    const created = await api.post('/api/v1/generic_parquet_tasks', {
      input_path: broken,
      where_expr: 'id >= 0',
      perform_unload: false,
    });
    const failed = await api.waitFor(created.body.task_id, ['failed']);
    const [, failure] = await receiver.waitFor('/lifecycle', 2);
    expect(JSON.parse(failure!.body)).toMatchObject({
      type: 'task.failed',
      data: { task_id: failed.task_id, status: 'failed', total_count: null, completed_at: null },
    });
    expect(failure!.headers['webhook-id']).not.toBe(completed!.headers['webhook-id']);
    expect(JSON.parse(failure!.body).data).not.toHaveProperty('manifest_url');
    const none = await api.get(`/api/v1/tasks/${failed.task_id}/manifest`);
    expect(none.status).toBe(409);
    expect(none.body.code).toBe('task_state_conflict');
    expect(signatureValid(webhook.secret, failure!)).toBe(true);
  });
});

describe('webhook URLs that reach private addresses (http allowed, private not)', () => {
  let server: TestServer;
  let prefix: string;
  /** rebind.test resolves to a public address once (the creation's check), then to loopback. */
  let rebindLookups = 0;
  const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
    if (hostname === 'metadata.test') return [{ address: '169.254.169.254', family: 4 }];
    if (hostname === 'rebind.test') {
      rebindLookups += 1;
      return [{ address: rebindLookups === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    }
    throw new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  };
  beforeAll(async () => {
    server = await startTestServer({ WEBHOOK_ALLOW_HTTP: '1' }, { webhooks: { resolve, pollMs: 50 } });
    prefix = (await intentPrefixes(server.intentTree))[0]!;
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each([
    [() => `${receiver.url}/x`, /^127\.0\.0\.1, a loopback address/],
    [() => 'https://[::1]/x', /^::1, a loopback address/],
    [() => 'https://169.254.169.254/latest/meta-data/', /^169\.254\.169\.254, a linkLocal address/],
    [() => 'https://[fd00:ec2::254]/latest/meta-data/', /a uniqueLocal address/],
    [() => 'https://10.0.0.8/x', /a private address/],
    [() => 'https://100.64.1.1/x', /a carrierGradeNat address/],
    [
      () => 'https://metadata.test/x',
      /^"metadata\.test" resolves to 169\.254\.169\.254, a linkLocal address/,
    ],
    [() => 'https://nowhere.test/x', /does not resolve/],
  ])('refuses %s with a 400 naming url', async (url, message) => {
    const api = await sharedClient(server);
    const reply = await api.post('/api/v1/webhooks', { url: url(), events: ['task.counted'] });
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('webhook_url_refused');
    expect(reply.body.errors).toEqual([{ field: 'url', message: expect.stringMatching(message) }]);
  });

  it('checks the address again at delivery time: a name rebound to loopback gets nothing', async () => {
    const api = apiClient(server.url, (await signUp(server.url)).apiKey);
    const created = await api.post('/api/v1/webhooks', {
      url: `http://rebind.test:${receiver.port}/rebind`,
      events: ['task.counted'],
    });
    expect(created.status).toBe(201);
    await api.waitFor(
      await api.createIntentTask({
        days: ['2024-05-01'],
        topic_id_prefixes: [prefix],
        scores: ['low'],
        perform_unload: false,
      }),
      ['counted'],
    );
    const log = await pollLog(api, created.body.id, (d) => d.length === 1);
    expect(log[0]).toMatchObject({
      attempt: 1,
      outcome: 'retrying',
      status_code: null,
      error: expect.stringContaining('refused: "rebind.test" resolves to 127.0.0.1, a loopback address'),
    });
    expect(receiver.received('/rebind')).toEqual([]);
  });
});

describe('webhook URLs without any override', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each([
    ['http://127.0.0.1/hook', 'must be an https:// URL (http:// only with WEBHOOK_ALLOW_HTTP=1)'],
    ['https://127.0.0.1/hook', '127.0.0.1, a loopback address'],
    ['https://localhost/hook', '"localhost" resolves to'],
  ])('refuses %s', async (url, message) => {
    const api = await sharedClient(server);
    const reply = await api.post('/api/v1/webhooks', { url, events: ['task.completed'] });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ code: 'webhook_url_refused', errors: [{ field: 'url' }] });
    expect(reply.body.detail).toContain(message);
  });

  it('needs an API key or a token', async () => {
    const response = await fetch(`${server.url}/api/v1/webhooks`);
    expect(response.status).toBe(401);
  });
});

interface Attempt {
  attempt: number;
  outcome: string;
  status_code: number | null;
  event_id: string;
  attempted_at: string;
  next_attempt_at: string | null;
}

/** Reads the webhook's delivery log until `done` holds for it. */
async function pollLog(
  api: ReturnType<typeof apiClient>,
  webhookId: string,
  done: (log: Attempt[]) => boolean,
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers as loose JSON
): Promise<any[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const reply = await api.get(`/api/v1/webhooks/${webhookId}/deliveries`);
    expect(reply.status).toBe(200);
    if (done(reply.body.deliveries)) return reply.body.deliveries;
    if (Date.now() > deadline) throw new Error(`delivery log: ${JSON.stringify(reply.body.deliveries)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
