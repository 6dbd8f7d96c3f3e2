import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, expectedBreakdown } from '../support/duck.ts';

/**
 * unique_by and breakdown_by over a generic tree made for them: NULLs in both columns, more than 50
 * values with tied counts, and people who recur across partitions.
 */
let t: TestServer;
let api: ReturnType<typeof apiClient>;
let root: string;
let relation: string;

const GENERIC = '/api/v1/generic_parquet_tasks';

beforeAll(async () => {
  t = await startTestServer();
  api = apiClient(t.url, (await signUp(t.url)).apiKey);
  root = path.join(t.dataDir, 'people');
  // 3 partitions; person NULL on every 17th row, tier NULL on every 11th, 80 other tiers.
  await duck(
    `COPY (SELECT range AS id, range % 3 AS region,
             CASE WHEN range % 17 = 0 THEN NULL ELSE range % 700 END AS person,
             CASE WHEN range % 11 = 0 THEN NULL ELSE 'v' || lpad((range % 80)::VARCHAR, 2, '0') END AS tier,
             range % 7 AS bucket
           FROM range(6000))
     TO '${root}' (FORMAT parquet, PARTITION_BY (region))`,
  );
  relation = `read_parquet('${root}/**/*.parquet', hive_partitioning = true)`;
});
afterAll(async () => t?.close());

async function expectedUniques(column: string, where: string) {
  const rows = await duck<{ region: bigint; u: bigint }>(
    `SELECT region, count(DISTINCT "${column}") AS u FROM ${relation} WHERE ${where} GROUP BY ALL`,
  );
  const [whole] = await duck<{ u: bigint }>(
    `SELECT count(DISTINCT "${column}") AS u FROM ${relation} WHERE ${where}`,
  );
  return {
    whole: Number(whole!.u),
    perPartition: Object.fromEntries(rows.map((r) => [`region=${r.region}`, Number(r.u)])),
  };
}

describe('unique_by and breakdown_by on a generic tree', () => {
  it('counts distinct non-NULL values exactly and shows NULL as a value of its own', async () => {
    const where = 'id >= 100';
    const created = await api.post(GENERIC, {
      input_path: root,
      where_expr: where,
      unique_by: 'person',
      breakdown_by: ['tier', 'bucket'],
      perform_unload: false,
    });
    expect(created.status).toBe(202);
    const task = await api.waitFor(created.body.task_id, ['counted']);
    expect(task.total_jobs).toBe(1);
    const uniques = await expectedUniques('person', where);
    expect(task.unique_count).toBe(uniques.whole);
    expect(task.unique_counts).toEqual(uniques.perPartition);
    expect(Object.keys(task.unique_counts)).toEqual(['region=0', 'region=1', 'region=2']);

    const tiers = await expectedBreakdown(relation, where, 'tier', 'person');
    expect(task.breakdowns.tier).toEqual(tiers);
    // NULL is the most frequent tier; with 80 named tiers besides, 50 are listed, then the rest as one.
    expect(task.breakdowns.tier[0]).toMatchObject({ value: null });
    expect(task.breakdowns.tier).toHaveLength(51);
    expect(task.breakdowns.tier[50]).toMatchObject({ value: '(other)' });
    // Ties are broken by value: the listed tiers of one count come in ascending order.
    const listed = task.breakdowns.tier.slice(1, 50) as Array<{ value: string; count: number }>;
    for (let i = 1; i < listed.length; i++) {
      const [a, b] = [listed[i - 1]!, listed[i]!];
      expect(a.count > b.count || (a.count === b.count && a.value < b.value)).toBe(true);
    }
    expect(task.breakdowns.bucket).toEqual(await expectedBreakdown(relation, where, 'bucket', 'person'));
    expect(task.breakdowns.bucket.map((e: { value: unknown }) => typeof e.value)).toEqual(
      Array(7).fill('number'),
    );
  });

  it('breaks down without unique_by: counts only, and no distinct figures', async () => {
    const created = await api.post(GENERIC, {
      input_path: root,
      breakdown_by: ['bucket'],
      perform_unload: false,
    });
    const task = await api.waitFor(created.body.task_id, ['counted']);
    expect(task.unique_count).toBeNull();
    expect(task.unique_counts).toBeNull();
    expect(task.breakdowns).toEqual({ bucket: await expectedBreakdown(relation, 'true', 'bucket') });
    expect(task.breakdowns.bucket[0]).not.toHaveProperty('unique_count');
    expect(task.request).toMatchObject({ unique_by: null, breakdown_by: ['bucket'] });
  });

  it('takes a partition column as unique_by, and names columns as the files spell them', async () => {
    const created = await api.post(GENERIC, { input_path: root, unique_by: 'REGION', perform_unload: false });
    expect(created.status).toBe(202);
    const task = await api.waitFor(created.body.task_id, ['counted']);
    expect(task.request.unique_by).toBe('region');
    expect(task.unique_count).toBe(3);
    expect(task.unique_counts).toEqual({ 'region=0': 1, 'region=1': 1, 'region=2': 1 });
  });

  it('exports one row per non-NULL person, taken from one of their rows, without latest_by', async () => {
    const where = 'bucket < 5';
    const created = await api.post(GENERIC, {
      input_path: root,
      where_expr: where,
      select: 'tier, bucket, id',
      unique_by: 'person',
      output: 'people',
    });
    expect(created.status).toBe(202);
    const task = await api.waitFor(created.body.task_id, ['completed']);
    const [expected] = await duck<{ u: bigint }>(
      `SELECT count(DISTINCT person) AS u FROM ${relation} WHERE ${where}`,
    );
    expect(task.counts).toEqual({ people: Number(expected!.u) });
    expect(task.unique_count).toBe(Number(expected!.u));
    const files = task.files.map((f: { uri: string }) => `'${f.uri}'`).join(', ');
    const exported = `read_parquet([${files}], hive_partitioning = false)`;
    const columns = await duck<{ column_name: string }>(`DESCRIBE SELECT * FROM ${exported}`);
    expect(columns.map((c) => c.column_name)).toEqual(['person', 'tier', 'bucket', 'id']);
    // Each row is one whole row of its person's: every column from the same source row.
    const [check] = await duck<{ n: bigint; people: bigint; matched: bigint }>(
      `SELECT count(*) AS n, count(DISTINCT e.person) AS people,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ${relation} r WHERE ${where} AND r.id = e.id
                AND r.person = e.person AND r.tier IS NOT DISTINCT FROM e.tier AND r.bucket = e.bucket)) AS matched
       FROM ${exported} e`,
    );
    expect(Number(check!.n)).toBe(Number(expected!.u));
    expect(Number(check!.people)).toBe(Number(expected!.u));
    expect(Number(check!.matched)).toBe(Number(expected!.u));
  });

  it('has no figures without unique_by and breakdown_by', async () => {
    const created = await api.post(GENERIC, { input_path: root, perform_unload: false });
    const task = await api.waitFor(created.body.task_id, ['counted']);
    expect(task).toMatchObject({ unique_count: null, unique_counts: null, breakdowns: null });
    expect(task.request).toMatchObject({ unique_by: null, breakdown_by: null });
  });
});
