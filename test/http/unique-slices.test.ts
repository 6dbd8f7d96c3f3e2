import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLICE_BUCKETS } from '../../src/tasks/unique-slices.ts';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck } from '../support/duck.ts';

/**
 * Hash-sliced unique counts, forced on by a small job budget: UNIQUE_JOB_MAX_BYTES=4MB lets a
 * unique count's job read 4 MB, and the shared test tree (about 11 MB over 36 partitions) splits
 * into several count jobs, each of which writes its people by hash bucket for the reduce jobs.
 * Every figure is held to an independent DuckDB query over the tree.
 */
let t: TestServer;
let api: ReturnType<typeof apiClient>;
let organizationId: string;
let relation: string;
const ALL = {
  days: ['2024-05-01', '2024-05-02', '2024-05-03'],
  scores: ['low', 'medium', 'high'],
};
let prefixes: string[];

beforeAll(async () => {
  t = await startTestServer({ JOB_MAX_BYTES: '1MB', UNIQUE_JOB_MAX_BYTES: '4MB' });
  const account = await signUp(t.url);
  organizationId = account.organizationId;
  api = apiClient(t.url, account.apiKey);
  relation = `read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true)`;
  const rows = await duck<{ prefix: string }>(`SELECT DISTINCT prefix FROM ${relation} ORDER BY 1`);
  prefixes = rows.map((row) => String(row.prefix));
});
afterAll(async () => t?.close());

/** The task's jobs by phase, as the server's SQLite file holds them (read on its own connection). */
function jobsByPhase(taskId: string): Record<string, number> {
  const db = new Database(path.join(t.dataDir, 'audiences.sqlite'), { readonly: true });
  try {
    const rows = db
      .prepare('SELECT phase, count(*) AS n FROM jobs WHERE task_id = ? GROUP BY phase')
      .all(taskId) as Array<{ phase: string; n: number }>;
    return Object.fromEntries(rows.map((row) => [row.phase, row.n]));
  } finally {
    db.close();
  }
}

async function expected(column: string, where: string) {
  const partition = `'day=' || day || '/prefix=' || prefix || '/score=' || score`;
  const rows = await duck<{ p: string; n: bigint; u: bigint }>(
    `SELECT ${partition} AS p, count(*) AS n, count(DISTINCT "${column}") AS u FROM ${relation} WHERE ${where} GROUP BY ALL`,
  );
  const [whole] = await duck<{ u: bigint }>(
    `SELECT count(DISTINCT "${column}") AS u FROM ${relation} WHERE ${where}`,
  );
  return {
    counts: Object.fromEntries(rows.map((row) => [row.p, Number(row.n)])),
    uniques: Object.fromEntries(rows.map((row) => [row.p, Number(row.u)])),
    whole: Number(whole!.u),
  };
}

function nonZero(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).filter(([, n]) => n > 0));
}

describe('a unique count larger than one job', () => {
  it('runs as count jobs and one reduce job per hash bucket, and counts people exactly', async () => {
    const where = 'intent_score >= 50';
    const id = await api.createIntentTask({
      ...ALL,
      topic_id_prefixes: prefixes,
      where_expr: where,
      unique_by: 'person_id',
      perform_unload: false,
    });
    const task = await api.waitFor(id, ['counted']);
    const jobs = jobsByPhase(id);
    expect(jobs.count).toBeGreaterThanOrEqual(2);
    expect(jobs.reduce).toBe(SLICE_BUCKETS);
    expect(task.total_jobs).toBe(jobs.count! + SLICE_BUCKETS);
    const want = await expected('person_id', where);
    expect(nonZero(task.counts)).toEqual(want.counts);
    expect(task.unique_count).toBe(want.whole);
    expect(nonZero(task.unique_counts)).toEqual(nonZero(want.uniques));
    // People recur across partitions: the whole segment's people are fewer than the partitions' sum.
    const sum = Object.values(want.uniques).reduce((a, b) => a + b, 0);
    expect(want.whole).toBeLessThan(sum);
    // The people written by bucket are gone once the count ended.
    expect(fs.existsSync(path.join(t.dataDir, 'exports', '.slices', organizationId, id))).toBe(false);
  });

  it('counts another column without a filter, and exports after the reduce step', async () => {
    const id = await api.createIntentTask({
      ...ALL,
      topic_id_prefixes: prefixes,
      unique_by: 'hem_sha256',
      perform_unload: true,
    });
    const task = await api.waitFor(id, ['completed'], 120_000);
    expect(jobsByPhase(id).reduce).toBe(SLICE_BUCKETS);
    const want = await expected('hem_sha256', 'true');
    expect(task.unique_count).toBe(want.whole);
    expect(nonZero(task.counts)).toEqual(want.counts);
    const rows: Record<string, number> = {};
    for (const file of task.files as Array<{ partition: string; rows: number }>)
      rows[file.partition] = (rows[file.partition] ?? 0) + file.rows;
    expect(rows).toEqual(want.counts);
  });

  it('a unique count one job can read has no reduce step', async () => {
    const where = 'intent_score >= 50';
    const id = await api.createIntentTask({
      days: ['2024-05-01'],
      topic_id_prefixes: [prefixes[0]!],
      scores: ['high'],
      where_expr: where,
      unique_by: 'person_id',
      perform_unload: false,
    });
    const task = await api.waitFor(id, ['counted']);
    expect(jobsByPhase(id)).toEqual({ count: 1 });
    const want = await expected(
      'person_id',
      `${where} AND day = '2024-05-01' AND prefix = '${prefixes[0]}' AND score = 'high'`,
    );
    expect(task.unique_count).toBe(want.whole);
  });
});
