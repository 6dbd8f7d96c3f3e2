import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Account, apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, intentPrefixes } from '../support/duck.ts';
import { type S3Server, startS3 } from '../support/s3.ts';

const INTENT = '/api/v1/intent_hive_tasks';
const GENERIC = '/api/v1/generic_parquet_tasks';
const DAYS = ['2024-05-01', '2024-05-02', '2024-05-03'];
const SCORES = ['low', 'medium', 'high'];

/**
 * Files, bytes (from fs.stat), footer rows and count(*) of the Parquet files in some partition
 * folders of a tree (`.`: all of it), by DuckDB.
 */
async function footerTotals(localTree: string, folders: string[]) {
  const wanted = new Set(folders);
  const folderOf = (file: string) => path.relative(localTree, path.dirname(file));
  const files = (await duck<{ file: string }>(`SELECT file FROM glob('${localTree}/**/*.parquet')`))
    .map((row) => row.file)
    .filter((file) => wanted.has('.') || wanted.has(folderOf(file)));
  if (files.length === 0) return { files: 0, bytes: 0, rows: 0, counted: 0, folders: [] };
  const list = files.map((file) => `'${file}'`).join(', ');
  const [footers] = await duck<{ n: bigint }>(
    `SELECT sum(num_rows) AS n FROM parquet_file_metadata([${list}])`,
  );
  const [counted] = await duck<{ n: bigint }>(`SELECT count(*) AS n FROM read_parquet([${list}])`);
  return {
    files: files.length,
    bytes: files.reduce((sum, file) => sum + fs.statSync(file).size, 0),
    rows: Number(footers!.n),
    counted: Number(counted!.n),
    folders: [...new Set(files.map(folderOf))].sort(),
  };
}

