import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, apiClient, signUp } from './api.ts';
import { downloadFiles } from './downloads.ts';
import { duck, expectedIntentCounts, intentPrefixes } from './duck.ts';

/** What the suite needs of the service under test: one process or a deployment of several. */
export interface SuiteServer {
  url: string;
  dataDir: string;
  intentTree: string;
  close(): Promise<void>;
}

export interface SuiteTarget {
  /** Starts the service under test, configured for this storage combination and mode. */
  start(): Promise<SuiteServer>;
  /** Root the exports land under (`OUTPUT_PATH`), to check where files went. */
  outputRoot(t: SuiteServer): string;
  /** A local copy of the intent tree the server reads, for independent DuckDB answers. */
  localTree(t: SuiteServer): string;
  /**
   * The service's JOB_MAX_BYTES when it is small enough to split jobs over the test tree: an export
   * over the whole tree ends with more jobs than it was planned with.
   */
  jobMaxBytes?: number;
}

const ALL_DAYS = ['2024-05-01', '20240502', '2024-05-03'];
const json = (row: unknown) => JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

/**
 * The core task suite, run over every storage combination (local, S3, GCS): counts and exports are
 * checked against an independent DuckDB query, and exported files are fetched through the links the
 * API hands out, exactly as a client would.
 */
