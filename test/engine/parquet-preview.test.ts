import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../../src/engine/duckdb-sandbox.ts';
import { previewRows } from '../../src/engine/parquet-queries.ts';
import { duck } from '../support/duck.ts';

let root: string;
let file: string;
let sandbox: Sandbox;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-preview-'));
  fs.mkdirSync(path.join(root, 'k=a'));
  file = path.join(root, 'k=a', 'data_0.parquet');
  await duck(
    `COPY (SELECT * FROM (VALUES
       (1, 42::BIGINT, 9007199254740993::BIGINT, DATE '2024-05-01', TIMESTAMP '2024-05-01 08:09:10.123456',
        TIMESTAMPTZ '2024-05-01 23:30:00+00', ['x', 'y'], {'a': 1::BIGINT}, 'p'),
       (2, -7::BIGINT, NULL, NULL, TIMESTAMP '2024-05-02 00:00:00', NULL, [], NULL, 'q'),
       (3, 0::BIGINT, 1::BIGINT, DATE '2024-05-03', NULL, NULL, NULL, NULL, 'r'))
     AS t(n, small, big, d, ts, tz, list, st, "__proto__")) TO '${file}'`,
  );
  // A preview's DuckDB: one thread, the input's folder only, no folder to spill into.
  sandbox = await Sandbox.open({
    allowedDirectories: [root],
    tempDirectory: '',
    memoryLimit: '128MB',
    threads: 1,
  });
});
afterAll(() => {
  sandbox?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('previewRows', () => {
  it('answers JSON a client reads as documented: safe integers as numbers, ISO 8601 times, lists, null', async () => {
    const preview = await previewRows(sandbox, { files: [file], hive: false }, { limit: 10 });
    expect(preview.columns).toEqual([
      { name: 'n', type: 'INTEGER' },
      { name: 'small', type: 'BIGINT' },
      { name: 'big', type: 'BIGINT' },
      { name: 'd', type: 'DATE' },
      { name: 'ts', type: 'TIMESTAMP' },
      { name: 'tz', type: 'TIMESTAMP WITH TIME ZONE' },
      { name: 'list', type: 'VARCHAR[]' },
      { name: 'st', type: 'STRUCT("a" BIGINT)' },
      { name: '__proto__', type: 'VARCHAR' },
    ]);
    expect(preview.rows.map((row) => JSON.stringify(row))).toEqual([
      '{"n":1,"small":42,"big":"9007199254740993","d":"2024-05-01","ts":"2024-05-01T08:09:10.123456Z",' +
        '"tz":"2024-05-01T23:30:00Z","list":["x","y"],"st":{"a":1},"__proto__":"p"}',
      '{"n":2,"small":-7,"big":null,"d":null,"ts":"2024-05-02T00:00:00Z","tz":null,"list":[],"st":null,"__proto__":"q"}',
      '{"n":3,"small":0,"big":1,"d":"2024-05-03","ts":null,"tz":null,"list":null,"st":null,"__proto__":"r"}',
    ]);
    // A column named __proto__ is a key of the row like any other, not its prototype.
    expect(Object.getPrototypeOf(preview.rows[0])).toBe(Object.prototype);
  });

  it('applies the filter, the column list or the excluded columns, and the limit', async () => {
    const hive = { files: [file], hive: true };
    const filtered = await previewRows(sandbox, hive, { columns: ['k', 'n'], whereSql: 'n >= 2', limit: 1 });
    expect(filtered).toEqual({
      columns: [
        { name: 'k', type: 'VARCHAR' },
        { name: 'n', type: 'INTEGER' },
      ],
      rows: [{ k: 'a', n: 2 }],
    });
    const excluded = await previewRows(sandbox, hive, {
      exclude: ['k', 'list', 'st', '__proto__'],
      limit: 0,
    });
    expect(excluded.columns.map((c) => c.name)).toEqual(['n', 'small', 'big', 'd', 'ts', 'tz']);
    expect(excluded.rows).toEqual([]);
  });
});
