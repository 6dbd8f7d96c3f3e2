import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
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
import { type S3Server, startS3 } from '../support/s3.ts';

/**
 * `Idempotency-Key` on the POSTs that create or change a task, through HTTP on an embedded server
 * (SQLite, its own worker): a retry gets the first answer and does nothing twice.
 */
const TASK = {
  days: ['2024-05-01'],
  topic_id_prefixes: ['4eyes_101'],
  scores: ['high'],
  perform_unload: false,
};

let t: TestServer;
let a: Account;
let b: Account;

beforeAll(async () => {
  t = await startTestServer();
  a = await signUp(t.url, 'Org A');
  b = await signUp(t.url, 'Org B');
});
afterAll(async () => t?.close());

function post(account: Account, pathname: string, body: unknown, key?: string): Promise<Reply> {
  return call(t.url, 'POST', pathname, {
    body,
    headers: { 'x-api-key': account.apiKey, ...(key === undefined ? {} : { 'idempotency-key': key }) },
  });
}

/** The organisation's task ids, newest first. */
async function taskIds(account: Account): Promise<string[]> {
  const listed = await apiClient(t.url, account.apiKey).get('/api/v1/status?limit=100');
  expect(listed.status).toBe(200);
  return listed.body.tasks.map((task: { task_id: string }) => task.task_id);
}

/** What a client compares between two answers: status, body and the location of the task. */
function answerOf(reply: Reply) {
  return { status: reply.status, body: reply.body, location: reply.headers.get('location') };
}

