import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, intentPrefixes } from '../support/duck.ts';

let t: TestServer;
let api: ReturnType<typeof apiClient>;
let prefixes: string[];

beforeAll(async () => {
  t = await startTestServer();
  api = apiClient(t.url, (await signUp(t.url)).apiKey);
  prefixes = await intentPrefixes(t.intentTree);
});
afterAll(async () => t?.close());

describe('EXPORT_COMPRESSION', () => {
  it('writes exports with the configured codec (files it writes; whole-file copies keep their own)', async () => {
    const zstd = await startTestServer({ EXPORT_COMPRESSION: 'gzip' });
    try {
      const client = apiClient(zstd.url, (await signUp(zstd.url)).apiKey);
      const created = await client.post('/api/v1/intent_hive_tasks', {
        days: ['2024-05-01'],
        topic_id_prefixes: prefixes.slice(0, 2),
        scores: ['high'],
        // A filter makes the export write its files (the test tree's own are zstd).
        where_expr: 'intent_score >= 0',
      });
      const task = await client.waitFor(created.body.task_id, ['completed']);
      expect(task.files.length).toBeGreaterThan(0);
      const files = task.files.map((f: { uri: string }) => `'${f.uri}'`).join(', ');
      const codecs = await duck<{ codec: string }>(
        `SELECT DISTINCT compression AS codec FROM parquet_metadata([${files}])`,
      );
      expect(codecs.map((c) => c.codec)).toEqual(['GZIP']);
      const [rows] = await duck<{ n: bigint }>(`SELECT count(*) AS n FROM read_parquet([${files}])`);
      const [expected] = await duck<{ n: bigint }>(
        `SELECT count(*) AS n FROM read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true)
         WHERE day = '2024-05-01' AND score = 'high' AND prefix IN ('${prefixes[0]}', '${prefixes[1]}')`,
      );
      expect(Number(rows!.n)).toBe(Number(expected!.n));
      expect(task.total_count).toBe(Number(expected!.n));
    } finally {
      await zstd.close();
    }
  });
});

describe('limit', () => {
  it('rejects limit together with perform_unload: false', async () => {
    const reply = await api.post('/api/v1/intent_hive_tasks', {
      days: ['2024-05-01'],
      topic_id_prefixes: prefixes.slice(0, 1),
      scores: ['high'],
      limit: 10,
      perform_unload: false,
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0].field).toBe('limit');
  });
});

describe('unload conflicts', () => {
  it('answers 409 to an unload of a task that is not counted', async () => {
    const created = await api.post('/api/v1/intent_hive_tasks', {
      days: ['2024-05-01'],
      topic_id_prefixes: prefixes.slice(0, 1),
      scores: ['high'],
    });
    await api.waitFor(created.body.task_id, ['completed']);
    const reply = await api.post(`/api/v1/tasks/${created.body.task_id}/unload`);
    expect(reply.status).toBe(409);
    expect(reply.headers.get('content-type')).toContain('application/problem+json');
    expect(reply.body.detail).toMatch(/completed/);
  });
});

