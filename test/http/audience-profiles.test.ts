import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROFILES } from '../../src/activation/profiles.ts';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { downloadFiles } from '../support/downloads.ts';
import { duck, intentPrefixes } from '../support/duck.ts';

/**
 * Saved audiences whose definition names an activation profile, on a server over a tree of its
 * own (two days of the shared tree, a third added between runs): every run delivers the
 * platform's files, a delta run its add and remove lists in the same shape. The lists are checked
 * against set differences that an independent DuckDB computes from the tree's `hem_sha256`.
 */
let t: TestServer;
let tree: string;
let api: ReturnType<typeof apiClient>;
let prefixes: string[];
let downloads: string;

const FILTER = 'intent_score >= 50';

beforeAll(async () => {
  const shared = inject('intentTree');
  tree = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-profile-tree-'));
  for (const day of ['2024-05-01', '2024-05-02']) {
    fs.cpSync(path.join(shared, `day=${day}`), path.join(tree, `day=${day}`), { recursive: true });
  }
  t = await startTestServer({ INTENT_INPUT_PATH: tree, LOCAL_INPUT_ROOTS: tree });
  api = apiClient(t.url, (await signUp(t.url)).apiKey);
  prefixes = (await intentPrefixes(shared)).slice(0, 2);
  downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-profile-downloads-'));
});
afterAll(async () => {
  await t?.close();
  for (const dir of [tree, downloads]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The audience's members over `days` in UID2's encoding, straight from the files with DuckDB's functions. */
async function members(days: string[]): Promise<string[]> {
  const rows = await duck<{ id: string }>(
    `SELECT DISTINCT to_base64(unhex(lower(hem_sha256))) AS id
     FROM read_parquet('${tree}/**/*.parquet', hive_partitioning = true)
     WHERE CAST(day AS VARCHAR) IN (${days.map((d) => `'${d}'`).join(', ')})
       AND prefix IN (${prefixes.map((p) => `'${p}'`).join(', ')}) AND score IN ('medium', 'high')
       AND ${FILTER} AND hem_sha256 IS NOT NULL ORDER BY 1`,
  );
  return rows.map((row) => row.id);
}

/** The identifiers of a run's files of one output (`added`, `removed`, `people`), read back, sorted. */
async function delivered(
  task: { files: Array<{ partition: string; url: string; uri: string; rows: number; size_bytes: number }> },
  partition: string,
  column: string,
): Promise<string[]> {
  const files = await downloadFiles(
    task.files.filter((file) => file.partition === partition),
    downloads,
  );
  for (const file of files) expect(fs.readFileSync(file, 'utf8').split('\n')[0]).toBe(column);
  if (files.length === 0) return [];
  const rows = await duck<{ id: string }>(
    `SELECT "${column}" AS id FROM read_csv([${files.map((f) => `'${f}'`).join(', ')}], header = true, all_varchar = true) ORDER BY 1`,
  );
  return rows.map((row) => row.id);
}

const definition = (profile: string) => ({
  topic_id_prefixes: prefixes,
  scores: ['medium', 'high'],
  where_expr: FILTER,
  output: 'people',
  profile,
});

describe('saved audiences with an activation profile', () => {
  it('a delta audience delivers who joined and who left as the platform takes them', async () => {
    const created = await api.post('/api/v1/audiences', {
      name: 'UID2 high intent',
      kind: 'intent',
      // No unique_by: the profile's people are its hashed e-mails.
      definition: definition('uid2'),
      window: { last_days: 2 },
      delivery: { mode: 'delta', path: 'uid2/{audience}/{date}/{run_id}' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.audience_id;

    const first = await api.post(`/api/v1/audiences/${id}/runs`);
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const one = await api.waitFor(first.body.task_id, ['completed']);
    const before = await members(['2024-05-01', '2024-05-02']);
    expect(before.length).toBeGreaterThan(100);
    expect(one.delta).toMatchObject({
      baseline: 'new',
      members: before.length,
      added: before.length,
      removed: 0,
    });
    expect(one.invalid_identifiers).toBe(0);
    expect(await delivered(one, 'added', 'email_hash')).toEqual(before);
    expect(one.files.every((file: { uri: string }) => file.uri.endsWith('.csv'))).toBe(true);
    for (const file of one.files) expect(file.rows).toBeLessThanOrEqual(PROFILES.uid2.maxRowsPerFile!);

    fs.cpSync(path.join(inject('intentTree'), 'day=2024-05-03'), path.join(tree, 'day=2024-05-03'), {
      recursive: true,
    });
    const second = await api.post(`/api/v1/audiences/${id}/runs`);
    expect(second.status, JSON.stringify(second.body)).toBe(202);
    expect(second.body).toMatchObject({ days: ['2024-05-02', '2024-05-03'], baseline: 'previous' });
    const two = await api.waitFor(second.body.task_id, ['completed']);
    const after = await members(['2024-05-02', '2024-05-03']);
    const joined = after.filter((m) => !before.includes(m));
    const left = before.filter((m) => !after.includes(m));
    expect(joined.length).toBeGreaterThan(0);
    expect(left.length).toBeGreaterThan(0);
    expect(two.delta).toMatchObject({ members: after.length, added: joined.length, removed: left.length });
    expect(await delivered(two, 'added', 'email_hash')).toEqual(joined);
    expect(await delivered(two, 'removed', 'email_hash')).toEqual(left);

    const manifest = await (await fetch(two.manifest_url)).json();
    expect(manifest).toMatchObject({
      format: 'csv',
      profile: { name: 'uid2' },
      invalid_identifiers: 0,
      warnings: [],
    });
    expect(manifest.audience.delta).toMatchObject({ added: joined.length, removed: left.length });
  });

  it('a full audience delivers the platform file of everyone at each run', async () => {
    const created = await api.post('/api/v1/audiences', {
      name: 'LiveRamp high intent',
      kind: 'intent',
      definition: { ...definition('liveramp'), days: ['2024-05-01'] },
      delivery: { mode: 'full' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const run = await api.post(`/api/v1/audiences/${created.body.audience_id}/runs`);
    const task = await api.waitFor(run.body.task_id, ['completed']);
    const hex = await duck<{ id: string }>(
      `SELECT DISTINCT lower(hem_sha256) AS id FROM read_parquet('${tree}/day=2024-05-01/**/*.parquet', hive_partitioning = true)
       WHERE prefix IN (${prefixes.map((p) => `'${p}'`).join(', ')}) AND score IN ('medium', 'high') AND ${FILTER} ORDER BY 1`,
    );
    expect(task.counts).toEqual({ people: hex.length });
    const files = await downloadFiles(task.files, downloads);
    expect(files.every((file) => file.endsWith('.csv.gz'))).toBe(true);
    const rows = await duck<{ id: string }>(
      `SELECT "EMAIL1_SHA-256" AS id FROM read_csv([${files.map((f) => `'${f}'`).join(', ')}], header = true, all_varchar = true) ORDER BY 1`,
    );
    expect(rows.map((row) => row.id)).toEqual(hex.map((row) => row.id));
  });

  it('refuses a profile that contradicts the definition, naming the field', async () => {
    const reply = await api.post('/api/v1/audiences', {
      name: 'Wrong',
      kind: 'intent',
      definition: { ...definition('meta_custom_audience'), format: 'parquet' },
      window: { last_days: 2 },
      delivery: { mode: 'delta' },
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(400);
    expect(JSON.stringify(reply.body)).toMatch(/format.*CSV; drop format/);
  });
});
