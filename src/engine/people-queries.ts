import type { Json } from '@duckdb/node-api';
import type { QueryTable, Sandbox } from './duckdb-sandbox.ts';
import { type FileTarget, type WrittenFiles, writeFiles } from './file-writer.ts';
import { jsonValue } from './json-values.ts';
import { type ParquetSource, parquetRelation } from './parquet-queries.ts';
import { quoteIdentifier, quoteString } from './sql-quote.ts';

/**
 * One row per person of a segment: the rows that pass the filter grouped by a person column (NULL
 * is nobody), each group folded into one row.
 */
export type PeopleQuery = IntentPeople | LatestRowPeople;

interface PeopleBase {
  /** The filter rendered from a checked expression; null keeps every row. */
  whereSql: string | null;
  /** The column (a checked name) whose distinct non-null values are the people. */
  personBy: string;
}

/**
 * People of the intent layout (DESIGN §2): what each did across the segment's partitions. A row
 * holds the person column, the other identifiers (`ids`) as on the person's most recent row,
 * `topic_ids` and `prefixes` (sorted lists), `max_intent_score`, `best_score` (high > medium > low),
 * `days_seen`, and `first_seen` and `last_seen` (the earliest and latest `last_seen` of the rows).
 */
export interface IntentPeople extends PeopleBase {
  shape: 'intent';
  /** Identifier columns besides `personBy` (e.g. `hem_sha256`), taken from the most recent row. */
  ids: readonly string[];
  /** Keep people whose rows hold at least this many distinct prefixes. */
  minTopics: number | null;
  /** Keep people whose rows fall on at least this many distinct days. */
  minDays: number | null;
}

/** People of any table: the person column and `columns` of one row, the greatest by `latestBy` if given. */
export interface LatestRowPeople extends PeopleBase {
  shape: 'latest_row';
  /** Columns (checked names) after the person column, in order; the person column is not repeated. */
  columns: readonly string[];
  /** The row with the greatest value here is the person's (rows where it is NULL only when all are). */
  latestBy: string | null;
}

/** The intent layout's columns a people row is made of, besides the identifiers. */
export const INTENT_PEOPLE_INPUTS = [
  'topic_id',
  'intent_score',
  'last_seen',
  'day',
  'prefix',
  'score',
] as const;
const SCORE_ORDER = "['low', 'medium', 'high']";

/**
 * The columns a person's row is made of (the person column first): what a sliced people export
 * writes of each row it keeps, for `peopleSql` to fold into people bucket by bucket.
 */
export function peopleColumns(query: PeopleQuery): string[] {
  const others =
    query.shape === 'intent'
      ? [...query.ids, ...INTENT_PEOPLE_INPUTS]
      : [...query.columns, ...(query.latestBy === null ? [] : [query.latestBy])];
  return [query.personBy, ...new Set(others.filter((column) => column !== query.personBy))];
}

/** The `SELECT … GROUP BY` of one row per person. */
export function peopleSql(source: ParquetSource, query: PeopleQuery): string {
  const person = quoteIdentifier(query.personBy);
  const where = `WHERE ${query.whereSql === null ? '' : `(${query.whereSql}) AND `}${person} IS NOT NULL`;
  const from = `FROM ${parquetRelation(source, false)} ${where} GROUP BY ${person}`;
  if (query.shape === 'latest_row') {
    const columns = query.columns.filter((column) => column !== query.personBy);
    if (columns.length === 0) return `SELECT ${person} ${from}`;
    // One struct per row, so that every column comes from the same row.
    const row = `{${columns.map((c) => `${quoteString(c)}: ${quoteIdentifier(c)}`).join(', ')}}`;
    const chosen =
      query.latestBy === null
        ? `first(${row})`
        : `coalesce(arg_max(${row}, ${quoteIdentifier(query.latestBy)}), first(${row}))`;
    return `SELECT ${person}, unnest(${chosen}) ${from}`;
  }
  const ids = query.ids.map((id) => `arg_max(${quoteIdentifier(id)}, last_seen) AS ${quoteIdentifier(id)}`);
  const having = [
    ...(query.minTopics === null ? [] : [`count(DISTINCT prefix) >= ${Math.trunc(query.minTopics)}`]),
    ...(query.minDays === null ? [] : [`count(DISTINCT day) >= ${Math.trunc(query.minDays)}`]),
  ];
  return `SELECT ${[
    person,
    ...ids,
    'list(DISTINCT topic_id ORDER BY topic_id) AS topic_ids',
    'list(DISTINCT prefix ORDER BY prefix) AS prefixes',
    'max(intent_score) AS max_intent_score',
    `${SCORE_ORDER}[max(list_position(${SCORE_ORDER}, score))] AS best_score`,
    'count(DISTINCT day) AS days_seen',
    'min(last_seen) AS first_seen',
    'max(last_seen) AS last_seen',
  ].join(', ')} ${from}${having.length > 0 ? ` HAVING ${having.join(' AND ')}` : ''}`;
}

/**
 * The person values of the segment's people (the rows `exportPeople` would write), in the person
 * column: DuckDB drops the aggregates nobody reads, so this reads only the person column and the
 * columns the filter and the per-person conditions need.
 */
export function peopleValuesSql(source: ParquetSource, query: PeopleQuery): string {
  return `SELECT ${quoteIdentifier(query.personBy)} FROM (${peopleSql(source, query)})`;
}

/**
 * The first `limit` people of the segment (rows as `exportPeople` writes them, in no set order),
 * with their columns and DuckDB types; values as JSON (see `jsonValue`). Every person's rows are
 * grouped first: a people preview reads the whole segment.
 */
export async function previewPeople(
  sandbox: Sandbox,
  source: ParquetSource,
  query: PeopleQuery,
  limit: number,
): Promise<QueryTable<Json>> {
  if (source.files.length === 0) return { columns: [], rows: [] };
  const rows = Math.max(0, Math.trunc(limit));
  return sandbox.table(`SELECT * FROM (${peopleSql(source, query)}) LIMIT ${rows}`, jsonValue);
}

/** The number of people of the segment: rows `exportPeople` would write. */
export async function countPeople(
  sandbox: Sandbox,
  source: ParquetSource,
  query: PeopleQuery,
): Promise<number> {
  if (source.files.length === 0) return 0;
  const person = quoteIdentifier(query.personBy);
  // Without a condition on each person's rows, counting distinct values needs no rows built.
  const plain = query.shape === 'latest_row' || (query.minTopics === null && query.minDays === null);
  const sql = plain
    ? `SELECT count(DISTINCT ${person}) AS n FROM ${parquetRelation(source, false)}` +
      (query.whereSql === null ? '' : ` WHERE ${query.whereSql}`)
    : `SELECT count(*) AS n FROM (${peopleSql(source, query)})`;
  const [row] = await sandbox.query(sql);
  return Number(row?.n ?? 0);
}

/** Writes one row per person as files `data_{i}.{extension}` (see `writeFiles`); empty files are not kept. */
export async function exportPeople(
  sandbox: Sandbox,
  source: ParquetSource,
  query: PeopleQuery,
  target: FileTarget,
): Promise<WrittenFiles> {
  if (source.files.length === 0) return { files: [], columns: [] };
  return writeFiles(sandbox, peopleSql(source, query), target);
}
