import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../../src/engine/duckdb-sandbox.ts';
import {
  countByFile,
  describeColumns,
  exportRows,
  segmentFigures,
} from '../../src/engine/parquet-queries.ts';
import { integerBounds } from '../../src/engine/sql-bounds.ts';
import { SqlGuard } from '../../src/engine/sql-guard.ts';
import { quotedNames } from '../../src/engine/sql-quote.ts';
import { ObjectStorage } from '../../src/storage/object-storage.ts';
import { StagingCache } from '../../src/storage/staging-cache.ts';
import type { StoredObject } from '../../src/storage/storage.ts';
import { duck } from '../support/duck.ts';
import { type S3Server, startS3 } from '../support/s3.ts';

/**
 * A count over object storage fetches only the footer and the chunks of the columns it reads (a
 * sparse copy). Here every byte it did not fetch is 0xFF instead of a hole: a page header or a
 * footer read from there fails, so a query that reads one byte it should not fails loudly. Every
 * result is also compared with the same query over whole copies, and with an independent DuckDB.
 */

const HOLE = 0xff;
const BUCKET = 'chunks';

interface Tree {
  name: string;
  dir: string;
  objects: StoredObject[];
  local: string[];
  hive: boolean;
}

let s3: S3Server;
let root: string;
let sandbox: Sandbox;
let guard: SqlGuard;
/** Lists the trees; each case stages with an ObjectStorage and cache of its own. */
let lister: ObjectStorage;
const trees: Record<string, Tree> = {};

/** Intent-like rows: small row groups, dictionary-friendly text, a wide column nobody filters. */
const INTENT_ROWS = (from: number, to: number, scoreFrom: number) => `
  SELECT 'p' || (range % 3000) AS person_id,
         sha256('mail' || (range % 2500)) AS hem_sha256,
         'topic-' || (range % 23) AS topic_id,
         (range * 37 % 41 + ${scoreFrom})::INTEGER AS intent_score,
         ['low', 'medium', 'high'][range % 3 + 1] AS intent_level,
         TIMESTAMP '2024-05-01 00:00:00' + to_seconds(range * 7) AS seen,
         ['DE', 'FR', 'US', 'GB'][range % 4 + 1] AS country,
         ['mobile', 'desktop', 'tablet'][range % 3 + 1] AS device,
         repeat(md5(range::VARCHAR), 6) AS url
  FROM range(${from}, ${to})`;

/** Mixed types: decimals, dates, booleans, nulls, lists, structs. */
const GENERIC_ROWS = (from: number, to: number) => `
  SELECT range::BIGINT AS id,
         (range % 1000) / 10.0 AS amount,
         ((range % 3000) / 100)::DECIMAL(12, 2) AS price,
         DATE '1970-01-01' + (range * 13 % 20000)::INTEGER AS born,
         range % 5 = 0 AS active,
         CASE WHEN range % 3 = 0 THEN NULL ELSE 'n' || (range % 50) END AS nick,
         [range % 4, range % 7] AS tags,
         {'a': range % 9, 'b': md5(range::VARCHAR)} AS attrs,
         repeat(md5((range * 3)::VARCHAR), 8) AS payload
  FROM range(${from}, ${to})`;

