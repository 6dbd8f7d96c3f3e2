import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, intentPrefixes } from '../support/duck.ts';

/**
 * Mistakes caught when a task is created, not when its jobs run: a literal its column's type cannot
 * take, and days, prefixes or scores the data holds no rows for.
 */
let t: TestServer;
let api: ReturnType<typeof apiClient>;
let prefix: string;
let days: string[];

beforeAll(async () => {
  t = await startTestServer();
  api = apiClient(t.url, (await signUp(t.url)).apiKey);
  prefix = (await intentPrefixes(t.intentTree))[0]!;
  days = (
    await duck<{ d: string }>(
      `SELECT DISTINCT CAST(day AS VARCHAR) AS d FROM read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true) ORDER BY 1`,
    )
  ).map((row) => row.d);
});
afterAll(async () => t?.close());

const body = (extra: Record<string, unknown> = {}) => ({
  days: [days[0]],
  topic_id_prefixes: [prefix],
  scores: ['high'],
  perform_unload: false,
  ...extra,
});

describe('a filter whose literal its column cannot take', () => {
  it.each([
    ["intent_score = 'high'", 'high', 'intent_score INTEGER'],
    ["intent_score IN (60, 'x')", "'x'", 'intent_score INTEGER'],
    ["day = 'yesterday'", 'yesterday', 'day DATE'],
  ])(
    '%s: 400 at create and at estimate, naming the value and the column with its type',
    async (where, value, column) => {
      for (const route of ['/api/v1/intent_hive_tasks', '/api/v1/intent_hive_tasks/estimate']) {
        const reply = await api.post(route, body({ where_expr: where }));
        expect(reply.status, JSON.stringify(reply.body)).toBe(400);
        expect(reply.body.code).toBe('expression_invalid');
        expect(reply.body.errors[0].field).toBe('where_expr');
        expect(reply.body.detail).toContain(value);
        expect(reply.body.detail).toContain(column);
      }
    },
  );

  it('a filter of the right types is accepted, and counts what DuckDB counts', async () => {
    const created = await api.post(
      '/api/v1/intent_hive_tasks',
      body({ where_expr: "intent_score >= 60 AND day = '" + days[0] + "'" }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const task = await api.waitFor(created.body.task_id, ['counted']);
    const [{ n }] = (await duck<{ n: bigint }>(
      `SELECT count(*) AS n FROM read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true)
       WHERE CAST(day AS VARCHAR) = '${days[0]}' AND prefix = '${prefix}' AND score = 'high' AND intent_score >= 60`,
    )) as [{ n: bigint }];
    expect(task.total_count).toBe(Number(n));
  });
});

describe('days, prefixes and scores without data', () => {
  it('are warned of at create and estimate (each value listed) and count 0', async () => {
    const request = body({ days: [days[0], '2031-01-01'], topic_id_prefixes: [prefix, '4eyes_999'] });
    const created = await api.post('/api/v1/intent_hive_tasks', request);
    expect(created.status).toBe(202);
    expect(created.body.warnings).toEqual([
      expect.objectContaining({ code: 'no_data', field: 'days', values: ['2031-01-01'], truncated: false }),
      expect.objectContaining({
        code: 'no_data',
        field: 'topic_id_prefixes',
        values: ['4eyes_999'],
        truncated: false,
      }),
    ]);
    expect(created.body.warnings[1].message).toContain('typo');
    const estimate = await api.post('/api/v1/intent_hive_tasks/estimate', request);
    expect(estimate.body.warnings).toEqual(created.body.warnings);
    const task = await api.waitFor(created.body.task_id, ['counted']);
    expect(task.counts[`day=2031-01-01/prefix=${prefix}/score=high`]).toBe(0);
    // Kept with the task: its status says why a partition counts 0, long after the create.
    expect(task.warnings).toEqual(created.body.warnings);
  });

  it('with strict: true are a 400 naming each field', async () => {
    const reply = await api.post(
      '/api/v1/intent_hive_tasks',
      body({ topic_id_prefixes: ['4eyes_999'], scores: ['high'], strict: true }),
    );
    expect(reply.status).toBe(400);
    expect(reply.body.errors.map((e: { field: string }) => e.field)).toEqual(['topic_id_prefixes']);
    expect(reply.body.detail).toContain('4eyes_999');
  });

  it('a request whose values all have data has no warnings, strict or not', async () => {
    const created = await api.post('/api/v1/intent_hive_tasks', body({ strict: true }));
    expect(created.status).toBe(202);
    expect(created.body.warnings).toEqual([]);
    expect((await api.get(`/api/v1/status/${created.body.task_id}`)).body.warnings).toEqual([]);
  });
});

describe('warnings as the tree changes', () => {
  let own: TestServer;
  let ownApi: ReturnType<typeof apiClient>;
  let tree: string;

  beforeAll(async () => {
    // A copy of the shared tree, so a day may come and go.
    tree = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-warnings-tree-'));
    fs.cpSync(inject('intentTree'), tree, { recursive: true });
    own = await startTestServer({ INTENT_INPUT_PATH: tree, LOCAL_INPUT_ROOTS: tree });
    ownApi = apiClient(own.url, (await signUp(own.url)).apiKey);
  });
  afterAll(async () => {
    await own?.close();
    fs.rmSync(tree, { recursive: true, force: true });
  });

  it('a day added since the last listing is never warned of; a removed one is once the catalog lists the tree', async () => {
    const newest = days.at(-1)!;
    const added = new Date(Date.parse(`${newest}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const create = async (day: string) =>
      (await ownApi.post('/api/v1/intent_hive_tasks', body({ days: [day] }))).body.warnings;
    // The first create lists the tree, which has no rows for the day yet.
    expect(await create(added)).toEqual([expect.objectContaining({ field: 'days', values: [added] })]);
    fs.cpSync(path.join(tree, `day=${newest}`), path.join(tree, `day=${added}`), { recursive: true });
    // The recent listing lacks the day: a fresh one confirms the warning, and finds it.
    expect(await create(added)).toEqual([]);
    fs.rmSync(path.join(tree, `day=${added}`), { recursive: true });
    // For up to a minute a create may start from the recent listing, which still holds the day; the
    // catalog lists the tree whenever it is read, and the next create warns again.
    expect((await ownApi.get('/api/v1/catalog/intent')).body.days).not.toContain(added);
    expect(await create(added)).toEqual([expect.objectContaining({ field: 'days', values: [added] })]);
  });
});

describe('the preview of a people task', () => {
  it('shows people rows, one per person, with the columns of a people export, as DuckDB groups them', async () => {
    const created = await api.post(
      '/api/v1/intent_hive_tasks',
      body({ scores: ['medium', 'high'], unique_by: 'person_id', output: 'people', perform_unload: false }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    await api.waitFor(created.body.task_id, ['counted']);
    const preview = await api.get(`/api/v1/tasks/${created.body.task_id}/preview?limit=5`);
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.columns.map((c: { name: string }) => c.name)).toEqual([
      'person_id',
      'hem_sha256',
      'topic_ids',
      'prefixes',
      'max_intent_score',
      'best_score',
      'days_seen',
      'first_seen',
      'last_seen',
    ]);
    expect(preview.body.rows).toHaveLength(5);
    const ids = preview.body.rows.map((row: { person_id: string }) => row.person_id);
    expect(new Set(ids).size).toBe(5);
    // Each shown person as an independent DuckDB groups their rows.
    for (const row of preview.body.rows as Array<Record<string, unknown>>) {
      const [expected] = (await duck<{ m: number; d: bigint }>(
        `SELECT max(intent_score) AS m, count(DISTINCT day) AS d FROM read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true)
         WHERE CAST(day AS VARCHAR) = '${days[0]}' AND prefix = '${prefix}' AND score IN ('medium', 'high') AND person_id = '${row.person_id}'`,
      )) as [{ m: number; d: bigint }];
      expect(row.max_intent_score).toBe(Number(expected.m));
      expect(row.days_seen).toBe(Number(expected.d));
    }
  });
});
