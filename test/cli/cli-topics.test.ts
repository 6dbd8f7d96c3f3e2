import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestServer, type TestServer } from '../support/api.ts';
import { parseCountTable, runCli } from '../support/cli-process.ts';
import { duck, expectedIntentCounts } from '../support/duck.ts';

/** `audiences topics` and `count --topics` against a real server over the shared demo tree. */

let t: TestServer;
let env: Record<string, string>;

beforeAll(async () => {
  t = await startTestServer();
  env = { AUDIENCES_URL: t.url, AUDIENCES_API_KEY: (await signUp(t.url)).apiKey };
});
afterAll(async () => t?.close());

/** Topics whose name holds `text`, over the whole (3-day) tree, as DuckDB counts them. */
async function expectedMatches(text: string) {
  return duck<{ topic_id: string; prefix: string; rows: bigint; people: bigint }>(
    `SELECT topic_id, prefix, count(*) AS rows, count(DISTINCT person_id) AS people
     FROM read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true)
     WHERE lower(topic_name) LIKE '%${text.toLowerCase()}%' OR lower(topic_id) LIKE '%${text.toLowerCase()}%'
     GROUP BY ALL ORDER BY rows DESC, topic_id`,
  );
}

describe('audiences topics', () => {
  it('prints the matching topics with their rows and people, and --json the answer', async () => {
    const [first] = await duck<{ word: string }>(
      `SELECT split_part(min(topic_name), ' ', 1) AS word FROM read_parquet('${t.intentTree}/**/*.parquet')`,
    );
    const expected = await expectedMatches(first!.word);
    expect(expected.length).toBeGreaterThan(0);

    const run = await runCli(['topics', '--search', first!.word.toUpperCase(), '--limit', '1000'], env);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').slice(1);
    expect(lines.map((line) => line.split(/\s{2,}/)[0])).toEqual(expected.map((row) => row.topic_id));
    const last = (line: string) => line.trim().split(/\s+/).slice(-2).map(Number);
    expect(lines.map(last)).toEqual(expected.map((row) => [Number(row.rows), Number(row.people)]));

    const json = await runCli(['topics', '--search', first!.word, '--days', '7', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ total: expected.length, days: expect.any(Array) });
  });

  it('refuses a --days out of range as a usage error', async () => {
    const run = await runCli(['topics', '--days', '0'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--days');
  });

  it('count --topics counts only those topics, as DuckDB counts topic_id IN (…)', async () => {
    const [row] = await expectedMatches('');
    const run = await runCli(
      [
        'count',
        '--days',
        '2024-05-01',
        '--prefixes',
        row!.prefix,
        '--scores',
        'high',
        '--topics',
        row!.topic_id,
      ],
      env,
    );
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    const expected = await expectedIntentCounts(
      t.intentTree,
      `day = '2024-05-01' AND prefix = '${row!.prefix}' AND score = 'high' AND topic_id = '${row!.topic_id}'`,
    );
    expect(parseCountTable(run.stdout).total).toBe(Object.values(expected).reduce((sum, n) => sum + n, 0));
  });
});
