import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLICE_BUCKETS } from '../../src/tasks/unique-slices.ts';
import { type Account, apiClient, type Reply, signUp } from './api.ts';
import { downloadFiles } from './downloads.ts';
import {
  duck,
  expectedBreakdown,
  expectedIntentCounts,
  expectedIntentPeople,
  expectedIntentPeopleOn,
  expectedIntentUniques,
  intentPrefixes,
  json,
} from './duck.ts';
import { columnsOf, intentRelation, rowsOutsideSegment } from './preview.ts';

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
   * over the whole tree ends with more jobs than it was planned with, and unique work (a unique
   * count, a people export, an overlap) is sliced by hash too (a server alone on SQLite needs
   * UNIQUE_JOB_MAX_BYTES for that as well).
   */
  jobMaxBytes?: number;
  /** The service's COUNT_JOB_MAX_BYTES, set with `jobMaxBytes`: a filtered count's jobs split by it. */
  countJobMaxBytes?: number;
  /** The service's SLICE_BUCKETS, when set: a sliced task's reduce and export jobs by bucket. */
  sliceBuckets?: number;
  /**
   * Count jobs that run at once across the service's workers, when more than one: a split count
   * is cut into a multiple of them, so that no worker waits out the last round idle.
   */
  countSlots?: number;
  /** Whether an object exists in the export storage. @defaultValue a local file check */
  exists?(uri: string): Promise<boolean>;
  /** The intent tree as the service names it (`INTENT_INPUT_PATH`), for generic tasks over it. @defaultValue `intentTree` */
  inputPath?(t: SuiteServer): string;
}

