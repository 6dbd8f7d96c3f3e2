import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { parseCountTable, runCli } from '../support/cli-process.ts';
import { duck, expectedIntentCounts, expectedIntentUniques, intentPrefixes } from '../support/duck.ts';

/**
 * `audiences count`, `export` and `generic count` as a user runs them, against a real server over
 * the shared demo tree; every number is checked against DuckDB reading the files.
 */

let t: TestServer;
let account: Account;
let prefixes: string[];
let env: Record<string, string>;

beforeAll(async () => {
  t = await startTestServer();
  account = await signUp(t.url);
  prefixes = (await intentPrefixes(t.intentTree)).slice(0, 2);
  env = { AUDIENCES_URL: t.url, AUDIENCES_API_KEY: account.apiKey };
});
afterAll(async () => t?.close());

const nonZero = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

describe('audiences count', () => {
  const where = 'intent_score >= 60';
  const sqlWhere = () =>
    `day IN ('2024-05-01', '2024-05-02') AND prefix IN (${prefixes.map((p) => `'${p}'`).join(', ')}) AND score IN ('high', 'medium') AND ${where}`;

  it('prints the rows of every partition, the total and the unique count, as DuckDB counts them', async () => {
    const run = await runCli(
      [
        'count',
        '--days',
        '2024-05-01..20240502',
        '--prefixes',
        prefixes.join(','),
        '--scores',
        'high,medium',
        '--where',
        where,
        '--unique-by',
        'person_id',
      ],
      env,
    );
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    const printed = parseCountTable(run.stdout);
    const expected = await expectedIntentCounts(t.intentTree, sqlWhere());
    expect(Object.keys(expected)).toHaveLength(2 * 2 * 2);
    expect(nonZero(printed.counts)).toEqual(expected);
    expect(printed.total).toBe(Object.values(expected).reduce((sum, n) => sum + n, 0));
    expect(printed.unique).toBe((await expectedIntentUniques(t.intentTree, 'person_id', sqlWhere())).whole);
    // Piped: no progress bar, no terminal control characters.
    expect(run.stderr).not.toContain('jobs |');
    expect(run.stderr + run.stdout).not.toContain('\u001b[');
  });

  it('--json prints the counted task detail and nothing else', async () => {
    const run = await runCli(
      ['count', '--days', '2024-05-01', '--prefixes', prefixes[0]!, '--scores', 'low,high', '--json'],
      env,
    );
    expect(run.code).toBe(0);
    const task = JSON.parse(run.stdout);
    expect(task).toMatchObject({ status: 'counted', type: 'intent_hive' });
    const expected = await expectedIntentCounts(
      t.intentTree,
      `day = '2024-05-01' AND prefix = '${prefixes[0]}' AND score IN ('low', 'high')`,
    );
    expect(nonZero(task.counts)).toEqual(expected);
    expect(task.total_count).toBe(Object.values(expected).reduce((sum, n) => sum + n, 0));
  });
});

