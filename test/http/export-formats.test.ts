import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { downloadFiles } from '../support/downloads.ts';
import { duck, expectedIntentCounts, expectedIntentPeople, intentPrefixes, json } from '../support/duck.ts';

/**
 * Every format and codec of an export, read back by DuckDB with the same rows as the Parquet export
 * of the same request; single files and files split by size.
 */
let t: TestServer;
let api: ReturnType<typeof apiClient>;
let prefixes: string[];
let downloads: string;

const INTENT = '/api/v1/intent_hive_tasks';
const SELECT = 'person_id, hem_sha256, topic_id, intent_score, last_seen, day, score';

beforeAll(async () => {
  t = await startTestServer();
  api = apiClient(t.url, (await signUp(t.url)).apiKey);
  prefixes = await intentPrefixes(t.intentTree);
  downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-formats-'));
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(downloads, { recursive: true, force: true });
});

/** A segment of a few partitions, exported with `extra` (format, codec, layout) once completed. */
async function exported(extra: Record<string, unknown>) {
  const created = await api.post(INTENT, {
    days: ['2024-05-01', '2024-05-02'],
    topic_id_prefixes: prefixes.slice(0, 2),
    scores: ['medium', 'high'],
    where_expr: 'intent_score >= 50',
    select: SELECT,
    ...extra,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(202);
  const task = await api.waitFor(created.body.task_id, ['completed']);
  // A folder per export: several run side by side.
  return { task, files: await downloadFiles(task.files, fs.mkdtempSync(path.join(downloads, 'export-'))) };
}

const SCOPE = (p: string[]) =>
  `intent_score >= 50 AND day IN (DATE '2024-05-01', DATE '2024-05-02') AND prefix IN ('${p[0]}', '${p[1]}') AND score IN ('medium', 'high')`;

/** The segment's rows straight from the tree, typed as the export's columns. */
async function expectedRows() {
  return (
    await duck(
      `SELECT ${SELECT} FROM read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true,
         hive_types = {'day': DATE}) WHERE ${SCOPE(prefixes)} ORDER BY ALL`,
    )
  ).map(json);
}

/** Text files read back with the segment's column types (timestamps as ISO 8601). */
function readBack(files: string[], format: 'csv' | 'jsonl'): string {
  const list = `[${files.map((f) => `'${f}'`).join(', ')}]`;
  const columns = `{'person_id': 'VARCHAR', 'hem_sha256': 'VARCHAR', 'topic_id': 'VARCHAR', 'intent_score': 'INTEGER', 'last_seen': 'TIMESTAMP', 'day': 'DATE', 'score': 'VARCHAR'}`;
  return format === 'csv'
    ? `read_csv(${list}, header = true, columns = ${columns}, timestampformat = '%Y-%m-%dT%H:%M:%S.%f')`
    : `read_json(${list}, format = 'newline_delimited', columns = ${columns}, timestampformat = '%Y-%m-%dT%H:%M:%S.%f')`;
}

describe('export formats', () => {
  it('writes Parquet with each codec, the same rows each time', async () => {
    const want = await expectedRows();
    const codecs = [
      ['snappy', 'SNAPPY'],
      ['zstd', 'ZSTD'],
      ['gzip', 'GZIP'],
      ['none', 'UNCOMPRESSED'],
    ] as const;
    // The exports run side by side; each is checked on its own.
    const exports = await Promise.all(
      codecs.map(([compression]) => exported({ format: 'parquet', compression })),
    );
    for (const [i, [compression, codec]] of codecs.entries()) {
      const { task, files } = exports[i]!;
      expect(task.request).toMatchObject({ format: 'parquet', compression });
      for (const file of task.files) expect(file.uri).toMatch(/\/data_\d+\.parquet$/);
      const list = `[${files.map((f) => `'${f}'`).join(', ')}]`;
      const found = await duck<{ c: string }>(
        `SELECT DISTINCT compression AS c FROM parquet_metadata(${list})`,
      );
      expect(found.map((c) => c.c)).toEqual([codec]);
      const got = (
        await duck(`SELECT * FROM read_parquet(${list}, hive_partitioning = false) ORDER BY ALL`)
      ).map(json);
      expect(got, compression).toEqual(want);
    }
  });

  it('writes CSV and JSON Lines, gzipped or plain, read back by DuckDB as the same rows', async () => {
    const want = await expectedRows();
    const counts = await expectedIntentCounts(t.intentTree, SCOPE(prefixes));
    const cases = (['csv', 'jsonl'] as const).flatMap((format) =>
      (['gzip', 'none', undefined] as const).map((compression) => ({ format, compression })),
    );
    // The exports run side by side; each is checked on its own.
    const exports = await Promise.all(
      cases.map(({ format, compression }) => exported({ format, ...(compression ? { compression } : {}) })),
    );
    for (const [i, { format, compression }] of cases.entries()) {
      const { task, files } = exports[i]!;
      // gzip unless asked otherwise.
      const gzipped = compression !== 'none';
      expect(task.request).toMatchObject({ format, compression: gzipped ? 'gzip' : 'none' });
      for (const file of task.files) {
        expect(file.uri).toMatch(new RegExp(`/data_0\\.${format}${gzipped ? '\\.gz' : ''}$`));
      }
      const head = fs.readFileSync(files[0]!);
      expect(head[0] === 0x1f && head[1] === 0x8b, `${format} ${compression} gzip magic`).toBe(gzipped);
      // One file per partition, with the partition's rows.
      const rows: Record<string, number> = {};
      for (const file of task.files) rows[file.partition] = (rows[file.partition] ?? 0) + file.rows;
      expect(rows).toEqual(counts);
      const got = (await duck(`SELECT * FROM ${readBack(files, format)} ORDER BY ALL`)).map(json);
      expect(got, `${format} ${compression}`).toEqual(want);
    }
  });

  it('writes CSV to the letter: a header, RFC 4180 quoting, ISO 8601 timestamps, lists as JSON', async () => {
    const { task: plain, files } = await exported({ format: 'csv', compression: 'none' });
    const link = await fetch(plain.files[0].url);
    expect(link.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    // Named for its partition: every partition's first file is data_0.
    expect(link.headers.get('content-disposition')).toBe(
      `attachment; filename="${plain.files[0].partition.replaceAll('/', '_')}_data_0.csv"`,
    );
    await link.arrayBuffer();
    const [header, first] = fs.readFileSync(files[0]!, 'utf8').split('\n');
    expect(header).toBe('person_id,hem_sha256,topic_id,intent_score,last_seen,day,score');
    expect(first).toMatch(/,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6},\d{4}-\d\d-\d\d,(medium|high)$/);

    // A people export holds lists: as JSON text in CSV.
    const created = await api.post(INTENT, {
      days: ['2024-05-01', '2024-05-02'],
      topic_id_prefixes: prefixes.slice(0, 2),
      scores: ['high'],
      unique_by: 'person_id',
      output: 'people',
      format: 'csv',
    });
    const task = await api.waitFor(created.body.task_id, ['completed']);
    expect(task.files.map((f: { uri: string }) => path.basename(f.uri))).toEqual(['data_0.csv.gz']);
    const [gz] = await downloadFiles(task.files, downloads);
    const got = await duck<{ person_id: string; topic_ids: string; prefixes: string }>(
      `SELECT person_id, topic_ids, prefixes FROM read_csv('${gz}', header = true, all_varchar = true) ORDER BY person_id`,
    );
    const want = await expectedIntentPeople(
      t.intentTree,
      `day IN (DATE '2024-05-01', DATE '2024-05-02') AND prefix IN ('${prefixes[0]}', '${prefixes[1]}') AND score = 'high'`,
    );
    expect(got.map((row) => [row.person_id, JSON.parse(row.topic_ids), JSON.parse(row.prefixes)])).toEqual(
      want.map((row) => [String(row.person_id), row.topic_ids, row.prefixes]),
    );
  });

  it('splits files past max_file_bytes, each counted exactly', async () => {
    const maxBytes = 1024 * 1024;
    const { task, files } = await exported({ format: 'csv', compression: 'none', max_file_bytes: maxBytes });
    expect(task.request.max_file_bytes).toBe(maxBytes);
    const partitions = task.files.map((f: { partition: string }) => f.partition);
    // Some partition of this segment holds more than a MiB of CSV: it is split in several files.
    expect(new Set(partitions).size).toBeLessThan(partitions.length);
    for (const [i, file] of task.files.entries()) {
      const [counted] = await duck<{ n: bigint }>(
        `SELECT count(*) AS n FROM read_csv('${files[i]}', header = true, all_varchar = true)`,
      );
      expect(Number(counted!.n)).toBe(file.rows);
      // DuckDB starts a new file once one passes the bound, so a file ends at most one chunk past it.
      expect(file.size_bytes).toBeLessThan(2 * maxBytes);
    }
    expect((await duck(`SELECT * FROM ${readBack(files, 'csv')} ORDER BY ALL`)).map(json)).toEqual(
      await expectedRows(),
    );
  });

  it('writes a single file for the whole task, counted per partition first', async () => {
    const { task, files } = await exported({ format: 'jsonl', single_file: true });
    const counts = await expectedIntentCounts(t.intentTree, SCOPE(prefixes));
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(Object.fromEntries(Object.entries(task.counts).filter(([, n]) => (n as number) > 0))).toEqual(
      counts,
    );
    expect(task.total_count).toBe(total);
    expect(task.files).toHaveLength(1);
    expect(task.files[0]).toMatchObject({ partition: 'all', rows: total });
    expect(task.files[0].uri).toMatch(/\/all\/data_0\.jsonl\.gz$/);
    expect(Object.keys(task.outputs)).toEqual(['all']);
    expect((await duck(`SELECT * FROM ${readBack(files, 'jsonl')} ORDER BY ALL`)).map(json)).toEqual(
      await expectedRows(),
    );
  });

  it('refuses codecs a format has not, and layouts that contradict each other', async () => {
    const base = { days: ['2024-05-01'], topic_id_prefixes: [prefixes[0]], scores: ['high'] };
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ format: 'csv', compression: 'snappy' }, 'compression', 'gzip, none'],
      [{ format: 'jsonl', compression: 'zstd' }, 'compression', 'gzip, none'],
      [{ format: 'xlsx' }, 'format', 'format'],
      [{ compression: 'lz4' }, 'compression', 'compression'],
      [{ single_file: true, max_file_bytes: 2_000_000 }, 'max_file_bytes', 'drop one'],
      [{ single_file: true, limit: 10 }, 'limit', 'drop limit'],
      [{ max_file_bytes: 1000 }, 'max_file_bytes', 'max_file_bytes'],
    ];
    for (const [extra, field, says] of cases) {
      const reply = await api.post(INTENT, { ...base, ...extra });
      expect(reply.status, JSON.stringify(extra)).toBe(400);
      expect(
        reply.body.errors.map((e: { field: string }) => e.field),
        JSON.stringify(reply.body),
      ).toContain(field);
      expect(reply.body.detail).toContain(says);
    }
  });
});
