import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/activation/profiles.ts';
import { Sandbox } from '../../src/engine/duckdb-sandbox.ts';
import { type Splits, splitBucketSql } from '../../src/engine/split-buckets.ts';
import { countSplits, exportIdentifierSplits, exportPeopleSplits } from '../../src/engine/split-queries.ts';
import { quoteString } from '../../src/engine/sql-quote.ts';
import { duck } from '../support/duck.ts';

/**
 * The assignment of people to the parts of a split, in DuckDB, against Node's own SHA-256: the
 * bucket of many values (among them values whose hash lands on the edges: buckets 0 and 9,999, the
 * boundaries of a part, 64-bit values above 2^63), and the exporters' files and counts against the
 * parts Node computes.
 */

/** The documented formula, in Node: first 8 bytes of SHA-256(salt ‖ id), big-endian, mod 10,000. */
function nodeBucket(salt: string, id: string): number {
  const digest = createHash('sha256')
    .update(salt + id, 'utf8')
    .digest();
  return Number(digest.readBigUInt64BE(0) % 10_000n);
}

/** Whether the first 8 bytes of the hash, unsigned, are at least 2^63 (a signed cast would be negative). */
function highBit(salt: string, id: string): boolean {
  return (
    createHash('sha256')
      .update(salt + id, 'utf8')
      .digest()[0]! >= 0x80
  );
}

const SALT = 'spring-test-2026';
/** Values searched for whose buckets are the edges of the range and of the parts below. */
const EDGES = [0, 1, 4499, 4500, 8999, 9000, 9999];

let root: string;
let sandbox: Sandbox;
let edgeIds: Map<number, string>;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-splits-'));
  fs.mkdirSync(path.join(root, 'tmp'));
  sandbox = await Sandbox.open({
    allowedDirectories: [root],
    tempDirectory: path.join(root, 'tmp'),
    memoryLimit: '256MB',
    threads: 2,
  });
  edgeIds = new Map();
  for (let i = 0; edgeIds.size < EDGES.length; i++) {
    const id = `edge-${i}`;
    const bucket = nodeBucket(SALT, id);
    if (EDGES.includes(bucket) && !edgeIds.has(bucket)) edgeIds.set(bucket, id);
  }
});
afterAll(() => {
  sandbox?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Many ids of every kind: numbers as text, hashes, e-mails, non-ASCII text, quotes, the edges. */
function manyIds(): string[] {
  const ids = Array.from({ length: 3000 }, (_, i) => String(i));
  for (let i = 0; i < 1000; i++) ids.push(createHash('sha256').update(`p${i}@example.com`).digest('hex'));
  ids.push('', ' ', "o'brien", 'Zoë', '北京', '🙂', 'x'.repeat(500), ...edgeIds.values());
  return ids;
}

const valuesTable = (ids: readonly string[]) =>
  `(SELECT * FROM (VALUES ${ids.map((id) => `(${quoteString(id)})`).join(', ')}) AS t(id))`;

describe('the bucket of a person', () => {
  it.each([SALT, '', 'sälz', "it's"])(
    'is the documented formula, as Node computes it (salt %j)',
    async (salt) => {
      const ids = manyIds();
      const rows = await duck<{ id: string; bucket: bigint }>(
        `SELECT id, ${splitBucketSql('id', salt)} AS bucket FROM ${valuesTable(ids)}`,
      );
      expect(rows).toHaveLength(ids.length);
      for (const row of rows) expect(Number(row.bucket), row.id).toBe(nodeBucket(salt, row.id));
    },
  );

  it('covers the edges: buckets 0 and 9,999, both sides of a part boundary, hashes past 2^63', async () => {
    const ids = [...edgeIds.values()];
    const rows = await duck<{ id: string; bucket: bigint }>(
      `SELECT id, ${splitBucketSql('id', SALT)} AS bucket FROM ${valuesTable(ids)}`,
    );
    expect(new Set(rows.map((row) => Number(row.bucket)))).toEqual(new Set(EDGES));
    for (const row of rows) expect(Number(row.bucket)).toBe(nodeBucket(SALT, row.id));
    const ids2 = manyIds();
    expect(ids2.some((id) => highBit(SALT, id))).toBe(true);
    expect(ids2.some((id) => !highBit(SALT, id))).toBe(true);
  });
});

describe('split exports', () => {
  const splits: Splits = {
    salt: SALT,
    splits: [
      { name: 'A', deliver: true, from: 0, to: 4500 },
      { name: 'B', deliver: true, from: 4500, to: 9000 },
      { name: 'holdout', deliver: false, from: 9000, to: 10_000 },
    ],
  };
  /** The part Node assigns a value to. */
  const partOf = (id: string) => {
    const bucket = nodeBucket(SALT, id);
    return splits.splits.find((split) => bucket >= split.from && bucket < split.to)!.name;
  };

  it('writes each part its people, counted as Node assigns them', async () => {
    const ids = manyIds().filter((id) => id !== '');
    const { written, counts } = await exportPeopleSplits(
      sandbox,
      `SELECT id, length(id) AS n FROM ${valuesTable(ids)}`,
      'id',
      splits,
      (split) => ({ targetDir: path.join(root, 'people', split.name), format: 'csv', compression: 'none' }),
    );
    const expected: Record<string, string[]> = { A: [], B: [], holdout: [] };
    for (const id of ids) expected[partOf(id)]!.push(id);
    expect(counts).toEqual({
      A: expected.A!.length,
      B: expected.B!.length,
      holdout: expected.holdout!.length,
    });
    for (const [name, files] of written) {
      const paths = files.files.map((file) => quoteString(file.path)).join(', ');
      const got = await duck<{ id: string; n: bigint }>(
        `SELECT id, n FROM read_csv([${paths}], header = true, all_varchar = true, columns = {'id': 'VARCHAR', 'n': 'BIGINT'})`,
      );
      expect(got.map((row) => row.id).sort(), name).toEqual([...expected[name]!].sort());
      expect(files.columns.map((c) => c.name)).toEqual(['id', 'n']);
    }
    // Counted without writing: the same parts.
    expect(await countSplits(sandbox, `SELECT id FROM ${valuesTable(ids)}`, splits)).toEqual(counts);
  });

  it('splits a profile file by its lower-case identifiers, and counts the values left out', async () => {
    const hashes = Array.from({ length: 2000 }, (_, i) =>
      createHash('sha256').update(`buyer${i}@example.org`).digest('hex'),
    );
    const values = [
      ...hashes,
      ...hashes.slice(0, 100).map((h) => h.toUpperCase()),
      'not-a-hash',
      'z'.repeat(64),
    ];
    const profile = PROFILES.google_customer_match;
    const { written, counts, invalid } = await exportIdentifierSplits(
      sandbox,
      `SELECT id FROM ${valuesTable(values)}`,
      profile,
      splits,
      (split) => path.join(root, 'profile', split.name),
    );
    expect(invalid).toBe(2);
    const expected: Record<string, string[]> = { A: [], B: [], holdout: [] };
    for (const hash of hashes) expected[partOf(hash)]!.push(hash);
    expect(counts).toEqual({
      A: expected.A!.length,
      B: expected.B!.length,
      holdout: expected.holdout!.length,
    });
    for (const [name, files] of written) {
      const lines = files.files.flatMap((file) =>
        fs.readFileSync(file.path, 'utf8').trim().split('\n').slice(1),
      );
      expect(lines.sort(), name).toEqual([...expected[name]!].sort());
    }
  });
});
