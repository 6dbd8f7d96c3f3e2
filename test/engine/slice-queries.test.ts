import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../../src/engine/duckdb-sandbox.ts';
import { hashPasses } from '../../src/engine/hash-passes.ts';
import { peopleValuesSql } from '../../src/engine/people-queries.ts';
import { countIdentifiers } from '../../src/engine/profile-files.ts';
import {
  countDistinct,
  SLICE_ROW_GROUP_ROWS,
  sliceRowGroupRows,
  writeSlices,
} from '../../src/engine/slice-queries.ts';
import { bucketPeopleQuery } from '../../src/jobs/phases/bucket-inputs.ts';
import type { TaskPlan } from '../../src/tasks/task-model.ts';
import { duck, writeMixedCaseHashes } from '../support/duck.ts';

/**
 * The slices a sliced unique count writes its people into, against Node's own SHA-256: each value
 * lands in the bucket of the documented formula (first 8 bytes of SHA-256 of its text, big-endian,
 * unsigned, modulo the buckets), once per job whatever its rows, and the buckets' distinct values
 * add up to the whole's.
 */

function nodeBucket(text: string, buckets: number): number {
  const digest = createHash('sha256').update(text, 'utf8').digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(buckets));
}

let root: string;
let sandbox: Sandbox;
const file = () => path.join(root, 'in', 'data.parquet');

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-slices-'));
  fs.mkdirSync(path.join(root, 'in'));
  fs.mkdirSync(path.join(root, 'tmp'));
  // 3,000 rows of 700 people (NULL every 13th row), each seen several times; `keep` filters half.
  await duck(
    `COPY (SELECT CASE WHEN range % 13 = 0 THEN NULL ELSE range % 700 END AS person, range % 2 AS keep
           FROM range(3000)) TO '${file()}' (FORMAT parquet)`,
  );
  sandbox = await Sandbox.open({
    allowedDirectories: [root],
    tempDirectory: path.join(root, 'tmp'),
    memoryLimit: '256MB',
    threads: 2,
  });
});
afterAll(() => {
  sandbox?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** The rows of each row group of Parquet files, from their footers. */
function rowGroupsOf(files: readonly string[]): Promise<Array<{ rows: bigint }>> {
  return duck<{ rows: bigint }>(
    `SELECT row_group_num_rows AS rows FROM parquet_metadata([${files.map((f) => `'${f}'`).join(', ')}])
     GROUP BY file_name, row_group_id, row_group_num_rows`,
  );
}

describe('writeSlices', () => {
  it("puts each distinct person once into the bucket of SHA-256 of its text, and the buckets' counts add up", async () => {
    const buckets = 16;
    const slices = await writeSlices(
      sandbox,
      { files: [file()], hive: false },
      { whereSql: '"keep" = 1', personBy: 'person', buckets },
      path.join(root, 'out'),
    );
    const [expected] = await duck<{ n: bigint }>(
      `SELECT count(DISTINCT person) AS n FROM '${file()}' WHERE keep = 1`,
    );
    let total = 0;
    for (const [bucket, files] of slices) {
      const rows = await duck<{ person: bigint }>(
        `SELECT person FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`,
      );
      // Distinct within the job, none NULL, each where Node's hash puts it.
      const values = rows.map((row) => String(row.person));
      expect(new Set(values).size).toBe(values.length);
      for (const value of values) expect(nodeBucket(value, buckets), value).toBe(bucket);
      expect(await countDistinct(sandbox, files, 'person')).toBe(values.length);
      total += values.length;
    }
    expect(total).toBe(Number(expected!.n));
    // 350 people over 16 buckets: every bucket has some.
    expect([...slices.keys()].sort((a, b) => a - b)).toEqual([...Array(buckets).keys()]);
  });

  it('from a segment table, writes its person column under the person’s name, into the same buckets as the files', async () => {
    const buckets = 8;
    // As segmentFigures keeps them: the rows the filter kept, the person under a column of its own.
    await sandbox.query(
      `CREATE OR REPLACE TEMP TABLE kept AS SELECT person AS __unique FROM read_parquet('${file()}') WHERE keep = 1`,
    );
    const fromTable = await writeSlices(
      sandbox,
      { table: 'kept', uniqueColumn: '__unique' },
      { whereSql: null, personBy: 'person', buckets },
      path.join(root, 'from-table'),
    );
    const fromFiles = await writeSlices(
      sandbox,
      { files: [file()], hive: false },
      { whereSql: '"keep" = 1', personBy: 'person', buckets },
      path.join(root, 'from-files'),
    );
    expect([...fromTable.keys()].sort()).toEqual([...fromFiles.keys()].sort());
    for (const [bucket, files] of fromTable) {
      const people = async (paths: string[]) =>
        (
          await duck<{ person: bigint }>(
            `SELECT person FROM read_parquet([${paths.map((f) => `'${f}'`).join(', ')}]) ORDER BY 1`,
          )
        ).map((row) => String(row.person));
      expect(await people(files), `bucket ${bucket}`).toEqual(await people(fromFiles.get(bucket)!));
    }
  });

  it('with columns, writes every row the filter keeps, with those columns, into its person’s bucket', async () => {
    const buckets = 4;
    const slices = await writeSlices(
      sandbox,
      { files: [file()], hive: false },
      { whereSql: '"keep" = 1', personBy: 'person', buckets, columns: ['person', 'keep', 'keep'] },
      path.join(root, 'rows'),
    );
    const all = [...slices.values()].flat();
    const read = (files: string[]) =>
      `read_parquet([${files.map((f) => `'${f}'`).join(', ')}], hive_partitioning = false)`;
    // The person column first, each other column once, and no bucket column.
    const columns = await duck<{ column_name: string }>(`DESCRIBE SELECT * FROM ${read(all)}`);
    expect(columns.map((c) => c.column_name)).toEqual(['person', 'keep']);
    // The same multiset of rows as the filter keeps (people not NULL), each in its person's bucket.
    const [diff] = await duck<{ n: bigint }>(
      `SELECT count(*) AS n FROM (
         (SELECT person, keep FROM ${read(all)} EXCEPT ALL
          SELECT person, keep FROM '${file()}' WHERE keep = 1 AND person IS NOT NULL)
         UNION ALL
         (SELECT person, keep FROM '${file()}' WHERE keep = 1 AND person IS NOT NULL EXCEPT ALL
          SELECT person, keep FROM ${read(all)}))`,
    );
    expect(Number(diff!.n)).toBe(0);
    const [kept] = await duck<{ n: bigint }>(`SELECT count(*) AS n FROM ${read(all)}`);
    expect(Number(kept!.n)).toBeGreaterThan(350);
    for (const [bucket, files] of slices) {
      const people = await duck<{ person: bigint }>(`SELECT DISTINCT person FROM ${read(files)}`);
      for (const { person } of people) expect(nodeBucket(String(person), buckets)).toBe(bucket);
    }
  });

  it("writes row groups of at most SLICE_ROW_GROUP_ROWS rows, so 16 open slices fit a count slot's memory", async () => {
    const big = path.join(root, 'in', 'big.parquet');
    await duck(`COPY (SELECT range % 5000 AS person FROM range(60000)) TO '${big}' (FORMAT parquet)`);
    const slices = await writeSlices(
      sandbox,
      { files: [big], hive: false },
      { whereSql: null, personBy: 'person', buckets: 1, columns: ['person'] },
      path.join(root, 'big-rows'),
    );
    const files = slices.get(0)!;
    const groups = await rowGroupsOf(files);
    expect(groups.reduce((sum, group) => sum + Number(group.rows), 0)).toBe(60000);
    expect(Math.max(...groups.map((group) => Number(group.rows)))).toBeLessThanOrEqual(SLICE_ROW_GROUP_ROWS);
    expect(groups.length).toBeGreaterThanOrEqual(Math.ceil(60000 / SLICE_ROW_GROUP_ROWS));
  });

  it('writes smaller row groups into more than 16 slices, so their buffers hold as many rows as 16 slices', async () => {
    expect([1, 16].map(sliceRowGroupRows)).toEqual([16_384, 16_384]);
    expect([32, 64, 256, 4096].map(sliceRowGroupRows)).toEqual([8_192, 4_096, 1_024, 1_024]);
    const big = path.join(root, 'in', 'many.parquet');
    await duck(`COPY (SELECT range % 20000 AS person FROM range(1000000)) TO '${big}' (FORMAT parquet)`);
    const slices = await writeSlices(
      sandbox,
      { files: [big], hive: false },
      { whereSql: null, personBy: 'person', buckets: 64, columns: ['person'] },
      path.join(root, 'many-rows'),
    );
    const files = [...slices.values()].flat();
    const groups = await rowGroupsOf(files);
    expect(groups.reduce((sum, group) => sum + Number(group.rows), 0)).toBe(1000000);
    expect(Math.max(...groups.map((group) => Number(group.rows)))).toBe(4_096);
  });

  it('with everyBucket, gives a bucket without rows an empty file of the same columns and types', async () => {
    // Three people (a BIGINT column) over 16 buckets: most have nobody.
    const few = path.join(root, 'in', 'few.parquet');
    await duck(
      `COPY (SELECT range::BIGINT AS person, 'x' AS topic FROM range(3)) TO '${few}' (FORMAT parquet)`,
    );
    const slices = await writeSlices(
      sandbox,
      { files: [few], hive: false },
      { whereSql: null, personBy: 'person', buckets: 16, columns: ['person', 'topic'], everyBucket: true },
      path.join(root, 'every'),
    );
    expect([...slices.keys()].sort((a, b) => a - b)).toEqual([...Array(16).keys()]);
    const people = [0, 1, 2].map((n) => nodeBucket(String(n), 16));
    for (const [bucket, files] of slices) {
      const list = files.map((f) => `'${f}'`).join(', ');
      const columns = await duck<{ column_name: string; column_type: string }>(
        `DESCRIBE SELECT * FROM read_parquet([${list}], hive_partitioning = false)`,
      );
      expect(columns.map((c) => [c.column_name, c.column_type])).toEqual([
        ['person', 'BIGINT'],
        ['topic', 'VARCHAR'],
      ]);
      const [rows] = await duck<{ n: bigint }>(
        `SELECT count(*) AS n FROM read_parquet([${list}], hive_partitioning = false)`,
      );
      expect(Number(rows!.n), `bucket ${bucket}`).toBe(people.filter((b) => b === bucket).length);
    }
  });

  it('writes nothing for no files, and counts 0 people in no files', async () => {
    const slices = await writeSlices(
      sandbox,
      { files: [], hive: false },
      { whereSql: null, personBy: 'person', buckets: 4 },
      path.join(root, 'none'),
    );
    expect(slices.size).toBe(0);
    expect(await countDistinct(sandbox, [], 'person')).toBe(0);
  });
});

/** A generic profile export's plan over `email_sha` (the planner's shape for `profile` and `identifier`). */
const plan = {
  inputRoot: 'crm',
  hive: false,
  nestedPartitions: true,
  whereSql: null,
  columns: null,
  limit: null,
  uniqueBy: 'email_sha',
  people: { shape: 'generic', minTopics: null, minDays: null, latestBy: null },
  profile: { name: 'meta_custom_audience', identifier: 'email_sha' },
} as unknown as TaskPlan;

describe('a sliced profile export (writeSlices with lowerCase, then its hash passes)', () => {
  it('writes every spelling of an identifier into one bucket, and folds it in one hash pass', async () => {
    const crm = path.join(root, 'in', 'crm.parquet');
    await writeMixedCaseHashes(crm);
    const slices = await writeSlices(
      sandbox,
      { files: [crm], hive: false },
      { whereSql: null, personBy: 'email_sha', buckets: 4, columns: ['email_sha'], lowerCase: true },
      path.join(root, 'crm-slices'),
    );
    expect([...slices.keys()].sort()).toEqual([0, 1, 2, 3]);
    let valid = 0;
    let invalid = 0;
    for (const files of slices.values()) {
      const source = { files, hive: false };
      for (const pass of hashPasses(3)) {
        const counted = await countIdentifiers(
          sandbox,
          peopleValuesSql(source, bucketPeopleQuery(plan, pass)),
        );
        valid += counted.valid;
        invalid += counted.invalid;
      }
    }
    // Counted apart, a bucket or a pass holding one spelling of an identifier would count it twice.
    expect({ valid, invalid }).toEqual({ valid: 2000, invalid: 20 });
  });
});
