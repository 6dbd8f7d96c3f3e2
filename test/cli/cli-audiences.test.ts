import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestServer, type TestServer } from '../support/api.ts';
import { runCli } from '../support/cli-process.ts';
import { duck, intentPrefixes } from '../support/duck.ts';

/**
 * `audiences audience ...` as a user runs it, against a real server over the shared test tree: an
 * audience saved from flags, listed, run with --wait (its added people checked against DuckDB),
 * and the exit codes of a bad flag, an API 400 and a failed run.
 */

let t: TestServer;
let env: Record<string, string>;
let prefixes: string[];
let lastTwoDays: string[];

const FILTER = 'intent_score >= 50';

beforeAll(async () => {
  t = await startTestServer();
  const account = await signUp(t.url, 'CLI audiences');
  env = { AUDIENCES_URL: t.url, AUDIENCES_API_KEY: account.apiKey };
  prefixes = (await intentPrefixes(t.intentTree)).slice(0, 2);
  const days = await duck<{ d: string }>(
    `SELECT DISTINCT strftime(day, '%Y-%m-%d') AS d
     FROM read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true, hive_types = {'day': DATE})
     ORDER BY 1`,
  );
  lastTwoDays = days.slice(-2).map((row) => row.d);
});
afterAll(async () => t?.close());

/** Distinct people of the audience over `days`, straight from the files. */
async function people(days: string[]): Promise<number> {
  const [row] = await duck<{ n: bigint }>(
    `SELECT count(DISTINCT person_id) AS n
     FROM read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true, hive_types = {'day': DATE})
     WHERE day IN (${days.map((d) => `DATE '${d}'`).join(', ')})
       AND prefix IN (${prefixes.map((p) => `'${p}'`).join(', ')}) AND score IN ('medium', 'high')
       AND ${FILTER}`,
  );
  return Number(row!.n);
}

/** The value of a `label  value` line of a block the CLI prints. */
function field(stdout: string, label: string): string | undefined {
  return new RegExp(`^${label}\\s{2,}(.+)$`, 'm').exec(stdout)?.[1];
}

/** How often `text` occurs in `within`. */
const occurrences = (within: string, text: string) => within.split(text).length - 1;

const intentFlags = () => [
  '--last-days',
  '2',
  '--prefixes',
  prefixes.join(','),
  '--scores',
  'medium,high',
  '--where',
  FILTER,
  '--unique-by',
  'person_id',
  '--people',
];

