import fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

/**
 * An independent DuckDB, opened by the test itself, that computes the answers the service must
 * match. It shares no code with the engine.
 */
export async function duck<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as T[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** `{partition: rows}` of an intent tree, straight from the files, for the given filter. */
export async function expectedIntentCounts(tree: string, where = 'true'): Promise<Record<string, number>> {
  const rows = await duck<{ day: string; prefix: string; score: string; n: bigint | number }>(
    `SELECT strftime(day, '%Y-%m-%d') AS day, prefix, score, count(*) AS n
     FROM read_parquet('${tree}/**/*.parquet', hive_partitioning = true, hive_types = {'day': DATE})
     WHERE ${where} GROUP BY ALL`,
  );
  return Object.fromEntries(
    rows.map((r) => [`day=${r.day}/prefix=${r.prefix}/score=${r.score}`, Number(r.n)]),
  );
}

/** The topic prefixes present in an intent tree, sorted, straight from the files. */
export async function intentPrefixes(tree: string): Promise<string[]> {
  const rows = await duck<{ v: string }>(
    `SELECT DISTINCT prefix AS v FROM read_parquet('${tree}/**/*.parquet', hive_partitioning = true) ORDER BY 1`,
  );
  return rows.map((row) => row.v);
}

/** What `GET /api/v1/catalog/intent` must answer for an intent tree, straight from its files. */
export async function expectedCatalog(tree: string) {
  const glob = `${tree}/**/*.parquet`;
  const data = `read_parquet('${glob}', hive_partitioning = true, hive_types = {'day': DATE, 'prefix': VARCHAR, 'score': VARCHAR})`;
  const values = async (sql: string) => (await duck<{ v: string }>(sql)).map((row) => row.v);
  const files = (await duck<{ file: string }>(`SELECT file FROM glob('${glob}')`)).map((row) => row.file);
  const [counted] = await duck<{ n: bigint }>(`SELECT count(*) AS n FROM ${data}`);
  const [footers] = await duck<{ n: bigint | null }>(
    `SELECT sum(num_rows) AS n FROM parquet_file_metadata('${glob}')`,
  );
  return {
    days: await values(`SELECT DISTINCT strftime(day, '%Y-%m-%d') AS v FROM ${data} ORDER BY v`),
    prefixes: await values(`SELECT DISTINCT prefix AS v FROM ${data} ORDER BY v`),
    scores: await values(
      `SELECT DISTINCT score AS v FROM ${data} ORDER BY list_position(['low', 'medium', 'high'], score)`,
    ),
    columns: (await duck<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${data}`)).map(
      (c) => ({ name: c.column_name, type: c.column_type }),
    ),
    files: files.length,
    rows: Number(counted!.n),
    footerRows: Number(footers!.n ?? 0),
    bytes: files.reduce((sum, file) => sum + fs.statSync(file).size, 0),
  };
}