const ALL_DAYS = ['2024-05-01', '20240502', '2024-05-03'];

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
    /** A sliced task's hash buckets: the service's SLICE_BUCKETS, else the fewest (too few workers for more). */
    const buckets = target.sliceBuckets ?? SLICE_BUCKETS;

    beforeAll(async () => {
      t = await target.start();
      tree = target.localTree(t);
      account = await signUp(t.url);
      api = apiClient(t.url, account.apiKey);
      prefixes = await intentPrefixes(tree);
      downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-downloads-'));
    });
    /**
     * A generic people export by `latest_by: last_seen` of `topic_id, intent_score, last_seen`, as
     * DuckDB answers it over the tree: each person's row with the latest `last_seen`, by person.
     */
    const latestPeople = async (where: string) =>
      (
        await duck(
          `SELECT person_id, topic_id, intent_score, last_seen FROM ${intentRelation(tree)}
           WHERE ${where} AND person_id IS NOT NULL
           QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY last_seen DESC) = 1
           ORDER BY person_id`,
        )
      ).map(json);
    /** The rows of downloaded people files, by person. */
    const peopleRows = async (files: string[]) =>
      (
        await duck(
          `SELECT * FROM read_parquet([${files.map((c) => `'${c}'`).join(', ')}], hive_partitioning = false) ORDER BY person_id`,
        )
      ).map(json);
    /** Every partition of the tree: all days, prefixes and scores. */
    const wholeTree = () => ({
      days: ALL_DAYS,
      topic_id_prefixes: prefixes,
      scores: ['low', 'medium', 'high'],
    });
    afterAll(async () => {
      await t?.close();
      fs.rmSync(downloads, { recursive: true, force: true });
    });

    const download = (files: Parameters<typeof downloadFiles>[0]) => downloadFiles(files, downloads);

    /**
     * The export's manifest.json, fetched through its link, lists exactly the files of the detail
     * (path, partition, rows, bytes, and the SHA-256 of the downloaded bytes), the columns of the
     * files and the request; `_SUCCESS` sits next to it.
     */
    async function checkManifest(task: Reply['body'], copies: string[]) {
      expect(task.manifest_url).toEqual(expect.any(String));
      const response = await fetch(task.manifest_url);
      expect(response.status).toBe(200);
      const manifest = await response.json();
      const root = `${target.outputRoot(t)}/${account.organizationId}/${task.task_id}`;
      expect(manifest).toMatchObject({
        task_id: task.task_id,
        type: task.type,
        request: task.request,
        created_at: task.created_at,
        completed_at: task.completed_at,
        total_rows: task.files.reduce((sum: number, f: { rows: number }) => sum + f.rows, 0),
      });
      expect(manifest.files).toEqual(
        task.files.map((file: Reply['body'], i: number) => ({
          path: file.uri.slice(root.length + 1),
          partition: file.partition,
          rows: file.rows,
          bytes: file.size_bytes,
          sha256: createHash('sha256').update(fs.readFileSync(copies[i]!)).digest('hex'),
        })),
      );
      expect(task.files.map((f: { sha256: string }) => f.sha256)).toEqual(
        manifest.files.map((f: { sha256: string }) => f.sha256),
      );
      if (copies.length > 0) {
        const columns = await duck<{ column_name: string; column_type: string }>(
          `DESCRIBE SELECT * FROM read_parquet('${copies[0]}', hive_partitioning = false)`,
        );
        expect(manifest.schema).toEqual(columns.map((c) => ({ name: c.column_name, type: c.column_type })));
      }
      const exists = target.exists ?? (async (uri: string) => fs.existsSync(uri));
      expect(await exists(`${root}/manifest.json`)).toBe(true);
      expect(await exists(`${root}/_SUCCESS`)).toBe(true);
    }

    // Only where jobs split: elsewhere the test is not defined at all (no skipped test).
    const whereJobsSplit = target.jobMaxBytes ? it : () => undefined;
    whereJobsSplit(
      'splits a filtered count into jobs of COUNT_JOB_MAX_BYTES, more input than an export job reads',
      async () => {
        const files = fs.readdirSync(tree, { recursive: true, encoding: 'utf8' });
        const bytes = files
          .filter((file) => file.endsWith('.parquet'))
          .reduce((sum, file) => sum + fs.statSync(path.join(tree, file)).size, 0);
        const created = await api.post('/api/v1/intent_hive_tasks', {
          ...wholeTree(),
          where_expr: 'intent_score >= 60',
          perform_unload: false,
        });
        expect(created.status).toBe(202);
        const task = await api.waitFor(created.body.task_id, ['counted']);
        const bound = target.countJobMaxBytes!;
        expect(bound).toBeGreaterThan(target.jobMaxBytes!);
        // At least one job per COUNT_JOB_MAX_BYTES, fewer than one per JOB_MAX_BYTES (an export's).
        expect(task.total_jobs).toBeGreaterThanOrEqual(Math.max(2, Math.ceil(bytes / bound)));
        expect(task.total_jobs).toBeLessThan(Math.ceil(bytes / target.jobMaxBytes!));
        if (target.countSlots) expect(task.total_jobs % target.countSlots).toBe(0);
        expect(task.total_count).toBe(
          Object.values(await expectedIntentCounts(tree, 'intent_score >= 60')).reduce((a, b) => a + b, 0),
        );
      },
    );

    whereJobsSplit(
      'spreads a filtered count that one job could read over the count slots of every worker',
      async () => {
        const day = path.join(tree, 'day=2024-05-01');
        const bytes = fs
          .readdirSync(day, { recursive: true, encoding: 'utf8' })
          .filter((file) => file.endsWith('.parquet'))
          .reduce((sum, file) => sum + fs.statSync(path.join(day, file)).size, 0);
        // More than an export job reads, less than a count job does.
        expect(bytes).toBeGreaterThan(target.jobMaxBytes!);
        expect(bytes).toBeLessThan(target.countJobMaxBytes!);
        const created = await api.post('/api/v1/intent_hive_tasks', {
          ...wholeTree(),
          days: ['2024-05-01'],
          where_expr: 'intent_score >= 60',
          perform_unload: false,
        });
        expect(created.status).toBe(202);
        const task = await api.waitFor(created.body.task_id, ['counted']);
        // Across workers, a job for each count slot; a worker alone gains nothing from a split.
        expect(task.total_jobs).toBe(target.countSlots ?? 1);
        const counts = await expectedIntentCounts(tree, "intent_score >= 60 AND day = DATE '2024-05-01'");
        expect(task.total_count).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
      },
    );

    it('counts every partition exactly and exports every selected row once', async () => {
      const where = "intent_score >= 60 AND country IN ('US', 'DE', 'GB')";
      const created = await api.post('/api/v1/intent_hive_tasks', {
        ...wholeTree(),
        where_expr: where,
        select: 'person_id, hem_sha256, intent_score, score',
      });
      expect(created.status).toBe(202);
      expect(created.headers.get('location')).toBe(`/api/v1/status/${created.body.task_id}`);
      // A task that exports is not counted first: one pass writes the files, and their rows are the counts.
      expect(created.body.status).toBe('unloading');
      expect(created.body.total_jobs).toBeGreaterThan(0);

      const task = await api.waitFor(created.body.task_id, ['completed']);
      // The export jobs planned (more once split by input bytes), then the job that writes the manifest.
      if (target.jobMaxBytes) expect(task.total_jobs).toBeGreaterThan(created.body.total_jobs + 1);
      else expect(task.total_jobs).toBe(created.body.total_jobs + 1);
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
      await checkManifest(task, copies);
    });

    it('counts distinct people per partition and over the whole segment, and breakdowns, in one job', async () => {
      const where = "intent_score >= 40 AND country <> 'FR'";
      const created = await api.post('/api/v1/intent_hive_tasks', {
        ...wholeTree(),
        where_expr: where,
        unique_by: 'person_id',
        breakdown_by: ['country', 'company_id', 'score'],
        perform_unload: false,
      });
      expect(created.status).toBe(202);
      expect(created.body).toMatchObject({ status: 'in_progress', total_jobs: 1 });
      const task = await api.waitFor(created.body.task_id, ['counted']);
      // One job read every partition, even where jobs are split by input bytes.
      expect(task.total_jobs).toBe(1);
      expect(task.request).toMatchObject({
        unique_by: 'person_id',
        breakdown_by: ['country', 'company_id', 'score'],
      });
      const counts = await expectedIntentCounts(tree, where);
      const partitions = Object.keys(task.counts);
      expect(partitions).toHaveLength(3 * prefixes.length * 3);
      expect(task.counts).toEqual(Object.fromEntries(partitions.map((p) => [p, counts[p] ?? 0])));

      const uniques = await expectedIntentUniques(tree, 'person_id', where);
      expect(task.unique_count).toBe(uniques.whole);
      expect(task.unique_counts).toEqual(
        Object.fromEntries(partitions.map((p) => [p, uniques.perPartition[p] ?? 0])),
      );
      // People recur across partitions: the whole segment counts each of them once.
      const summed = Object.values(uniques.perPartition).reduce((a, b) => a + b, 0);
      expect(task.unique_count).toBeLessThan(summed);

      const relation = intentRelation(tree);
      expect(Object.keys(task.breakdowns)).toEqual(['country', 'company_id', 'score']);
      for (const column of ['country', 'company_id', 'score']) {
        expect(task.breakdowns[column], column).toEqual(
          await expectedBreakdown(relation, where, column, 'person_id'),
        );
      }
      // More than 50 companies: the top 50, then one entry for the rest.
      expect(task.breakdowns.company_id).toHaveLength(51);
      expect(task.breakdowns.company_id[50].value).toBe('(other)');
      const rows = (column: string) =>
        task.breakdowns[column].reduce((sum: number, e: { count: number }) => sum + e.count, 0);
      for (const column of ['country', 'company_id', 'score']) expect(rows(column)).toBe(task.total_count);
    });

    it('counts distinct people exactly when its count is split: by hash bucket, one reduce job each', async () => {
      const where = 'intent_score >= 30';
      const created = await api.post('/api/v1/intent_hive_tasks', {
        ...wholeTree(),
        where_expr: where,
        unique_by: 'person_id',
        perform_unload: false,
      });
      expect(created.status).toBe(202);
      const task = await api.waitFor(created.body.task_id, ['counted'], 120_000);
      // Split by input bytes, its count jobs each wrote their people by bucket; else one job saw all.
      if (target.jobMaxBytes) expect(task.total_jobs).toBeGreaterThan(buckets + 1);
      else expect(task.total_jobs).toBe(1);
      const counts = await expectedIntentCounts(tree, where);
      const nonEmpty = Object.fromEntries(Object.entries(task.counts).filter(([, n]) => (n as number) > 0));
      expect(nonEmpty).toEqual(counts);
      const uniques = await expectedIntentUniques(tree, 'person_id', where);
      expect(task.unique_count).toBe(uniques.whole);
      const perPartition = Object.fromEntries(
        Object.entries(task.unique_counts as Record<string, number>).filter(([, n]) => n > 0),
      );
      expect(perPartition).toEqual(uniques.perPartition);
      // Nothing of the buckets is left in a local output (object stores remove a folder the same way).
      if (!target.exists) {
        const slices = path.join(target.outputRoot(t), '.slices', account.organizationId, task.task_id);
        expect(fs.existsSync(slices)).toBe(false);
      }
    });

    it('with unique_by and perform_unload, counts first and then exports without an unload call', async () => {
      const where = 'intent_score >= 70';
      const created = await api.post('/api/v1/intent_hive_tasks', {
        days: ['2024-05-01', '2024-05-02'],
        topic_id_prefixes: prefixes.slice(0, 2),
        scores: ['medium', 'high'],
        where_expr: where,
        select: 'person_id, intent_score',
        unique_by: 'person_id',
        breakdown_by: ['seniority'],
      });
      expect(created.status).toBe(202);
      expect(created.body).toMatchObject({ status: 'in_progress', total_jobs: 1 });
      // It is never `counted`: its export starts by itself, so an unload call is a conflict.
      const early = await api.post(`/api/v1/tasks/${created.body.task_id}/unload`);
      expect(early.status).toBe(409);
      const task = await api.waitFor(created.body.task_id, ['completed']);
      const scope = `${where} AND day IN (DATE '2024-05-01', DATE '2024-05-02') AND prefix IN ('${prefixes[0]}', '${prefixes[1]}') AND score IN ('medium', 'high')`;
      const expected = await expectedIntentCounts(tree, scope);
      const nonEmpty = Object.fromEntries(Object.entries(task.counts).filter(([, n]) => (n as number) > 0));
      expect(nonEmpty).toEqual(expected);
      const total = Object.values(expected).reduce((a, b) => a + b, 0);
      expect(task.total_count).toBe(total);
      // The count job, then the export jobs the end of the count planned.
      expect(task.total_jobs).toBeGreaterThan(1);
      expect(task.files.reduce((sum: number, f: { rows: number }) => sum + f.rows, 0)).toBe(total);
      const uniques = await expectedIntentUniques(tree, 'person_id', scope);
      expect(task.unique_count).toBe(uniques.whole);
      expect(task.breakdowns).toEqual({
        seniority: await expectedBreakdown(intentRelation(tree), scope, 'seniority', 'person_id'),
      });
      // The exported files hold exactly the segment's distinct people.
      const copies = await download(task.files);
      const [exported] = await duck<{ u: bigint }>(
        `SELECT count(DISTINCT person_id) AS u FROM read_parquet([${copies.map((c) => `'${c}'`).join(', ')}])`,
      );
      expect(Number(exported!.u)).toBe(task.unique_count);
    });

    it('exports people: one row per person with aggregates over the segment, min_topics and min_days', async () => {
      const where = 'intent_score >= 40';
      const chosen = prefixes.slice(0, 3);
      const created = await api.post('/api/v1/intent_hive_tasks', {
        days: ALL_DAYS,
        topic_id_prefixes: chosen,
        scores: ['low', 'medium', 'high'],
        where_expr: where,
        unique_by: 'person_id',
        output: 'people',
        min_topics: 2,
        min_days: 2,
        perform_unload: false,
      });
      expect(created.status).toBe(202);
      const counted = await api.waitFor(created.body.task_id, ['counted']);
      expect(counted.request).toMatchObject({
        output: 'people',
        unique_by: 'person_id',
        min_topics: 2,
        min_days: 2,
      });
      const scope = `${where} AND prefix IN (${chosen.map((p) => `'${p}'`).join(', ')})`;
      const want = await expectedIntentPeople(
        tree,
        scope,
        'HAVING count(DISTINCT prefix) >= 2 AND count(DISTINCT day) >= 2',
      );
      expect(want.length).toBeGreaterThan(0);
      // Fewer than every person of the segment: the minimums left some out.
      const everyone = await expectedIntentUniques(tree, 'person_id', scope);
      expect(want.length).toBeLessThan(everyone.whole);
      expect(counted.counts).toEqual({ people: want.length });
      expect(counted.total_count).toBe(want.length);
      expect(counted.unique_count).toBe(want.length);
      expect(counted.unique_counts).toEqual({ people: want.length });
      expect(counted.breakdowns).toBeNull();

      expect((await api.post(`/api/v1/tasks/${created.body.task_id}/unload`)).status).toBe(202);
      const done = await api.waitFor(created.body.task_id, ['completed']);
      expect(done.counts).toEqual({ people: want.length });
      expect(done.total_count).toBe(want.length);
      expect(Object.keys(done.outputs)).toEqual(['people']);
      expect(done.outputs.people).toBe(
        `${target.outputRoot(t)}/${account.organizationId}/${done.task_id}/people`,
      );
      expect(done.files.map((f: { partition: string }) => f.partition)).toEqual(
        done.files.map(() => 'people'),
      );
      const copies = await download(done.files);
      const exported = `read_parquet([${copies.map((c) => `'${c}'`).join(', ')}], hive_partitioning = false)`;
      expect(
        (await duck<{ column_name: string }>(`DESCRIBE SELECT * FROM ${exported}`)).map((c) => c.column_name),
      ).toEqual([
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
      const got = (await duck(`SELECT * FROM ${exported} ORDER BY person_id`)).map(json);
      expect(got).toEqual(want.map(json));
    });

    it('exports every person of the segment at once, and a generic tree by its latest row', async () => {
      const scope = `day = DATE '2024-05-02' AND prefix = '${prefixes[0]}' AND score IN ('medium', 'high')`;
      const created = await api.post('/api/v1/intent_hive_tasks', {
        days: ['2024-05-02'],
        topic_id_prefixes: [prefixes[0]],
        scores: ['medium', 'high'],
        unique_by: 'hem_sha256',
        output: 'people',
      });
      expect(created.status).toBe(202);
      // It counts its people as it writes them: no count before, one export job, then the manifest.
      expect(created.body.status).toBe('unloading');
      const task = await api.waitFor(created.body.task_id, ['completed']);
      expect(task.total_jobs).toBe(2);
      const uniques = await expectedIntentUniques(tree, 'hem_sha256', scope);
      expect(task.total_count).toBe(uniques.whole);
      expect(task.unique_count).toBe(uniques.whole);
      expect(task.files.reduce((sum: number, f: { rows: number }) => sum + f.rows, 0)).toBe(uniques.whole);
      const copies = await download(task.files);
      const exported = `read_parquet([${copies.map((c) => `'${c}'`).join(', ')}], hive_partitioning = false)`;
      const [people] = await duck<{ n: bigint; u: bigint }>(
        `SELECT count(*) AS n, count(DISTINCT hem_sha256) AS u FROM ${exported}`,
      );
      expect(Number(people!.n)).toBe(uniques.whole);
      expect(Number(people!.u)).toBe(uniques.whole);
      // The person column first, then the other identifier.
      const columns = await duck<{ column_name: string }>(`DESCRIBE SELECT * FROM ${exported}`);
      expect(columns.slice(0, 2).map((c) => c.column_name)).toEqual(['hem_sha256', 'person_id']);

      // The same tree read as a generic one: each person's row is the one they were last seen on.
      const generic = await api.post('/api/v1/generic_parquet_tasks', {
        input_path: target.inputPath?.(t) ?? t.intentTree,
        where_expr: `day = '2024-05-02' AND prefix = '${prefixes[0]}' AND score IN ('medium', 'high')`,
        select: 'topic_id, intent_score, last_seen',
        unique_by: 'person_id',
        output: 'people',
        latest_by: 'last_seen',
      });
      expect(generic.status).toBe(202);
      const done = await api.waitFor(generic.body.task_id, ['completed']);
      expect(done.request).toMatchObject({ output: 'people', latest_by: 'last_seen' });
      const latest = await latestPeople(scope);
      expect(done.total_count).toBe(latest.length);
      const files = await download(done.files);
      expect(await peopleRows(files)).toEqual(latest);
    });

    it('exports people by hash bucket when its count is split: each person once, as DuckDB folds them', async () => {
      const where = 'intent_score >= 30';
      const created = await api.post('/api/v1/intent_hive_tasks', {
        ...wholeTree(),
        where_expr: where,
        unique_by: 'person_id',
        output: 'people',
        min_topics: 2,
      });
      expect(created.status).toBe(202);
      // An export at once, counted by its export: sliced, its first job gives way to count jobs.
      expect(created.body.status).toBe('unloading');
      const done = await api.waitFor(created.body.task_id, ['completed'], 120_000);
      const want = await expectedIntentPeople(tree, where, 'HAVING count(DISTINCT prefix) >= 2');
      expect(want.length).toBeGreaterThan(0);
      expect(done.counts).toEqual({ people: want.length });
      expect(done.unique_count).toBe(want.length);
      // Sliced: the first export job, count jobs (2 or more), a reduce job per bucket, the export
      // job and one export job per bucket, the manifest.
      if (target.jobMaxBytes) {
        expect(done.total_jobs).toBeGreaterThanOrEqual(1 + 2 + buckets + 1 + buckets + 1);
        // Every bucket has people: each wrote its own folder.
        const folders = new Set(done.files.map((f: { uri: string }) => f.uri.split('/').at(-2)));
        expect([...folders].sort()).toEqual(Array.from({ length: buckets }, (_, b) => `bucket=${b}`).sort());
      } else {
        // One job writes the people and counts them as it writes, then the manifest.
        expect(done.total_jobs).toBe(2);
      }
      expect(new Set(done.files.map((f: { partition: string }) => f.partition))).toEqual(new Set(['people']));
      expect(done.outputs).toEqual({
        people: `${target.outputRoot(t)}/${account.organizationId}/${done.task_id}/people`,
      });
      // Each file downloads under a name of its own, its bucket's folder in it.
      // (A presigned link names the download in its response-content-disposition, the API's in its path.)
      const names = done.output_links.map((link: string) => {
        const url = new URL(link);
        return url.searchParams.get('response-content-disposition') ?? url.pathname.split('/').pop();
      });
      expect(new Set(names).size).toBe(done.files.length);
      const copies = await download(done.files);
      const exported = `read_parquet([${copies.map((c) => `'${c}'`).join(', ')}], hive_partitioning = false)`;
      const got = (await duck(`SELECT * FROM ${exported} ORDER BY person_id`)).map(json);
      expect(got).toEqual(want.map(json));
      if (!target.exists) {
        const slices = path.join(target.outputRoot(t), '.slices', account.organizationId, done.task_id);
        expect(fs.existsSync(slices)).toBe(false);
      }

      // A generic tree's people by their latest row, held for review and then exported.
      const generic = await api.post('/api/v1/generic_parquet_tasks', {
        input_path: target.inputPath?.(t) ?? t.intentTree,
        where_expr: where,
        select: 'topic_id, intent_score, last_seen',
        unique_by: 'person_id',
        output: 'people',
        latest_by: 'last_seen',
        perform_unload: false,
      });
      expect(generic.status).toBe(202);
      const counted = await api.waitFor(generic.body.task_id, ['counted'], 120_000);
      const latest = await latestPeople(where);
      expect(counted.counts).toEqual({ people: latest.length });
      expect((await api.post(`/api/v1/tasks/${generic.body.task_id}/unload`)).status).toBe(202);
      const exportedGeneric = await api.waitFor(generic.body.task_id, ['completed'], 120_000);
      expect(exportedGeneric.counts).toEqual({ people: latest.length });
      const files = await download(exportedGeneric.files);
      expect(await peopleRows(files)).toEqual(latest);
    });

    it("writes an ad platform's file by hash bucket when its export is split: each identifier once, lower-cased", async () => {
      const where = 'intent_score >= 30';
      const created = await api.post('/api/v1/intent_hive_tasks', {
        ...wholeTree(),
        where_expr: where,
        output: 'people',
        profile: 'google_customer_match',
      });
      expect(created.status, JSON.stringify(created.body)).toBe(202);
      expect(created.body.status).toBe('unloading');
      const done = await api.waitFor(created.body.task_id, ['completed'], 120_000);
      const wanted = `(SELECT DISTINCT lower(hem_sha256) AS id FROM ${intentRelation(tree)} WHERE ${where} AND hem_sha256 IS NOT NULL)`;
      const [want] = await duck<{ n: bigint }>(`SELECT count(*) AS n FROM ${wanted}`);
      const people = Number(want!.n);
      expect(people).toBeGreaterThan(1_000);
      expect(done.counts).toEqual({ people });
      expect(done.invalid_identifiers).toBe(0);
      const folders = new Set(done.files.map((f: { uri: string }) => f.uri.split('/').at(-2)));
      if (target.jobMaxBytes) {
        // Sliced: every bucket has people, each in its own folder of the platform's files.
        expect([...folders].sort()).toEqual(Array.from({ length: buckets }, (_, b) => `bucket=${b}`).sort());
      } else {
        expect([...folders]).toEqual(['people']);
        expect(done.total_jobs).toBe(2);
      }
      const copies = await download(done.files);
      const got = `(SELECT "Email" AS id FROM read_csv([${copies.map((c) => `'${c}'`).join(', ')}], header = true, all_varchar = true))`;
      const [diff] = await duck<{ missing: bigint; extra: bigint; rows: bigint }>(
        `SELECT (SELECT count(*) FROM (SELECT id FROM ${wanted} EXCEPT SELECT id FROM ${got})) AS missing,
                (SELECT count(*) FROM (SELECT id FROM ${got} EXCEPT SELECT id FROM ${wanted})) AS extra,
                (SELECT count(*) FROM ${got}) AS rows`,
      );
      expect(diff).toEqual({ missing: 0n, extra: 0n, rows: BigInt(people) });
    });

    it('delivers a saved audience by delta as its window moves, sliced by hash or counted in one job', async () => {
      // The window's days decide the input, so whether a run's count is split: where jobs split,
      // the three days are sliced and one day is not, so bases of either kind meet runs of both;
      // with a 4 MB slicing bound (JOB_MAX_BYTES=1MB) two days are sliced too, and the last run,
      // sliced, has people who left.
      const where = 'intent_score >= 30';
      const created = await api.post('/api/v1/audiences', {
        name: 'Rolling, sliced where large',
        kind: 'intent',
        definition: {
          ...wholeTree(),
          days: undefined,
          where_expr: where,
          unique_by: 'person_id',
          output: 'people',
          min_topics: 2,
        },
        window: { last_days: 3 },
        delivery: { mode: 'delta' },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = created.body.audience_id;
      const DAYS = ['2024-05-01', '2024-05-02', '2024-05-03'];
      /** The audience's people over the last `n` days, as DuckDB folds them (min_topics 2). */
      const peopleOver = (n: number) =>
        expectedIntentPeopleOn(tree, DAYS.slice(-n), where, 'HAVING count(DISTINCT prefix) >= 2');
      const ids = (rows: Array<Record<string, unknown>>) => rows.map((row) => String(row.person_id));
      let before: string[] = [];
      let previousRun: string | null = null;
      let slicedLeavers = 0;
      for (const days of [3, 1, 3, 2]) {
        if (previousRun !== null) {
          const changed = await api.patch(`/api/v1/audiences/${id}`, { window: { last_days: days } });
          expect(changed.status, JSON.stringify(changed.body)).toBe(200);
        }
        const started = await api.post(`/api/v1/audiences/${id}/runs`);
        expect(started.status, JSON.stringify(started.body)).toBe(202);
        const done = await api.waitFor(started.body.task_id, ['completed'], 120_000);
        const want = await peopleOver(days);
        const now = ids(want);
        const joined = now.filter((p) => !before.includes(p));
        const left = before.filter((p) => !now.includes(p));
        if (previousRun !== null) expect(joined.length + left.length).toBeGreaterThan(0);
        expect(done.delta).toEqual({
          baseline: previousRun === null ? 'new' : 'previous',
          previous_run_id: previousRun,
          members: now.length,
          added: joined.length,
          removed: left.length,
          kept: now.length - joined.length,
        });
        expect(done.counts).toEqual({ people: now.length });
        // Sliced: count jobs, a reduce job per bucket, the export and a job per bucket, the manifest.
        const sliced = done.total_jobs >= 2 + 2 * buckets + 2;
        if (target.jobMaxBytes && days === 3) expect(sliced).toBe(true);
        if (!target.jobMaxBytes || days === 1) expect(done.total_jobs).toBe(3);
        if (sliced) slicedLeavers += left.length;
        const byList = (list: string) =>
          done.files.filter((f: { partition: string }) => f.partition === list);
        expect(done.files.length).toBe(byList('added').length + byList('removed').length);
        const added = await download(byList('added'));
        expect(added.length > 0 ? await peopleRows(added) : []).toEqual(
          want.filter((row) => joined.includes(String(row.person_id))).map(json),
        );
        const removed = await download(byList('removed'));
        const leavers =
          removed.length === 0
            ? []
            : await duck(
                `SELECT person_id FROM read_parquet([${removed.map((c) => `'${c}'`).join(', ')}], hive_partitioning = false)`,
              );
        expect(ids(leavers).sort()).toEqual([...left].sort());
        before = now;
        previousRun = started.body.run_id;
      }
      if (target.jobMaxBytes !== undefined && target.jobMaxBytes <= 1_000_000) {
        expect(slicedLeavers).toBeGreaterThan(0);
      }
    });

    it("compares sliced counts' sets exactly, in hash passes when their input is more than one job's unique work", async () => {
      // Each person has rows of every sort, so rare rows make sets that differ. A: people with a
      // score of 98+ (the whole tree: its count is sliced where jobs split); B: people with 30+ under
      // all 4 prefixes on 2 May; C: people with a score under 8 on 1 May.
      const sets = {
        A: { body: { ...wholeTree(), where_expr: 'intent_score >= 98' }, where: 'intent_score >= 98' },
        B: {
          body: {
            ...wholeTree(),
            days: ['2024-05-02'],
            where_expr: 'intent_score >= 30',
            output: 'people',
            min_topics: 4,
          },
          where: "intent_score >= 30 AND day = DATE '2024-05-02'",
          having: 'HAVING count(DISTINCT prefix) >= 4',
        },
        C: {
          body: { ...wholeTree(), days: ['2024-05-01'], where_expr: 'intent_score < 8' },
          where: "intent_score < 8 AND day = DATE '2024-05-01'",
        },
      };
      const ids: string[] = [];
      for (const set of Object.values(sets)) {
        const created = await api.post('/api/v1/intent_hive_tasks', {
          ...set.body,
          unique_by: 'person_id',
          perform_unload: false,
        });
        expect(created.status).toBe(202);
        ids.push(created.body.task_id);
      }
      for (const id of ids) await api.waitFor(id, ['counted'], 120_000);
      const reply = await api.post('/api/v1/overlap', { task_ids: ids });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      // Where one job's unique work is less than the tree, the members are counted a share at a time.
      if (target.jobMaxBytes) expect(reply.body.passes).toBeGreaterThan(1);
      else expect(reply.body.passes).toBe(1);

      const members = (set: { where: string; having?: string }) =>
        `SELECT person_id FROM ${intentRelation(tree)} WHERE ${set.where} AND person_id IS NOT NULL
         GROUP BY person_id ${set.having ?? ''}`;
      const [A, B, C] = [members(sets.A), members(sets.B), members(sets.C)];
      const size = async (sql: string) =>
        Number((await duck<{ n: bigint }>(`SELECT count(*) AS n FROM (${sql})`))[0]!.n);
      const want = {
        sizes: [await size(A), await size(B), await size(C)],
        union: await size(`(${A}) UNION (${B}) UNION (${C})`),
        regions: [
          [['A'], await size(`(${A}) EXCEPT (${B}) EXCEPT (${C})`)],
          [['B'], await size(`(${B}) EXCEPT (${A}) EXCEPT (${C})`)],
          [['A', 'B'], await size(`((${A}) INTERSECT (${B})) EXCEPT (${C})`)],
          [['C'], await size(`(${C}) EXCEPT (${A}) EXCEPT (${B})`)],
          [['A', 'C'], await size(`((${A}) INTERSECT (${C})) EXCEPT (${B})`)],
          [['B', 'C'], await size(`((${B}) INTERSECT (${C})) EXCEPT (${A})`)],
          [['A', 'B', 'C'], await size(`(${A}) INTERSECT (${B}) INTERSECT (${C})`)],
        ].map(([sets, size]) => ({ sets, size })),
      };
      // Every region holds someone: a pass that lost or doubled members would show.
      expect(
        want.regions.filter((region) => region.size === 0),
        'the test tree gives every region members',
      ).toEqual([]);
      expect(reply.body.sets.map((set: { size: number }) => set.size)).toEqual(want.sizes);
      expect(reply.body.union).toBe(want.union);
      expect(reply.body.regions).toEqual(want.regions);
    }, 240_000);

    it('exports CSV by partition and JSON Lines as a single file, read back as the same rows', async () => {
      const where = "intent_score >= 70 AND country = 'US'";
      const scope = `${where} AND day = DATE '2024-05-03' AND prefix IN ('${prefixes[0]}', '${prefixes[1]}')`;
      const want = (
        await duck(
          `SELECT person_id, topic_id, intent_score FROM ${intentRelation(tree)} WHERE ${scope} ORDER BY ALL`,
        )
      ).map(json);
      const counts = await expectedIntentCounts(tree, scope);
      const columns = `{'person_id': 'BIGINT', 'topic_id': 'VARCHAR', 'intent_score': 'INTEGER'}`;
      for (const layout of [{ format: 'csv' }, { format: 'jsonl', single_file: true }]) {
        const created = await api.post('/api/v1/intent_hive_tasks', {
          days: ['2024-05-03'],
          topic_id_prefixes: prefixes.slice(0, 2),
          scores: ['low', 'medium', 'high'],
          where_expr: where,
          select: 'person_id, topic_id, intent_score',
          ...layout,
        });
        expect(created.status).toBe(202);
        const task = await api.waitFor(created.body.task_id, ['completed']);
        expect(Object.fromEntries(Object.entries(task.counts).filter(([, n]) => (n as number) > 0))).toEqual(
          counts,
        );
        const copies = await download(task.files);
        const list = `[${copies.map((c) => `'${c}'`).join(', ')}]`;
        const relation =
          layout.format === 'csv'
            ? `read_csv(${list}, header = true, columns = ${columns})`
            : `read_json(${list}, format = 'newline_delimited', columns = ${columns})`;
        expect((await duck(`SELECT * FROM ${relation} ORDER BY ALL`)).map(json), layout.format).toEqual(want);
        if (layout.single_file) expect(Object.keys(task.outputs)).toEqual(['all']);
        else expect(Object.keys(task.outputs).sort()).toEqual(Object.keys(counts).sort());
      }
    });

    it('exports whole files by copying them: the same bytes in their own codec, rows from footers', async () => {
      const scope = `day IN (DATE '2024-05-01', DATE '2024-05-02') AND prefix IN ('${prefixes[0]}', '${prefixes[1]}')`;
      const created = await api.post('/api/v1/intent_hive_tasks', {
        days: ['2024-05-01', '2024-05-02'],
        topic_id_prefixes: prefixes.slice(0, 2),
        scores: ['low', 'medium', 'high'],
      });
      expect(created.status).toBe(202);
      const task = await api.waitFor(created.body.task_id, ['completed']);
      const counts = await expectedIntentCounts(tree, scope);
      expect(Object.fromEntries(Object.entries(task.counts).filter(([, n]) => (n as number) > 0))).toEqual(
        counts,
      );
      expect(task.total_count).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
      const copies = await download(task.files);
      const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      // Each leaf of the tree holds one data_0.parquet: its export is that file, byte for byte.
      expect(task.files.map((f: { partition: string }) => f.partition)).toEqual(Object.keys(counts).sort());
      for (const [i, file] of task.files.entries()) {
        expect(file.uri).toMatch(/\/data_0\.parquet$/);
        expect(sha(copies[i]!), file.partition).toBe(sha(path.join(tree, file.partition, 'data_0.parquet')));
        // Checksummed where the worker reads the input locally; an object store's own copies are not.
        expect(file.sha256).toBe(target.inputPath ? null : sha(copies[i]!));
      }
      const manifest = await (await fetch(task.manifest_url)).json();
      // The input's codec, kept (the test tree is written with zstd).
      expect(manifest).toMatchObject({
        format: 'parquet',
        compression: 'zstd',
        total_rows: task.total_count,
      });
      expect(manifest.schema.map((c: { name: string }) => c.name)).toEqual(
        (await duck<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet('${copies[0]}')`)).map(
          (c) => c.column_name,
        ),
      );
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

    it('previews a segment in any status: rows that pass the filter, exactly the selected columns', async () => {
      const where = "intent_score >= 60 AND country IN ('US', 'DE', 'GB')";
      const select = 'person_id, intent_score, country, day, score, last_seen';
      const relation = intentRelation(tree);
      const created = await api.post('/api/v1/intent_hive_tasks', {
        ...wholeTree(),
        where_expr: where,
        select,
        perform_unload: false,
      });
      expect(created.status).toBe(202);
      const columns = await columnsOf(select, relation);
      expect(columns.map((c) => c.type)).toContain('TIMESTAMP');
      const [segment] = await duck<{ n: bigint }>(`SELECT count(*) AS n FROM ${relation} WHERE ${where}`);
      expect(Number(segment!.n)).toBeGreaterThan(100);

      // While it is counted (in_progress or already counted), and again once counted: 20 rows by default.
      const early = await api.get(`/api/v1/tasks/${created.body.task_id}/preview`);
      expect(early.status).toBe(200);
      expect(early.body.columns).toEqual(columns);
      expect(early.body.rows).toHaveLength(20);
      for (const row of early.body.rows) expect(Object.keys(row)).toEqual(columns.map((c) => c.name));
      expect(await rowsOutsideSegment(relation, where, columns, early.body.rows)).toBe(0);

      await api.waitFor(created.body.task_id, ['counted']);
      for (const limit of [1, 7, 100]) {
        const preview = await api.get(`/api/v1/tasks/${created.body.task_id}/preview?limit=${limit}`);
        expect(preview.status).toBe(200);
        expect(preview.body.columns).toEqual(columns);
        expect(preview.body.rows).toHaveLength(limit);
        expect(await rowsOutsideSegment(relation, where, columns, preview.body.rows)).toBe(0);
      }
      // The first rows in partition order, not a sample: 7 rows all come from the first partition
      // (in key order) that has at least 7 of them.
      const [first] = await duck<{ day: string; prefix: string; score: string }>(
        `SELECT strftime(day, '%Y-%m-%d') AS day, prefix, score FROM ${relation} WHERE ${where}
         GROUP BY ALL HAVING count(*) >= 7 ORDER BY day, prefix, score LIMIT 1`,
      );
      const [firstAny] = await duck<{ day: string; prefix: string; score: string }>(
        `SELECT strftime(day, '%Y-%m-%d') AS day, prefix, score FROM ${relation} WHERE ${where}
         ORDER BY day, prefix, score LIMIT 1`,
      );
      expect(firstAny).toEqual(first);
      const seven = await api.get(`/api/v1/tasks/${created.body.task_id}/preview?limit=7`);
      const inFirst = `${where} AND day = DATE '${first!.day}' AND prefix = '${first!.prefix}' AND score = '${first!.score}'`;
      expect(await rowsOutsideSegment(relation, inFirst, columns, seven.body.rows)).toBe(0);

      // Exporting and exported tasks answer the same way.
      await api.post(`/api/v1/tasks/${created.body.task_id}/unload`);
      const exporting = await api.get(`/api/v1/tasks/${created.body.task_id}/preview?limit=5`);
      expect(exporting.status).toBe(200);
      expect(await rowsOutsideSegment(relation, where, columns, exporting.body.rows)).toBe(0);
      await api.waitFor(created.body.task_id, ['completed']);
      const done = await api.get(`/api/v1/tasks/${created.body.task_id}/preview?limit=5`);
      expect(done.body.rows).toHaveLength(5);
      expect(await rowsOutsideSegment(relation, where, columns, done.body.rows)).toBe(0);
    });

    it('previews the columns an export holds when nothing is selected, and an empty segment', async () => {
      const [prefix] = prefixes;
      const taskId = await api.createIntentTask({
        days: ['2024-05-02'],
        topic_id_prefixes: [prefix],
        scores: ['high'],
        perform_unload: false,
      });
      const preview = await api.get(`/api/v1/tasks/${taskId}/preview?limit=3`);
      expect(preview.status).toBe(200);
      // The files' own columns: day, prefix and score stay in the path, as in an export.
      const source = `${tree}/day=2024-05-02/prefix=${prefix}/score=high/data_0.parquet`;
      const own = await columnsOf('*', `read_parquet('${source}', hive_partitioning = false)`);
      expect(preview.body.columns).toEqual(own);
      expect(preview.body.rows).toHaveLength(3);
      const where = `day = DATE '2024-05-02' AND prefix = '${prefix}' AND score = 'high'`;
      expect(await rowsOutsideSegment(intentRelation(tree), where, own, preview.body.rows)).toBe(0);

      // No row passes: the columns still say what an export would hold.
      const none = await api.createIntentTask({
        days: ['2024-05-01', '2023-01-01'],
        topic_id_prefixes: [prefix, 'no_such_prefix'],
        scores: ['low', 'high'],
        where_expr: 'intent_score > 1000',
        select: 'hem_sha256, intent_score',
      });
      const selected = await columnsOf('hem_sha256, intent_score', intentRelation(tree));
      const empty = await api.get(`/api/v1/tasks/${none}/preview`);
      expect(empty.status).toBe(200);
      expect(empty.body).toEqual({ columns: selected, rows: [] });
      // No partition holds a file at all: the columns come from the input's first file.
      const nowhere = await api.createIntentTask({
        days: ['2023-01-01'],
        topic_id_prefixes: ['no_such_prefix'],
        scores: ['high'],
        where_expr: 'intent_score > 50',
        select: 'hem_sha256, intent_score',
      });
      await api.waitFor(nowhere, ['completed']);
      const nothing = await api.get(`/api/v1/tasks/${nowhere}/preview`);
      expect(nothing.status).toBe(200);
      expect(nothing.body).toEqual({ columns: selected, rows: [] });
    });

    it("refuses a limit out of 1-100, a failed task, and another organisation's task", async () => {
      const [prefix] = prefixes;
      const taskId = await api.createIntentTask({
        days: ['2024-05-01'],
        topic_id_prefixes: [prefix],
        scores: ['high'],
        perform_unload: false,
      });
      for (const limit of ['0', '101', 'abc', '-1']) {
        const bad = await api.get(`/api/v1/tasks/${taskId}/preview?limit=${limit}`);
        expect(bad.status).toBe(400);
        expect(bad.body.code).toBe('validation_failed');
        expect(bad.body.errors.map((e: { field: string }) => e.field.replace('querystring.', ''))).toEqual([
          'limit',
        ]);
      }
      const other = apiClient(t.url, (await signUp(t.url, 'Other')).apiKey);
      for (const id of [taskId, '00000000-0000-4000-8000-000000000000']) {
        const hidden = await other.get(`/api/v1/tasks/${id}/preview`);
        expect(hidden.status).toBe(404);
        expect(hidden.body.code).toBe('task_not_found');
      }

      // The filter fails on the data (a name is not a number): the task fails, and has no preview.
      const failing = await api.createIntentTask({
        days: ['2024-05-01'],
        topic_id_prefixes: [prefix],
        scores: ['high'],
        where_expr: 'CAST(topic_name AS INTEGER) > 0',
        perform_unload: false,
      });
      const failed = await api.waitFor(failing, ['failed']);
      expect(failed.error.code).toBe('expression_failed');
      const refused = await api.get(`/api/v1/tasks/${failing}/preview`);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('task_state_conflict');
      expect(refused.body.detail).toContain('failed');
    });
  });
}
