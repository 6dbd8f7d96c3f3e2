import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Account, apiClient, call, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, intentPrefixes } from '../support/duck.ts';

/**
 * Saved audiences through HTTP on an embedded server over a tree of its own: two days of the shared
 * test tree at first, a third added between runs, so a rolling window moves and a delta run has
 * people who joined and people who left. Every number is checked against an independent DuckDB.
 */
let t: TestServer;
let tree: string;
let account: Account;
let api: ReturnType<typeof apiClient>;
let prefixes: string[];

const FILTER = 'intent_score >= 50';

beforeAll(async () => {
  const shared = inject('intentTree');
  tree = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-tree-'));
  for (const day of ['2024-05-01', '2024-05-02']) {
    fs.cpSync(path.join(shared, `day=${day}`), path.join(tree, `day=${day}`), { recursive: true });
  }
  t = await startTestServer({ INTENT_INPUT_PATH: tree, LOCAL_INPUT_ROOTS: tree });
  account = await signUp(t.url);
  api = apiClient(t.url, account.apiKey);
  prefixes = (await intentPrefixes(shared)).slice(0, 2);
});
afterAll(async () => {
  await t?.close();
  if (tree) fs.rmSync(tree, { recursive: true, force: true });
});

const headers = () => ({ 'x-api-key': account.apiKey });
const patch = (pathname: string, body: unknown) =>
  call(t.url, 'PATCH', pathname, { body, headers: headers() });

/** The members of the audience over `days`, straight from the files. */
async function members(days: string[]): Promise<string[]> {
  const rows = await duck<{ p: string }>(
    `SELECT DISTINCT person_id AS p FROM read_parquet('${tree}/**/*.parquet', hive_partitioning = true)
     WHERE CAST(day AS VARCHAR) IN (${days.map((d) => `'${d}'`).join(', ')})
       AND prefix IN (${prefixes.map((p) => `'${p}'`).join(', ')}) AND score IN ('medium', 'high')
       AND ${FILTER} AND person_id IS NOT NULL ORDER BY 1`,
  );
  return rows.map((row) => row.p);
}

/** The values of one column of exported files, sorted. */
async function column(files: Array<{ uri: string }>, name: string): Promise<string[]> {
  if (files.length === 0) return [];
  const list = files.map((file) => `'${file.uri}'`).join(', ');
  const rows = await duck<{ v: string }>(`SELECT ${name} AS v FROM read_parquet([${list}]) ORDER BY 1`);
  return rows.map((row) => row.v);
}

const definition = () => ({
  topic_id_prefixes: prefixes,
  scores: ['medium', 'high'],
  where_expr: FILTER,
  unique_by: 'person_id',
  output: 'people',
});