describe('audiences audience', () => {
  it('create from flags, list, run --wait: prints added as DuckDB counts the people; runs --json', async () => {
    const created = await runCli(
      [
        'audience',
        'create',
        '--name',
        'High intent',
        ...intentFlags(),
        '--delta',
        '--every',
        '24h',
        '--timezone',
        'Europe/Berlin',
        '--delivery-path',
        'audiences/{audience}/{date}/{run_id}',
        '--json',
      ],
      env,
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const audience = JSON.parse(created.stdout);
    expect(audience).toMatchObject({
      name: 'High intent',
      kind: 'intent',
      definition: {
        topic_id_prefixes: prefixes,
        scores: ['medium', 'high'],
        where_expr: FILTER,
        unique_by: 'person_id',
        output: 'people',
      },
      window: { last_days: 2, until: 'latest' },
      days: lastTwoDays,
      timezone: 'Europe/Berlin',
      schedule: { every: '24h' },
      paused: false,
      delivery: { mode: 'delta', path: 'audiences/{audience}/{date}/{run_id}' },
    });
    const id: string = audience.audience_id;

    const list = await runCli(['audience', 'list'], env);
    expect(list.code).toBe(0);
    const row = list.stdout.split('\n').find((line) => line.startsWith(id));
    expect(row).toBeDefined();
    for (const cell of ['High intent', audience.schedule_in_words, audience.next_run_at]) {
      expect(row).toContain(cell);
    }

    const run = await runCli(['audience', 'run', id, '--wait'], env);
    expect(run.code).toBe(0);
    // Piped: no progress bar.
    expect(run.stderr).not.toContain('jobs |');
    const expected = await people(lastTwoDays);
    expect(expected).toBeGreaterThan(100);
    expect(field(run.stdout, 'status')).toBe('completed');
    expect(field(run.stdout, 'people')).toBe(String(expected));
    expect(field(run.stdout, 'added')).toBe(String(expected));
    expect(field(run.stdout, 'removed')).toBe('0');
    expect(field(run.stdout, 'kept')).toBe('0');

    const runs = await runCli(['audience', 'runs', id, '--json'], env);
    expect(runs.code).toBe(0);
    const page = JSON.parse(runs.stdout);
    expect(page.runs).toHaveLength(1);
    expect(page.runs[0]).toMatchObject({
      run_id: field(run.stdout, 'run'),
      status: 'completed',
      added: expected,
      baseline: 'new',
    });

    const show = await runCli(['audience', 'show', id], env);
    expect(show.code).toBe(0);
    expect(field(show.stdout, 'last run')).toBe(`completed: ${expected} people (+${expected} -0 =0)`);
    expect(field(show.stdout, 'window')).toBe('last 2 days until latest');
  });

  it('run --json prints the run; pause, resume, resync and delete say what they did', async () => {
    const created = await runCli(['audience', 'create', '--name', 'Daily', ...intentFlags(), '--json'], env);
    expect(created.code).toBe(0);
    const id: string = JSON.parse(created.stdout).audience_id;

    const run = await runCli(['audience', 'run', id, '--wait', '--json'], env);
    expect(run.code).toBe(0);
    // A full (not delta) audience: people, no added.
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 'completed',
      people: await people(lastTwoDays),
      added: null,
    });

    const paused = await runCli(['audience', 'pause', id, '--json'], env);
    expect(JSON.parse(paused.stdout)).toMatchObject({ paused: true, next_run_at: null });
    expect((await runCli(['audience', 'resume', id], env)).stdout).toContain('audience Daily resumed');
    expect((await runCli(['audience', 'resync', id], env)).stdout).toContain('every member as added');
    const deleted = await runCli(['audience', 'delete', id], env);
    expect(deleted.stdout).toContain(`audience ${id} deleted`);
    const gone = await runCli(['audience', 'show', id], env);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain('the API answered 404');
  });

  it('creates a generic audience on a cron; show prints the schedule in words', async () => {
    const input = `${t.intentTree}/day=${lastTwoDays[1]}`;
    const created = await runCli(
      [
        'audience',
        'create',
        '--name',
        'Weekdays US',
        '--kind',
        'generic',
        '--input',
        input,
        '--where',
        "country = 'US'",
        '--cron',
        '0 6 * * 1-5',
        '--timezone',
        'Europe/Berlin',
      ],
      env,
    );
    expect(created.code).toBe(0);
    expect(field(created.stdout, 'kind')).toBe('generic (version 1)');
    expect(field(created.stdout, 'schedule')).toMatch(/\(Europe\/Berlin\), timezone Europe\/Berlin$/);
    expect(JSON.parse(field(created.stdout, 'definition')!)).toEqual({
      input_path: input,
      where_expr: "country = 'US'",
    });
    expect(created.stderr).toContain('audiences audience run ');
  });

  it('--split saves the parts and a salt every run keeps', async () => {
    const created = await runCli(
      [
        'audience',
        'create',
        '--name',
        'A/B',
        ...intentFlags(),
        '--split',
        'A:50,B:40,control:10:holdout',
        '--json',
      ],
      env,
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const { definition } = JSON.parse(created.stdout);
    expect(definition.splits).toEqual([
      { name: 'A', percent: 50 },
      { name: 'B', percent: 40 },
      { name: 'control', percent: 10, deliver: false },
    ]);
    expect(definition.split_salt).toMatch(/^[0-9a-f]{32}$/);
    const bad = await runCli(
      ['audience', 'create', '--name', 'x', ...intentFlags(), '--split', 'A:50:keep'],
      env,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('the only mark a part takes is :holdout');
  });
});

describe('exit codes', () => {
  it('2: a bad flag, or flags that do not go together, named once', async () => {
    const kind = await runCli(['audience', 'create', '--name', 'x', '--kind', 'audio'], env);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain("option '--kind <kind>' argument 'audio' is invalid");
    const both = await runCli(
      ['audience', 'create', '--name', 'x', ...intentFlags(), '--every', '1h', '--cron', '0 6 * * *'],
      env,
    );
    expect(both.code).toBe(2);
    expect(both.stdout).toBe('');
    expect(both.stderr).toBe(
      'error: --every and --cron: give one schedule, an interval or a cron expression\n',
    );
    const days = await runCli(
      ['audience', 'create', '--name', 'x', ...intentFlags(), '--days', '2024-13-45'],
      env,
    );
    expect(days.code).toBe(2);
    expect(days.stderr).toContain('--days and --last-days');
  });

  it("3: the API's 400, its field on stderr", async () => {
    const run = await runCli(
      ['audience', 'create', '--name', 'Too often', ...intentFlags(), '--every', '1m', '--json'],
      env,
    );
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('error: the API answered 400: schedule.every:');
  });

  it("3: the API's 400 names the field once", async () => {
    const run = await runCli(
      ['audience', 'create', '--name', 'Too often', ...intentFlags(), '--every', '1m'],
      env,
    );
    expect(occurrences(run.stderr, 'schedule.every')).toBe(1);
  });

  it('1: a run that fails, its reason on stderr; --json still prints the run', async () => {
    const created = await runCli(
      [
        'audience',
        'create',
        '--name',
        'Failing',
        ...intentFlags(),
        '--where',
        'CAST(topic_id AS INTEGER) > 0',
        '--json',
      ],
      env,
    );
    expect(created.code).toBe(0);
    const id: string = JSON.parse(created.stdout).audience_id;
    const run = await runCli(['audience', 'run', id, '--wait', '--json'], env);
    expect(run.code).toBe(1);
    const failed = JSON.parse(run.stdout);
    expect(failed).toMatchObject({ status: 'failed' });
    expect(run.stderr).toContain(`error: run ${failed.run_id} failed: where_expr failed on the data`);
  });
});
