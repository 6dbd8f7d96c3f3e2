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
