import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  call,
  jobsByPhase as jobsOf,
  signUp,
  startTestServer,
  type TestServer,
} from '../support/api.ts';
import { downloadFiles } from '../support/downloads.ts';
import { duck, intentPrefixes } from '../support/duck.ts';
import { largeTree } from '../support/large-tree.ts';

/**
 * Splits and holdouts of people exports, through HTTP on a real server: each part's people checked
 * against the documented formula computed here (Node's SHA-256 over the files' people) and the
 * part sizes against an independent DuckDB query over the tree; the holdout never in a file the
 * customer gets, but in the service's own area and the manifest; the same parts again with the
 * same salt, and across a saved audience's runs; sizes within the binomial spread over the large
 * tree; a 400 for every kind of bad `splits`.
 */
let t: TestServer;
let api: ReturnType<typeof apiClient>;
let prefixes: string[];
let downloads: string;
let key: string;

const INTENT = '/api/v1/intent_hive_tasks';
const GENERIC = '/api/v1/generic_parquet_tasks';
const DAYS = ['2024-05-01', '2024-05-02', '2024-05-03'];
const FILTER = 'intent_score >= 40';
const SPLITS = [
  { name: 'A', percent: 45 },
  { name: 'B', percent: 45 },
  { name: 'holdout', percent: 10, deliver: false },
];
/** Each part's buckets, as the request above lays them out. */
const RANGES: Record<string, [number, number]> = { A: [0, 4500], B: [4500, 9000], holdout: [9000, 10_000] };

beforeAll(async () => {
  // The large tree is read by one test through input_path: its folder must be an allowed root.
  t = await startTestServer({ LOCAL_INPUT_ROOTS: fs.realpathSync(os.tmpdir()) });
  key = (await signUp(t.url)).apiKey;
  api = apiClient(t.url, key);
  prefixes = await intentPrefixes(t.intentTree);
  downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-splits-'));
});
afterAll(async () => {
  await t?.close();
  if (downloads) fs.rmSync(downloads, { recursive: true, force: true });
});

/** The documented formula, in Node: first 8 bytes of SHA-256(salt ‖ id), big-endian, mod 10,000. */
function bucketOf(salt: string, id: string): number {
  return Number(
    createHash('sha256')
      .update(salt + id, 'utf8')
      .digest()
      .readBigUInt64BE(0) % 10_000n,
  );
}

function partOf(salt: string, id: string): string {
  const bucket = bucketOf(salt, id);
  return Object.entries(RANGES).find(([, [from, to]]) => bucket >= from && bucket < to)![0];
}

/** The tree's rows that pass the filter, as DuckDB reads them. */
const treeRows = (tree = t.intentTree) =>
  `read_parquet('${tree}/**/*.parquet', hive_partitioning = true, hive_types = {'day': DATE}) WHERE ${FILTER}`;

/**
 * The size of each part, by a DuckDB query of its own over the distinct people (`people`, a query
 * of one column `id` as text): the bucket written out here, not by the service's code.
 */
async function expectedParts(salt: string, people: string): Promise<Record<string, number>> {
  const rows = await duck<{ part: string; n: bigint }>(
    `SELECT CASE WHEN b < 4500 THEN 'A' WHEN b < 9000 THEN 'B' ELSE 'holdout' END AS part, count(*) AS n
     FROM (SELECT CAST('0x' || left(sha256('${salt}' || id), 16) AS UBIGINT) % 10000 AS b FROM (${people}))
     GROUP BY ALL`,
  );
  return Object.fromEntries(rows.map((row) => [row.part, Number(row.n)]));
}

/** A people export of the whole tree's filtered rows (every day, prefix and score). */
const wholeTreePeople = () => ({
  days: DAYS,
  topic_id_prefixes: prefixes,
  scores: ['low', 'medium', 'high'],
  where_expr: FILTER,
  output: 'people',
});

