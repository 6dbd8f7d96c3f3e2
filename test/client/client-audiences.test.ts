import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AudiencesClient,
  AudiencesError,
  type IntentAudienceDefinition,
  RunEndedError,
  type WaitProgress,
} from '../../src/client/index.ts';
import { signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, expectedIntentCounts, intentPrefixes } from '../support/duck.ts';

/**
 * Saved audiences through the typed client, against a real server over the shared test tree: a
 * delta audience run twice, its people checked against an independent DuckDB; list, pause,
 * resume, delete; the API's 400 as an AudiencesError naming the field.
 */

let t: TestServer;
let client: AudiencesClient;
let prefixes: string[];
/** The last two days of the tree: what a window of two days ending at `latest` reads. */
let lastTwoDays: string[];

const FILTER = 'intent_score >= 50';

beforeAll(async () => {
  t = await startTestServer();
  const account = await signUp(t.url, 'Client audiences');
  client = new AudiencesClient({ baseUrl: t.url, apiKey: account.apiKey });
  prefixes = (await intentPrefixes(t.intentTree)).slice(0, 2);
  const days = await duck<{ d: string }>(
    `SELECT DISTINCT strftime(day, '%Y-%m-%d') AS d
     FROM read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true, hive_types = {'day': DATE})
     ORDER BY 1`,
  );
  lastTwoDays = days.slice(-2).map((row) => row.d);
});
afterAll(async () => t?.close());

const definition = (): IntentAudienceDefinition => ({
  topic_id_prefixes: prefixes,
  scores: ['medium', 'high'],
  where_expr: FILTER,
  unique_by: 'person_id',
  output: 'people',
});

/** The audience's partitions over `days` as a DuckDB filter (without the rows' filter). */
const partitions = (days: string[]) =>
  `day IN (${days.map((d) => `DATE '${d}'`).join(', ')}) AND prefix IN (${prefixes
    .map((p) => `'${p}'`)
    .join(', ')}) AND score IN ('medium', 'high')`;

/** Distinct people of the audience over `days`, straight from the files. */
async function people(days: string[]): Promise<number> {
  const [row] = await duck<{ n: bigint }>(
    `SELECT count(DISTINCT person_id) AS n
     FROM read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true, hive_types = {'day': DATE})
     WHERE ${partitions(days)} AND ${FILTER}`,
  );
  return Number(row!.n);
}