describe('audiences export', () => {
  it('--out downloads every file; the rows DuckDB reads from them are the segment count', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-cli-export-'));
    try {
      const run = await runCli(
        [
          'export',
          '--days',
          '2024-05-01,2024-05-02',
          '--prefixes',
          prefixes[1]!,
          '--scores',
          'high',
          '--select',
          'person_id,intent_score',
          '--format',
          'parquet',
          '--out',
          out,
          '--json',
        ],
        env,
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const task = JSON.parse(run.stdout);
      expect(task.status).toBe('completed');
      const files = fs
        .readdirSync(out, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.parquet'));
      expect(files.length).toBe(task.files.length);
      expect(task.downloaded.map((file: { path: string }) => path.relative(out, file.path)).sort()).toEqual(
        files.sort(),
      );
      const expected = await expectedIntentCounts(
        t.intentTree,
        `day IN ('2024-05-01', '2024-05-02') AND prefix = '${prefixes[1]}' AND score = 'high'`,
      );
      const [read] = await duck<{ n: bigint; columns: number }>(
        `SELECT count(*) AS n FROM read_parquet('${out}/**/*.parquet')`,
      );
      expect(Number(read!.n)).toBe(Object.values(expected).reduce((sum, n) => sum + n, 0));
      const columns = await duck<{ column_name: string }>(
        `DESCRIBE SELECT * FROM read_parquet('${out}/**/*.parquet', hive_partitioning = false)`,
      );
      expect(columns.map((c) => c.column_name)).toEqual(['person_id', 'intent_score']);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("--platform writes the people as the platform's file: its header, hem_sha256 as it takes it", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-cli-profile-'));
    try {
      const run = await runCli(
        [
          'export',
          '--days',
          '2024-05-01',
          '--prefixes',
          prefixes[0]!,
          '--scores',
          'high',
          '--platform',
          'uid2',
          '--out',
          out,
          '--json',
        ],
        env,
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const task = JSON.parse(run.stdout);
      expect(task.request).toMatchObject({ output: 'people', profile: 'uid2', format: 'csv' });
      const files = fs
        .readdirSync(out, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.csv'))
        .map((f) => path.join(out, f));
      expect(files.length).toBe(task.files.length);
      for (const file of files) expect(fs.readFileSync(file, 'utf8').split('\n')[0]).toBe('email_hash');
      const list = files.map((f) => `'${f}'`).join(', ');
      const scope = `read_parquet('${t.intentTree}/day=2024-05-01/prefix=${prefixes[0]}/score=high/*.parquet')`;
      const [diff] = await duck<{ missing: bigint; extra: bigint }>(
        `WITH got AS (SELECT email_hash AS id FROM read_csv([${list}], header = true, all_varchar = true)),
              want AS (SELECT DISTINCT to_base64(unhex(lower(hem_sha256))) AS id FROM ${scope})
         SELECT (SELECT count(*) FROM (SELECT id FROM want EXCEPT SELECT id FROM got)) AS missing,
                (SELECT count(*) FROM (SELECT id FROM got EXCEPT SELECT id FROM want)) AS extra`,
      );
      expect(diff).toEqual({ missing: 0n, extra: 0n });
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('--split writes each delivered part to DIR/split=NAME/, the holdout nowhere in DIR', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-cli-splits-'));
    try {
      const args = ['export', '--days', '2024-05-01', '--prefixes', prefixes[0]!, '--scores', 'high'];
      const split = ['--platform', 'google_customer_match', '--split', 'A:45,B:45,control:10:holdout'];
      const run = await runCli([...args, ...split, '--split-salt', 'cli-salt', '--out', out, '--json'], env);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const task = JSON.parse(run.stdout);
      expect(task.request).toMatchObject({
        output: 'people',
        split_salt: 'cli-salt',
        splits: [
          { name: 'A', percent: 45, deliver: true },
          { name: 'B', percent: 45, deliver: true },
          { name: 'control', percent: 10, deliver: false },
        ],
      });
      expect(fs.readdirSync(out).sort()).toEqual(['split=A', 'split=B']);
      // Each part's size as an independent DuckDB query assigns the tree's people.
      const scope = `read_parquet('${t.intentTree}/day=2024-05-01/prefix=${prefixes[0]}/score=high/*.parquet')`;
      const parts = await duck<{ part: string; n: bigint }>(
        `SELECT CASE WHEN b < 4500 THEN 'A' WHEN b < 9000 THEN 'B' ELSE 'control' END AS part, count(*) AS n
         FROM (SELECT CAST('0x' || left(sha256('cli-salt' || id), 16) AS UBIGINT) % 10000 AS b
               FROM (SELECT DISTINCT lower(hem_sha256) AS id FROM ${scope} WHERE hem_sha256 IS NOT NULL))
         GROUP BY ALL`,
      );
      const expected = Object.fromEntries(parts.map((row) => [row.part, Number(row.n)]));
      expect(task.split_counts).toEqual(expected);
      for (const name of ['A', 'B']) {
        const dir = path.join(out, `split=${name}`);
        const files = fs
          .readdirSync(dir, { recursive: true, encoding: 'utf8' })
          .filter((f) => f.endsWith('.csv'));
        const lines = files.flatMap((f) =>
          fs.readFileSync(path.join(dir, f), 'utf8').trim().split('\n').slice(1),
        );
        expect(lines.length).toBe(expected[name]);
      }

      const bad = await runCli([...args, '--split', 'A:45,B:x'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--split: "B:x" is not NAME:PERCENT');
      const refused = await runCli([...args, '--platform', 'uid2', '--split', 'A:50,B:40'], env);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('add up to exactly 100');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('without --out prints one download link per file, each serving the file', async () => {
    const run = await runCli(
      ['export', '--days', '20240503', '--prefixes', prefixes[0]!, '--scores', 'medium', '--format', 'csv'],
      env,
    );
    expect(run.code).toBe(0);
    const links = run.stdout.trim().split('\n');
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      const download = await fetch(link);
      expect(download.status).toBe(200);
      // Read to the end, so the connection is free when the server closes.
      await download.arrayBuffer();
    }
  });
});

describe('audiences generic count', () => {
  it('counts a local Parquet tree per folder, as DuckDB does', async () => {
    const input = path.join(t.intentTree, 'day=2024-05-02');
    const run = await runCli(
      ['generic', 'count', '--input', input, '--where', "country = 'US'", '--json'],
      env,
    );
    expect(run.code).toBe(0);
    const task = JSON.parse(run.stdout);
    const [expected] = await duck<{ n: bigint }>(
      `SELECT count(*) AS n FROM read_parquet('${input}/**/*.parquet', hive_partitioning = true) WHERE country = 'US'`,
    );
    expect(task.total_count).toBe(Number(expected!.n));
  });
});