describe('creating a task with an Idempotency-Key', () => {
  it('answers a retry with the first answer, marked as replayed, and creates one task', async () => {
    const before = await taskIds(a);
    const key = randomUUID();
    const first = await post(a, '/api/v1/intent_hive_tasks', TASK, key);
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const taskId = first.body.task_id;

    // The same body with its fields in another order is the same request.
    const reordered = Object.fromEntries(Object.entries(TASK).reverse());
    for (const body of [TASK, reordered]) {
      const again = await post(a, '/api/v1/intent_hive_tasks', body, key);
      expect(answerOf(again)).toEqual(answerOf(first));
      expect(again.headers.get('location')).toBe(`/api/v1/status/${taskId}`);
      expect(again.headers.get('content-type')).toContain('application/json');
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    }
    expect(await taskIds(a)).toEqual([taskId, ...before]);
  });

  it('makes one task of 5 concurrent requests with one key, and gives all of them its task_id', async () => {
    const before = await taskIds(a);
    const key = randomUUID();
    const replies = await Promise.all(
      Array.from({ length: 5 }, () => post(a, '/api/v1/intent_hive_tasks', TASK, key)),
    );
    const ids = new Set(replies.map((reply) => reply.body.task_id));
    expect(replies.map((reply) => reply.status)).toEqual(Array(5).fill(202));
    expect(ids.size).toBe(1);
    expect(replies.filter((reply) => reply.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
    expect(await taskIds(a)).toEqual([...ids, ...before]);
  });

  it('refuses the key with another body, or on another route, with a 422 that says to use a new key', async () => {
    const key = randomUUID();
    const first = await post(a, '/api/v1/intent_hive_tasks', TASK, key);
    expect(first.status).toBe(202);
    const before = await taskIds(a);
    for (const [pathname, body] of [
      ['/api/v1/intent_hive_tasks', { ...TASK, scores: ['low'] }],
      ['/api/v1/generic_parquet_tasks', { input_path: t.intentTree, perform_unload: false }],
      [`/api/v1/tasks/${first.body.task_id}/unload`, undefined],
    ] as const) {
      const reused = await post(a, pathname, body, key);
      expect(reused.status, pathname).toBe(422);
      expect(reused.headers.get('content-type')).toContain('application/problem+json');
      expect(reused.body.code).toBe('idempotency_key_reused');
      expect(reused.body.detail).toMatch(/different request.*use a new key/);
      expect(reused.body.errors).toEqual([
        { field: 'Idempotency-Key', message: 'was used with a different request; use a new key' },
      ]);
    }
    expect(await taskIds(a)).toEqual(before);
    // The first request still gets its answer.
    expect(answerOf(await post(a, '/api/v1/intent_hive_tasks', TASK, key))).toEqual(answerOf(first));
  });

  it('keeps keys per organisation: the same key in another organisation is its own', async () => {
    const key = randomUUID();
    const mine = await post(a, '/api/v1/intent_hive_tasks', TASK, key);
    const beforeB = await taskIds(b);
    const theirs = await post(b, '/api/v1/intent_hive_tasks', { ...TASK, scores: ['low'] }, key);
    expect(theirs.status).toBe(202);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.body.task_id).not.toBe(mine.body.task_id);
    expect(await taskIds(b)).toEqual([theirs.body.task_id, ...beforeB]);
    // Neither answer leaks to the other organisation.
    expect(answerOf(await post(b, '/api/v1/intent_hive_tasks', { ...TASK, scores: ['low'] }, key))).toEqual(
      answerOf(theirs),
    );
    expect(answerOf(await post(a, '/api/v1/intent_hive_tasks', TASK, key))).toEqual(answerOf(mine));
    expect(await taskIds(b)).not.toContain(mine.body.task_id);
  });

  it('creates a task per request without a key, as before', async () => {
    const before = await taskIds(a);
    const first = await post(a, '/api/v1/intent_hive_tasks', TASK);
    const second = await post(a, '/api/v1/intent_hive_tasks', TASK);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(first.body.task_id).not.toBe(second.body.task_id);
    expect(await taskIds(a)).toEqual([second.body.task_id, first.body.task_id, ...before]);
  });

  it('refuses an empty, a too long or a non-printable key with a 400 naming the header', async () => {
    const before = await taskIds(a);
    const cases: Array<[string, RegExp]> = [
      ['', /must be 1 to 255 characters \(it has 0\)/],
      ['k'.repeat(256), /must be 1 to 255 characters \(it has 256\)/],
      ['tab\there', /printable ASCII/],
      ['caf\u00e9', /printable ASCII/],
    ];
    for (const [key, message] of cases) {
      const refused = await post(a, '/api/v1/intent_hive_tasks', TASK, key);
      expect(refused.status, JSON.stringify(key)).toBe(400);
      expect(refused.body.code).toBe('validation_failed');
      expect(refused.body.errors).toHaveLength(1);
      expect(refused.body.errors[0].field).toBe('Idempotency-Key');
      expect(refused.body.errors[0].message).toMatch(message);
      expect(refused.body.detail).toMatch(/^Idempotency-Key: /);
    }
    expect(await taskIds(a)).toEqual(before);
    // 255 printable characters, spaces included, are a key.
    const longest = `${'k'.repeat(250)} ~!@#`;
    const created = await post(a, '/api/v1/intent_hive_tasks', TASK, longest);
    expect(created.status).toBe(202);
    expect(answerOf(await post(a, '/api/v1/intent_hive_tasks', TASK, longest))).toEqual(answerOf(created));
  });

  it('does not keep a 4xx: once its cause is fixed, the same key and body create the task', async () => {
    const folder = path.join(t.dataDir, `later-${randomUUID()}`);
    const body = { input_path: folder, perform_unload: false };
    const key = randomUUID();
    const missing = await post(a, '/api/v1/generic_parquet_tasks', body, key);
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('input_path_not_found');
    expect(answerOf(await post(a, '/api/v1/generic_parquet_tasks', body, key))).toEqual(answerOf(missing));

    fs.mkdirSync(folder);
    fs.copyFileSync(
      path.join(t.intentTree, 'day=2024-05-01/prefix=4eyes_101/score=high/data_0.parquet'),
      path.join(folder, 'data_0.parquet'),
    );
    const created = await post(a, '/api/v1/generic_parquet_tasks', body, key);
    expect(created.status).toBe(202);
    expect(created.headers.get('idempotent-replayed')).toBeNull();
    const replayed = await post(a, '/api/v1/generic_parquet_tasks', body, key);
    expect(answerOf(replayed)).toEqual(answerOf(created));
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
  });

  it('is not taken by an estimate, which stores nothing', async () => {
    const key = randomUUID();
    for (let i = 0; i < 2; i++) {
      const estimate = await post(a, '/api/v1/intent_hive_tasks/estimate', TASK, key);
      expect(estimate.status).toBe(200);
      expect(estimate.headers.get('idempotent-replayed')).toBeNull();
    }
    // The key is still free for a create.
    const created = await post(a, '/api/v1/intent_hive_tasks', TASK, key);
    expect(created.status).toBe(202);
    expect(created.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('unloading a task with an Idempotency-Key', () => {
  it('starts one export; a retry answers as the first did, and the task completes once', async () => {
    const api = apiClient(t.url, a.apiKey);
    const created = await post(a, '/api/v1/intent_hive_tasks', TASK);
    const taskId = created.body.task_id;
    const counted = await api.waitFor(taskId, ['counted']);
    const key = randomUUID();
    const unloads = await Promise.all(
      Array.from({ length: 3 }, () => post(a, `/api/v1/tasks/${taskId}/unload`, undefined, key)),
    );
    expect(unloads.map((reply) => reply.status)).toEqual([202, 202, 202]);
    for (const reply of unloads) expect(answerOf(reply)).toEqual(answerOf(unloads[0]!));
    expect(unloads.filter((reply) => reply.headers.get('idempotent-replayed') === 'true')).toHaveLength(2);
    expect(unloads[0]!.body).toMatchObject({ task_id: taskId, status: 'unloading' });

    const completed = await api.waitFor(taskId, ['completed']);
    const again = await post(a, `/api/v1/tasks/${taskId}/unload`, undefined, key);
    expect(answerOf(again)).toEqual(answerOf(unloads[0]!));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // One export: its jobs were added once (then the manifest's), and the rows exported are the rows counted.
    expect(completed.total_jobs).toBe(unloads[0]!.body.total_jobs + 1);
    expect(completed.total_count).toBe(counted.total_count);
    const rows = completed.files.reduce((sum: number, file: { rows: number }) => sum + file.rows, 0);
    expect(rows).toBe(counted.total_count);
    // Without the key, an unload of the completed task is the usual conflict.
    expect((await post(a, `/api/v1/tasks/${taskId}/unload`, undefined)).status).toBe(409);
  });

  it('does not keep a 409: the same key unloads once the task is counted', async () => {
    const api = apiClient(t.url, a.apiKey);
    const key = randomUUID();
    // A task that exports at once is `unloading` from the start: an unload is a conflict.
    const created = await post(a, '/api/v1/intent_hive_tasks', { ...TASK, perform_unload: true });
    const exporting = created.body.task_id;
    const conflict = await post(a, `/api/v1/tasks/${exporting}/unload`, undefined, key);
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('task_state_conflict');
    await api.waitFor(exporting, ['completed']);

    // Another task, counted: the key that met the 409 is free, but it names another URL now.
    const held = await post(a, '/api/v1/intent_hive_tasks', TASK);
    await api.waitFor(held.body.task_id, ['counted']);
    const started = await post(a, `/api/v1/tasks/${held.body.task_id}/unload`, undefined, key);
    expect(started.status).toBe(202);
    expect(started.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('cancelling a task with an Idempotency-Key', () => {
  it('cancels once; a retry of the cancel gets its 202 again, not a conflict', async () => {
    const created = await post(a, '/api/v1/intent_hive_tasks', TASK);
    const taskId = created.body.task_id;
    const key = randomUUID();
    const first = await post(a, `/api/v1/tasks/${taskId}/cancel`, undefined, key);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ task_id: taskId, status: 'cancelled' });
    const again = await post(a, `/api/v1/tasks/${taskId}/cancel`, undefined, key);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(answerOf(again)).toEqual(answerOf(first));
    // Without the key, a second cancel is the usual conflict.
    expect((await post(a, `/api/v1/tasks/${taskId}/cancel`, undefined)).status).toBe(409);
  });
});

describe('OpenAPI', () => {
  it('documents the header and its problems on the POSTs that create or change a task, not elsewhere', async () => {
    const document = (await call(t.url, 'GET', '/openapi.json')).body;
    const keyParameter = (pathname: string, method: string) =>
      (document.paths[pathname][method].parameters ?? []).find(
        (p: { in: string; name: string }) => p.in === 'header' && p.name === 'idempotency-key',
      );
    for (const pathname of [
      '/api/v1/intent_hive_tasks',
      '/api/v1/generic_parquet_tasks',
      '/api/v1/tasks/{task_id}/unload',
      '/api/v1/tasks/{task_id}/cancel',
      '/api/v1/tasks/{task_id}/retry',
    ]) {
      const parameter = keyParameter(pathname, 'post');
      expect(parameter, pathname).toMatchObject({ required: false, schema: { type: 'string' } });
      expect(parameter.description ?? parameter.schema.description).toMatch(/1-255/);
      expect(Object.keys(document.paths[pathname].post.responses)).toEqual(
        expect.arrayContaining(['202', '400', '409', '422']),
      );
    }
    expect(keyParameter('/api/v1/intent_hive_tasks/estimate', 'post')).toBeUndefined();
    expect(keyParameter('/api/v1/status/{task_id}', 'get')).toBeUndefined();
    // A route that had headers of its own keeps them.
    expect(document.paths['/api/v1/status/{task_id}'].get.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'if-none-match' })]),
    );
  });
});

describe('a 5xx', () => {
  it('is not kept: once the storage answers, the same key and body create the task', async () => {
    // The intent tree lives in an S3 store that is down at first: its server stopped.
    let s3: S3Server | undefined = await startS3();
    const { env } = s3;
    const port = Number(new URL(s3.endpoint).port);
    await s3.close();
    s3 = undefined;
    const server = await startTestServer({
      ...env,
      INTENT_INPUT_PATH: 's3://intent/tree',
      STORAGE_MAX_ATTEMPTS: '1',
      STORAGE_TIMEOUT: '2s',
    });
    try {
      const account = await signUp(server.url);
      const body = { ...TASK, where_expr: 'intent_score >= 50' };
      const send = () =>
        call(server.url, 'POST', '/api/v1/intent_hive_tasks', {
          body,
          headers: { 'x-api-key': account.apiKey, 'idempotency-key': 'retry-me' },
        });
      const down = await send();
      expect(down.status).toBe(503);
      expect(down.body.code).toBe('storage_unavailable');

      s3 = await startS3({ port });
      await s3.createBucket('intent');
      const partition = 'day=2024-05-01/prefix=4eyes_101/score=high';
      await s3.uploadTree(path.join(t.intentTree, partition), 'intent', `tree/${partition}`);
      const created = await send();
      expect(created.status).toBe(202);
      expect(created.headers.get('idempotent-replayed')).toBeNull();
      const replayed = await send();
      expect(answerOf(replayed)).toEqual(answerOf(created));
      expect(replayed.headers.get('idempotent-replayed')).toBe('true');
      const listed = await apiClient(server.url, account.apiKey).get('/api/v1/status');
      expect(listed.body.tasks.map((task: { task_id: string }) => task.task_id)).toEqual([
        created.body.task_id,
      ]);
    } finally {
      await server.close();
      await s3?.close();
    }
  });
});
