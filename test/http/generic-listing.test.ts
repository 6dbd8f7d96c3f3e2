import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck } from '../support/duck.ts';

/**
 * A generic input of more objects than one listing page (1,000) is not listed while the client
 * waits: the task starts with one `list` job, and a worker lists the input and plans the rest.
 */
let t: TestServer;
let api: ReturnType<typeof apiClient>;
let root: string;

const SHARDS = 1100;

beforeAll(async () => {
  t = await startTestServer();
  api = apiClient(t.url, (await signUp(t.url)).apiKey);
  root = path.join(t.dataDir, 'sharded');
  // One folder (and one file) per shard: shard=0 … shard=1099.
  await duck(
    `COPY (SELECT range AS id, range % ${SHARDS} AS shard, range % 7 AS bucket FROM range(${SHARDS * 20}))
     TO '${root}' (FORMAT parquet, PARTITION_BY (shard))`,
  );
});
afterAll(async () => t?.close());

async function expectedCounts(dir: string, where: string): Promise<Record<string, number>> {
  const rows = await duck<{ shard: bigint; n: bigint }>(
    `SELECT shard, count(*) FILTER (WHERE ${where}) AS n
     FROM read_parquet('${dir}/**/*.parquet', hive_partitioning = true) GROUP BY shard`,
  );
  return Object.fromEntries(rows.map((row) => [`shard=${row.shard}`, Number(row.n)]));
}

describe('generic tasks over more than 1,000 objects', () => {
  it('are created with one listing job, then counted over every partition a worker found', async () => {
    expect(fs.readdirSync(root).filter((name) => name.startsWith('shard='))).toHaveLength(SHARDS);
    const created = await api.post('/api/v1/generic_parquet_tasks', {
      input_path: root,
      where_expr: 'bucket < 3 AND shard >= 100',
      perform_unload: false,
    });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ status: 'in_progress', total_jobs: 1 });

    const task = await api.waitFor(created.body.task_id, ['counted']);
    expect(task.counts).toEqual(await expectedCounts(root, 'bucket < 3 AND shard >= 100'));
    expect(Object.keys(task.counts)).toHaveLength(SHARDS);
    // The listing job and the count jobs it planned.
    expect(task.total_jobs).toBeGreaterThan(1);
    expect(task.completed_jobs).toBe(task.total_jobs);
  });

  it('export every selected row once', async () => {
    const created = await api.post('/api/v1/generic_parquet_tasks', {
      input_path: root,
      where_expr: 'bucket = 0',
      select: 'id, shard',
    });
    expect(created.body).toMatchObject({ status: 'unloading', total_jobs: 1 });
    const task = await api.waitFor(created.body.task_id, ['completed'], 120_000);
    const files = task.files.map((file: { uri: string }) => `'${file.uri}'`).join(', ');
    const [got] = await duck<{ n: bigint; ids: bigint }>(
      `SELECT count(*) AS n, sum(id) AS ids FROM read_parquet([${files}], hive_partitioning = false)`,
    );
    const [want] = await duck<{ n: bigint; ids: bigint }>(
      `SELECT count(*) AS n, sum(id) AS ids FROM read_parquet('${root}/**/*.parquet') WHERE bucket = 0`,
    );
    expect(got).toEqual(want);
  });

  it('with unique_by, are counted by one job over every partition the listing found', async () => {
    const where = 'shard >= 100';
    const created = await api.post('/api/v1/generic_parquet_tasks', {
      input_path: root,
      where_expr: where,
      unique_by: 'bucket',
      perform_unload: false,
    });
    expect(created.body).toMatchObject({ status: 'in_progress', total_jobs: 1 });
    const task = await api.waitFor(created.body.task_id, ['counted'], 120_000);
    // The listing job, then a single count job.
    expect(task.total_jobs).toBe(2);
    expect(task.counts).toEqual(await expectedCounts(root, where));
    const rows = await duck<{ shard: bigint; u: bigint }>(
      `SELECT shard, count(DISTINCT bucket) FILTER (WHERE ${where}) AS u
       FROM read_parquet('${root}/**/*.parquet', hive_partitioning = true) GROUP BY shard`,
    );
    expect(task.unique_counts).toEqual(
      Object.fromEntries(rows.map((r) => [`shard=${r.shard}`, Number(r.u)])),
    );
    const [whole] = await duck<{ u: bigint }>(
      `SELECT count(DISTINCT bucket) AS u FROM read_parquet('${root}/**/*.parquet', hive_partitioning = true) WHERE ${where}`,
    );
    expect(task.unique_count).toBe(Number(whole!.u));
  });

  it('fail with input_layout_mixed when folders past the first 1,000 objects use another layout', async () => {
    const mixed = path.join(t.dataDir, 'mixed');
    fs.cpSync(root, mixed, { recursive: true });
    // Listed last (after every shard=…): the first page showed one layout, the whole input has two.
    fs.mkdirSync(path.join(mixed, 'zz-extra'));
    await duck(`COPY (SELECT 1 AS id, 1 AS bucket) TO '${mixed}/zz-extra/extra.parquet'`);
    const created = await api.post('/api/v1/generic_parquet_tasks', {
      input_path: mixed,
      perform_unload: false,
    });
    expect(created.status).toBe(202);
    const task = await api.waitFor(created.body.task_id, ['failed']);
    expect(task.error.code).toBe('input_layout_mixed');
    expect(task.error.message).toContain(mixed);
  });
});