describe('a delta audience through the client', () => {
  it('estimates what its next run reads, as the files hold it', async () => {
    const estimate = await client.estimateAudience({
      kind: 'intent',
      definition: definition(),
      window: { last_days: 2 },
    });
    const rows = await expectedIntentCounts(t.intentTree, partitions(lastTwoDays));
    expect(estimate).toMatchObject({
      partitions: 2 * 2 * 2,
      rows: Object.values(rows).reduce((sum, n) => sum + n, 0),
      rows_exact: false,
    });
  });

  it('runs a baseline that adds everyone, then a run that adds and removes nobody; people as DuckDB counts them', async () => {
    const created = await client.createAudience({
      name: 'High intent',
      kind: 'intent',
      definition: definition(),
      window: { last_days: 2 },
      delivery: { mode: 'delta' },
    });
    expect(created).toMatchObject({
      name: 'High intent',
      version: 1,
      days: lastTwoDays,
      window: { last_days: 2, until: 'latest' },
      delivery: { mode: 'delta', path: null },
      last_run: null,
    });
    const id = created.audience_id;
    const expected = await people(lastTwoDays);
    expect(expected).toBeGreaterThan(100);

    // The same Idempotency-Key twice is one run: the second answer is the first's.
    const key = `run-${Date.now()}`;
    const first = await client.runAudience(id, { idempotencyKey: key });
    expect(await client.runAudience(id, { idempotencyKey: key })).toEqual(first);
    expect(first).toMatchObject({ audience_id: id, days: lastTwoDays, baseline: 'new' });

    const reports: WaitProgress[] = [];
    const one = await client.waitForRun(id, first.run_id, { onProgress: (p) => reports.push(p) });
    expect(reports.at(-1)).toMatchObject({ status: 'completed' });
    expect(reports.every((report) => report.task.task_id === first.task_id)).toBe(true);
    expect(one).toMatchObject({
      run_id: first.run_id,
      task_id: first.task_id,
      status: 'completed',
      trigger: 'manual',
      days: lastTwoDays,
      baseline: 'new',
      people: expected,
      added: expected,
      removed: 0,
      kept: 0,
    });

    // Nothing changed in the files: everyone is kept.
    const second = await client.runAudience(id);
    expect(second).toMatchObject({ baseline: 'previous', previous_run_id: first.run_id });
    const two = await client.waitForRun(id, second.run_id);
    expect(two).toMatchObject({
      status: 'completed',
      people: expected,
      added: 0,
      removed: 0,
      kept: expected,
    });

    // The runs, newest first, page after page; the audience's last run and size history.
    const page = await client.listAudienceRuns(id, { limit: 1 });
    expect(page.runs.map((run) => run.run_id)).toEqual([second.run_id]);
    expect(page.next_cursor).toEqual(expect.any(String));
    const runs = [];
    for await (const run of client.audienceRuns(id, { limit: 1 })) runs.push(run);
    expect(runs).toEqual([two, one]);
    const detail = await client.getAudience(id);
    expect(detail.last_run).toEqual(two);
    expect(detail.size_history.map((point) => point.people)).toEqual([expected, expected]);

    // A resync makes the next run a baseline again.
    await client.resyncAudience(id);
    const third = await client.runAudience(id);
    expect(third).toMatchObject({ baseline: 'new', previous_run_id: null });
    expect(await client.waitForRun(id, third.run_id)).toMatchObject({ added: expected, removed: 0, kept: 0 });
  });

  it('rejects with RunEndedError, carrying the run, when the run fails', async () => {
    // Saved (the filter binds), then failing on the data: a topic_id is no integer.
    const created = await client.createAudience({
      name: 'Failing',
      kind: 'intent',
      definition: { ...definition(), where_expr: 'CAST(topic_id AS INTEGER) > 0' },
      window: { last_days: 1 },
    });
    const started = await client.runAudience(created.audience_id);
    const error = await client.waitForRun(created.audience_id, started.run_id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunEndedError);
    const { run, task } = error as RunEndedError;
    expect(task).toMatchObject({ task_id: started.task_id, status: 'failed' });
    expect(task.error?.code).toBe('expression_failed');
    expect(run).toMatchObject({ run_id: started.run_id, status: 'failed', reason: task.error?.message });
  });
});

describe('list, pause, resume, delete', () => {
  it('lists every audience page after page, pauses and resumes the schedule, deletes', async () => {
    const scheduled = await client.createAudience({
      name: 'Daily',
      kind: 'intent',
      definition: definition(),
      window: { last_days: 1, until: 'yesterday' },
      timezone: 'Europe/Berlin',
      schedule: { every: '24h' },
    });
    expect(scheduled.next_run_at).toEqual(expect.any(String));
    expect(scheduled.schedule).toEqual({ every: '24h' });

    const names = [];
    for await (const audience of client.audiences({ limit: 1 })) names.push(audience.name);
    expect(names[0]).toBe('Daily');
    expect(names).toEqual(expect.arrayContaining(['Daily', 'High intent', 'Failing']));
    const page = await client.listAudiences({ limit: 2 });
    expect(page.audiences).toHaveLength(2);
    expect((await client.listAudiences({ limit: 2, cursor: page.next_cursor! })).audiences[0]?.name).toBe(
      names[2],
    );

    const paused = await client.pauseAudience(scheduled.audience_id);
    expect(paused).toMatchObject({ paused: true, next_run_at: null, schedule: { every: '24h' } });
    const resumed = await client.resumeAudience(scheduled.audience_id);
    expect(resumed.paused).toBe(false);
    expect(Date.parse(resumed.next_run_at!)).toBeGreaterThan(Date.now());

    const renamed = await client.updateAudience(scheduled.audience_id, { name: 'Daily, renamed' });
    expect(renamed).toMatchObject({ name: 'Daily, renamed', version: 1 });

    await client.deleteAudience(scheduled.audience_id);
    const gone = await client.getAudience(scheduled.audience_id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(AudiencesError);
    expect(gone).toMatchObject({ status: 404, code: 'audience_not_found' });
  });
});

describe("the API's errors", () => {
  it('a 400 is an AudiencesError naming the field', async () => {
    const error = await client
      .createAudience({
        name: 'Too often',
        kind: 'intent',
        definition: definition(),
        window: { last_days: 1 },
        schedule: { every: '1m' },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AudiencesError);
    expect(error).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((error as AudiencesError).errors.map((e) => e.field)).toEqual(['schedule.every']);
  });
});