describe('a rolling delta audience', () => {
  it('delivers everyone first, then who joined and who left as the window moves', async () => {
    const created = await api.post('/api/v1/audiences', {
      name: 'High intent: Cloud Security',
      kind: 'intent',
      definition: definition(),
      window: { last_days: 2 },
      delivery: { mode: 'delta', path: 'audiences/{audience}/{date}/{run_id}' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      name: 'High intent: Cloud Security',
      version: 1,
      days: ['2024-05-01', '2024-05-02'],
      next_run_at: null,
      schedule_in_words: 'manual',
      window: { last_days: 2, until: 'latest' },
      delivery: { mode: 'delta', path: 'audiences/{audience}/{date}/{run_id}' },
    });
    const id = created.body.audience_id;

    // First run: a baseline.
    const first = await api.post(`/api/v1/audiences/${id}/runs`);
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(first.body).toMatchObject({
      days: ['2024-05-01', '2024-05-02'],
      baseline: 'new',
      previous_run_id: null,
    });
    const one = await api.waitFor(first.body.task_id, ['completed']);
    const before = await members(['2024-05-01', '2024-05-02']);
    expect(before.length).toBeGreaterThan(100);
    expect(one.audience).toEqual({
      audience_id: id,
      run_id: first.body.run_id,
      name: created.body.name,
      version: 1,
    });
    expect(one.delta).toEqual({
      baseline: 'new',
      previous_run_id: null,
      members: before.length,
      added: before.length,
      removed: 0,
      kept: 0,
    });
    expect(one.unique_count).toBe(before.length);
    const addedFirst = one.files.filter((file: { partition: string }) => file.partition === 'added');
    expect(await column(addedFirst, 'person_id')).toEqual(before);
    expect(one.files.every((file: { partition: string }) => file.partition === 'added')).toBe(true);
    // The delivery path: under the organisation's folder, one folder per run.
    expect(addedFirst[0].uri).toContain(`/${account.organizationId}/audiences/high-intent-cloud-security/`);
    expect(addedFirst[0].uri).toContain(`/${first.body.run_id}/added/`);

    // A new day arrives; the window moves to 05-02 and 05-03.
    fs.cpSync(path.join(inject('intentTree'), 'day=2024-05-03'), path.join(tree, 'day=2024-05-03'), {
      recursive: true,
    });
    const second = await api.post(`/api/v1/audiences/${id}/runs`);
    expect(second.status, JSON.stringify(second.body)).toBe(202);
    expect(second.body).toMatchObject({
      days: ['2024-05-02', '2024-05-03'],
      baseline: 'previous',
      previous_run_id: first.body.run_id,
    });
    const two = await api.waitFor(second.body.task_id, ['completed']);
    const after = await members(['2024-05-02', '2024-05-03']);
    const joined = after.filter((p) => !before.includes(p));
    const left = before.filter((p) => !after.includes(p));
    expect(joined.length).toBeGreaterThan(0);
    expect(left.length).toBeGreaterThan(0);
    expect(two.delta).toEqual({
      baseline: 'previous',
      previous_run_id: first.body.run_id,
      members: after.length,
      added: joined.length,
      removed: left.length,
      kept: after.length - joined.length,
    });
    const byPartition = (name: string) =>
      two.files.filter((file: { partition: string }) => file.partition === name);
    expect(await column(byPartition('added'), 'person_id')).toEqual(joined.sort());
    expect(await column(byPartition('removed'), 'person_id')).toEqual(left.sort());

    // The manifest names the run, its days and what it was against.
    const manifest = await (await fetch(two.manifest_url)).json();
    expect(manifest.audience).toMatchObject({
      audience_id: id,
      run_id: second.body.run_id,
      days: ['2024-05-02', '2024-05-03'],
      delta: { previous_run_id: first.body.run_id, added: joined.length, removed: left.length },
    });

    // The runs, newest first, and the audience's size history.
    const runs = await api.get(`/api/v1/audiences/${id}/runs`);
    expect(runs.body.runs.map((run: { run_id: string }) => run.run_id)).toEqual([
      second.body.run_id,
      first.body.run_id,
    ]);
    expect(runs.body.runs[0]).toMatchObject({
      status: 'completed',
      trigger: 'manual',
      people: after.length,
      added: joined.length,
      removed: left.length,
      kept: after.length - joined.length,
      baseline: 'previous',
      previous_run_id: first.body.run_id,
      previous_version: 1,
    });
    const read = await api.get(`/api/v1/audiences/${id}/runs/${second.body.run_id}`);
    expect(read.body).toEqual(runs.body.runs[0]);
    expect((await api.get(`/api/v1/audiences/${id}/runs/not-a-run`)).body.code).toBe(
      'audience_run_not_found',
    );
    const detail = await api.get(`/api/v1/audiences/${id}`);
    expect(detail.body.last_run.run_id).toBe(second.body.run_id);
    expect(detail.body.size_history.map((point: { people: number }) => point.people)).toEqual([
      before.length,
      after.length,
    ]);

    // The list carries the size history too (the console draws each audience's trend from it).
    const listed = (await api.get('/api/v1/audiences?limit=100')).body.audiences.find(
      (audience: { audience_id: string }) => audience.audience_id === id,
    );
    expect(listed.size_history).toEqual(detail.body.size_history);
    // A resync makes the next run a baseline again: everyone added.
    expect((await api.post(`/api/v1/audiences/${id}/resync`)).status).toBe(200);
    const third = await api.post(`/api/v1/audiences/${id}/runs`);
    expect(third.body).toMatchObject({ baseline: 'new', previous_run_id: null });
    const three = await api.waitFor(third.body.task_id, ['completed']);
    expect(three.delta).toMatchObject({ added: after.length, removed: 0, kept: 0 });
  });

  it('makes a new version on a changed definition, and the next delta a baseline', async () => {
    const created = await api.post('/api/v1/audiences', {
      name: 'versioned',
      kind: 'intent',
      definition: definition(),
      window: { last_days: 1 },
      delivery: { mode: 'delta' },
    });
    const id = created.body.audience_id;
    const run = await api.post(`/api/v1/audiences/${id}/runs`);
    await api.waitFor(run.body.task_id, ['completed']);
    const renamed = await patch(`/api/v1/audiences/${id}`, { name: 'versioned, renamed' });
    expect(renamed.body.version).toBe(1);
    const changed = await patch(`/api/v1/audiences/${id}`, {
      definition: { ...definition(), where_expr: 'intent_score >= 70' },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.version).toBe(2);
    const next = await api.post(`/api/v1/audiences/${id}/runs`);
    expect(next.body).toMatchObject({ baseline: 'new', previous_run_id: null });
    await api.waitFor(next.body.task_id, ['completed']);
  });
});

describe('estimates, listings, generic audiences and deletes', () => {
  it("estimates the next run's read with its window resolved now", async () => {
    const estimate = await api.post('/api/v1/audiences/estimate', {
      kind: 'intent',
      definition: definition(),
      window: { last_days: 1 },
    });
    expect(estimate.status, JSON.stringify(estimate.body)).toBe(200);
    // The newest day of the tree: as a task's estimate of that one day answers.
    const days = (await api.get('/api/v1/catalog/intent')).body.days as string[];
    const task = await api.post('/api/v1/intent_hive_tasks/estimate', {
      ...definition(),
      days: [days.at(-1)],
    });
    expect(estimate.body).toEqual(task.body);
    const bad = await api.post('/api/v1/audiences/estimate', {
      kind: 'intent',
      definition: { ...definition(), where_expr: 'nope = 1' },
      window: { last_days: 1 },
    });
    expect(bad.status).toBe(400);
  });

  it('lists audiences newest first in pages', async () => {
    const other = apiClient(t.url, (await signUp(t.url, 'Pages')).apiKey);
    const names = ['first', 'second', 'third'];
    for (const name of names) {
      const saved = await other.post('/api/v1/audiences', {
        name,
        kind: 'intent',
        definition: definition(),
        window: { last_days: 1 },
      });
      expect(saved.status).toBe(201);
    }
    const page = await other.get('/api/v1/audiences?limit=2');
    expect(page.body.audiences.map((a: { name: string }) => a.name)).toEqual(['third', 'second']);
    const next = await other.get(
      `/api/v1/audiences?limit=2&cursor=${encodeURIComponent(page.body.next_cursor)}`,
    );
    expect(next.body.audiences.map((a: { name: string }) => a.name)).toEqual(['first']);
    expect(next.body.next_cursor).toBeNull();
  });

  it('runs a generic audience over its input_path: the whole segment each run', async () => {
    const input = path.join(tree, 'day=2024-05-01');
    const saved = await api.post('/api/v1/audiences', {
      name: 'generic',
      kind: 'generic',
      definition: { input_path: input, where_expr: FILTER },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(saved.body.days).toBeNull();
    const run = await api.post(`/api/v1/audiences/${saved.body.audience_id}/runs`);
    const done = await api.waitFor(run.body.task_id, ['completed']);
    const [{ n }] = (await duck<{ n: bigint }>(
      `SELECT count(*) AS n FROM read_parquet('${input}/**/*.parquet') WHERE ${FILTER}`,
    )) as [{ n: bigint }];
    expect(done.total_count).toBe(Number(n));
    expect(done.delta).toBeNull();
  });

  it('fails a run whose previous members are gone with snapshot_missing, and runs again after a resync', async () => {
    const saved = await api.post('/api/v1/audiences', {
      name: 'lost snapshot',
      kind: 'intent',
      definition: definition(),
      window: { last_days: 1 },
      delivery: { mode: 'delta' },
    });
    const id = saved.body.audience_id;
    const first = await api.post(`/api/v1/audiences/${id}/runs`);
    await api.waitFor(first.body.task_id, ['completed']);
    fs.rmSync(path.join(t.dataDir, 'snapshots', account.organizationId, id, first.body.run_id), {
      recursive: true,
    });
    const second = await api.post(`/api/v1/audiences/${id}/runs`);
    const failed = await api.waitFor(second.body.task_id, ['failed']);
    expect(failed.error.code).toBe('snapshot_missing');
    expect(failed.error.message).toContain('resync');
    expect((await api.post(`/api/v1/audiences/${id}/resync`)).status).toBe(200);
    const third = await api.post(`/api/v1/audiences/${id}/runs`);
    const done = await api.waitFor(third.body.task_id, ['completed']);
    // A baseline again: everyone of the window added.
    expect(done.delta).toMatchObject({ removed: 0, kept: 0 });
    expect(done.delta.added).toBe((await members(third.body.days)).length);
  });

  it('deletes an audience: gone from reads, its run task kept', async () => {
    const saved = await api.post('/api/v1/audiences', {
      name: 'to delete',
      kind: 'intent',
      definition: definition(),
      window: { last_days: 1 },
      delivery: { mode: 'delta' },
    });
    const id = saved.body.audience_id;
    const run = await api.post(`/api/v1/audiences/${id}/runs`);
    await api.waitFor(run.body.task_id, ['completed']);
    const snapshots = path.join(t.dataDir, 'snapshots', account.organizationId, id);
    expect(fs.existsSync(snapshots)).toBe(true);
    expect((await api.delete(`/api/v1/audiences/${id}`)).status).toBe(204);
    expect((await api.get(`/api/v1/audiences/${id}`)).status).toBe(404);
    expect((await api.get(`/api/v1/audiences/${id}/runs`)).status).toBe(404);
    expect((await api.get(`/api/v1/status/${run.body.task_id}`)).body.status).toBe('completed');
    expect(fs.existsSync(path.join(snapshots, run.body.run_id))).toBe(false);
  });
});

describe('mistakes are refused when the audience is saved', () => {
  const base = () => ({
    name: `a-${Math.random()}`,
    kind: 'intent',
    definition: definition(),
    window: { last_days: 7 },
  });
  // Functions: the prefixes are read from the tree once the server started.
  const cases: Array<[string, () => Record<string, unknown>, string]> = [
    [
      'delta without unique_by',
      () => ({
        definition: { ...definition(), unique_by: undefined, output: 'rows' },
        delivery: { mode: 'delta' },
      }),
      'delivery.mode',
    ],
    ['a window and fixed days', () => ({ definition: { ...definition(), days: ['2024-05-01'] } }), 'window'],
    ['neither window nor days', () => ({ window: null }), 'window'],
    ['an interval below SCHEDULE_MIN_INTERVAL', () => ({ schedule: { every: '1m' } }), 'schedule.every'],
    ['a bad cron expression', () => ({ schedule: { cron: '61 * * * *' } }), 'schedule.cron'],
    ['an unknown time zone', () => ({ timezone: 'Mars/Olympus' }), 'timezone'],
    [
      'an unknown time zone of a cron',
      () => ({ schedule: { cron: '0 6 * * *', timezone: 'Nowhere/City' } }),
      'schedule.timezone',
    ],
    [
      'a definition field of no task',
      () => ({ definition: { ...definition(), colour: 'red' } }),
      'definition.colour',
    ],
    ['a limit', () => ({ definition: { ...definition(), limit: 10 } }), 'definition.limit'],
    [
      'a delivery path without {run_id}',
      () => ({ delivery: { path: 'audiences/{audience}' } }),
      'delivery.path',
    ],
    ['a delivery path that climbs', () => ({ delivery: { path: '../{run_id}' } }), 'delivery.path'],
  ];
  it.each(cases)('%s: 400 naming the field', async (_, change, field) => {
    const body = JSON.parse(JSON.stringify({ ...base(), ...change() }));
    const reply = await api.post('/api/v1/audiences', body);
    expect(reply.status, JSON.stringify(reply.body)).toBe(400);
    expect(reply.body.errors[0].field, JSON.stringify(reply.body)).toBe(field);
  });

  it('a filter on an unknown column: 400 as a task create answers', async () => {
    const reply = await api.post('/api/v1/audiences', {
      ...base(),
      definition: { ...definition(), where_expr: 'no_such_column = 1' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('expression_invalid');
  });

  it('a name taken in the organisation: 409, free in another', async () => {
    const body = { ...base(), name: 'Twice' };
    expect((await api.post('/api/v1/audiences', body)).status).toBe(201);
    const again = await api.post('/api/v1/audiences', body);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('audience_name_taken');
    const other = apiClient(t.url, (await signUp(t.url, 'Other')).apiKey);
    expect((await other.post('/api/v1/audiences', body)).status).toBe(201);
  });

  it("another organisation's audience is unknown", async () => {
    const mine = await api.post('/api/v1/audiences', base());
    const other = apiClient(t.url, (await signUp(t.url, 'Other')).apiKey);
    expect((await other.get(`/api/v1/audiences/${mine.body.audience_id}`)).status).toBe(404);
    expect((await other.post(`/api/v1/audiences/${mine.body.audience_id}/runs`)).status).toBe(404);
    expect((await other.delete(`/api/v1/audiences/${mine.body.audience_id}`)).status).toBe(404);
  });
});