async function writeTree(
  name: string,
  files: Array<{ file: string; sql: string; options: string }>,
  hive: boolean,
) {
  const dir = path.join(root, name);
  for (const { file, sql, options } of files) {
    const target = path.join(dir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    await duck(`COPY (${sql}) TO '${target}' (FORMAT parquet, ${options})`);
  }
  await s3.uploadTree(dir, BUCKET, name);
  const local = files.map(({ file }) => path.join(dir, file));
  const objects = (await lister.list(`s3://${BUCKET}/${name}`, { recursive: true })).sort(
    (a, b) => local.indexOf(localOf(name, a)) - local.indexOf(localOf(name, b)),
  );
  trees[name] = { name, dir, objects, local, hive };
}

/** Object storage over this s3rver whose sparse copies hold HOLE wherever nothing was fetched. */
function objectStorage(name: string): ObjectStorage {
  const cache = new StagingCache(path.join(root, 'caches', name), 1024 ** 3);
  return new ObjectStorage(s3.client, 's3', cache, path.join(root, 'scratch'), { holeFill: HOLE });
}

function localOf(name: string, object: StoredObject): string {
  return path.join(root, name, object.uri.slice(`s3://${BUCKET}/${name}/`.length));
}

beforeAll(async () => {
  s3 = await startS3();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-chunks-'));
  await s3.createBucket(BUCKET);
  lister = objectStorage('lister');
  // Each file has scores of its own range (0-40, 20-60, 40-80, 60-100), so a bound on the score
  // rules whole files out; the last file is sorted by score, so it rules out some row groups.
  const intentFiles = ['2024-05-01', '2024-05-02'].flatMap((day, d) =>
    ['4eyes', 'acme'].map((prefix, p) => {
      const from = (d * 2 + p) * 12_000;
      return {
        file: `day=${day}/prefix=${prefix}/part-0.parquet`,
        sql: INTENT_ROWS(from, from + 12_000, (d * 2 + p) * 20),
        options: d === 0 ? 'ROW_GROUP_SIZE 2048' : "ROW_GROUP_SIZE 4096, COMPRESSION 'zstd'",
      };
    }),
  );
  intentFiles.push({
    file: 'day=2024-05-03/prefix=acme/part-0.parquet',
    sql: `${INTENT_ROWS(48_000, 60_000, 30)} ORDER BY intent_score`,
    options: 'ROW_GROUP_SIZE 2048',
  });
  await writeTree('intent', intentFiles, true);
  await writeTree(
    'generic',
    [
      { file: 'a.parquet', sql: GENERIC_ROWS(0, 10_000), options: 'ROW_GROUP_SIZE 2048' },
      {
        file: 'b.parquet',
        sql: GENERIC_ROWS(10_000, 25_000),
        options: "ROW_GROUP_SIZE 3000, COMPRESSION 'zstd', PARQUET_VERSION V2",
      },
    ],
    false,
  );
  sandbox = await Sandbox.open({
    allowedDirectories: [root],
    tempDirectory: '',
    memoryLimit: '256MB',
    threads: 2,
  });
  guard = new SqlGuard();
}, 120_000);

afterAll(async () => {
  sandbox?.close();
  await guard?.close();
  await s3?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

interface Case {
  tree: 'intent' | 'generic';
  where: string | null;
  uniqueBy?: string;
  breakdownBy?: string[];
  /** The filter's integer bounds rule row groups out (true), or none (false). */
  prunes: boolean;
}

const CASES: Case[] = [
  { tree: 'intent', where: 'intent_score >= 80', prunes: true },
  { tree: 'intent', where: "topic_id = 'topic-7'", prunes: false },
  {
    tree: 'intent',
    where: "topic_id IN ('topic-3', 'topic-9') AND intent_score BETWEEN 10 AND 40",
    prunes: true,
  },
  { tree: 'intent', where: "country = 'DE' OR intent_score > 90", uniqueBy: 'person_id', prunes: false },
  { tree: 'intent', where: "day = '2024-05-02' AND prefix = 'acme'", prunes: false },
  { tree: 'intent', where: "seen >= '2024-05-01 12:00:00' AND lower(device) = 'tablet'", prunes: false },
  {
    tree: 'intent',
    where: "intent_level = 'high' AND 45 > intent_score",
    uniqueBy: 'person_id',
    breakdownBy: ['country', 'prefix'],
    prunes: true,
  },
  { tree: 'intent', where: null, uniqueBy: 'person_id', prunes: false },
  { tree: 'intent', where: "intent_score = 33 AND device <> 'mobile'", prunes: true },
  { tree: 'intent', where: 'NOT (intent_score < 50) AND intent_score <= 70', prunes: true },
  { tree: 'intent', where: 'intent_score < 3000000000 AND intent_score > -5', prunes: false },
  { tree: 'intent', where: 'intent_score + 0 >= 80', prunes: false },
  { tree: 'generic', where: 'amount > 50.5 AND active', prunes: false },
  { tree: 'generic', where: 'nick IS NULL', breakdownBy: ['active'], prunes: false },
  { tree: 'generic', where: 'price BETWEEN 10 AND 20', uniqueBy: 'nick', prunes: false },
  { tree: 'generic', where: "born < '2000-01-01' OR id % 97 = 0", prunes: false },
  { tree: 'generic', where: 'id >= 20000 AND amount < 30', prunes: true },
  { tree: 'generic', where: 'id BETWEEN 3000 AND 5000 AND nick IS NOT NULL', uniqueBy: 'nick', prunes: true },
  { tree: 'generic', where: 'id = 12345', prunes: true },
  { tree: 'generic', where: 'id < 99999999999999 AND id > (-3)', prunes: false },
];

/** Exports with a column list, over both trees. */
const EXPORTS: Array<{ tree: 'intent' | 'generic'; where: string | null; select: string }> = [
  { tree: 'intent', where: 'intent_score >= 70', select: 'person_id, intent_score' },
  {
    tree: 'intent',
    where: "country IN ('DE', 'FR') AND 25 > intent_score",
    select: 'topic_id, seen, country',
  },
  { tree: 'intent', where: null, select: 'device' },
  { tree: 'generic', where: 'id BETWEEN 4000 AND 16000 AND active', select: 'id, tags, attrs' },
  { tree: 'generic', where: 'nick IS NOT NULL', select: 'price, born, nick' },
];

function label(c: Case): string {
  const extra = [c.uniqueBy && `unique_by ${c.uniqueBy}`, c.breakdownBy && `breakdown_by ${c.breakdownBy}`];
  return [`${c.tree}: ${c.where ?? '(no filter)'}`, ...extra.filter(Boolean)].join(', ');
}

describe('sparse copies of the columns a count reads', () => {
  it.each(CASES)('$tree: reads only fetched bytes and counts as whole copies do ($where)', async (c) => {
    const tree = trees[c.tree]!;
    const columns = await describeColumns(sandbox, { files: tree.local.slice(0, 1), hive: tree.hive });
    const whereSql = c.where === null ? null : await guard.where(c.where, columns);
    const read = [
      ...(whereSql ? quotedNames(whereSql) : []),
      ...(c.uniqueBy ? [c.uniqueBy] : []),
      ...(c.breakdownBy ?? []),
    ];
    const bounds = whereSql ? integerBounds(whereSql) : [];
    // A cache of this case's own; the same columns are staged without the bounds in a second one.
    const storage = objectStorage(`case-${CASES.indexOf(c)}`);
    const everyGroup = objectStorage(`case-${CASES.indexOf(c)}-unbounded`);
    // Footers first (how many bytes a footer read asks for depends on the footer read before it,
    // and reads run side by side): the figures compared below are the column chunks alone.
    for (const one of [storage, everyGroup]) (await one.stage(tree.objects, { footersOnly: true })).release();
    const footerBytes = storage.metrics.bytesDownloaded;
    const everyGroupFooters = everyGroup.metrics.bytesDownloaded;
    (await everyGroup.stage(tree.objects, { columns: read })).release();
    const allChunks = everyGroup.metrics.bytesDownloaded - everyGroupFooters;
    const staged = await storage.stage(tree.objects, { columns: read, bounds });
    try {
      const fetched = storage.metrics.bytesDownloaded - footerBytes;
      if (c.prunes) expect(fetched, label(c)).toBeLessThan(allChunks);
      else expect(fetched, label(c)).toBe(allChunks);
      const whole = tree.objects.reduce((sum, o) => sum + o.size, 0);
      // Every copy is a sparse one (not a whole object), and together far smaller than the objects.
      for (const file of staged.paths) expect(file).toContain(`${path.sep}columns${path.sep}`);
      expect(fetched, label(c)).toBeLessThan(whole / 2);

      const sparse = { files: staged.paths, hive: tree.hive };
      const full = { files: tree.local, hive: tree.hive };
      if (c.uniqueBy || c.breakdownBy) {
        const groups = tree.local.map((_, i) => i);
        const options = { whereSql, uniqueBy: c.uniqueBy ?? null, breakdownBy: c.breakdownBy ?? [], top: 50 };
        const got = await segmentFigures(sandbox, sparse, groups, options);
        expect(got, label(c)).toEqual(await segmentFigures(sandbox, full, groups, options));
        if (c.uniqueBy) {
          const [row] = await duck<{ n: bigint }>(
            `SELECT count(DISTINCT "${c.uniqueBy}") AS n FROM read_parquet(${sqlList(tree.local)}, hive_partitioning = ${tree.hive})
             WHERE ${c.where ?? 'true'}`,
          );
          expect(got.whole.unique).toBe(Number(row!.n));
        }
      } else {
        const got = await countByFile(sandbox, sparse, whereSql!);
        const expected = await countByFile(sandbox, full, whereSql!);
        const perFile = (counts: Map<string, number>, files: readonly string[]) =>
          files.map((f) => counts.get(f) ?? 0);
        expect(perFile(got, staged.paths), label(c)).toEqual(perFile(expected, tree.local));
        const [row] = await duck<{ n: bigint }>(
          `SELECT count(*) AS n FROM read_parquet(${sqlList(tree.local)}, hive_partitioning = ${tree.hive}) WHERE ${c.where}`,
        );
        expect(perFile(got, staged.paths).reduce((a, b) => a + b, 0)).toBe(Number(row!.n));
        expect(Number(row!.n)).toBeGreaterThan(0);
      }
    } finally {
      staged.release();
    }
  });

  // Exports with a column list read only those columns, the filter's and the Hive ones.
  it.each(EXPORTS)(
    '$tree: exports the rows whole copies export, reading only fetched bytes (select $select, where $where)',
    async (c) => {
      const tree = trees[c.tree]!;
      const columns = await describeColumns(sandbox, { files: tree.local.slice(0, 1), hive: tree.hive });
      const whereSql = c.where === null ? null : await guard.where(c.where, columns);
      const select = await guard.select(c.select, columns);
      const hive = tree.hive ? ['day', 'prefix'] : [];
      const read = [...(whereSql ? quotedNames(whereSql) : []), ...select, ...hive];
      const storage = objectStorage(`export-${EXPORTS.indexOf(c)}`);
      const staged = await storage.stage(tree.objects, {
        columns: read,
        bounds: whereSql ? integerBounds(whereSql) : [],
      });
      try {
        for (const file of staged.paths) expect(file).toContain(`${path.sep}columns${path.sep}`);
        const options = { columns: select, ...(whereSql ? { whereSql } : {}) };
        const out = (name: string) => path.join(root, 'exports', `${EXPORTS.indexOf(c)}-${name}`);
        fs.mkdirSync(path.join(root, 'exports'), { recursive: true });
        const sparse = await exportRows(
          sandbox,
          { files: staged.paths, hive: tree.hive },
          { ...options, targetDir: out('sparse') },
        );
        const whole = await exportRows(
          sandbox,
          { files: tree.local, hive: tree.hive },
          { ...options, targetDir: out('whole') },
        );
        const rows = (files: Array<{ path: string }>) =>
          duck<Record<string, unknown>>(
            `SELECT count(*) AS n FROM read_parquet(${sqlList(files.map((f) => f.path))})`,
          );
        const [both] = await duck<{ only_sparse: bigint; only_whole: bigint }>(
          `SELECT (SELECT count(*) FROM (SELECT * FROM read_parquet(${sqlList(sparse.files.map((f) => f.path))})
                 EXCEPT ALL SELECT * FROM read_parquet(${sqlList(whole.files.map((f) => f.path))}))) AS only_sparse,
                (SELECT count(*) FROM (SELECT * FROM read_parquet(${sqlList(whole.files.map((f) => f.path))})
                 EXCEPT ALL SELECT * FROM read_parquet(${sqlList(sparse.files.map((f) => f.path))}))) AS only_whole`,
        );
        expect(both, label({ ...c, prunes: false })).toEqual({ only_sparse: 0n, only_whole: 0n });
        const [n] = await rows(sparse.files);
        expect(Number(n!.n)).toBeGreaterThan(0);
      } finally {
        staged.release();
      }
    },
  );

  it('fails loudly when a query reads a column that was not fetched (the filled holes work)', async () => {
    const tree = trees.intent!;
    const storage = objectStorage('loud');
    const staged = await storage.stage(tree.objects, { columns: ['intent_score'] });
    try {
      const relation = `read_parquet(${sqlList(staged.paths)})`;
      expect(
        Number((await sandbox.query(`SELECT count(*) AS n FROM ${relation} WHERE intent_score > 50`))[0]!.n),
      ).toBeGreaterThan(0);
      await expect(sandbox.query(`SELECT count(DISTINCT country) AS n FROM ${relation}`)).rejects.toThrow();
    } finally {
      staged.release();
    }
  });

  it('stages the whole object when the columns read are most of it', async () => {
    const tree = trees.intent!;
    const storage = objectStorage('most');
    const staged = await storage.stage(tree.objects.slice(0, 1), { columns: ['url', 'hem_sha256'] });
    staged.release();
    expect(staged.paths[0]).toContain(`${path.sep}objects${path.sep}`);
    // The footer, then the whole object.
    expect(storage.metrics.bytesDownloaded).toBeGreaterThan(tree.objects[0]!.size);
  });
});

function sqlList(files: readonly string[]): string {
  return `[${files.map((f) => `'${f}'`).join(', ')}]`;
}
