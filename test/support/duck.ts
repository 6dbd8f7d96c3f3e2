import fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

/**
 * An independent DuckDB, opened by the test itself, that computes the answers the service must
 * match. It shares no code with the engine.
 *
 * One instance serves every call of a test process, each call on a connection of its own: opening
 * and closing an instance per query cost more CPU than most queries (DuckDB hands its freed memory
 * back to the system at both, and the process faults it in again), 5 s in the S3 task suite alone.
 * Its settings are locked, so no call changes them for the others (`duckAlone` for one that must),
 * and calls create no tables: each reads and writes files only.
 */
export async function duck<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  return readAll<T>(await sharedInstance(), sql);
}

/** `duck` on an instance of its own, closed after the query: for statements that change settings. */
export async function duckAlone<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    return await readAll<T>(instance, sql);
  } finally {
    instance.closeSync();
  }
}

async function readAll<T>(instance: DuckDBInstance, sql: string): Promise<T[]> {
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as T[];
  } finally {
    connection.closeSync();
  }
}

let shared: Promise<DuckDBInstance> | undefined;

function sharedInstance(): Promise<DuckDBInstance> {
  shared ??= DuckDBInstance.create(':memory:', { lock_configuration: 'true' }).catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

/** A row as JSON text, BIGINTs as decimal strings: rows compared as values whatever their integer types. */
export function json(row: unknown): string {
  return JSON.stringify(row, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
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

/** One entry of a task's `breakdowns[column]`. */
export interface BreakdownEntry {
  value: unknown;
  count: number;
  unique_count?: number;
}

/**
 * What `breakdowns[column]` must hold for the rows of `relation` that pass `where`, straight from
 * the files: the 50 most frequent values (by rows, then value, NULL last), then one "(other)" entry
 * for every other value when there are more, with distinct `uniqueBy` values when it is given.
 */
export async function expectedBreakdown(
  relation: string,
  where: string,
  column: string,
  uniqueBy?: string,
): Promise<BreakdownEntry[]> {
  const value = `"${column}"`;
  const distinct = uniqueBy ? `, count(DISTINCT "${uniqueBy}") AS u` : '';
  const rows = await duck<{ value: unknown; n: bigint; u?: bigint }>(
    `SELECT ${value} AS value, count(*) AS n${distinct} FROM ${relation} WHERE ${where}
     GROUP BY 1 ORDER BY n DESC, value ASC NULLS LAST`,
  );
  const entry = (v: unknown, n: bigint, u: bigint | undefined): BreakdownEntry => ({
    value: typeof v === 'bigint' ? Number(v) : v,
    count: Number(n),
    ...(uniqueBy ? { unique_count: Number(u) } : {}),
  });
  const top = rows.slice(0, 50).map((row) => entry(row.value, row.n, row.u));
  if (rows.length <= 50) return top;
  // The rest: the rows whose value is none of the top 50, read again from the files.
  const [rest] = await duck<{ n: bigint; u?: bigint }>(
    `WITH top AS (
       SELECT ${value} AS value FROM ${relation} WHERE ${where}
       GROUP BY 1 ORDER BY count(*) DESC, value ASC NULLS LAST LIMIT 50)
     SELECT count(*) AS n${distinct} FROM ${relation} AS s
     WHERE (${where}) AND NOT EXISTS (SELECT 1 FROM top WHERE top.value IS NOT DISTINCT FROM s.${value})`,
  );
  return [...top, entry('(other)', rest!.n, rest!.u)];
}

/** Distinct values of `column` per intent partition of the rows that pass `where`, and over all of them. */
export async function expectedIntentUniques(
  tree: string,
  column: string,
  where = 'true',
): Promise<{ whole: number; perPartition: Record<string, number> }> {
  const relation = `read_parquet('${tree}/**/*.parquet', hive_partitioning = true, hive_types = {'day': DATE})`;
  const rows = await duck<{ day: string; prefix: string; score: string; u: bigint }>(
    `SELECT strftime(day, '%Y-%m-%d') AS day, prefix, score, count(DISTINCT "${column}") AS u
     FROM ${relation} WHERE ${where} GROUP BY ALL`,
  );
  const [whole] = await duck<{ u: bigint }>(
    `SELECT count(DISTINCT "${column}") AS u FROM ${relation} WHERE ${where}`,
  );
  return {
    whole: Number(whole!.u),
    perPartition: Object.fromEntries(
      rows.map((r) => [`day=${r.day}/prefix=${r.prefix}/score=${r.score}`, Number(r.u)]),
    ),
  };
}

/**
 * The rows a people export of an intent tree must hold for the rows that pass `where`, straight from
 * the files, ordered by person_id; `having` filters the people. hem_sha256 is any of the person's:
 * the test trees have one per person.
 */
export async function expectedIntentPeople(tree: string, where: string, having = '') {
  const relation = `read_parquet('${tree}/**/*.parquet', hive_partitioning = true, hive_types = {'day': DATE})`;
  const [ids] = await duck<{ n: bigint }>(
    `SELECT count(*) AS n FROM (SELECT person_id FROM ${relation} GROUP BY 1 HAVING count(DISTINCT hem_sha256) > 1)`,
  );
  if (Number(ids!.n) !== 0) throw new Error('the test tree has people with several hem_sha256');
  return duck(
    `SELECT person_id, any_value(hem_sha256) AS hem_sha256,
            list_sort(array_agg(DISTINCT topic_id)) AS topic_ids,
            list_sort(array_agg(DISTINCT prefix)) AS prefixes,
            max(intent_score) AS max_intent_score,
            CASE max(CASE score WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END)
              WHEN 3 THEN 'high' WHEN 2 THEN 'medium' ELSE 'low' END AS best_score,
            count(DISTINCT day) AS days_seen, min(last_seen) AS first_seen, max(last_seen) AS last_seen
     FROM ${relation} WHERE ${where} AND person_id IS NOT NULL GROUP BY person_id ${having} ORDER BY person_id`,
  );
}

/** `expectedIntentPeople` over some days of the tree only (a saved audience's window). */
export function expectedIntentPeopleOn(tree: string, days: readonly string[], where: string, having = '') {
  const list = days.map((day) => `'${day}'`).join(', ');
  return expectedIntentPeople(tree, `CAST(day AS VARCHAR) IN (${list}) AND ${where}`, having);
}

/**
 * Writes `file`, a column `email_sha` of 2,000 hashed e-mails, each on two rows (as it is and
 * upper-cased), and 20 values that are not hashes, the same way: 2,000 identifiers and 20 values
 * left out, whatever the spelling.
 */
export async function writeMixedCaseHashes(file: string): Promise<void> {
  await duck(
    `COPY (SELECT v AS email_sha FROM (
             SELECT sha256('person-' || i) AS v FROM range(2000) AS r(i)
             UNION ALL SELECT upper(sha256('person-' || i)) FROM range(2000) AS r(i)
             UNION ALL SELECT 'bad-' || i FROM range(20) AS r(i)
             UNION ALL SELECT 'BAD-' || i FROM range(20) AS r(i)))
     TO '${file}' (FORMAT parquet)`,
  );
}
