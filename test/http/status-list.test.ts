import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  apiClient,
  call,
  type Reply,
  signUp,
  startTestServer,
  type TestServer,
} from '../support/api.ts';
import { intentPrefixes } from '../support/duck.ts';

let t: TestServer;
let a: Account;
let b: Account;
let apiA: ReturnType<typeof apiClient>;
let apiB: ReturnType<typeof apiClient>;
let prefix: string;
/** A's task ids in creation order. */
const tasksA: string[] = [];
const tasksB: string[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function createTask(api: ReturnType<typeof apiClient>, day: string): Promise<string> {
  return api.createIntentTask({
    days: [day],
    topic_id_prefixes: [prefix],
    scores: ['high'],
    perform_unload: false,
  });
}

beforeAll(async () => {
  t = await startTestServer();
  a = await signUp(t.url, 'Org A');
  b = await signUp(t.url, 'Org B');
  apiA = apiClient(t.url, a.apiKey);
  apiB = apiClient(t.url, b.apiKey);
  [prefix] = (await intentPrefixes(t.intentTree)) as [string];
  // Interleave the two organisations; a short pause keeps creation times distinct, so
  // "newest first" has exactly one right answer.
  const days = ['2024-05-01', '2024-05-02', '2024-05-03', '20240501', '20240502'];
  for (const [i, day] of days.entries()) {
    tasksA.push(await createTask(apiA, day));
    await sleep(5);
    if (i % 2 === 0) {
      tasksB.push(await createTask(apiB, day));
      await sleep(5);
    }
  }
  for (const id of tasksA) await apiA.waitFor(id, ['counted']);
  for (const id of tasksB) await apiB.waitFor(id, ['counted']);
});
afterAll(async () => t?.close());

interface Summary {
  task_id: string;
  created_at: string;
  status: string;
  total_count: number | null;
}

function expectProblem(reply: Reply, status: number, code: string) {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.headers.get('content-type')).toContain('application/problem+json');
  expect(reply.body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String) });
  expect(typeof reply.body.detail).toBe('string');
}

describe('GET /api/v1/status', () => {
  it("lists only the caller's organisation's tasks, newest first", async () => {
    const reply = await apiA.get('/api/v1/status');
    expect(reply.status).toBe(200);
    const tasks = reply.body.tasks as Summary[];
    expect(tasks.map((task) => task.task_id)).toEqual([...tasksA].reverse());
    expect(reply.body.next_cursor).toBeNull();
    const created = tasks.map((task) => Date.parse(task.created_at));
    expect(created).toEqual([...created].sort((x, y) => y - x));
    for (const task of tasks) {
      expect(task.status).toBe('counted');
      expect(task.total_count).toEqual(expect.any(Number));
    }

    const other = await apiB.get('/api/v1/status');
    expect(other.body.tasks.map((task: Summary) => task.task_id)).toEqual([...tasksB].reverse());
  });

  it('pages through every task with limit and next_cursor, without duplicates or gaps', async () => {
    const seen: string[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const reply = await apiA.get(`/api/v1/status?limit=2${query}`);
      expect(reply.status).toBe(200);
      pageSizes.push(reply.body.tasks.length);
      seen.push(...reply.body.tasks.map((task: Summary) => task.task_id));
      cursor = reply.body.next_cursor;
      if (cursor === null) break;
      expect(cursor).toEqual(expect.any(String));
    }
    expect(cursor).toBeNull();
    expect(pageSizes).toEqual([2, 2, 1]);
    expect(seen).toEqual([...tasksA].reverse());
  });

  it('ends with next_cursor null when the last page is exactly full', async () => {
    const all = await apiA.get(`/api/v1/status?limit=${tasksA.length}`);
    expect(all.body.tasks).toHaveLength(tasksA.length);
    expect(all.body.next_cursor).toBeNull();

    const first = await apiA.get(`/api/v1/status?limit=${tasksA.length - 1}`);
    expect(first.body.tasks).toHaveLength(tasksA.length - 1);
    const rest = await apiA.get(
      `/api/v1/status?limit=${tasksA.length - 1}&cursor=${encodeURIComponent(first.body.next_cursor)}`,
    );
    expect(rest.body.tasks.map((task: Summary) => task.task_id)).toEqual([tasksA[0]]);
    expect(rest.body.next_cursor).toBeNull();
  });

  it("does not let a cursor reach another organisation's tasks", async () => {
    const first = await apiA.get('/api/v1/status?limit=1');
    const reply = await apiB.get(
      `/api/v1/status?limit=100&cursor=${encodeURIComponent(first.body.next_cursor)}`,
    );
    expect(reply.status).toBe(200);
    for (const task of reply.body.tasks as Summary[]) expect(tasksB).toContain(task.task_id);
  });

  it.each(['not-a-cursor', 'eyJ4IjoxfQ', '%5B1%2C2%5D', 'W10'])(
    'refuses the cursor %s with a 400',
    async (cursor) => {
      const reply = await apiA.get(`/api/v1/status?cursor=${cursor}`);
      expectProblem(reply, 400, 'validation_failed');
      expect(reply.body.errors.map((e: { field: string }) => e.field)).toContain('cursor');
    },
  );

  it.each(['0', '101', 'abc', '-1', '2.5', ''])('refuses limit=%s with a 400', async (limit) => {
    const reply = await apiA.get(`/api/v1/status?limit=${limit}`);
    expectProblem(reply, 400, 'validation_failed');
    expect(JSON.stringify(reply.body.errors)).toContain('limit');
  });

  it('accepts limit=1 and limit=100', async () => {
    expect((await apiA.get('/api/v1/status?limit=1')).body.tasks).toHaveLength(1);
    expect((await apiA.get('/api/v1/status?limit=100')).body.tasks).toHaveLength(tasksA.length);
  });
});