describe('generic Parquet tasks', () => {
  it('counts and exports any tree under an allowed root, Hive segments as columns', async () => {
    const root = path.join(t.dataDir, 'generic');
    fs.mkdirSync(path.join(root, 'region=eu', 'kind=a'), { recursive: true });
    fs.mkdirSync(path.join(root, 'region=us'), { recursive: true });
    await duck(`COPY (SELECT range AS id, range % 7 AS bucket FROM range(1000)) TO '${root}/top.parquet'`);
    await duck(
      `COPY (SELECT range AS id, range % 7 AS bucket FROM range(500)) TO '${root}/region=eu/kind=a/a.parquet'`,
    );
    await duck(
      `COPY (SELECT range AS id, range % 7 AS bucket FROM range(300)) TO '${root}/region=us/u1.parquet'`,
    );
    await duck(
      `COPY (SELECT range AS id, range % 7 AS bucket FROM range(200)) TO '${root}/region=us/u2.parquet'`,
    );

    const created = await api.post('/api/v1/generic_parquet_tasks', {
      input_path: root,
      where_expr: 'bucket < 3',
    });
    expect(created.status).toBe(202);
    const task = await api.waitFor(created.body.task_id, ['completed']);
    const expected: Record<string, number> = {};
    for (const [partition, glob] of [
      ['.', `${root}/top.parquet`],
      ['region=eu/kind=a', `${root}/region=eu/kind=a/*.parquet`],
      ['region=us', `${root}/region=us/*.parquet`],
    ] as const) {
      const [row] = await duck<{ n: bigint }>(
        `SELECT count(*) AS n FROM read_parquet('${glob}') WHERE bucket < 3`,
      );
      expected[partition] = Number(row!.n);
    }
    expect(task.counts).toEqual(expected);
    expect(task.type).toBe('generic_parquet');
    const usFile = task.files.find((f: { partition: string }) => f.partition === 'region=us');
    const columns = (
      await duck<{ column_name: string }>(
        `DESCRIBE SELECT * FROM read_parquet('${usFile.uri}', hive_partitioning = false)`,
      )
    ).map((c) => c.column_name);
    expect(columns).toEqual(['id', 'bucket']);
  });

  it('reads Hive segments as columns when every folder has the same keys', async () => {
    const root = path.join(t.dataDir, 'uniform');
    for (const [region, rows] of [
      ['eu', 400],
      ['us', 250],
    ] as const) {
      fs.mkdirSync(path.join(root, `region=${region}`), { recursive: true });
      await duck(`COPY (SELECT range AS id FROM range(${rows})) TO '${root}/region=${region}/part.parquet'`);
    }
    const created = await api.post('/api/v1/generic_parquet_tasks', {
      input_path: root,
      where_expr: "region = 'us' AND id >= 50",
      select: 'id, region',
    });
    expect(created.status).toBe(202);
    const task = await api.waitFor(created.body.task_id, ['completed']);
    expect(task.counts).toEqual({ 'region=eu': 0, 'region=us': 200 });
    const [file] = task.files;
    const rows = await duck<{ id: bigint; region: string }>(
      `SELECT id, region FROM read_parquet('${file.uri}', hive_partitioning = false) ORDER BY id`,
    );
    expect(rows).toHaveLength(200);
    expect(rows.every((r) => r.region === 'us')).toBe(true);
  });

  it('reads a mixed layout without Hive columns and says so when one is named', async () => {
    const root = path.join(t.dataDir, 'generic');
    const reply = await api.post('/api/v1/generic_parquet_tasks', {
      input_path: root,
      where_expr: "region = 'us'",
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0].field).toBe('where_expr');
    expect(reply.body.detail).toMatch(/region/);
  });

  it('fails the export when a counted file was deleted, naming the file', async () => {
    const root = path.join(t.dataDir, 'vanishing');
    fs.mkdirSync(path.join(root, 'part=a'), { recursive: true });
    fs.mkdirSync(path.join(root, 'part=b'), { recursive: true });
    await duck(`COPY (SELECT range AS id FROM range(100)) TO '${root}/part=a/x.parquet'`);
    await duck(`COPY (SELECT range AS id FROM range(50)) TO '${root}/part=b/y.parquet'`);
    const created = await api.post('/api/v1/generic_parquet_tasks', {
      input_path: root,
      perform_unload: false,
    });
    const counted = await api.waitFor(created.body.task_id, ['counted']);
    expect(counted.counts).toEqual({ 'part=a': 100, 'part=b': 50 });
    fs.rmSync(path.join(root, 'part=b/y.parquet'));
    await api.post(`/api/v1/tasks/${created.body.task_id}/unload`);
    const failed = await api.waitFor(created.body.task_id, ['failed']);
    expect(failed.error.code).toBe('object_not_found');
    expect(failed.error.message).toContain(path.join(fs.realpathSync(root), 'part=b/y.parquet'));
  });
});