/** The people of the tree's filtered rows, by person_id as text. */
const treePeople = (tree?: string) =>
  `SELECT DISTINCT CAST(person_id AS VARCHAR) AS id FROM ${treeRows(tree)} AND person_id IS NOT NULL`;

/** The values of one column of local files (Parquet or CSV), as text. */
async function valuesIn(files: readonly string[], column: string): Promise<string[]> {
  if (files.length === 0) return [];
  const list = `[${files.map((file) => `'${file}'`).join(', ')}]`;
  const reader = files[0]!.endsWith('.parquet')
    ? `read_parquet(${list})`
    : `read_csv(${list}, header = true, all_varchar = true)`;
  const rows = await duck<{ v: string }>(`SELECT CAST("${column}" AS VARCHAR) AS v FROM ${reader}`);
  return rows.map((row) => row.v);
}

/**
 * Where a held-back file of a task is on disk: the answer names it relative to the task's folder of
 * the service's area (`SNAPSHOT_PATH/{organisation}/held-back/{task}`), which the test finds itself.
 */
function heldBackFile(taskId: string, relative: string, server: TestServer = t): string {
  const area = path.join(server.dataDir, 'snapshots');
  const folders = fs
    .readdirSync(area)
    .map((organisation) => path.join(area, organisation, 'held-back', taskId))
    .filter((folder) => fs.existsSync(folder));
  expect(folders, `the held-back folder of ${taskId}`).toHaveLength(1);
  return path.join(folders[0]!, relative);
}

async function manifestOf(task: { manifest_url?: string }) {
  const response = await fetch(task.manifest_url!);
  expect(response.status).toBe(200);
  return response.json();
}

/**
 * Checks a completed split export: delivered parts' files downloaded and each person in the part
 * Node's formula puts them in, the holdout in no delivered file but in the service's own area, the
 * counts as expected. Returns each part's people.
 */