describe('one organisation, one set of tasks', () => {
  it("answers 404 to organisation B for A's task, on status and on unload", async () => {
    const id = tasksA[0]!;
    expectProblem(await apiB.get(`/api/v1/status/${id}`), 404, 'task_not_found');
    expectProblem(await apiB.post(`/api/v1/tasks/${id}/unload`), 404, 'task_not_found');
    const bearerB = { authorization: `Bearer ${b.token}` };
    expectProblem(
      await call(t.url, 'GET', `/api/v1/status/${id}`, { headers: bearerB }),
      404,
      'task_not_found',
    );
    // B's attempt did not start A's export.
    const task = await apiA.get(`/api/v1/status/${id}`);
    expect(task.body.status).toBe('counted');
  });

  it("accepts A's JWT (Authorization: Bearer) on the task routes", async () => {
    const headers = { authorization: `Bearer ${a.token}` };
    const list = await call(t.url, 'GET', '/api/v1/status', { headers });
    expect(list.status).toBe(200);
    expect(list.body.tasks.map((task: Summary) => task.task_id)).toEqual([...tasksA].reverse());

    const detail = await call(t.url, 'GET', `/api/v1/status/${tasksA[1]}`, { headers });
    expect(detail.status).toBe(200);
    expect(detail.body.task_id).toBe(tasksA[1]);
    expect(detail.body.status).toBe('counted');

    const created = await call(t.url, 'POST', '/api/v1/intent_hive_tasks', {
      body: { days: ['2024-05-01'], topic_id_prefixes: [prefix], scores: ['low'], perform_unload: false },
      headers,
    });
    expect(created.status).toBe(202);
    const counted = await apiA.waitFor(created.body.task_id, ['counted']);
    expect(counted.task_id).toBe(created.body.task_id);
    tasksA.push(created.body.task_id);

    const unload = await call(t.url, 'POST', `/api/v1/tasks/${created.body.task_id}/unload`, { headers });
    expect(unload.status).toBe(202);
    await apiA.waitFor(created.body.task_id, ['completed']);
  });
});
