import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../../src/engine/duckdb-sandbox.ts';
import { exportPartitioned } from '../../src/engine/parquet-queries.ts';
import { duck } from '../support/duck.ts';

let root: string;
let files: string[];
let sandbox: Sandbox;

const PARTITION_BY = [
  { column: 'day', value: '"day"' },
  { column: 'score', value: '"score"' },
];

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-partitioned-'));
  fs.mkdirSync(path.join(root, 'in'));
  files = [0, 1].map((i) => path.join(root, 'in', `part_${i}.parquet`));
  for (const [i, file] of files.entries()) {
    await duck(
      `COPY (SELECT range AS id, DATE '2024-05-01' + (range % 3)::INTEGER AS day,
         ['low', 'medium', 'high'][(range % 7) % 3 + 1] AS score, ['a', 'b'] AS tags,
         TIMESTAMP '2024-05-01 10:00:00' + to_seconds(range) AS seen
       FROM range(${i * 5000}, ${(i + 1) * 5000})) TO '${file}'`,
    );
  }
  sandbox = await Sandbox.open({
    allowedDirectories: [root],
    tempDirectory: '',
    memoryLimit: '256MB',
    threads: 2,
  });
});
afterAll(() => {
  sandbox?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Rows per file as DuckDB reads the written CSV files. */
async function rowsInFiles(paths: string[]): Promise<number[]> {
  const counted: number[] = [];
  for (const file of paths) {
    const [row] = await duck<{ n: bigint }>(`SELECT count(*) AS n FROM read_csv('${file}', header = true)`);
    counted.push(Number(row!.n));
  }
  return counted;
}

describe('exportPartitioned as CSV (one COPY … PARTITION_BY)', () => {
  it('writes one folder per partition, each file counted as DuckDB reads it', async () => {
    const targetDir = path.join(root, 'out-csv');
    const written = await exportPartitioned(
      sandbox,
      { files, hive: false },
      { whereSql: 'id % 5 <> 0', targetDir, partitionBy: PARTITION_BY, format: 'csv' },
    );
    const expected = await duck<{ partition: string; n: bigint }>(
      `SELECT 'day=' || day || '/score=' || score AS partition, count(*) AS n
       FROM read_parquet(['${files.join("', '")}']) WHERE id % 5 <> 0 GROUP BY ALL ORDER BY partition`,
    );
    expect(written.files.map((f) => f.partition)).toEqual(expected.map((row) => row.partition));
    expect(written.files.map((f) => f.rows)).toEqual(expected.map((row) => Number(row.n)));
    expect(await rowsInFiles(written.files.map((f) => f.path))).toEqual(written.files.map((f) => f.rows));
    for (const file of written.files) expect(file.path).toMatch(/\/data_0\.csv\.gz$/);
    // The partition columns name the folders and are not repeated in the files; lists are JSON text.
    expect(written.columns.map((c) => c.name)).toEqual(['id', 'tags', 'seen']);
    const [first] = await duck<{ tags: string; seen: string }>(
      `SELECT tags, seen::VARCHAR AS seen FROM read_csv('${written.files[0]!.path}', header = true, all_varchar = true) LIMIT 1`,
    );
    expect(first!.tags).toBe('["a","b"]');
    expect(first!.seen).toMatch(/^2024-05-0\dT\d{2}:\d{2}:\d{2}\.000000$/);
  });

  it('with a LIMIT, counts the rows of the files it wrote (read back), not of the partitions', async () => {
    const written = await exportPartitioned(
      sandbox,
      { files, hive: false },
      {
        limit: 1234,
        targetDir: path.join(root, 'out-limit'),
        partitionBy: PARTITION_BY,
        format: 'csv',
        compression: 'none',
      },
    );
    expect(written.files.reduce((sum, f) => sum + f.rows, 0)).toBe(1234);
    expect(await rowsInFiles(written.files.map((f) => f.path))).toEqual(written.files.map((f) => f.rows));
    for (const file of written.files) expect(file.path).toMatch(/\/data_0\.csv$/);
  });
});
