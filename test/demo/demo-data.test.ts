import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoDataResult, demoDays, demoPrefixes, generateDemoData } from '../../src/demo/demo-data.ts';

const OPTIONS = { rows: 60_000, days: 3, prefixes: 4, seed: 11, startDay: '2024-05-30', threads: 2 };
const DAYS = ['2024-05-30', '2024-05-31', '2024-06-01'];
const PREFIXES = ['4eyes_101', '4eyes_102', '4eyes_103', '4eyes_104'];
const SCORES = ['low', 'medium', 'high'];
const LEAVES = DAYS.flatMap((day) =>
  PREFIXES.flatMap((prefix) => SCORES.map((score) => `day=${day}/prefix=${prefix}/score=${score}`)),
);

let root: string;
let tree: string;
let result: DemoDataResult;
const progress: Array<[number, number]> = [];
let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-data-test-'));
  tree = path.join(root, 'first');
  result = await generateDemoData({ out: tree, ...OPTIONS }, (done, total) => progress.push([done, total]));
  instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  connection = await instance.connect();
});

afterAll(() => {
  connection?.closeSync();
  instance?.closeSync();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

/** Rows of an independent query, JSON-friendly (BIGINT and HUGEINT as strings). */
async function query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson() as T[];
}

async function one<T = Record<string, unknown>>(sql: string): Promise<T> {
  const [row] = await query<T>(sql);
  return row!;
}

function intent(dir: string): string {
  return `read_parquet('${dir}/**/*.parquet', hive_partitioning = true)`;
}

/** Every file under `dir`, as sorted relative paths. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((name) => fs.statSync(path.join(dir, name)).isFile())
    .sort();
}

/** Per partition: row count and an order-independent checksum of the rows. */
async function fingerprint(dir: string): Promise<Record<string, string>> {
  const rows = await query<{ leaf: string; n: string; checksum: string }>(
    `SELECT 'day=' || strftime(day, '%Y-%m-%d') || '/prefix=' || prefix || '/score=' || score AS leaf,
       count(*)::VARCHAR AS n, sum(hash(person_id, topic_id, intent_score, last_seen))::VARCHAR AS checksum
     FROM ${intent(dir)} GROUP BY ALL`,
  );
  return Object.fromEntries(rows.map((r) => [r.leaf, `${r.n}:${r.checksum}`]));
}

describe('generateDemoData', () => {
  it('writes exactly the requested rows and reports them', async () => {
    const { n } = await one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ${intent(tree)}`);
    expect(n).toBe(60_000);
    expect(result.rows).toBe(60_000);
    expect(result.files).toBe(LEAVES.length);
    const bytes = filesUnder(tree).reduce((sum, file) => sum + fs.statSync(path.join(tree, file)).size, 0);
    expect(result.bytes).toBe(bytes);
    expect(result.elapsedMs).toBeGreaterThan(0);
  });

  it('writes one data_0.parquet per day × prefix × score leaf, and nothing else', async () => {
    expect(filesUnder(tree)).toEqual(LEAVES.map((leaf) => `${leaf}/data_0.parquet`).sort());
    const leaves = await query<{ leaf: string }>(
      `SELECT DISTINCT 'day=' || strftime(day, '%Y-%m-%d') || '/prefix=' || prefix || '/score=' || score AS leaf
       FROM ${intent(tree)} ORDER BY 1`,
    );
    expect(leaves.map((r) => r.leaf)).toEqual([...LEAVES].sort());
    expect(result.days).toEqual(DAYS);
    expect(result.days).toEqual(demoDays(OPTIONS.startDay, OPTIONS.days));
    expect(result.prefixes).toEqual(PREFIXES);
    expect(result.prefixes).toEqual(demoPrefixes(OPTIONS.prefixes));
  });

  it('keeps the partition columns in the path and the row columns in the files', async () => {
    const file = path.join(tree, `${LEAVES[0]}/data_0.parquet`);
    const columns = await query<{ column_name: string; column_type: string }>(
      `DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false)`,
    );
    expect(columns.map((c) => [c.column_name, c.column_type])).toEqual([
      ['person_id', 'BIGINT'],
      ['hem_sha256', 'VARCHAR'],
      ['topic_id', 'VARCHAR'],
      ['topic_name', 'VARCHAR'],
      ['intent_score', 'INTEGER'],
      ['company_id', 'BIGINT'],
      ['company_domain', 'VARCHAR'],
      ['job_title', 'VARCHAR'],
      ['seniority', 'VARCHAR'],
      ['industry', 'VARCHAR'],
      ['country', 'VARCHAR'],
      ['event_count', 'INTEGER'],
      ['last_seen', 'TIMESTAMP'],
    ]);
  });

  it('keeps every row consistent with its partition', async () => {
    const bad = await one(
      `SELECT
         count(*) FILTER (WHERE NOT CASE score WHEN 'low' THEN intent_score BETWEEN 0 AND 39
           WHEN 'medium' THEN intent_score BETWEEN 40 AND 69 WHEN 'high' THEN intent_score BETWEEN 70 AND 100 END
           OR intent_score IS NULL)::INTEGER AS score_outside_band,
         count(*) FILTER (WHERE NOT starts_with(topic_id, prefix || '_') OR topic_id IS NULL)::INTEGER AS foreign_topic,
         count(*) FILTER (WHERE last_seen::DATE <> day OR last_seen IS NULL)::INTEGER AS seen_on_other_day,
         count(*) FILTER (WHERE NOT event_count >= 1 OR event_count IS NULL)::INTEGER AS no_events,
         count(*) FILTER (WHERE person_id IS NULL OR company_id IS NULL OR company_domain IS NULL
           OR job_title IS NULL OR seniority IS NULL OR industry IS NULL OR country IS NULL
           OR topic_name IS NULL)::INTEGER AS missing_values
       FROM ${intent(tree)}`,
    );
    expect(bad).toEqual({
      score_outside_band: 0,
      foreign_topic: 0,
      seen_on_other_day: 0,
      no_events: 0,
      missing_values: 0,
    });
    // The bands are used across their width, not pinned to one value.
    const bands = await query<{ score: string; lo: number; hi: number }>(
      `SELECT score, min(intent_score) AS lo, max(intent_score) AS hi FROM ${intent(tree)} GROUP BY score`,
    );
    const byScore = Object.fromEntries(bands.map((b) => [b.score, [b.lo, b.hi]]));
    expect(byScore.low![0]).toBeLessThan(5);
    expect(byScore.low![1]).toBeGreaterThan(34);
    expect(byScore.medium![0]).toBeLessThan(45);
    expect(byScore.medium![1]).toBeGreaterThan(64);
    expect(byScore.high![0]).toBeLessThan(75);
    expect(byScore.high![1]).toBeGreaterThan(95);
  });

  it('draws people from a small, skewed pool who recur across days and prefixes', async () => {
    const people = await one<{
      persons: number;
      multi_day: number;
      multi_prefix: number;
      busiest: number;
      median: number;
    }>(
      `SELECT count(*)::INTEGER AS persons,
         count(*) FILTER (WHERE days > 1)::INTEGER AS multi_day,
         count(*) FILTER (WHERE prefixes > 1)::INTEGER AS multi_prefix,
         max(n)::INTEGER AS busiest, median(n)::DOUBLE AS median
       FROM (SELECT person_id, count(*) AS n, count(DISTINCT day) AS days, count(DISTINCT prefix) AS prefixes
             FROM ${intent(tree)} GROUP BY person_id)`,
    );
    expect(people.persons).toBeGreaterThan(100);
    expect(people.persons).toBeLessThan(60_000 / 10);
    expect(people.multi_day / people.persons).toBeGreaterThan(0.5);
    expect(people.multi_prefix / people.persons).toBeGreaterThan(0.5);
    expect(people.busiest).toBeGreaterThan(10 * people.median);
  });

  it('keeps a person’s hashed e-mail and profile, and a topic’s name, constant', async () => {
    const person = await one(
      `SELECT
         count(*) FILTER (WHERE hems > 1)::INTEGER AS several_hems,
         count(*) FILTER (WHERE profiles > 1)::INTEGER AS several_profiles
       FROM (SELECT person_id, count(DISTINCT hem_sha256) AS hems,
               count(DISTINCT (company_id, company_domain, job_title, seniority, industry, country)) AS profiles
             FROM ${intent(tree)} GROUP BY person_id)`,
    );
    expect(person).toEqual({ several_hems: 0, several_profiles: 0 });
    const hems = await one(
      `SELECT count(*) FILTER (WHERE NOT regexp_full_match(hem_sha256, '[0-9a-f]{64}'))::INTEGER AS malformed,
         (count(DISTINCT hem_sha256) = count(DISTINCT person_id)) AS one_per_person
       FROM ${intent(tree)}`,
    );
    expect(hems).toEqual({ malformed: 0, one_per_person: true });
    const topics = await one<{ renamed: number; topics: number }>(
      `SELECT count(*) FILTER (WHERE names > 1)::INTEGER AS renamed, count(*)::INTEGER AS topics
       FROM (SELECT topic_id, count(DISTINCT topic_name) AS names FROM ${intent(tree)} GROUP BY topic_id)`,
    );
    expect(topics.renamed).toBe(0);
    expect(topics.topics).toBeGreaterThan(PREFIXES.length * 5);
  });

  it('skews popularity: prefixes unevenly, more low than high scores', async () => {
    const prefixes = await query<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM ${intent(tree)} GROUP BY prefix ORDER BY n`,
    );
    expect(prefixes.at(-1)!.n).toBeGreaterThan(1.5 * prefixes[0]!.n);
    const scores = await one<{ low: number; medium: number; high: number }>(
      `SELECT count(*) FILTER (WHERE score = 'low')::INTEGER AS low,
         count(*) FILTER (WHERE score = 'medium')::INTEGER AS medium,
         count(*) FILTER (WHERE score = 'high')::INTEGER AS high
       FROM ${intent(tree)}`,
    );
    expect(scores.low).toBeGreaterThan(scores.medium);
    expect(scores.medium).toBeGreaterThan(scores.high);
  });

  it('reports progress up to the total', () => {
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toEqual([60_000, 60_000]);
    for (const [i, [done, total]] of progress.entries()) {
      expect(total).toBe(60_000);
      if (i > 0) expect(done).toBeGreaterThanOrEqual(progress[i - 1]![0]);
    }
  });

  it('is deterministic per seed, and regenerating over a tree replaces it', async () => {
    const expected = await fingerprint(tree);
    expect(Object.keys(expected)).toHaveLength(LEAVES.length);

    const again = path.join(root, 'again');
    await generateDemoData({ out: again, ...OPTIONS });
    expect(await fingerprint(again)).toEqual(expected);

    // Over the same folder, with a stray file in a leaf: another seed gives other rows, and the stray goes.
    fs.writeFileSync(path.join(again, LEAVES[0]!, 'data_1.parquet'), 'stray');
    const reseeded = await generateDemoData({ out: again, ...OPTIONS, seed: 12 });
    expect(reseeded.rows).toBe(60_000);
    expect(filesUnder(again)).toEqual(filesUnder(tree));
    const other = await fingerprint(again);
    expect(Object.keys(other).sort()).toEqual(Object.keys(expected).sort());
    const total = await one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ${intent(again)}`);
    expect(total.n).toBe(60_000);
    const changed = LEAVES.filter((leaf) => other[leaf]!.split(':')[1] !== expected[leaf]!.split(':')[1]);
    expect(changed).toEqual(LEAVES);
  });
});

describe('generateDemoData on a tiny tree', () => {
  it('still fills every leaf, weekend days included, with one row per leaf', async () => {
    const out = path.join(root, 'tiny');
    const tiny = await generateDemoData({ ...OPTIONS, out, rows: LEAVES.length });
    expect(tiny.rows).toBe(LEAVES.length);
    expect(filesUnder(out)).toEqual(LEAVES.map((leaf) => `${leaf}/data_0.parquet`).sort());
    const sizes = await query<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM ${intent(out)} GROUP BY day, prefix, score`,
    );
    expect(sizes.map((s) => s.n)).toEqual(LEAVES.map(() => 1));
  });
});

describe('demoDays', () => {
  it('counts consecutive days across month, leap-day and year boundaries', () => {
    expect(demoDays('2024-05-30', 4)).toEqual(['2024-05-30', '2024-05-31', '2024-06-01', '2024-06-02']);
    expect(demoDays('2024-02-28', 3)).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(demoDays('2023-02-28', 2)).toEqual(['2023-02-28', '2023-03-01']);
    expect(demoDays('2023-12-31', 2)).toEqual(['2023-12-31', '2024-01-01']);
    expect(demoDays('2024-05-01', 0)).toEqual([]);
  });

  it.each(['2024-02-30', '2024-5-1', '20240501', 'someday'])('rejects %j', (day) => {
    expect(() => demoDays(day, 1)).toThrow(/YYYY-MM-DD/);
  });
});

describe('demoPrefixes', () => {
  it('names prefixes like an intent vendor, in order', () => {
    expect(demoPrefixes(3)).toEqual(['4eyes_101', '4eyes_102', '4eyes_103']);
    expect(new Set(demoPrefixes(50)).size).toBe(50);
  });
});
