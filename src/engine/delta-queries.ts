/**
 * Deltas of a saved audience's people between runs. Each run keeps its members (the distinct person
 * values, one Parquet column); the next run delivers who joined and who left since.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Sandbox } from './duckdb-sandbox.ts';
import { describeQuery, type FileTarget, type WrittenFiles, writeFiles } from './file-writer.ts';
import { type ParquetSource, parquetRelation } from './parquet-queries.ts';
import { exportPeople, type PeopleQuery, peopleSql } from './people-queries.ts';
import { quoteIdentifier, quoteString } from './sql-quote.ts';

/** Counts of a delta between the previous members and the current ones. */
export interface MemberDelta {
  /** Current members. */
  members: number;
  /** Current members who were not members before. */
  added: number;
  /** Earlier members who are members no more. */
  removed: number;
  /** Members then and now (`members - added`). */
  kept: number;
}

/** The current members while `writeMembers` runs: written to the file, then counted against the previous. */
const MEMBERS = '__audiences_members';

/**
 * Writes the segment's members — the person values of the rows `exportPeople` would write (for the
 * intent shape with min_topics/min_days, only people passing them; otherwise every distinct non-null
 * person value that passes the filter) — to the Parquet file `file` (one column named as the person
 * column, sorted, zstd), and answers the delta against `previous` (a members file of an earlier run,
 * or null for a first run: everyone is added). Uses one temp table so the people query runs once.
 */
export async function writeMembers(
  sandbox: Sandbox,
  source: ParquetSource,
  query: PeopleQuery,
  file: string,
  previous: string | null,
): Promise<MemberDelta> {
  const person = quoteIdentifier(query.personBy);
  // Without input there are no members, but the file still needs a column type: the previous
  // file's, else VARCHAR (a later run of another type compares with it as text, see `withoutPeople`).
  const current =
    source.files.length > 0
      ? membersSql(source, query)
      : previous === null
        ? `SELECT NULL::VARCHAR AS ${person} LIMIT 0`
        : `${membersOf(previous, query.personBy)} LIMIT 0`;
  await sandbox.query(`CREATE OR REPLACE TEMP TABLE ${MEMBERS} AS ${current}`);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await sandbox.query(
      `COPY (SELECT ${person} FROM ${MEMBERS} ORDER BY ${person}) TO ${quoteString(file)} ` +
        '(FORMAT parquet, COMPRESSION zstd)',
    );
    const members = `SELECT ${person} FROM ${MEMBERS}`;
    if (previous === null) {
      const [row] = await sandbox.query(`SELECT count(*) AS n FROM ${MEMBERS}`);
      const n = Number(row?.n ?? 0);
      return { members: n, added: n, removed: 0, kept: 0 };
    }
    const before = membersOf(previous, query.personBy);
    const added = await withoutPeople(sandbox, members, before, query.personBy);
    const removed = await withoutPeople(sandbox, before, members, query.personBy);
    const [row] = await sandbox.query(
      `SELECT (SELECT count(*) FROM ${MEMBERS}) AS members, (SELECT count(*) FROM (${added})) AS added, ` +
        `(SELECT count(*) FROM (${removed})) AS removed`,
    );
    const counts = { members: Number(row?.members ?? 0), added: Number(row?.added ?? 0) };
    return { ...counts, removed: Number(row?.removed ?? 0), kept: counts.members - counts.added };
  } finally {
    await sandbox.query(`DROP TABLE IF EXISTS ${MEMBERS}`);
  }
}

/**
 * Writes the people rows (as `exportPeople` would) of the members in `current` (this run's members
 * file) who are not in `previous` (all of them when null) to `target`. Only the newcomers' rows are
 * grouped: the people query is restricted to them by the two members files, so a delta run's export
 * aggregates the few who joined, not the whole audience.
 */
export async function exportAdded(
  sandbox: Sandbox,
  source: ParquetSource,
  query: PeopleQuery,
  current: string,
  previous: string | null,
  target: FileTarget,
): Promise<WrittenFiles> {
  if (previous === null || source.files.length === 0) return exportPeople(sandbox, source, query, target);
  const person = quoteIdentifier(query.personBy);
  const newcomers = await withoutPeople(
    sandbox,
    membersOf(current, query.personBy),
    membersOf(previous, query.personBy),
    query.personBy,
  );
  const joined = `${person} IN (SELECT ${person} FROM (${newcomers}))`;
  const whereSql = query.whereSql === null ? joined : `(${query.whereSql}) AND ${joined}`;
  return writeFiles(sandbox, peopleSql(source, { ...query, whereSql }), target);
}

/** Writes the person values in `previous` that are not in `current` (both members files) to `target`: one column, named as the person column. Nothing when previous is null. */
export async function exportRemoved(
  sandbox: Sandbox,
  current: string,
  previous: string | null,
  personBy: string,
  target: FileTarget,
): Promise<WrittenFiles> {
  if (previous === null) {
    return { files: [], columns: await describeQuery(sandbox, membersOf(current, personBy)) };
  }
  const rows = await withoutPeople(
    sandbox,
    membersOf(previous, personBy),
    membersOf(current, personBy),
    personBy,
  );
  return writeFiles(sandbox, `${rows} ORDER BY 1`, target);
}

/** The person values of the rows `exportPeople` would write. */
function membersSql(source: ParquetSource, query: PeopleQuery): string {
  // DuckDB drops the aggregates nobody reads: this scans only the person column and the columns
  // the filter and the min_topics/min_days conditions need.
  return `SELECT ${quoteIdentifier(query.personBy)} FROM (${peopleSql(source, query)})`;
}

/** The person column of a members file (its folders are never read as Hive columns). */
function membersOf(file: string, personBy: string): string {
  return `SELECT ${quoteIdentifier(personBy)} FROM ${parquetRelation({ files: [file], hive: false }, false)}`;
}

/**
 * The rows of `left` whose person is not among the people of `right` (two queries with the person
 * column; neither holds NULL persons). Values are compared as they are, or as text when the two
 * types differ: the person column changed type between runs, or a run without input wrote VARCHAR.
 */
async function withoutPeople(
  sandbox: Sandbox,
  left: string,
  right: string,
  personBy: string,
): Promise<string> {
  const person = quoteIdentifier(personBy);
  const typeOf = async (sql: string) =>
    (await describeQuery(sandbox, `SELECT ${person} FROM (${sql})`))[0]?.type;
  const same = (await typeOf(left)) === (await typeOf(right));
  const key = (side: string) => (same ? `${side}.${person}` : `CAST(${side}.${person} AS VARCHAR)`);
  return `SELECT l.* FROM (${left}) AS l ANTI JOIN (${right}) AS r ON ${key('l')} = ${key('r')}`;
}