describe('estimates over a local tree', () => {
  let t: TestServer;
  let account: Account;
  let api: ReturnType<typeof apiClient>;
  let prefixes: string[];
  const tree = inject('intentTree');

  beforeAll(async () => {
    t = await startTestServer();
    account = await signUp(t.url);
    api = apiClient(t.url, account.apiKey);
    prefixes = await intentPrefixes(tree);
  });
  afterAll(async () => t?.close());

  it('intent: partitions, files, bytes and rows of every requested partition, and the missing ones', async () => {
    // Every day, prefix and score of the tree, plus a day and a prefix that hold nothing.
    const days = [...DAYS, '2024-05-20'];
    const topics = [...prefixes, 'zz_absent'];
    const reply = await api.post(`${INTENT}/estimate`, {
      days,
      topic_id_prefixes: topics,
      scores: SCORES,
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);

    const requested = days.flatMap((day) =>
      topics.flatMap((prefix) => SCORES.map((score) => `day=${day}/prefix=${prefix}/score=${score}`)),
    );
    const expected = await footerTotals(tree, requested);
    expect(expected.rows).toBe(expected.counted);
    expect(expected.rows).toBe(300_000);
    const missing = requested.filter((partition) => !expected.folders.includes(partition));
    expect(reply.body).toEqual({
      partitions: requested.length,
      partitions_with_data: expected.folders.length,
      missing_partitions: missing,
      missing_partitions_truncated: false,
      files: expected.files,
      bytes: expected.bytes,
      rows: expected.rows,
      rows_exact: true,
      // The day and the prefix that hold nothing, each named.
      warnings: [
        expect.objectContaining({ code: 'no_data', field: 'days', values: ['2024-05-20'] }),
        expect.objectContaining({ code: 'no_data', field: 'topic_id_prefixes', values: ['zz_absent'] }),
      ],
    });
    expect(missing).toHaveLength(requested.length - 36);
  });

  it('intent with where_expr: the same footer rows, as an upper bound of the filtered count', async () => {
    const where = "intent_score >= 60 AND country = 'US'";
    const body = { days: ['2024-05-02'], topic_id_prefixes: [prefixes[0]], scores: ['medium', 'high'] };
    const plain = await api.post(`${INTENT}/estimate`, body);
    const filtered = await api.post(`${INTENT}/estimate`, { ...body, where_expr: where });
    expect(filtered.status).toBe(200);
    const folders = body.scores.map((score) => `day=2024-05-02/prefix=${prefixes[0]}/score=${score}`);
    const expected = await footerTotals(tree, folders);
    expect(filtered.body).toEqual({ ...plain.body, rows_exact: false });
    expect(filtered.body.rows).toBe(expected.rows);
    const [matching] = await duck<{ n: bigint }>(
      `SELECT count(*) AS n FROM read_parquet([${folders.map((f) => `'${tree}/${f}/*.parquet'`).join(', ')}]) WHERE ${where}`,
    );
    expect(Number(matching!.n)).toBeGreaterThan(0);
    expect(Number(matching!.n)).toBeLessThan(filtered.body.rows);
  });

  it('intent with limit: rows stay the footer sum, exact without where_expr', async () => {
    const body = { days: ['2024-05-01'], topic_id_prefixes: prefixes, scores: ['high'] };
    const plain = await api.post(`${INTENT}/estimate`, body);
    const limited = await api.post(`${INTENT}/estimate`, { ...body, limit: 10 });
    expect(limited.status).toBe(200);
    expect(limited.body).toEqual(plain.body);
    expect(limited.body.rows_exact).toBe(true);
    expect(limited.body.rows).toBe(
      (
        await footerTotals(
          tree,
          prefixes.map((p) => `day=2024-05-01/prefix=${p}/score=high`),
        )
      ).rows,
    );
  });

  it('names the first 100 missing partitions and says there are more', async () => {
    const topics = Array.from({ length: 40 }, (_, i) => `zz_absent_${String(i).padStart(2, '0')}`);
    const reply = await api.post(`${INTENT}/estimate`, {
      days: ['2024-05-01'],
      topic_id_prefixes: [prefixes[0], ...topics],
      scores: SCORES,
    });
    expect(reply.status).toBe(200);
    const missing = topics.flatMap((p) => SCORES.map((s) => `day=2024-05-01/prefix=${p}/score=${s}`));
    expect(reply.body.partitions).toBe(123);
    expect(reply.body.partitions_with_data).toBe(3);
    expect(reply.body.missing_partitions).toEqual(missing.slice(0, 100));
    expect(reply.body.missing_partitions_truncated).toBe(true);
  });

  it('generic: every folder found is a partition, none missing', async () => {
    const input = path.join(tree, 'day=2024-05-03');
    const reply = await api.post(`${GENERIC}/estimate`, { input_path: input });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const expected = await footerTotals(input, ['.']);
    expect(expected.rows).toBe(expected.counted);
    expect(reply.body).toEqual({
      partitions: expected.folders.length,
      partitions_with_data: expected.folders.length,
      missing_partitions: [],
      missing_partitions_truncated: false,
      files: expected.files,
      bytes: expected.bytes,
      rows: expected.rows,
      rows_exact: true,
    });
    expect(expected.folders).toHaveLength(prefixes.length * 3);
  });

  it('answers the same 400 as a create, field by field, for every invalid body', async () => {
    const intent = { days: ['2024-05-01'], topic_id_prefixes: [prefixes[0]], scores: ['high'] };
    const cases: Array<[string, Record<string, unknown>]> = [
      [INTENT, { ...intent, days: ['2024-13-45'] }],
      [INTENT, { ...intent, scores: ['urgent'] }],
      [INTENT, { ...intent, topic_id_prefixes: ['../etc'] }],
      [INTENT, { ...intent, days: [] }],
      [INTENT, { ...intent, colour: 'red' }],
      [INTENT, { ...intent, where_expr: 'no_such_column > 1' }],
      [INTENT, { ...intent, where_expr: 'intent_score > 1; DROP TABLE t' }],
      [INTENT, { ...intent, select: 'person_id, read_csv(1)' }],
      [INTENT, { ...intent, limit: 5, perform_unload: false }],
      [INTENT, { ...intent, input_path: '/etc' }],
      // 7,000 prefixes × 3 scores: more partitions than a task may cover.
      [
        INTENT,
        { ...intent, scores: SCORES, topic_id_prefixes: Array.from({ length: 7000 }, (_, i) => `p${i}`) },
      ],
      [GENERIC, { input_path: '/etc' }],
      [GENERIC, { input_path: path.join(t.dataDir, 'nothing-here') }],
      [GENERIC, { input_path: tree, where_expr: 'sleep(1)' }],
      [GENERIC, {}],
    ];
    for (const [route, body] of cases) {
      const created = await api.post(route, body);
      const estimated = await api.post(`${route}/estimate`, body);
      expect(created.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(created.status, JSON.stringify(body)).toBeLessThan(500);
      expect(estimated.status, JSON.stringify(body)).toBe(created.status);
      expect(estimated.headers.get('content-type')).toContain('application/problem+json');
      expect(estimated.body).toEqual(created.body);
    }
  });

  it('stores nothing: no task appears in the list', async () => {
    const list = await api.get('/api/v1/status');
    expect(list.status).toBe(200);
    expect(list.body.tasks).toEqual([]);
  });

  it('a file that is not Parquet is a 400 naming it', async () => {
    const folder = path.join(t.dataDir, 'broken');
    fs.mkdirSync(folder, { recursive: true });
    fs.copyFileSync(
      path.join(tree, 'day=2024-05-01', `prefix=${prefixes[0]}`, 'score=high', 'data_0.parquet'),
      path.join(folder, 'a.parquet'),
    );
    fs.writeFileSync(path.join(folder, 'b.parquet'), 'not parquet at all, just text');
    const reply = await api.post(`${GENERIC}/estimate`, { input_path: folder });
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('input_unreadable');
    expect(reply.body.errors).toEqual([
      { field: 'input_path', message: expect.stringContaining('b.parquet') },
    ]);
  });
});

describe('estimates over S3 and GCS trees', () => {
  let s3: S3Server;
  let t: TestServer;
  let api: ReturnType<typeof apiClient>;
  let prefixes: string[];
  const tree = inject('intentTree');

  beforeAll(async () => {
    s3 = await startS3();
    for (const bucket of ['estimate', 'gcs-estimate']) await s3.createBucket(bucket);
    await s3.uploadTree(tree, 'estimate', 'intent');
    await s3.uploadTree(tree, 'gcs-estimate', 'data');
    t = await startTestServer({
      ...s3.env,
      INTENT_INPUT_PATH: 's3://estimate/intent',
      INPUT_BUCKETS: 's3://estimate,gs://gcs-estimate',
    });
    api = apiClient(t.url, (await signUp(t.url)).apiKey);
    prefixes = await intentPrefixes(tree);
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  it('intent over S3: footer sums by ranged reads, and a repeated estimate reads no footer', async () => {
    const body = { days: DAYS, topic_id_prefixes: prefixes, scores: SCORES };
    const metrics = t.server.objectStorage.s3!.metrics;
    const before = metrics.bytesDownloaded;
    const first = await api.post(`${INTENT}/estimate`, body);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const expected = await footerTotals(tree, ['.']);
    expect(first.body).toMatchObject({
      partitions: 36,
      partitions_with_data: 36,
      missing_partitions: [],
      files: expected.files,
      bytes: expected.bytes,
      rows: expected.rows,
      rows_exact: true,
    });
    const footerBytes = metrics.bytesDownloaded - before;
    expect(footerBytes).toBeGreaterThan(0);
    expect(footerBytes).toBeLessThan(expected.bytes / 10);

    const again = metrics.bytesDownloaded;
    expect((await api.post(`${INTENT}/estimate`, body)).body).toEqual(first.body);
    expect(metrics.bytesDownloaded).toBe(again);
  });

  it('generic over GCS: every folder found, footer sums', async () => {
    const reply = await api.post(`${GENERIC}/estimate`, {
      input_path: 'gs://gcs-estimate/data/day=2024-05-02',
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const expected = await footerTotals(path.join(tree, 'day=2024-05-02'), ['.']);
    expect(reply.body).toEqual({
      partitions: expected.folders.length,
      partitions_with_data: expected.folders.length,
      missing_partitions: [],
      missing_partitions_truncated: false,
      files: expected.files,
      bytes: expected.bytes,
      rows: expected.rows,
      rows_exact: true,
    });
  });

  it('a bucket that is not allowed gets the same 400 as a create', async () => {
    const body = { input_path: 's3://elsewhere/data' };
    const created = await api.post(GENERIC, body);
    const estimated = await api.post(`${GENERIC}/estimate`, body);
    expect(created.status).toBe(400);
    expect(estimated.status).toBe(400);
    expect(estimated.body).toEqual(created.body);
  });
});
