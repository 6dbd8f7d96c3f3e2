import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl, POSTGRES_ADMIN_URL, query as pgQuery } from '../../harness/postgres.ts';
import { SLICE_BUCKETS } from '../../src/tasks/unique-slices.ts';
import {
  apiClient,
  jobsByPhase as jobsOf,
  signUp,
  startTestServer,
  type TestServer,
} from '../support/api.ts';
import { downloadFiles } from '../support/downloads.ts';
import { duck, expectedIntentPeopleOn } from '../support/duck.ts';
import { TEST_REDIS_URL } from '../support/redis.ts';

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

/** The task's jobs by phase, as the server's SQLite file holds them. */
function jobsByPhase(taskId: string, dataDir = t.dataDir): Record<string, number> {
  return jobsOf(dataDir, taskId);
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

describe('a saved audience whose buckets changed between runs (SLICE_BUCKETS, or the workers)', () => {
  it('counts and writes who joined and who left against a base sliced into other buckets', async () => {
    // One data folder, two servers one after the other: the base run sliced into 16 buckets (the
    // default), the next into 5 (as a deployment whose workers changed would choose). Each bucket of the second run
    // then compares with the base's members whose hash falls in it, from every one of its files.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-buckets-'));
    const env = { JOB_MAX_BYTES: '1MB', UNIQUE_JOB_MAX_BYTES: '4MB', DATA_DIR: dataDir };
    const where = 'intent_score >= 30';
    const days = ['2024-05-01', '2024-05-02', '2024-05-03'];
    const peopleOver = async (n: number) =>
      (
        await expectedIntentPeopleOn(
          t.intentTree,
          days.slice(-n),
          where,
          'HAVING count(DISTINCT prefix) >= 2',
        )
      ).map((row) => String(row.person_id));
    let server = await startTestServer(env);
    try {
      const account = await signUp(server.url);
      let client = apiClient(server.url, account.apiKey);
      const created = await client.post('/api/v1/audiences', {
        name: 'Buckets that changed',
        kind: 'intent',
        definition: {
          ...ALL,
          days: undefined,
          topic_id_prefixes: prefixes,
          where_expr: where,
          unique_by: 'person_id',
          output: 'people',
          min_topics: 2,
        },
        window: { last_days: 3 },
        delivery: { mode: 'delta' },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const audience = created.body.audience_id;
      const base = await client.post(`/api/v1/audiences/${audience}/runs`);
      expect(base.status, JSON.stringify(base.body)).toBe(202);
      await client.waitFor(base.body.task_id, ['completed'], 120_000);
      expect(jobsByPhase(base.body.task_id, dataDir).reduce).toBe(16);
      await server.close();

      server = await startTestServer({ ...env, SLICE_BUCKETS: '5' });
      client = apiClient(server.url, account.apiKey);
      expect((await client.patch(`/api/v1/audiences/${audience}`, { window: { last_days: 2 } })).status).toBe(
        200,
      );
      const next = await client.post(`/api/v1/audiences/${audience}/runs`);
      expect(next.status, JSON.stringify(next.body)).toBe(202);
      const done = await client.waitFor(next.body.task_id, ['completed'], 120_000);
      expect(jobsByPhase(next.body.task_id, dataDir).reduce).toBe(5);
      const [before, now] = [await peopleOver(3), await peopleOver(2)];
      const joined = now.filter((person) => !before.includes(person));
      const left = before.filter((person) => !now.includes(person));
      expect(left.length).toBeGreaterThan(0);
      expect(done.delta).toEqual({
        baseline: 'previous',
        previous_run_id: base.body.run_id,
        members: now.length,
        added: joined.length,
        removed: left.length,
        kept: now.length - joined.length,
      });
      // The files: each newcomer's row once, and each leaver's value once, in 5 buckets' folders.
      const copies = path.join(dataDir, 'downloads');
      const listed = async (list: string) => {
        const files = done.files.filter((file: { partition: string }) => file.partition === list);
        fs.mkdirSync(path.join(copies, list), { recursive: true });
        const local = await downloadFiles(files, path.join(copies, list));
        if (local.length === 0) return [];
        const rows = await duck<{ person_id: string }>(
          `SELECT person_id FROM read_parquet([${local.map((file) => `'${file}'`).join(', ')}])`,
        );
        return rows.map((row) => String(row.person_id)).sort();
      };
      expect(await listed('added')).toEqual([...joined].sort());
      expect(await listed('removed')).toEqual([...left].sort());
      const buckets = new Set(done.files.map((file: { uri: string }) => file.uri.split('/').at(-2)));
      expect([...buckets].every((folder) => /^bucket=[0-4]$/.test(String(folder)))).toBe(true);
    } finally {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a unique count on a shared store', () => {
  it('gets as many buckets as the count jobs that run at once across the workers, past 16', async () => {
    // One process on PostgreSQL with 17 count slots: the planner asks the workers' beats, finds 17
    // slots, and slices the count into 32 buckets (the power of two at least 17), not 16.
    const database = `audiences_buckets_${randomUUID().replaceAll('-', '')}`;
    await pgQuery(POSTGRES_ADMIN_URL, `CREATE DATABASE ${database}`);
    const server = await startTestServer({
      DATABASE_URL: databaseUrl(database),
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: `test-buckets-${randomUUID()}`,
      JWT_SECRET: 'j'.repeat(32),
      LINK_SECRET: 'l'.repeat(32),
      JOB_MAX_BYTES: '1MB',
      UNIQUE_JOB_MAX_BYTES: '4MB',
      COUNT_CONCURRENCY: '17',
    });
    try {
      const account = await signUp(server.url);
      const client = apiClient(server.url, account.apiKey);
      const where = 'intent_score >= 50';
      const id = await client.createIntentTask({
        ...ALL,
        topic_id_prefixes: prefixes,
        where_expr: where,
        unique_by: 'person_id',
        perform_unload: false,
      });
      const task = await client.waitFor(id, ['counted'], 120_000);
      const rows = await pgQuery<{ phase: string; n: string }>(
        databaseUrl(database),
        `SELECT phase, count(*) AS n FROM jobs WHERE task_id = '${id}' GROUP BY phase`,
      );
      const jobs = Object.fromEntries(rows.map((row) => [row.phase, Number(row.n)]));
      expect(jobs.count).toBeGreaterThanOrEqual(2);
      expect(jobs.reduce).toBe(32);
      expect(task.unique_count).toBe((await expected('person_id', where)).whole);
    } finally {
      await server.close();
      await pgQuery(POSTGRES_ADMIN_URL, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
  }, 120_000);
});

/**
 * Folder `region={k}` of a CRM extract (about 1 MB): rows k × 15,000 to (k + 1) × 15,000, of the
 * people `{who}-{i mod 40,000}` hashed, one row in 3 spelled in upper case (a person's 3 rows, 40,000
 * apart, fall in different folders); every 100th row is not a hash (37 values, in either case) and
 * every 250th is NULL.
 */
async function crmFolder(input: string, k: number, who: string): Promise<void> {
  const folder = path.join(input, `region=${k}`);
  fs.mkdirSync(folder, { recursive: true });
  await duck(
    `COPY (SELECT CASE WHEN i % 250 = 0 THEN NULL
                       WHEN i % 100 = 0 THEN (CASE WHEN i % 200 = 0 THEN 'BAD-' ELSE 'bad-' END) || (i % 37)
                       WHEN i % 3 = 0 THEN upper(sha256('${who}-' || (i % 40000)))
                       ELSE sha256('${who}-' || (i % 40000)) END AS email_sha,
                  i AS customer_no
           FROM range(${k * 15_000}, ${(k + 1) * 15_000}) AS r(i))
     TO '${path.join(folder, 'part.parquet')}' (FORMAT parquet)`,
  );
}

/** The non-NULL values of a CRM extract's `email_sha`, as `v`. */
function valuesOf(input: string): string {
  return `(SELECT email_sha AS v FROM read_parquet('${input}/**/*.parquet') WHERE email_sha IS NOT NULL)`;
}

/** Its valid identifiers, lower-cased, as DuckDB reads them: what a profile's files hold. */
async function identifiersOf(input: string): Promise<string[]> {
  const rows = await duck<{ id: string }>(
    `SELECT DISTINCT lower(v) AS id FROM ${valuesOf(input)} WHERE regexp_full_match(v, '[0-9A-Fa-f]{64}') ORDER BY 1`,
  );
  return rows.map((row) => row.id);
}

/** The identifiers of a profile's downloaded files (header `email`), sorted. */
async function downloadedIds(files: Parameters<typeof downloadFiles>[0], dir: string): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const local = await downloadFiles(files, dir);
  if (local.length === 0) return [];
  const rows = await duck<{ email: string }>(
    `SELECT email FROM read_csv([${local.map((file) => `'${file}'`).join(', ')}], header = true, all_varchar = true) ORDER BY 1`,
  );
  return rows.map((row) => row.email);
}

describe('a profile export larger than one job', () => {
  it("slices by the hash of each identifier lower-cased: every spelling of one is in one bucket's file, once", async () => {
    // A CRM extract in 8 folders (about 8 MB: more than the 4 MB one job takes on), 40,000 people
    // on 3 rows each in different folders, one of the 3 spelled in upper case; every 100th row is
    // not a hash (37 values, in either case) and every 250th is NULL.
    const input = path.join(t.dataDir, 'crm-large');
    for (let k = 0; k < 8; k++) await crmFolder(input, k, 'person');
    const values = valuesOf(input);
    const [want] = await duck<{ valid: bigint; invalid: bigint }>(
      `SELECT count(DISTINCT lower(v)) FILTER (WHERE regexp_full_match(v, '[0-9A-Fa-f]{64}')) AS valid,
              count(DISTINCT lower(v)) FILTER (WHERE NOT regexp_full_match(v, '[0-9A-Fa-f]{64}')) AS invalid
       FROM ${values}`,
    );
    const valid = Number(want!.valid);
    expect(valid).toBeGreaterThan(30_000);
    expect(Number(want!.invalid)).toBe(37);
    const identifiers = await identifiersOf(input);
    expect(identifiers).toHaveLength(valid);
    const body = {
      input_path: input,
      output: 'people',
      profile: 'meta_custom_audience',
      identifier: 'email_sha',
    };

    // Counted first, then exported; and exported at once (its first job gives way to count jobs).
    const counted = await api.post('/api/v1/generic_parquet_tasks', { ...body, perform_unload: false });
    expect(counted.status, JSON.stringify(counted.body)).toBe(202);
    const review = await api.waitFor(counted.body.task_id, ['counted'], 120_000);
    expect(review.unique_count).toBe(valid);
    expect(review.invalid_identifiers).toBe(37);
    expect((await api.post(`/api/v1/tasks/${counted.body.task_id}/unload`)).status).toBe(202);
    const atOnce = await api.post('/api/v1/generic_parquet_tasks', body);
    expect(atOnce.body.status).toBe('unloading');
    for (const id of [counted.body.task_id, atOnce.body.task_id]) {
      const done = await api.waitFor(id, ['completed'], 120_000);
      const jobs = jobsByPhase(id);
      expect(jobs.count).toBeGreaterThanOrEqual(2);
      expect(jobs.reduce).toBe(SLICE_BUCKETS);
      expect(done.counts).toEqual({ people: valid });
      expect(done.invalid_identifiers).toBe(37);
      const buckets = new Set(done.files.map((file: { uri: string }) => file.uri.split('/').at(-2)));
      expect([...buckets].every((folder) => /^bucket=\d+$/.test(String(folder)))).toBe(true);
      // Every identifier once, lower-cased, against DuckDB's own over the input.
      const copies = path.join(t.dataDir, 'profile-downloads', id);
      expect(await downloadedIds(done.files, copies)).toEqual(identifiers);
    }
  }, 120_000);
});

describe('a saved profile audience larger than one job', () => {
  it('delivers who joined and who left by bucket, each identifier once, lower-cased', async () => {
    // Folders 0-6 hold the same people in both runs; folder 7 (first run only) and folder 8 (second
    // run only) hold people of their own: who leaves and who joins. About 8 MB each run: sliced.
    const input = path.join(t.dataDir, 'crm-audience');
    for (let k = 0; k < 7; k++) await crmFolder(input, k, 'person');
    await crmFolder(input, 7, 'leaver');
    const created = await api.post('/api/v1/audiences', {
      name: 'Meta, sliced',
      kind: 'generic',
      definition: {
        input_path: input,
        output: 'people',
        profile: 'meta_custom_audience',
        identifier: 'email_sha',
      },
      delivery: { mode: 'delta' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const audience = created.body.audience_id;
    const runs: string[] = [];
    let before: string[] = [];
    for (const round of [1, 2]) {
      if (round === 2) {
        fs.rmSync(path.join(input, 'region=7'), { recursive: true });
        await crmFolder(input, 8, 'joiner');
      }
      const now = await identifiersOf(input);
      const started = await api.post(`/api/v1/audiences/${audience}/runs`);
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      const done = await api.waitFor(started.body.task_id, ['completed'], 120_000);
      expect(jobsByPhase(started.body.task_id).reduce).toBe(SLICE_BUCKETS);
      const joined = now.filter((id) => !before.includes(id));
      const left = before.filter((id) => !now.includes(id));
      if (round === 2) expect([joined.length > 1000, left.length > 1000]).toEqual([true, true]);
      expect(done.delta).toEqual({
        baseline: round === 1 ? 'new' : 'previous',
        previous_run_id: runs.at(-1) ?? null,
        members: now.length,
        added: joined.length,
        removed: left.length,
        kept: now.length - joined.length,
      });
      expect(done.invalid_identifiers).toBe(37);
      const list = (name: string) =>
        done.files.filter((file: { partition: string }) => file.partition === name);
      const folders = new Set(done.files.map((file: { uri: string }) => file.uri.split('/').at(-2)));
      expect([...folders].every((folder) => /^bucket=\d+$/.test(String(folder)))).toBe(true);
      const copies = path.join(t.dataDir, 'audience-downloads', started.body.run_id);
      expect(await downloadedIds(list('added'), path.join(copies, 'added'))).toEqual(joined);
      expect(await downloadedIds(list('removed'), path.join(copies, 'removed'))).toEqual(left);
      before = now;
      runs.push(started.body.run_id);
    }
  }, 120_000);
});
