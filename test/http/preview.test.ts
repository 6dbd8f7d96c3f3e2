import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, intentPrefixes } from '../support/duck.ts';
import { columnsOf, rowsOutsideSegment } from '../support/preview.ts';

// The task suite (test/support/task-suite.ts) previews intent tasks in every storage combination and
// mode; these are the cases it cannot hold: a generic tree, a preview cut by its time limit, an
// expired task.

describe('preview of a generic Parquet task', () => {
  let t: TestServer;
  let api: ReturnType<typeof apiClient>;
  let root: string;

  beforeAll(async () => {
    t = await startTestServer();
    api = apiClient(t.url, (await signUp(t.url)).apiKey);
    // Two days of one prefix, as a generic tree with k=v folders of its own.
    const [prefix] = await intentPrefixes(t.intentTree);
    root = path.join(t.dataDir, 'generic');
    for (const day of ['2024-05-01', '2024-05-02']) {
      for (const score of ['medium', 'high']) {
        const from = path.join(t.intentTree, `day=${day}`, `prefix=${prefix}`, `score=${score}`);
        fs.cpSync(from, path.join(root, `day=${day}`, `score=${score}`), { recursive: true });
      }
    }
  });
  afterAll(async () => t?.close());

  const relation = () => `read_parquet('${root}/**/*.parquet', hive_partitioning = true)`;

  it('shows rows that pass the filter with exactly the selected columns, Hive columns included', async () => {
    const where = "intent_score >= 50 AND score = 'high'";
    const select = 'hem_sha256, topic_id, intent_score, event_count, last_seen, score';
    const created = await api.post('/api/v1/generic_parquet_tasks', {
      input_path: root,
      where_expr: where,
      select,
    });
    expect(created.status).toBe(202);
    const preview = await api.get(`/api/v1/tasks/${created.body.task_id}/preview?limit=30`);
    expect(preview.status).toBe(200);
    const columns = await columnsOf(select, relation());
    expect(preview.body.columns).toEqual(columns);
    expect(preview.body.rows).toHaveLength(30);
    expect(await rowsOutsideSegment(relation(), where, columns, preview.body.rows)).toBe(0);
  });

  it("shows the files' own columns when nothing is selected (folders stay in the path)", async () => {
    const created = await api.post('/api/v1/generic_parquet_tasks', { input_path: root });
    expect(created.status).toBe(202);
    const preview = await api.get(`/api/v1/tasks/${created.body.task_id}/preview?limit=4`);
    expect(preview.status).toBe(200);
    const own = await columnsOf('*', `read_parquet('${root}/**/*.parquet', hive_partitioning = false)`);
    expect(preview.body.columns).toEqual(own);
    expect(preview.body.rows).toHaveLength(4);
    // Rows of the first folder in key order.
    const first = `read_parquet('${root}/day=2024-05-01/score=high/*.parquet', hive_partitioning = false)`;
    expect(await rowsOutsideSegment(first, 'true', own, preview.body.rows)).toBe(0);
  });
});

describe('preview limits: time and expiry', () => {
  let t: TestServer;
  let api: ReturnType<typeof apiClient>;
  let prefixes: string[];

  beforeAll(async () => {
    t = await startTestServer({ PREVIEW_TIMEOUT: '1ms', TASK_TTL: '2s' });
    api = apiClient(t.url, (await signUp(t.url)).apiKey);
    prefixes = await intentPrefixes(t.intentTree);
  });
  afterAll(async () => t?.close());

  it('answers 504 preview_timeout when the rows are not found in time, and stays up', async () => {
    // Millions of rows and a filter that no row group's statistics can rule out and almost no row
    // passes: the preview reads every partition, which cannot take under 1 ms however warm the machine.
    const root = path.join(t.dataDir, 'many-rows');
    await duck(
      `COPY (SELECT range AS person, range % 7 AS region FROM range(3000000)) TO '${root}' (FORMAT parquet, PARTITION_BY (region))`,
    );
    const created = await api.post('/api/v1/generic_parquet_tasks', {
      input_path: root,
      where_expr: 'person % 7919 = 7918 AND person % 104729 = 3',
      perform_unload: false,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const preview = await api.get(`/api/v1/tasks/${created.body.task_id}/preview?limit=100`);
    expect(preview.status, JSON.stringify(preview.body)).toBe(504);
    expect(preview.body.code).toBe('preview_timeout');
    expect(preview.body.detail).toMatch(/narrow the task or its filter/);
    const health = await api.get('/healthz');
    expect(health.status).toBe(200);
  });

  it('answers 404 for an expired task, as the status route does', async () => {
    const taskId = await api.createIntentTask({
      days: ['2024-05-01'],
      topic_id_prefixes: [prefixes[0]],
      scores: ['high'],
      perform_unload: false,
    });
    const status = await api.get(`/api/v1/status/${taskId}`);
    await sleep(Math.max(0, Date.parse(status.body.expires_at) - Date.now()) + 200);
    expect((await api.get(`/api/v1/status/${taskId}`)).status).toBe(404);
    const preview = await api.get(`/api/v1/tasks/${taskId}/preview`);
    expect(preview.status).toBe(404);
    expect(preview.body.code).toBe('task_not_found');
  });
});
