import { afterAll, describe, expect, it } from 'vitest';
import { type ColumnBound, integerBounds } from '../../src/engine/sql-bounds.ts';
import { SqlGuard } from '../../src/engine/sql-guard.ts';
import { quotedNames } from '../../src/engine/sql-quote.ts';

/**
 * The bounds are read from filters as the guard renders them, so each case goes through the guard
 * first: what a customer types, what DuckDB's parser makes of it, what the bounds are.
 */
const guard = new SqlGuard();
afterAll(() => guard.close());

const COLUMNS = [
  { name: 'score', type: 'INTEGER' },
  { name: 'id', type: 'BIGINT' },
  { name: 'amount', type: 'DOUBLE' },
  { name: 'country', type: 'VARCHAR' },
  { name: 'Odd "Name"', type: 'INTEGER' },
];

const b = (column: string, op: ColumnBound['op'], value: number | bigint): ColumnBound => ({
  column,
  op,
  value: BigInt(value),
});

const CASES: Array<[string, ColumnBound[]]> = [
  ['score >= 60', [b('score', '>=', 60)]],
  ['score > 60 AND id < 7', [b('score', '>', 60), b('id', '<', 7)]],
  ['60 <= score', [b('score', '>=', 60)]],
  ['7 > id', [b('id', '<', 7)]],
  ['score BETWEEN 10 AND 40', [b('score', '>=', 10), b('score', '<=', 40)]],
  ['score = -3', [b('score', '=', -3)]],
  ['id = 900719925474099', [b('id', '=', 900719925474099n)]],
  ["score >= 60 AND country IN ('US', 'DE') AND country <> 'Entry'", [b('score', '>=', 60)]],
  [
    '(score > 1 AND id > 2) AND (amount > 3 AND score < 9)',
    [b('score', '>', 1), b('id', '>', 2), b('amount', '>', 3), b('score', '<', 9)],
  ],
  ['"Odd ""Name""" < 5', [b('Odd "Name"', '<', 5)]],
  // No bound binds every row, or none that DuckDB surely prunes by.
  ['score > 60 OR id < 7', []],
  ['NOT (score BETWEEN 1 AND 5)', []],
  ['score >= 1.5', []],
  ['score + 1 > 3', []],
  // A bound on a column that is not an integer: the footer's types decide (`columnChunkRanges`).
  ['amount > 2', [b('amount', '>', 2)]],
  ["country = 'a AND score > 5'", []],
  ['score IS NULL', []],
  ['abs(score) > 3 AND score <> 4', []],
];

describe('integer bounds of a rendered filter', () => {
  it.each(CASES)('%s', async (where, expected) => {
    const rendered = await guard.where(where, COLUMNS);
    expect(integerBounds(rendered), rendered).toEqual(expected);
  });
});

describe('quoted names of a rendered filter', () => {
  it('lists each column once, in order, and nothing inside string literals', async () => {
    const rendered = await guard.where(
      `country = 'say "id"' AND score > 2 AND "Odd ""Name""" < id AND score < 9`,
      COLUMNS,
    );
    expect(quotedNames(rendered)).toEqual(['country', 'score', 'Odd "Name"', 'id']);
  });
});
