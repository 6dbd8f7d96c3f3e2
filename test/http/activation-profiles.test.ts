import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/activation/profiles.ts';
import { ACTIVATION_PROFILES } from '../../src/contract/activation-profiles.ts';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { downloadFiles } from '../support/downloads.ts';
import { duck, intentPrefixes } from '../support/duck.ts';

/**
 * People exports in each activation profile, through HTTP on a real server over the shared test
 * tree: the files read back (header, columns, encoding, rows and bytes per file) and their
 * identifiers compared, both ways, with DuckDB's own conversion of `hem_sha256` over the tree; a
 * generic input with bad hashes and too few people for the platforms' minimums; the 400s.
 */
let t: TestServer;
let api: ReturnType<typeof apiClient>;
let prefixes: string[];
let downloads: string;
/** A generic input: hashed e-mails (some upper case, some not hashes at all) in a column of its own. */
let generic: string;

const INTENT = '/api/v1/intent_hive_tasks';
const GENERIC = '/api/v1/generic_parquet_tasks';
const DAYS = ['2024-05-01', '2024-05-02', '2024-05-03'];
const FILTER = 'intent_score >= 40';

/** The generic input's people: 40 e-mails, hashed by Node (the expected values never come from the service). */
const PEOPLE = Array.from({ length: 40 }, (_, i) => `buyer.${i}@example.org`);
const sha = (email: string) => createHash('sha256').update(email).digest();
/** Distinct values that are not a hex SHA-256 (lower-cased, as the service counts them). */
const BAD = ['not-a-hash', 'f'.repeat(63), 'z'.repeat(64), `${sha('x').toString('hex')}00`, ''];

beforeAll(async () => {
  t = await startTestServer();
  api = apiClient(t.url, (await signUp(t.url)).apiKey);
  prefixes = await intentPrefixes(t.intentTree);
  downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-profiles-'));
  generic = path.join(t.dataDir, 'crm');
  fs.mkdirSync(path.join(generic, 'region=eu'), { recursive: true });
  // Each person on two rows (the second upper-cased for every third), every bad value twice, NULLs.
  const rows = [
    ...PEOPLE.map((email, i) => [sha(email).toString('hex'), i]),
    ...PEOPLE.map((email, i) => [
      i % 3 === 0 ? sha(email).toString('hex').toUpperCase() : sha(email).toString('hex'),
      i,
    ]),
    ...BAD.flatMap((bad, i) => [
      [bad, 100 + i],
      [bad.toUpperCase(), 200 + i],
    ]),
    [null, 300],
  ] as Array<[string | null, number]>;
  const values = rows.map(([hash, n]) => `(${hash === null ? 'NULL' : `'${hash}'`}, ${n})`).join(', ');
  await duck(
    `COPY (SELECT * FROM (VALUES ${values}) AS t(email_sha, customer_no)) TO '${path.join(generic, 'region=eu', 'part.parquet')}'`,
  );
});
afterAll(async () => {
  await t?.close();
  if (downloads) fs.rmSync(downloads, { recursive: true, force: true });
});

/** The tree's rows that pass the filter, as DuckDB reads them. */
const treeRows = () =>
  `read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true, hive_types = {'day': DATE}) WHERE ${FILTER}`;

/** A profile's expected encoding of a column of lower-case hex, in DuckDB's own functions. */
const encoded = (name: keyof typeof PROFILES, column: string) =>
  PROFILES[name].encoding.includes('to_base64') ? `to_base64(unhex(lower(${column})))` : `lower(${column})`;

/** A profile's files as one relation of their identifier column (all text). */
const filesRelation = (files: string[], name: keyof typeof PROFILES) =>
  `(SELECT "${PROFILES[name].identifierColumn}" AS id FROM read_csv([${files.map((f) => `'${f}'`).join(', ')}], header = true, all_varchar = true))`;

/** The first line of a file (gunzipped when gzip). */
function header(file: string): string {
  const bytes = fs.readFileSync(file);
  const text = bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes) : bytes;
  return text.toString('utf8').split('\n')[0]!;
}

/**
 * Rows one file may hold, from the profile's bounds and a row's length: the encoded identifier (64
 * hex or 44 Base64 characters), one comma per other template column, a line break.
 */
function rowsPerFile(name: keyof typeof PROFILES): number {
  const profile = PROFILES[name];
  const width = profile.encoding.includes('to_base64') ? 44 : 64;
  const row = width + profile.columns.length;
  const head = profile.columns.join(',').length + 1;
  return Math.min(
    profile.maxRowsPerFile ?? Number.POSITIVE_INFINITY,
    profile.maxBytesPerFile === null
      ? Number.POSITIVE_INFINITY
      : Math.floor((profile.maxBytesPerFile - head) / row),
  );
}

