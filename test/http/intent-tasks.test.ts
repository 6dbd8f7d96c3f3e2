import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, expectedIntentCounts } from '../support/duck.ts';

let t: TestServer;
let account: Account;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  t = await startTestServer();
  account = await signUp(t.url);
  api = apiClient(t.url, account.apiKey);
});
afterAll(async () => t?.close());

const ALL_DAYS = ['2024-05-01', '20240502', '2024-05-03'];

async function treeValues(column: 'prefix'): Promise<string[]> {
  const rows = await duck<{ v: string }>(
    `SELECT DISTINCT ${column} AS v FROM read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true) ORDER BY 1`,
  );
  return rows.map((r) => r.v);
}

/** Rows of the exported files of one task, read back independently, as sorted JSON lines. */
async function exportedRows(files: Array<{ uri: string }>, columns: string): Promise<string[]> {
  if (files.length === 0) return [];
  const list = files.map((f) => `'${f.uri}'`).join(', ');
  const rows = await duck(
    `SELECT ${columns} FROM read_parquet([${list}], hive_partitioning = false) ORDER BY ALL`,
  );
  return rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

describe('intent tasks: count and export at once (default)', () => {
  it('counts every partition exactly and exports every selected row once', async () => {
    const prefixes = await treeValues('prefix');
    const where = "intent_score >= 60 AND country IN ('US', 'DE', 'GB')";
    const created = await api.post('/api/v1/intent_hive_tasks', {
      days: ALL_DAYS,
      topic_id_prefixes: prefixes,
      scores: ['low', 'medium', 'high'],
      where_expr: where,
      select: 'person_id, hem_sha256, intent_score, score',
    });
    expect(created.status).toBe(202);
    expect(created.headers.get('location')).toBe(`/api/v1/status/${created.body.task_id}`);
    expect(created.body.status).toBe('in_progress');
    expect(created.body.total_jobs).toBeGreaterThan(0);

    const task = await api.waitFor(created.body.task_id, ['completed']);
    const expected = await expectedIntentCounts(t.intentTree, where);
    const nonEmpty = Object.fromEntries(Object.entries(task.counts).filter(([, n]) => (n as number) > 0));
    expect(nonEmpty).toEqual(expected);
    expect(Object.keys(task.counts)).toHaveLength(3 * prefixes.length * 3);
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(task.total_count).toBe(total);
    expect(task.completed_jobs).toBe(task.total_jobs);
    expect(task.failed_jobs).toBe(0);
    expect(task.error).toBeNull();
    expect(task.completed_at).not.toBeNull();

    // Files: one folder per non-empty partition, under OUTPUT_PATH/{org}/{task}/{partition}/.
    expect(Object.keys(task.outputs).sort()).toEqual(Object.keys(expected).sort());
    for (const [partition, folder] of Object.entries(task.outputs)) {
      expect(folder).toBe(`${t.dataDir}/exports/${account.organizationId}/${task.task_id}/${partition}`);
    }
    let rows = 0;
    for (const file of task.files) {
      expect(fs.statSync(file.uri).size).toBe(file.size_bytes);
      const [meta] = await duck<{ n: bigint }>(
        `SELECT sum(num_rows) AS n FROM parquet_file_metadata('${file.uri}')`,
      );
      expect(Number(meta!.n)).toBe(file.rows);
      rows += file.rows;
    }
    expect(rows).toBe(total);
    expect(task.output_links).toEqual(task.files.map((f: { url: string }) => f.url));

    // Exactly the selected columns, and exactly the segment's rows, each once.
    // hive_partitioning = false: the columns inside the file, not the ones DuckDB infers from its path.
    const columns = (
      await duck<{ column_name: string }>(
        `DESCRIBE SELECT * FROM read_parquet('${task.files[0].uri}', hive_partitioning = false)`,
      )
    ).map((c) => c.column_name);
    expect(columns).toEqual(['person_id', 'hem_sha256', 'intent_score', 'score']);
    const got = await exportedRows(task.files, 'person_id, hem_sha256, intent_score, score');
    const want = (
      await duck(
        `SELECT person_id, hem_sha256, intent_score, score FROM read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true)
         WHERE ${where} ORDER BY ALL`,
      )
    ).map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    expect(got).toEqual(want);
  });

  it('treats score as ordered: >= medium means medium or high', async () => {
    const [prefix] = await treeValues('prefix');
    const created = await api.post('/api/v1/intent_hive_tasks', {
      days: ['2024-05-02'],
      topic_id_prefixes: [prefix],
      scores: ['low', 'medium', 'high'],
      where_expr: "score >= 'medium'",
      perform_unload: false,
    });
    expect(created.status).toBe(202);
    const task = await api.waitFor(created.body.task_id, ['counted']);
    const expected = await expectedIntentCounts(
      t.intentTree,
      `day = DATE '2024-05-02' AND prefix = '${prefix}'`,
    );
    const low = `day=2024-05-02/prefix=${prefix}/score=low`;
    expect(task.counts[low]).toBe(0);
    expect(task.counts[`day=2024-05-02/prefix=${prefix}/score=medium`]).toBe(
      expected[`day=2024-05-02/prefix=${prefix}/score=medium`],
    );
    expect(task.counts[`day=2024-05-02/prefix=${prefix}/score=high`]).toBe(
      expected[`day=2024-05-02/prefix=${prefix}/score=high`],
    );
    expect(expected[low]).toBeGreaterThan(0);
  });

  it('counts partitions without data as 0 instead of failing', async () => {
    const created = await api.post('/api/v1/intent_hive_tasks', {
      days: ['2023-01-01', '2024-05-01'],
      topic_id_prefixes: ['no_such_prefix'],
      scores: ['high'],
    });
    expect(created.status).toBe(202);
    const task = await api.waitFor(created.body.task_id, ['completed']);
    expect(task.counts).toEqual({
      'day=2023-01-01/prefix=no_such_prefix/score=high': 0,
      'day=2024-05-01/prefix=no_such_prefix/score=high': 0,
    });
    expect(task.total_count).toBe(0);
    expect(task.files).toEqual([]);
    expect(task.output_links).toEqual([]);
  });

  it('normalises the request: both day formats, duplicates dropped', async () => {
    const [prefix] = await treeValues('prefix');
    const created = await api.post('/api/v1/intent_hive_tasks', {
      days: ['20240503', '2024-05-01', '2024-05-03'],
      topic_id_prefixes: [prefix],
      scores: ['high'],
      perform_unload: false,
    });
    const task = await api.waitFor(created.body.task_id, ['counted']);
    expect(task.request.days).toEqual(['2024-05-01', '2024-05-03']);
    expect(task.request.perform_unload).toBe(false);
    const expected = await expectedIntentCounts(
      t.intentTree,
      `prefix = '${prefix}' AND score = 'high' AND day IN (DATE '2024-05-01', DATE '2024-05-03')`,
    );
    expect(task.counts).toEqual(expected);
  });
});
