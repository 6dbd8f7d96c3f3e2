import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdentifier, quoteString } from '../../src/engine/sql-quote.ts';

let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});

afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

/** Characters that end or escape quoted text in some SQL dialect, plus ordinary ones. */
const tricky = fc.string({
  unit: fc.constantFrom("'", '"', '\\', '$', '-', '/', '*', ';', '\n', 'a', 'Z', ' ', 'é', '😀'),
  minLength: 1,
});

describe('sql-quote', () => {
  it('DuckDB reads a quoted string and a quoted name back exactly as they were', async () => {
    await fc.assert(
      fc.asyncProperty(tricky, tricky, async (value, name) => {
        const reader = await connection.runAndReadAll(
          `SELECT ${quoteString(value)} AS ${quoteIdentifier(name)}`,
        );
        expect(reader.columnNames()).toEqual([name]);
        expect(reader.getRows()).toEqual([[value]]);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a quote inside the text from ending the literal or the name', async () => {
    const reader = await connection.runAndReadAll(
      `SELECT ${quoteString("x'; SELECT 1 --")} AS ${quoteIdentifier('a", 1 AS "b')}`,
    );
    expect(reader.columnNames()).toEqual(['a", 1 AS "b']);
    expect(reader.getRows()).toEqual([["x'; SELECT 1 --"]]);
  });
});