async function manifestOf(task: { manifest_url: string }) {
  const response = await fetch(task.manifest_url);
  expect(response.status).toBe(200);
  return response.json();
}

describe('activation profiles over the intent tree', () => {
  it.each(ACTIVATION_PROFILES)(
    '%s: the platform file, one row per person, identifiers as DuckDB encodes hem_sha256',
    async (name) => {
      const profile = PROFILES[name];
      const created = await api.post(INTENT, {
        days: DAYS,
        topic_id_prefixes: prefixes,
        scores: ['low', 'medium', 'high'],
        where_expr: FILTER,
        output: 'people',
        profile: name,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(202);
      // One job writes and counts: no count phase before.
      expect(created.body).toMatchObject({ status: 'unloading', total_jobs: 1 });
      const task = await api.waitFor(created.body.task_id, ['completed']);
      expect(task.request).toMatchObject({
        output: 'people',
        profile: name,
        unique_by: 'hem_sha256',
        format: 'csv',
        compression: profile.compression,
      });

      const [expected] = await duck<{ n: bigint }>(
        `SELECT count(DISTINCT lower(hem_sha256)) AS n FROM ${treeRows()} AND hem_sha256 IS NOT NULL`,
      );
      const people = Number(expected!.n);
      expect(people).toBeGreaterThan(1_000);
      expect(task.total_count).toBe(people);
      expect(task.unique_count).toBe(people);
      expect(task.counts).toEqual({ people });
      expect(task.invalid_identifiers).toBe(0);
      expect(task.warnings).toEqual([]);

      // As many files as the platform's bounds need, spread evenly; each within them.
      const perFile = rowsPerFile(name);
      const files = await downloadFiles(task.files, downloads);
      expect(files).toHaveLength(Math.max(1, Math.ceil(people / perFile)));
      const suffix = profile.compression === 'gzip' ? /\/data_\d+\.csv\.gz$/ : /\/data_\d+\.csv$/;
      for (const file of task.files) {
        expect(file.partition).toBe('people');
        expect(file.uri).toMatch(suffix);
        expect(file.rows).toBeLessThanOrEqual(perFile);
        expect(Math.abs(file.rows - people / files.length)).toBeLessThanOrEqual(1);
        if (profile.maxBytesPerFile !== null && profile.compression === 'none') {
          expect(file.size_bytes).toBeLessThanOrEqual(profile.maxBytesPerFile);
        }
      }
      for (const file of files) expect(header(file), name).toBe(profile.columns.join(','));
      const [columns] = await duck<{ names: string[] }>(
        `SELECT list(column_name) AS names FROM (DESCRIBE SELECT * FROM read_csv('${files[0]}', header = true, all_varchar = true))`,
      );
      expect(columns!.names).toEqual([...profile.columns]);

      // The identifiers against DuckDB's own conversion of the tree's hashes, both ways.
      const want = `(SELECT DISTINCT ${encoded(name, 'hem_sha256')} AS id FROM ${treeRows()} AND hem_sha256 IS NOT NULL)`;
      const got = filesRelation(files, name);
      const [diff] = await duck<{ missing: bigint; extra: bigint; rows: bigint; distinct: bigint }>(
        `SELECT (SELECT count(*) FROM (SELECT id FROM ${want} EXCEPT SELECT id FROM ${got})) AS missing,
                (SELECT count(*) FROM (SELECT id FROM ${got} EXCEPT SELECT id FROM ${want})) AS extra,
                (SELECT count(*) FROM ${got}) AS rows, (SELECT count(DISTINCT id) FROM ${got}) AS distinct`,
      );
      expect(diff).toEqual({ missing: 0n, extra: 0n, rows: BigInt(people), distinct: BigInt(people) });

      const manifest = await manifestOf(task);
      expect(manifest).toMatchObject({
        format: 'csv',
        compression: profile.compression,
        total_rows: people,
        invalid_identifiers: 0,
        warnings: [],
        profile: {
          name,
          columns: [...profile.columns],
          identifier_column: profile.identifierColumn,
          max_rows_per_file: profile.maxRowsPerFile,
          max_bytes_per_file: profile.maxBytesPerFile,
          minimum_audience: profile.minimumAudience,
        },
      });
      expect(manifest.schema).toEqual(profile.columns.map((column) => ({ name: column, type: 'VARCHAR' })));
    },
  );

  it('previews the rows of the files, and counts first when asked to', async () => {
    const created = await api.post(INTENT, {
      days: DAYS.slice(0, 1),
      topic_id_prefixes: prefixes.slice(0, 1),
      scores: ['high'],
      output: 'people',
      profile: 'uid2',
      perform_unload: false,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const counted = await api.waitFor(created.body.task_id, ['counted']);
    const scope = `read_parquet('${t.intentTree}/day=2024-05-01/prefix=${prefixes[0]}/score=high/*.parquet')`;
    const [expected] = await duck<{ n: bigint }>(
      `SELECT count(DISTINCT lower(hem_sha256)) AS n FROM ${scope}`,
    );
    expect(counted.unique_count).toBe(Number(expected!.n));
    expect(counted.invalid_identifiers).toBe(0);

    const preview = await api.get(`/api/v1/tasks/${created.body.task_id}/preview?limit=5`);
    expect(preview.status).toBe(200);
    expect(preview.body.columns).toEqual([{ name: 'email_hash', type: 'VARCHAR' }]);
    expect(preview.body.rows).toHaveLength(5);
    const known = await duck<{ id: string }>(
      `SELECT DISTINCT to_base64(unhex(lower(hem_sha256))) AS id FROM ${scope}`,
    );
    const ids = new Set(known.map((row) => row.id));
    for (const row of preview.body.rows) expect(ids.has(row.email_hash)).toBe(true);

    expect((await api.post(`/api/v1/tasks/${created.body.task_id}/unload`)).status).toBe(202);
    const done = await api.waitFor(created.body.task_id, ['completed']);
    expect(done.files.reduce((sum: number, file: { rows: number }) => sum + file.rows, 0)).toBe(
      Number(expected!.n),
    );
    expect(done.total_count).toBe(Number(expected!.n));
  });
});

describe('a generic input with bad hashes and few people', () => {
  /** The valid people's identifiers in a profile's encoding, from Node's SHA-256. */
  const expectedIds = (base64: boolean) =>
    PEOPLE.map((email) => sha(email).toString(base64 ? 'base64' : 'hex')).sort();

  it('drops the values that are not hashes and counts them, at count, export and in the manifest', async () => {
    const body = {
      input_path: generic,
      output: 'people',
      profile: 'meta_custom_audience',
      identifier: 'email_sha',
    };
    const created = await api.post(GENERIC, { ...body, perform_unload: false });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const counted = await api.waitFor(created.body.task_id, ['counted']);
    expect(counted.unique_count).toBe(PEOPLE.length);
    // '' is a value too (not NULL): it is not a hash either.
    expect(counted.invalid_identifiers).toBe(BAD.length);
    expect(counted.request).toMatchObject({
      identifier: 'email_sha',
      unique_by: 'email_sha',
      profile: 'meta_custom_audience',
    });

    expect((await api.post(`/api/v1/tasks/${created.body.task_id}/unload`)).status).toBe(202);
    const done = await api.waitFor(created.body.task_id, ['completed']);
    expect(done.invalid_identifiers).toBe(BAD.length);
    const files = await downloadFiles(done.files, downloads);
    const rows = await duck<{ id: string }>(
      `SELECT id FROM ${filesRelation(files, 'meta_custom_audience')} ORDER BY 1`,
    );
    expect(rows.map((row) => row.id)).toEqual(expectedIds(false));
    expect((await manifestOf(done)).invalid_identifiers).toBe(BAD.length);
  });

  it("warns below a platform's minimum audience: at the estimate, the count, the export and in the manifest", async () => {
    const body = {
      input_path: generic,
      output: 'people',
      profile: 'linkedin_matched_audience',
      identifier: 'email_sha',
    };
    const [footer] = await duck<{ n: bigint }>(
      `SELECT count(*) AS n FROM read_parquet('${generic}/**/*.parquet')`,
    );
    const rows = Number(footer!.n);
    const estimate = await api.post(`${GENERIC}/estimate`, body);
    expect(estimate.status, JSON.stringify(estimate.body)).toBe(200);
    expect(estimate.body.rows).toBe(rows);
    expect(estimate.body.warnings).toEqual([
      expect.objectContaining({
        code: 'below_platform_minimum',
        field: 'profile',
        values: ['linkedin_matched_audience'],
        people: rows,
        minimum: 300,
      }),
    ]);

    const created = await api.post(GENERIC, { ...body, perform_unload: false });
    const counted = await api.waitFor(created.body.task_id, ['counted']);
    const warning = { code: 'below_platform_minimum', field: 'profile', people: PEOPLE.length, minimum: 300 };
    expect(counted.warnings).toEqual([expect.objectContaining(warning)]);
    expect(counted.warnings[0].message).toMatch(/40 people .* at least 300/);

    await api.post(`/api/v1/tasks/${created.body.task_id}/unload`);
    const done = await api.waitFor(created.body.task_id, ['completed']);
    expect(done.warnings).toEqual([expect.objectContaining(warning)]);
    expect((await manifestOf(done)).warnings).toEqual([expect.objectContaining(warning)]);
    // The files are still written: the platform takes them, it just does not serve them yet.
    const files = await downloadFiles(done.files, downloads);
    const ids = await duck<{ id: string }>(
      `SELECT id FROM ${filesRelation(files, 'linkedin_matched_audience')} ORDER BY 1`,
    );
    expect(ids.map((row) => row.id)).toEqual(expectedIds(false));

    // A direct export warns once written; UID2 documents no minimum, so it never warns.
    const direct = await api.post(GENERIC, { ...body, profile: 'google_customer_match' });
    const exported = await api.waitFor(direct.body.task_id, ['completed']);
    expect(exported.warnings).toEqual([
      expect.objectContaining({ ...warning, minimum: 100, values: ['google_customer_match'] }),
    ]);
    const uid2 = await api.post(GENERIC, { ...body, profile: 'uid2' });
    const encodedUid2 = await api.waitFor(uid2.body.task_id, ['completed']);
    expect(encodedUid2.warnings).toEqual([]);
    const uid2Files = await downloadFiles(encodedUid2.files, downloads);
    const uid2Ids = await duck<{ id: string }>(
      `SELECT id FROM ${filesRelation(uid2Files, 'uid2')} ORDER BY 1`,
    );
    expect(uid2Ids.map((row) => row.id)).toEqual(expectedIds(true));
  });
});

describe('what a profile refuses, each with a 400 that says what to change', () => {
  const intent = (extra: Record<string, unknown>) =>
    api.post(INTENT, {
      days: DAYS.slice(0, 1),
      topic_id_prefixes: prefixes.slice(0, 1),
      scores: ['high'],
      ...extra,
    });
  const people = { output: 'people', profile: 'google_customer_match' };

  it.each([
    [
      'an unknown profile, naming the known ones',
      { output: 'people', profile: 'tiktok' },
      'profile',
      /google_customer_match, meta_custom_audience, linkedin_matched_audience, uid2, liveramp/,
    ],
    ['a profile without output people', { profile: 'uid2' }, 'profile', /add output: "people"/],
    ['a format the platform does not take', { ...people, format: 'jsonl' }, 'format', /CSV; drop format/],
    [
      'a codec the platform does not take',
      { ...people, compression: 'gzip' },
      'compression',
      /compression none; drop compression/,
    ],
    ['a column list', { ...people, select: 'person_id' }, 'select', /drop select/],
    [
      'split bounds of its own',
      { ...people, max_file_bytes: 2_000_000 },
      'max_file_bytes',
      /drop max_file_bytes/,
    ],
    ['a single file', { ...people, single_file: true }, 'single_file', /drop single_file/],
    [
      'people by another column',
      { ...people, unique_by: 'person_id' },
      'unique_by',
      /"hem_sha256"; drop unique_by/,
    ],
  ])('%s', async (_what, extra, field, message) => {
    const reply = await intent(extra);
    expect(reply.status, JSON.stringify(reply.body)).toBe(400);
    const error = reply.body.errors.find((e: { field: string }) => e.field === field);
    expect(error, JSON.stringify(reply.body)).toBeDefined();
    expect(error.message).toMatch(message);
  });

  it('checks the generic identifier column: it must exist, be text, and come with a profile', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ identifier: 'nope' }, 'identifier', /nope/],
      [
        { identifier: 'customer_no' },
        'identifier',
        /column "customer_no" is (INTEGER|BIGINT); .*text \(VARCHAR\)/,
      ],
      [{ profile: undefined, identifier: 'email_sha' }, 'identifier', /add profile, or drop identifier/],
      [{ unique_by: 'customer_no' }, 'unique_by', /"email_sha"; drop unique_by, or set it to "email_sha"/],
    ];
    for (const [extra, field, message] of cases) {
      const body = {
        input_path: generic,
        output: 'people',
        profile: 'uid2',
        identifier: 'email_sha',
        ...extra,
      };
      const reply = await api.post(GENERIC, JSON.parse(JSON.stringify(body)));
      expect(reply.status, JSON.stringify(reply.body)).toBe(400);
      const error = reply.body.errors.find((e: { field: string }) => e.field === field);
      expect(error, JSON.stringify(reply.body)).toBeDefined();
      expect(error.message).toMatch(message);
    }
    // Without identifier, unique_by names it; without either, hem_sha256 (which this input lacks).
    const byUnique = await api.post(GENERIC, {
      input_path: generic,
      output: 'people',
      profile: 'uid2',
      unique_by: 'email_sha',
    });
    expect(byUnique.status, JSON.stringify(byUnique.body)).toBe(202);
    const missing = await api.post(GENERIC, { input_path: generic, output: 'people', profile: 'uid2' });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('hem_sha256');
  });
});