export function taskSuite(name: string, target: SuiteTarget): void {
  describe(name, () => {
    let t: SuiteServer;
    let account: Account;
    let api: ReturnType<typeof apiClient>;
    let tree: string;
    let prefixes: string[];
    let downloads: string;

    beforeAll(async () => {
      t = await target.start();
      tree = target.localTree(t);
      account = await signUp(t.url);
      api = apiClient(t.url, account.apiKey);
      prefixes = await intentPrefixes(tree);
      downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-downloads-'));
    });
    afterAll(async () => {
      await t?.close();
      fs.rmSync(downloads, { recursive: true, force: true });
    });

    const download = (files: Parameters<typeof downloadFiles>[0]) => downloadFiles(files, downloads);

    // Only where jobs split: elsewhere the test is not defined at all (no skipped test).
    const whereJobsSplit = target.jobMaxBytes ? it : () => undefined;
    whereJobsSplit(
      "splits a filtered count into jobs of four times an export job's input bytes",
      async () => {
        const files = fs.readdirSync(tree, { recursive: true, encoding: 'utf8' });
        const bytes = files
          .filter((file) => file.endsWith('.parquet'))
          .reduce((sum, file) => sum + fs.statSync(path.join(tree, file)).size, 0);
        const created = await api.post('/api/v1/intent_hive_tasks', {
          days: ALL_DAYS,
          topic_id_prefixes: prefixes,
          scores: ['low', 'medium', 'high'],
          where_expr: 'intent_score >= 60',
          perform_unload: false,
        });
        expect(created.status).toBe(202);
        const task = await api.waitFor(created.body.task_id, ['counted']);
        const bound = target.jobMaxBytes!;
        // At least one job per 4 × JOB_MAX_BYTES, fewer than one per JOB_MAX_BYTES (an export's).
        expect(task.total_jobs).toBeGreaterThanOrEqual(Math.ceil(bytes / (4 * bound)));
        expect(task.total_jobs).toBeLessThan(Math.ceil(bytes / bound));
        expect(task.total_count).toBe(
          Object.values(await expectedIntentCounts(tree, 'intent_score >= 60')).reduce((a, b) => a + b, 0),
        );
      },
    );

    it('counts every partition exactly and exports every selected row once', async () => {
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
      // A task that exports is not counted first: one pass writes the files, and their rows are the counts.
      expect(created.body.status).toBe('unloading');
      expect(created.body.total_jobs).toBeGreaterThan(0);

      const task = await api.waitFor(created.body.task_id, ['completed']);
      if (target.jobMaxBytes) expect(task.total_jobs).toBeGreaterThan(created.body.total_jobs);
      else expect(task.total_jobs).toBe(created.body.total_jobs);
      const expected = await expectedIntentCounts(tree, where);
      const nonEmpty = Object.fromEntries(Object.entries(task.counts).filter(([, n]) => (n as number) > 0));
      expect(nonEmpty).toEqual(expected);
      expect(Object.keys(task.counts)).toHaveLength(3 * prefixes.length * 3);
      const total = Object.values(expected).reduce((a, b) => a + b, 0);
      expect(task.total_count).toBe(total);
      expect(task.completed_jobs).toBe(task.total_jobs);
      expect(task.failed_jobs).toBe(0);
      expect(task.error).toBeNull();
      expect(task.completed_at).not.toBeNull();

      // One folder per non-empty partition, under OUTPUT_PATH/{org}/{task}/{partition}/.
      expect(Object.keys(task.outputs).sort()).toEqual(Object.keys(expected).sort());
      for (const [partition, folder] of Object.entries(task.outputs)) {
        expect(folder).toBe(`${target.outputRoot(t)}/${account.organizationId}/${task.task_id}/${partition}`);
      }
      expect(task.output_links).toEqual(task.files.map((f: { url: string }) => f.url));
      expect(task.files.reduce((sum: number, f: { rows: number }) => sum + f.rows, 0)).toBe(total);

      // Exactly the selected columns, and exactly the segment's rows, each once.
      const copies = await download(task.files);
      const columns = (
        await duck<{ column_name: string }>(
          `DESCRIBE SELECT * FROM read_parquet('${copies[0]}', hive_partitioning = false)`,
        )
      ).map((c) => c.column_name);
      expect(columns).toEqual(['person_id', 'hem_sha256', 'intent_score', 'score']);
      // Snappy by default: the codec every Parquet reader knows.
      const codecs = await duck<{ codec: string }>(
        `SELECT DISTINCT compression AS codec FROM parquet_metadata([${copies.map((c) => `'${c}'`).join(', ')}])`,
      );
      expect(codecs.map((c) => c.codec)).toEqual(['SNAPPY']);
      const got = (
        await duck(
          `SELECT * FROM read_parquet([${copies.map((c) => `'${c}'`).join(', ')}], hive_partitioning = false) ORDER BY ALL`,
        )
      ).map(json);
      const want = (
        await duck(
          `SELECT person_id, hem_sha256, intent_score, score
           FROM read_parquet('${tree}/**/*.parquet', hive_partitioning = true) WHERE ${where} ORDER BY ALL`,
        )
      ).map(json);
      expect(got).toEqual(want);
    });

    it('treats score as ordered: >= medium means medium or high', async () => {
      const [prefix] = prefixes;
      const created = await api.post('/api/v1/intent_hive_tasks', {
        days: ['2024-05-02'],
        topic_id_prefixes: [prefix],
        scores: ['low', 'medium', 'high'],
        where_expr: "score >= 'medium'",
        perform_unload: false,
      });
      expect(created.status).toBe(202);
      const task = await api.waitFor(created.body.task_id, ['counted']);
      const expected = await expectedIntentCounts(tree, `day = DATE '2024-05-02' AND prefix = '${prefix}'`);
      const key = (score: string) => `day=2024-05-02/prefix=${prefix}/score=${score}`;
      expect(expected[key('low')]).toBeGreaterThan(0);
      expect(task.counts).toEqual({
        [key('low')]: 0,
        [key('medium')]: expected[key('medium')],
        [key('high')]: expected[key('high')],
      });
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
      const [prefix] = prefixes;
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
        tree,
        `prefix = '${prefix}' AND score = 'high' AND day IN (DATE '2024-05-01', DATE '2024-05-03')`,
      );
      expect(task.counts).toEqual(expected);
    });

    it('counts first and exports later: in_progress -> counted -> unloading -> completed', async () => {
      const body = {
        days: ['2024-05-01'],
        topic_id_prefixes: prefixes.slice(0, 2),
        scores: ['medium', 'high'],
      };
      const created = await api.post('/api/v1/intent_hive_tasks', { ...body, perform_unload: false });
      expect(created.body.status).toBe('in_progress');
      const counted = await api.waitFor(created.body.task_id, ['counted']);
      const expected = await expectedIntentCounts(
        tree,
        `day = DATE '2024-05-01' AND prefix IN ('${prefixes[0]}', '${prefixes[1]}') AND score IN ('medium', 'high')`,
      );
      expect(counted.counts).toEqual(expected);
      expect(counted.files).toEqual([]);
      expect(counted.completed_at).toBeNull();

      const unload = await api.post(`/api/v1/tasks/${created.body.task_id}/unload`);
      expect(unload.status).toBe(202);
      expect(['unloading', 'completed']).toContain(unload.body.status);
      const again = await api.post(`/api/v1/tasks/${created.body.task_id}/unload`);
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('task_state_conflict');

      const done = await api.waitFor(created.body.task_id, ['completed']);
      expect(done.total_count).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
      const rowsPerPartition: Record<string, number> = {};
      for (const file of done.files)
        rowsPerPartition[file.partition] = (rowsPerPartition[file.partition] ?? 0) + file.rows;
      expect(rowsPerPartition).toEqual(expected);
      // Without `select`, an export holds the files' own columns: the partition columns stay in the path.
      const [copy] = await download(done.files);
      const describe = (file: string) =>
        duck<{ column_name: string }>(
          `DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false)`,
        );
      const source = `${tree}/day=2024-05-01/prefix=${prefixes[0]}/score=high/data_0.parquet`;
      expect((await describe(copy!)).map((c) => c.column_name)).toEqual(
        (await describe(source)).map((c) => c.column_name),
      );
    });

    it('with a limit, skips counting and exports at most limit rows per job', async () => {
      const created = await api.post('/api/v1/intent_hive_tasks', {
        days: ['2024-05-01', '2024-05-02'],
        topic_id_prefixes: prefixes,
        scores: ['low', 'medium', 'high'],
        limit: 1000,
        select: 'person_id, topic_id',
      });
      expect(created.status).toBe(202);
      expect(created.body.status).toBe('unloading');
      const task = await api.waitFor(created.body.task_id, ['completed']);
      const exported = task.files.reduce((sum: number, f: { rows: number }) => sum + f.rows, 0);
      expect(task.total_count).toBe(exported);
      expect(Object.values(task.counts).reduce((a: number, b) => a + (b as number), 0)).toBe(exported);
      expect(exported).toBeGreaterThan(0);
      expect(exported).toBeLessThanOrEqual(1000 * task.total_jobs);
      const copies = await download(task.files);
      const [read] = await duck<{ n: bigint }>(
        `SELECT count(*) AS n FROM read_parquet([${copies.map((c) => `'${c}'`).join(', ')}])`,
      );
      expect(Number(read!.n)).toBe(exported);
    });
  });
}