async function checkSplitExport(
  // biome-ignore lint/suspicious/noExplicitAny: a task detail read as loose JSON
  task: Record<string, any>,
  {
    salt,
    column,
    expected,
    server = t,
    sliced = false,
  }: {
    salt: string;
    column: string;
    expected: Record<string, number>;
    /** The server that ran it. @defaultValue the suite's own */
    server?: TestServer;
    /** Sliced by hash: each part's files are in its buckets' folders. */
    sliced?: boolean;
  },
): Promise<Record<string, string[]>> {
  const inPart = (name: string) => (sliced ? `/split=${name}/bucket=` : `/split=${name}/`);
  const total = Object.values(expected).reduce((sum, n) => sum + n, 0);
  expect(task.split_counts).toEqual(expected);
  expect(task.unique_count).toBe(total);
  expect(task.counts).toEqual({ people: total });
  expect(task.total_count).toBe(total);
  // Only delivered parts are the task's outputs and files; each in its split= folder.
  expect(Object.keys(task.outputs).sort()).toEqual(['split=A', 'split=B']);
  const parts: Record<string, string[]> = {};
  for (const name of ['A', 'B']) {
    const files = task.files.filter((file: { partition: string }) => file.partition === `split=${name}`);
    for (const file of files) expect(file.uri).toContain(inPart(name));
    const people = await valuesIn(await downloadFiles(files, downloads), column);
    expect(people.length, name).toBe(expected[name]);
    expect(new Set(people).size).toBe(people.length);
    for (const id of people) expect(partOf(salt, id), id).toBe(name);
    parts[name] = people;
  }
  expect(task.files.every((file: { partition: string }) => /^split=(A|B)$/.test(file.partition))).toBe(true);
  // The holdout: in the service's own area, never under the task's output folder.
  expect(task.held_back.length).toBeGreaterThan(0);
  // Named within the task's folder of the service's area, which the answer does not show.
  expect(JSON.stringify(task.held_back)).not.toContain(server.dataDir);
  const heldBack = task.held_back.map((file: { path: string }) =>
    heldBackFile(task.task_id, file.path, server),
  );
  for (const [i, file] of task.held_back.entries()) {
    expect(file.split).toBe('holdout');
    expect(file.path).toMatch(
      sliced
        ? /^split=holdout\/bucket=\d+\/data_\d+(_\d+)?\.(parquet|csv)(\.gz)?$/
        : /^split=holdout\/data_\d+\.(parquet|csv)(\.gz)?$/,
    );
    expect(fs.statSync(heldBack[i]).size).toBe(file.size_bytes);
  }
  const holdout = await valuesIn(heldBack, column);
  expect(holdout.length).toBe(expected.holdout);
  for (const id of holdout) expect(partOf(salt, id)).toBe('holdout');
  parts.holdout = holdout;
  // No file of the export's folder (what the customer gets) holds a holdout member.
  const outputRoot = path.dirname(task.outputs['split=A']);
  const customerFiles = fs
    .readdirSync(outputRoot, { recursive: true })
    .map((name) => path.join(outputRoot, String(name)))
    .filter((file) => /data_\d+(_\d+)?\.(parquet|csv)(\.gz)?$/.test(file));
  expect(customerFiles.length).toBe(task.files.length);
  const delivered = new Set(await valuesIn(customerFiles, column));
  expect(holdout.some((id) => delivered.has(id))).toBe(false);

  const manifest = await manifestOf(task);
  expect(manifest.split_counts).toEqual(expected);
  expect(manifest.total_rows).toBe(expected.A! + expected.B!);
  expect(manifest.files.map((file: { partition: string }) => file.partition)).not.toContain('holdout');
  expect(manifest.splits).toMatchObject({
    salt,
    buckets: 10_000,
    parts: [
      {
        name: 'A',
        percent: 45,
        bucket_range: [0, 4500],
        delivered: true,
        people: expected.A,
        partition: 'split=A',
      },
      {
        name: 'B',
        percent: 45,
        bucket_range: [4500, 9000],
        delivered: true,
        people: expected.B,
        partition: 'split=B',
      },
      {
        name: 'holdout',
        percent: 10,
        bucket_range: [9000, 10_000],
        delivered: false,
        people: expected.holdout,
      },
    ],
  });
  const listed = manifest.splits.parts[2].held_back;
  expect(listed.map((file: { path: string }) => heldBackFile(task.task_id, file.path, server))).toEqual(
    heldBack,
  );
  expect(listed.reduce((sum: number, file: { rows: number }) => sum + file.rows, 0)).toBe(expected.holdout);
  return parts;
}

