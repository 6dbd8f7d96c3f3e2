import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { downloadFiles } from '../support/downloads.ts';
import { duck, expectedIntentPeople, intentPrefixes, json } from '../support/duck.ts';

/**
 * A sliced people export whose buckets are larger than one job folds: each bucket's reduce and
 * export jobs go through its people in hash passes, each pass folding only the people whose hash
 * falls in it. The bound is made small (a test seam) so that the test tree's buckets take several
 * passes; the figures and files are held to DuckDB folding the whole tree at once.
 */
let t: TestServer;
let api: ReturnType<typeof apiClient>;
let prefixes: string[];
let downloads: string;

beforeAll(async () => {
  t = await startTestServer(
    { JOB_MAX_BYTES: '1MB', UNIQUE_JOB_MAX_BYTES: '4MB' },
    { jobs: { bucketPassBytes: 20_000 } },
  );
  api = apiClient(t.url, (await signUp(t.url)).apiKey);
  prefixes = await intentPrefixes(t.intentTree);
  downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-bucket-passes-'));
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(downloads, { recursive: true, force: true });
});

describe('a people export whose buckets are larger than one pass folds', () => {
  it('counts and writes each person once, in several files per bucket, as DuckDB folds them', async () => {
    const where = 'intent_score >= 20';
    const created = await api.post('/api/v1/intent_hive_tasks', {
      days: ['2024-05-01', '2024-05-02', '2024-05-03'],
      topic_id_prefixes: prefixes,
      scores: ['low', 'medium', 'high'],
      where_expr: where,
      unique_by: 'person_id',
      output: 'people',
      min_topics: 2,
      min_days: 2,
    });
    expect(created.status).toBe(202);
    const done = await api.waitFor(created.body.task_id, ['completed'], 120_000);
    const want = await expectedIntentPeople(
      t.intentTree,
      where,
      'HAVING count(DISTINCT prefix) >= 2 AND count(DISTINCT day) >= 2',
    );
    expect(want.length).toBeGreaterThan(100);
    expect(done.counts).toEqual({ people: want.length });

    // Several passes per bucket: a bucket's folder holds one file per pass with people in it.
    const byBucket = new Map<string, string[]>();
    for (const file of done.files as Array<{ uri: string }>) {
      const [bucket, name] = file.uri.split('/').slice(-2) as [string, string];
      expect(bucket).toMatch(/^bucket=\d+$/);
      expect(name).toMatch(/^data_\d+_\d+\.parquet$/);
      byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), name]);
    }
    expect(byBucket.size).toBeGreaterThan(1);
    expect(Math.max(...[...byBucket.values()].map((names) => names.length))).toBeGreaterThan(1);

    const copies = await downloadFiles(done.files, downloads);
    const exported = `read_parquet([${copies.map((c) => `'${c}'`).join(', ')}], hive_partitioning = false)`;
    const got = await duck(`SELECT * FROM ${exported} ORDER BY person_id`);
    expect(got.map(json)).toEqual(want.map(json));
  });
});
