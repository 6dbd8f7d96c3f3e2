import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskCountsSql, memberTypeSql, type OverlapSegment } from '../../src/overlap/overlap-sql.ts';
import { duck } from '../support/duck.ts';

/**
 * An overlap counted in hash passes adds up to the sets' true overlap, also when the sets' columns
 * have different types: A holds 1 … 1000 as INTEGER, B 500 … 1500 as DECIMAL(10,2), so 500 … 1000
 * (501 members) are in both, as 500 and 500.00 are one member. Each pass runs in a DuckDB of its own.
 */
let dir: string;
let segments: OverlapSegment[];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-overlap-passes-'));
  const a = path.join(dir, 'a.parquet');
  const b = path.join(dir, 'b.parquet');
  await duck(`COPY (SELECT i::INTEGER AS person_id FROM range(1, 1001) t(i)) TO '${a}'`);
  await duck(`COPY (SELECT CAST(i AS DECIMAL(10, 2)) AS person_id FROM range(500, 1501) t(i)) TO '${b}'`);
  const segment = (file: string): OverlapSegment => ({
    source: { files: [file], hive: false },
    personBy: 'person_id',
    whereSql: null,
    people: null,
  });
  segments = [segment(a), segment(b)];
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('overlap hash passes', () => {
  it('add up to the whole overlap of an INTEGER set and a DECIMAL set, each pass holding a share', async () => {
    const [column] = await duck<{ column_type: string }>(`DESCRIBE ${memberTypeSql(segments)}`);
    const type = column!.column_type;
    expect(type).toMatch(/^DECIMAL/);
    const of = 4;
    const byMask = new Map<number, number>();
    for (let pass = 0; pass < of; pass++) {
      const rows = await duck<{ mask: number; n: bigint }>(maskCountsSql(segments, { pass, of, type }));
      const members = rows.reduce((sum, row) => sum + Number(row.n), 0);
      expect(members, `pass ${pass}`).toBeGreaterThan(0);
      expect(members, `pass ${pass}`).toBeLessThan(1500);
      for (const row of rows)
        byMask.set(Number(row.mask), (byMask.get(Number(row.mask)) ?? 0) + Number(row.n));
    }
    // Only A: 1 … 499; only B: 1001 … 1500; both: 500 … 1000.
    expect(Object.fromEntries(byMask)).toEqual({ 1: 499, 2: 500, 3: 501 });
  });
});