describe('splits of a people export', () => {
  let salt: string;
  let first: Record<string, string[]>;

  it('writes each delivered part to split=NAME and keeps the holdout in the service area', async () => {
    const created = await api.post(INTENT, {
      ...wholeTreePeople(),
      unique_by: 'person_id',
      splits: SPLITS,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const task = await api.waitFor(created.body.task_id, ['completed']);
    // The salt the service picked is shown, with the parts as taken.
    salt = task.request.split_salt;
    expect(salt).toMatch(/^[0-9a-f]{32}$/);
    expect(task.request.splits).toEqual([
      { name: 'A', percent: 45, deliver: true },
      { name: 'B', percent: 45, deliver: true },
      { name: 'holdout', percent: 10, deliver: false },
    ]);
    const expected = await expectedParts(salt, treePeople());
    first = await checkSplitExport(task, { salt, column: 'person_id', expected });
  });

  it('makes the same parts again from the same salt, counted first and unloaded', async () => {
    const created = await api.post(INTENT, {
      ...wholeTreePeople(),
      unique_by: 'person_id',
      splits: SPLITS,
      split_salt: salt,
      perform_unload: false,
    });
    expect(created.status).toBe(202);
    const counted = await api.waitFor(created.body.task_id, ['counted']);
    const expected = await expectedParts(salt, treePeople());
    expect(counted.split_counts).toEqual(expected);
    expect(counted.request.split_salt).toBe(salt);
    expect((await api.post(`/api/v1/tasks/${created.body.task_id}/unload`)).status).toBe(202);
    const task = await api.waitFor(created.body.task_id, ['completed']);
    const again = await checkSplitExport(task, { salt, column: 'person_id', expected });
    for (const name of ['A', 'B', 'holdout'])
      expect([...again[name]!].sort()).toEqual([...first[name]!].sort());
  });

  it('splits a profile export by its hashed e-mails, each part in the platform file', async () => {
    const created = await api.post(INTENT, {
      ...wholeTreePeople(),
      profile: 'google_customer_match',
      splits: SPLITS,
      split_salt: 'gcm-2026',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    expect(created.body).toMatchObject({ status: 'unloading', total_jobs: 1 });
    const task = await api.waitFor(created.body.task_id, ['completed']);
    const expected = await expectedParts(
      'gcm-2026',
      `SELECT DISTINCT lower(hem_sha256) AS id FROM ${treeRows()} AND hem_sha256 IS NOT NULL`,
    );
    await checkSplitExport(task, { salt: 'gcm-2026', column: 'Email', expected });
    expect(task.invalid_identifiers).toBe(0);
    for (const file of task.files) expect(file.uri).toMatch(/\/split=(A|B)\/data_\d+\.csv$/);

    // Counted first, the count gives the same parts.
    const counted = await api.post(INTENT, {
      ...wholeTreePeople(),
      profile: 'google_customer_match',
      splits: SPLITS,
      split_salt: 'gcm-2026',
      perform_unload: false,
    });
    const count = await api.waitFor(counted.body.task_id, ['counted']);
    expect(count.split_counts).toEqual(expected);
    expect(count.invalid_identifiers).toBe(0);
    expect(count.counts).toEqual({ people: Object.values(expected).reduce((sum, n) => sum + n, 0) });
  });

  it('splits a generic people export, in CSV', async () => {
    const input = path.join(t.intentTree, 'day=2024-05-01');
    const created = await api.post(GENERIC, {
      input_path: input,
      output: 'people',
      unique_by: 'hem_sha256',
      format: 'csv',
      compression: 'none',
      splits: [
        { name: 'A', percent: 45 },
        { name: 'B', percent: 45 },
        { name: 'holdout', percent: 10, deliver: false },
      ],
      split_salt: "o'salt",
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const task = await api.waitFor(created.body.task_id, ['completed']);
    const expected = await expectedParts(
      "o''salt",
      `SELECT DISTINCT hem_sha256 AS id FROM read_parquet('${input}/**/*.parquet') WHERE hem_sha256 IS NOT NULL`,
    );
    await checkSplitExport(task, { salt: "o'salt", column: 'hem_sha256', expected });
  });

  it('gives part sizes within the binomial spread over the large tree', async () => {
    const tree = await largeTree();
    const treePrefixes = await intentPrefixes(tree);
    const created = await api.post(INTENT, {
      input_path: tree,
      days: ['2024-05-01', '2024-05-02'],
      topic_id_prefixes: treePrefixes,
      scores: ['low', 'medium', 'high'],
      output: 'people',
      unique_by: 'person_id',
      splits: [
        { name: 'A', percent: 33.33 },
        { name: 'B', percent: 33.33 },
        { name: 'C', percent: 23.34 },
        { name: 'holdout', percent: 10, deliver: false },
      ],
      perform_unload: false,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const task = await api.waitFor(created.body.task_id, ['counted'], 120_000);
    const [people] = await duck<{ n: bigint }>(
      `SELECT count(DISTINCT person_id) AS n FROM read_parquet('${tree}/**/*.parquet')`,
    );
    const n = Number(people!.n);
    expect(n).toBeGreaterThan(50_000);
    expect(task.unique_count).toBe(n);
    const shares: Record<string, number> = { A: 0.3333, B: 0.3333, C: 0.2334, holdout: 0.1 };
    for (const [name, p] of Object.entries(shares)) {
      const sd = Math.sqrt(n * p * (1 - p));
      expect(
        Math.abs(task.split_counts[name] - n * p),
        `${name}: ${task.split_counts[name]} of ${n}`,
      ).toBeLessThan(4 * sd);
    }
  });
});

describe('splits of a people export larger than one job, sliced by hash', () => {
  // Slicing forced on (2 MB of input per job; the tree is about 11 MB, a day 3.6 MB) in 4 buckets:
  // each bucket's export job writes its people into every part, the holdout's into the service's
  // own area.
  let sliced: TestServer;
  let client: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    sliced = await startTestServer({ JOB_MAX_BYTES: '1MB', UNIQUE_JOB_MAX_BYTES: '2MB', SLICE_BUCKETS: '4' });
    client = apiClient(sliced.url, (await signUp(sliced.url)).apiKey);
  });
  afterAll(async () => sliced?.close());

  const jobsByPhase = (taskId: string) => jobsOf(sliced.dataDir, taskId);

  it('writes each part by bucket, the holdout kept apart, as one job would part them', async () => {
    const created = await client.post(INTENT, {
      ...wholeTreePeople(),
      unique_by: 'person_id',
      splits: SPLITS,
      split_salt: 'sliced-2026',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    expect(created.body.status).toBe('unloading');
    const task = await client.waitFor(created.body.task_id, ['completed'], 120_000);
    expect(jobsByPhase(task.task_id)).toMatchObject({ reduce: 4 });
    const expected = await expectedParts('sliced-2026', treePeople());
    await checkSplitExport(task, {
      salt: 'sliced-2026',
      column: 'person_id',
      expected,
      server: sliced,
      sliced: true,
    });
  });

  it("splits a profile's identifiers by bucket, counted first and unloaded", async () => {
    const created = await client.post(INTENT, {
      ...wholeTreePeople(),
      profile: 'google_customer_match',
      splits: SPLITS,
      split_salt: 'gcm-sliced',
      perform_unload: false,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const counted = await client.waitFor(created.body.task_id, ['counted'], 120_000);
    const expected = await expectedParts(
      'gcm-sliced',
      `SELECT DISTINCT lower(hem_sha256) AS id FROM ${treeRows()} AND hem_sha256 IS NOT NULL`,
    );
    expect(counted.split_counts).toEqual(expected);
    expect(counted.invalid_identifiers).toBe(0);
    expect((await client.post(`/api/v1/tasks/${created.body.task_id}/unload`)).status).toBe(202);
    const task = await client.waitFor(created.body.task_id, ['completed'], 120_000);
    expect(jobsByPhase(task.task_id)).toMatchObject({ reduce: 4, unload: 5 });
    await checkSplitExport(task, {
      salt: 'gcm-sliced',
      column: 'Email',
      expected,
      server: sliced,
      sliced: true,
    });
    for (const file of task.files)
      expect(file.uri).toMatch(/\/split=(A|B)\/bucket=[0-3]\/data_\d+(_\d+)?\.csv$/);
  });

  it.each([
    ['person_id', { unique_by: 'person_id' }],
    ['Email', { profile: 'google_customer_match' }],
  ])(
    'delivers who joined and who left each part by bucket, the holdout kept apart (%s)',
    async (column, people) => {
      // A day's folders (3.6 MB) at first, the next day's in their place later: both runs sliced.
      const runs = await splitDeltaRuns(sliced, client, column, people, {
        first: 'day=2024-05-01',
        next: 'day=2024-05-02',
      });
      for (const run of runs) {
        expect(jobsByPhase(run.task_id)).toMatchObject({ reduce: 4, unload: 5 });
        for (const file of run.files)
          expect(file.uri).toMatch(/\/split=(A|B)\/(added|removed)\/bucket=[0-3]\//);
        for (const file of run.held_back)
          expect(file.path).toMatch(/^split=holdout\/(added|removed)\/bucket=[0-3]\//);
      }
    },
  );
});

describe('splits of a saved audience', () => {
  it('keeps its salt for every run: each person in the same part across runs and changes', async () => {
    const definition = {
      days: DAYS.slice(0, 2),
      topic_id_prefixes: prefixes,
      scores: ['medium', 'high'],
      output: 'people',
      unique_by: 'person_id',
      splits: SPLITS,
    };
    const created = await api.post('/api/v1/audiences', {
      name: 'split audience',
      kind: 'intent',
      definition,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.audience_id;
    const salt = created.body.definition.split_salt;
    expect(salt).toMatch(/^[0-9a-f]{32}$/);
    expect(created.body.definition.splits).toEqual(SPLITS);

    const people = `SELECT DISTINCT CAST(person_id AS VARCHAR) AS id FROM read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true, hive_types = {'day': DATE})
      WHERE day IN ('2024-05-01', '2024-05-02') AND score IN ('medium', 'high') AND person_id IS NOT NULL`;
    const expected = await expectedParts(salt, people);
    const runs: Array<Record<string, string[]>> = [];
    for (let i = 0; i < 2; i++) {
      const run = await api.post(`/api/v1/audiences/${id}/runs`);
      expect(run.status, JSON.stringify(run.body)).toBe(202);
      const task = await api.waitFor(run.body.task_id, ['completed']);
      expect(task.request.split_salt).toBe(salt);
      runs.push(await checkSplitExport(task, { salt, column: 'person_id', expected }));
      const view = await api.get(`/api/v1/audiences/${id}/runs/${run.body.run_id}`);
      expect(view.body.split_counts).toEqual(expected);
    }
    for (const name of ['A', 'B', 'holdout'])
      expect([...runs[1]![name]!].sort()).toEqual([...runs[0]![name]!].sort());

    // A changed definition without a salt keeps the audience's.
    const changed = await call(t.url, 'PATCH', `/api/v1/audiences/${id}`, {
      body: { definition: { ...definition, scores: ['high'] } },
      headers: { 'x-api-key': key },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.definition.split_salt).toBe(salt);
  });
});

/**
 * A split delta audience's two runs on `server`: a generic input of its own, `firstInput`'s folders
 * at first, `nextInput`'s in their place later; each part's who joined and who left checked against
 * Node's formula over DuckDB's members, the holdout's in the service's own area.
 */
async function splitDeltaRuns(
  server: TestServer,
  client: ReturnType<typeof apiClient>,
  column: string,
  people: Record<string, unknown>,
  folders: { first: string; next: string },
  // biome-ignore lint/suspicious/noExplicitAny: task details read as loose JSON
): Promise<Array<Record<string, any>>> {
  const input = path.join(server.dataDir, `delta-input-${column}`);
  const copyFolder = (folder: string) =>
    fs.cpSync(path.join(server.intentTree, folder), path.join(input, folder), { recursive: true });
  copyFolder(folders.first);
  const created = await client.post('/api/v1/audiences', {
    name: `split delta ${column}`,
    kind: 'generic',
    definition: { input_path: input, output: 'people', ...people, splits: SPLITS },
    delivery: { mode: 'delta' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.audience_id;
  const salt = created.body.definition.split_salt;
  const value = column === 'Email' ? 'lower(hem_sha256)' : 'CAST(person_id AS VARCHAR)';
  const membersNow = async () =>
    (
      await duck<{ id: string }>(
        `SELECT DISTINCT ${value} AS id FROM read_parquet('${input}/**/*.parquet') WHERE ${value} IS NOT NULL`,
      )
    ).map((row) => row.id);
  /** The values of a run's `list` (added or removed) of one part, delivered or held back. */
  // biome-ignore lint/suspicious/noExplicitAny: a task detail read as loose JSON
  const valuesOf = async (task: Record<string, any>, part: string, list: string) => {
    const files =
      part === 'holdout'
        ? task.held_back
            .filter((f: { path: string }) => f.path.startsWith(`split=holdout/${list}/`))
            .map((f: { path: string }) => ({ uri: heldBackFile(task.task_id, f.path, server) }))
        : task.files.filter((f: { partition: string }) => f.partition === `split=${part}/${list}`);
    return (
      await valuesIn(
        files.map((f: { uri: string }) => f.uri),
        column,
      )
    ).sort();
  };
  const inPart = (ids: string[], part: string) => ids.filter((id) => partOf(salt, id) === part).sort();

  const first = await client.post(`/api/v1/audiences/${id}/runs`);
  expect(first.status, JSON.stringify(first.body)).toBe(202);
  const one = await client.waitFor(first.body.task_id, ['completed'], 120_000);
  const before = await membersNow();
  const byPart = (ids: string[]) =>
    Object.fromEntries(['A', 'B', 'holdout'].map((p) => [p, inPart(ids, p).length]));
  expect(one.split_counts).toEqual(byPart(before));
  expect(one.delta).toMatchObject({ baseline: 'new', members: before.length, added: before.length });
  for (const part of ['A', 'B', 'holdout']) {
    expect(await valuesOf(one, part, 'added'), part).toEqual(inPart(before, part));
    expect(await valuesOf(one, part, 'removed')).toEqual([]);
  }

  copyFolder(folders.next);
  fs.rmSync(path.join(input, folders.first.split('/')[0]!), { recursive: true });
  const second = await client.post(`/api/v1/audiences/${id}/runs`);
  expect(second.status, JSON.stringify(second.body)).toBe(202);
  const two = await client.waitFor(second.body.task_id, ['completed'], 120_000);
  const after = await membersNow();
  const joined = after.filter((p) => !before.includes(p));
  const left = before.filter((p) => !after.includes(p));
  expect(joined.length).toBeGreaterThan(0);
  expect(left.length).toBeGreaterThan(0);
  expect(two.split_counts).toEqual(byPart(after));
  expect(two.delta).toMatchObject({ baseline: 'previous', added: joined.length, removed: left.length });
  for (const part of ['A', 'B', 'holdout']) {
    expect(await valuesOf(two, part, 'added'), part).toEqual(inPart(joined, part));
    expect(await valuesOf(two, part, 'removed'), part).toEqual(inPart(left, part));
  }
  // Only delivered parts are in the run's output; the holdout's lists are in the service's area.
  for (const file of two.files) expect(file.partition).toMatch(/^split=(A|B)\/(added|removed)$/);
  for (const file of two.held_back)
    expect(fs.existsSync(heldBackFile(two.task_id, file.path, server)), file.path).toBe(true);
  const view = await client.get(`/api/v1/audiences/${id}/runs/${second.body.run_id}`);
  expect(view.body).toMatchObject({
    split_counts: byPart(after),
    added: joined.length,
    removed: left.length,
  });
  return [one, two];
}

describe('splits of a delta audience', () => {
  it.each([
    ['person_id', { unique_by: 'person_id' }],
    ['Email', { profile: 'google_customer_match' }],
  ])('delivers who joined and who left each part, the holdout kept apart (%s)', async (column, people) => {
    // One day's folder of one prefix at first, the next day's in its place later.
    const folder = (day: string) => `day=${day}/prefix=${prefixes[0]}`;
    await splitDeltaRuns(t, api, column, people, { first: folder('2024-05-01'), next: folder('2024-05-02') });
  });
});

describe('bad splits', () => {
  const body = (extra: Record<string, unknown>) => ({
    days: DAYS.slice(0, 1),
    topic_id_prefixes: prefixes.slice(0, 1),
    scores: ['high'],
    output: 'people',
    unique_by: 'person_id',
    splits: SPLITS,
    ...extra,
  });

  it.each([
    [{ output: 'rows', unique_by: undefined }, 'splits', 'add output: "people"'],
    [{ splits: [{ name: 'A', percent: 100 }] }, 'splits', ''],
    [
      { splits: Array.from({ length: 11 }, (_, i) => ({ name: `s${i}`, percent: i === 0 ? 90 : 1 })) },
      'splits',
      '',
    ],
    [
      {
        splits: [
          { name: 'A', percent: 60 },
          { name: 'B', percent: 30 },
        ],
      },
      'splits',
      'add up to exactly 100',
    ],
    [
      {
        splits: [
          { name: 'A', percent: 50.005 },
          { name: 'B', percent: 49.995 },
        ],
      },
      'splits[0].percent',
      'two decimals',
    ],
    [
      {
        splits: [
          { name: 'A', percent: 0 },
          { name: 'B', percent: 100 },
        ],
      },
      'splits[0].percent',
      'above 0',
    ],
    [
      {
        splits: [
          { name: 'A', percent: 50 },
          { name: 'A', percent: 50 },
        ],
      },
      'splits[1].name',
      'name each part once',
    ],
    [
      {
        splits: [
          { name: '../x', percent: 50 },
          { name: 'B', percent: 50 },
        ],
      },
      'splits[0].name',
      'not a folder name',
    ],
    [
      {
        splits: [
          { name: 'A', percent: 50, deliver: false },
          { name: 'B', percent: 50, deliver: false },
        ],
      },
      'splits',
      'deliver at least one',
    ],
    [
      {
        splits: [
          { name: 'A', percent: '50' },
          { name: 'B', percent: 50 },
        ],
      },
      'splits[0].percent',
      '',
    ],
    [
      {
        splits: [
          { name: 'A', share: 50 },
          { name: 'B', percent: 50 },
        ],
      },
      'splits[0].share',
      'not a known field',
    ],
    [{ splits: undefined, split_salt: 'x' }, 'split_salt', 'add splits'],
    [{ split_salt: '' }, 'split_salt', ''],
  ])('a task create refuses %j naming %s', async (extra, field, message) => {
    const reply = await api.post(INTENT, body(extra));
    expect(reply.status, JSON.stringify(reply.body)).toBe(400);
    const error = reply.body.errors.find((e: { field: string }) => e.field === field);
    expect(error, JSON.stringify(reply.body)).toBeDefined();
    expect(error.message).toContain(message);
  });

  it('a generic create refuses splits without output: people', async () => {
    const reply = await api.post(GENERIC, {
      input_path: path.join(t.intentTree, 'day=2024-05-01'),
      splits: SPLITS,
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0]).toMatchObject({ field: 'splits' });
    expect(reply.body.errors[0].message).toContain('add output: "people"');
  });

  it('an audience create and change refuse bad splits naming definition.splits, and splits of an audience of rows', async () => {
    const definition = { ...body({}), days: undefined };
    const bad = {
      ...definition,
      splits: [
        { name: 'A', percent: 50 },
        { name: 'B', percent: 40 },
      ],
    };
    const create = (extra: Record<string, unknown>) =>
      api.post('/api/v1/audiences', {
        name: `bad splits ${Math.random()}`,
        kind: 'intent',
        window: { last_days: 1 },
        definition,
        ...extra,
      });
    const refused = await create({ definition: bad });
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({ field: 'definition.splits' });
    expect(refused.body.errors[0].message).toContain('add up to exactly 100');

    const saved = await create({});
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const changed = await call(t.url, 'PATCH', `/api/v1/audiences/${saved.body.audience_id}`, {
      body: {
        definition: {
          ...definition,
          splits: [
            { name: 'A', percent: 50 },
            { name: 'B/C', percent: 50 },
          ],
        },
      },
      headers: { 'x-api-key': key },
    });
    expect(changed.status).toBe(400);
    expect(changed.body.errors[0]).toMatchObject({ field: 'definition.splits[1].name' });
    const rows = await call(t.url, 'PATCH', `/api/v1/audiences/${saved.body.audience_id}`, {
      body: { definition: { ...definition, output: 'rows', unique_by: undefined } },
      headers: { 'x-api-key': key },
    });
    expect(rows.status).toBe(400);
    expect(rows.body.errors[0]).toMatchObject({ field: 'definition.splits' });
  });
});
