import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLICE_BUCKETS } from '../../src/tasks/unique-slices.ts';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { downloadFiles } from '../support/downloads.ts';
import { duck, expectedIntentPeople, expectedIntentPeopleOn, intentPrefixes, json } from '../support/duck.ts';

/**
 * A sliced people export, or a saved audience's delta run, whose buckets are larger than one job
 * folds: each bucket's reduce and export jobs go through its people in hash passes, each pass
 * folding only the people whose hash falls in it. The bound is made small (a test seam) so that the test tree's buckets take several
 * passes; the figures and files are held to DuckDB folding the whole tree at once.
 */
let t: TestServer;
let api: ReturnType<typeof apiClient>;
let prefixes: string[];
let downloads: string;
type DownloadFiles = Array<Parameters<typeof downloadFiles>[0][number] & { partition: string }>;

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

const where = 'intent_score >= 20';
const DAYS = ['2024-05-01', '2024-05-02', '2024-05-03'];
/** People of every topic prefix and score with a score of 20+, seen on two prefixes or more. */
const people = () => ({
  topic_id_prefixes: prefixes,
  scores: ['low', 'medium', 'high'],
  where_expr: where,
  unique_by: 'person_id',
  output: 'people',
  min_topics: 2,
});

describe('a sliced people export or delta run whose buckets are larger than one pass folds', () => {
  it('counts and writes each person once, in several files per bucket, as DuckDB folds them', async () => {
    const created = await api.post('/api/v1/intent_hive_tasks', {
      days: DAYS,
      ...people(),
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

  it("keeps a sliced delta run's members pass by pass, and writes who joined as DuckDB folds them", async () => {
    const created = await api.post('/api/v1/audiences', {
      name: 'Passes',
      kind: 'intent',
      definition: people(),
      window: { last_days: 2 },
      delivery: { mode: 'delta' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.audience_id;
    /** The audience's people over the last `n` days, as DuckDB folds them. */
    const peopleOver = (n: number) =>
      expectedIntentPeopleOn(t.intentTree, DAYS.slice(-n), where, 'HAVING count(DISTINCT prefix) >= 2');
    const read = async (files: DownloadFiles, columns: string) => {
      if (files.length === 0) return [];
      const copies = await downloadFiles(files, downloads);
      const exported = `read_parquet([${copies.map((c) => `'${c}'`).join(', ')}], hive_partitioning = false)`;
      return duck(`SELECT ${columns} FROM ${exported} ORDER BY person_id`);
    };
    const run = async () => {
      const started = await api.post(`/api/v1/audiences/${id}/runs`);
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      return api.waitFor(started.body.task_id, ['completed'], 120_000);
    };
    // Two days, then three (people join): both runs sliced, their members and who joined written
    // pass by pass. (Who left is an anti-join of two members files, with no pass: the task suite
    // checks it in sliced runs.)
    let before: string[] = [];
    for (const [i, n] of [2, 3].entries()) {
      if (i > 0) {
        const changed = await api.patch(`/api/v1/audiences/${id}`, { window: { last_days: n } });
        expect(changed.status).toBe(200);
      }
      const done = await run();
      // Sliced: a reduce job and an export job per bucket.
      expect(done.total_jobs).toBeGreaterThan(2 * SLICE_BUCKETS);
      const want = await peopleOver(n);
      const now = want.map((row) => String(row.person_id));
      const joined = now.filter((p) => !before.includes(p));
      const left = before.filter((p) => !now.includes(p));
      if (i > 0) expect(joined.length).toBeGreaterThan(0);
      expect(done.delta).toMatchObject({
        members: now.length,
        added: joined.length,
        removed: left.length,
        kept: now.length - joined.length,
      });
      // Every person who joined, with their folded row, in a file per pass; every leaver once.
      const list = (name: string) => (done.files as DownloadFiles).filter((f) => f.partition === name);
      expect((await read(list('added'), '*')).map(json)).toEqual(
        want.filter((row) => joined.includes(String(row.person_id))).map(json),
      );
      if (joined.length > 0) {
        expect(list('added').some((f) => /\/bucket=\d+\/data_\d+_\d+\.parquet$/.test(f.uri!))).toBe(true);
      }
      const leavers = (await read(list('removed'), 'person_id')).map((row) => String(row.person_id));
      expect(leavers.sort()).toEqual(left.sort());
      before = now;
    }
    // Two sliced runs of many passes each: about 20 s alone, more beside other suites.
  }, 180_000);
});
