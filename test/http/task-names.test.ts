import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { intentPrefixes } from '../support/duck.ts';

/** A task's optional name: checked, stored, shown in the detail and the list, and searched. */

let t: TestServer;
let account: Account;
let api: ReturnType<typeof apiClient>;
let other: ReturnType<typeof apiClient>;
let prefix: string;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const intent = (extra: Record<string, unknown> = {}) => ({
  days: ['2024-05-01'],
  topic_id_prefixes: [prefix],
  scores: ['high'],
  perform_unload: false,
  ...extra,
});

beforeAll(async () => {
  t = await startTestServer();
  account = await signUp(t.url, 'Names');
  api = apiClient(t.url, account.apiKey);
  other = apiClient(t.url, (await signUp(t.url, 'Elsewhere')).apiKey);
  [prefix] = (await intentPrefixes(t.intentTree)) as [string];
});
afterAll(async () => t?.close());

describe('a task name', () => {
  it('is stored trimmed and shown in the detail and the list, not in the request', async () => {
    const id = await api.createIntentTask(intent({ name: '  Cloud security, May  ' }));
    const detail = await api.waitFor(id, ['counted']);
    expect(detail.name).toBe('Cloud security, May');
    expect(detail.request).not.toHaveProperty('name');
    const list = await api.get('/api/v1/status');
    expect(list.body.tasks.find((task: { task_id: string }) => task.task_id === id).name).toBe(
      'Cloud security, May',
    );
  });

  it('is null without one, on a task of each kind', async () => {
    const intentId = await api.createIntentTask(intent());
    expect((await api.get(`/api/v1/status/${intentId}`)).body.name).toBeNull();
    const generic = await api.post('/api/v1/generic_parquet_tasks', {
      input_path: `${t.intentTree}/day=2024-05-01`,
      perform_unload: false,
    });
    expect(generic.status, JSON.stringify(generic.body)).toBe(202);
    expect((await api.get(`/api/v1/status/${generic.body.task_id}`)).body.name).toBeNull();
  });

  it('names a generic task and a people export too', async () => {
    const generic = await api.post('/api/v1/generic_parquet_tasks', {
      input_path: `${t.intentTree}/day=2024-05-02`,
      perform_unload: false,
      name: 'Raw rows of May 2',
    });
    expect(generic.status, JSON.stringify(generic.body)).toBe(202);
    expect((await api.get(`/api/v1/status/${generic.body.task_id}`)).body).toMatchObject({
      type: 'generic_parquet',
      name: 'Raw rows of May 2',
    });
    const people = await api.createIntentTask(
      intent({ output: 'people', unique_by: 'person_id', name: 'Leads — people' }),
    );
    const detail = (await api.get(`/api/v1/status/${people}`)).body;
    expect(detail.name).toBe('Leads — people');
    expect(detail.request.output).toBe('people');
  });

  it.each([
    ['', 'is blank'],
    ['   ', 'is blank'],
    ['two\nlines', 'holds a control character or line break (U+000A, character 4)'],
    ['tab\there', 'U+0009'],
    ['bell\u0007', 'U+0007'],
    ['para\u2029graph', 'U+2029'],
  ])('refuses %j at create and at estimate, saying what to change', async (name, says) => {
    for (const route of ['/api/v1/intent_hive_tasks', '/api/v1/intent_hive_tasks/estimate']) {
      const refused = await api.post(route, intent({ name }));
      expect(refused.status, route).toBe(400);
      expect(refused.body.code).toBe('validation_failed');
      expect(refused.body.errors).toEqual([{ field: 'name', message: expect.stringContaining(says) }]);
      expect(refused.body.detail).toMatch(/^name: /);
    }
    const generic = await api.post('/api/v1/generic_parquet_tasks', {
      input_path: `${t.intentTree}/day=2024-05-01`,
      name,
    });
    expect(generic.status).toBe(400);
    expect(generic.body.errors[0].field).toBe('name');
  });

  it('takes 120 characters, not 121, counting letters outside the BMP as one', async () => {
    const longest = `${'é'.repeat(100)}${'🙂'.repeat(20)}`;
    const id = await api.createIntentTask(intent({ name: longest }));
    expect((await api.get(`/api/v1/status/${id}`)).body.name).toBe(longest);
    const refused = await api.post('/api/v1/intent_hive_tasks', intent({ name: `${longest}x` }));
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({ field: 'name' });
    expect(refused.body.detail).toContain('120');
  });

  it('is no field of a saved audience (its runs go by its name), and a run shows the audience', async () => {
    const body = {
      name: 'Weekly leads',
      kind: 'intent',
      definition: { topic_id_prefixes: [prefix], scores: ['high'], name: 'x' },
      window: { last_days: 1 },
    };
    const refused = await api.post('/api/v1/audiences', body);
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toContain('definition.name');
    const saved = await api.post('/api/v1/audiences', {
      ...body,
      definition: { topic_id_prefixes: [prefix], scores: ['high'] },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const run = await api.post(`/api/v1/audiences/${saved.body.audience_id}/runs`);
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    const task = (await api.get(`/api/v1/status/${run.body.task_id}`)).body;
    expect(task.name).toBeNull();
    expect(task.audience.name).toBe('Weekly leads');
  });
});

describe('GET /api/v1/status?q=', () => {
  /** Named tasks in creation order. */
  const made: Record<string, string> = {};
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    // An organisation of its own: no task of the tests above is among its matches.
    api = apiClient(t.url, (await signUp(t.url, 'Search')).apiKey);
    for (const name of ['Cloud Security — May', 'cloud storage', 'ÉTÉ campaign', '100% reach', 'Other']) {
      made[name] = await api.createIntentTask(intent({ name }));
      await sleep(5);
    }
    // Another organisation's task of a matching name is never found.
    await other.createIntentTask(intent({ name: 'Cloud elsewhere' }));
  });

  const found = async (query: string) => {
    const reply = await api.get(`/api/v1/status?q=${encodeURIComponent(query)}&limit=100`);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return reply.body.tasks.map((task: { name: string | null }) => task.name);
  };

  it('finds the names that contain the text, in any letter case, newest first', async () => {
    expect(await found('CLOUD')).toEqual(['cloud storage', 'Cloud Security — May']);
    expect(await found('  security — may ')).toEqual(['Cloud Security — May']);
    expect(await found('été')).toEqual(['ÉTÉ campaign']);
    expect(await found('100%')).toEqual(['100% reach']);
    expect(await found('no such name')).toEqual([]);
  });

  it('finds a task by the start of its id', async () => {
    const id = made.Other!;
    const reply = await api.get(`/api/v1/status?q=${id.slice(0, 8)}`);
    expect(reply.body.tasks.map((task: { task_id: string }) => task.task_id)).toEqual([id]);
  });

  it('lists every task for a blank search', async () => {
    const all = await api.get('/api/v1/status?limit=100');
    const blank = await api.get('/api/v1/status?limit=100&q=%20%20');
    expect(blank.body.tasks).toEqual(all.body.tasks);
  });

  it('pages through the matches with limit and next_cursor', async () => {
    const first = await api.get('/api/v1/status?q=cloud&limit=1');
    expect(first.body.tasks.map((task: { name: string }) => task.name)).toEqual(['cloud storage']);
    const cursor = encodeURIComponent(first.body.next_cursor);
    const next = await api.get(`/api/v1/status?q=cloud&limit=1&cursor=${cursor}`);
    expect(next.body.tasks.map((task: { name: string }) => task.name)).toEqual(['Cloud Security — May']);
    expect(next.body.next_cursor).toBeNull();
  });

  it('refuses a search longer than a name can be', async () => {
    const reply = await api.get(`/api/v1/status?q=${'x'.repeat(121)}`);
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('validation_failed');
  });
});
