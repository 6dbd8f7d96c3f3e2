/**
 * Deltas of a saved audience's people between runs. Each run keeps its members (the distinct person
 * values, one Parquet column); the next run delivers who joined and who left since.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Sandbox } from './duckdb-sandbox.ts';
import { describeQuery, type FileTarget, type WrittenFiles, writeFiles } from './file-writer.ts';
import { type HashPass, ONE_PASS, withPassSql } from './hash-passes.ts';
import { type ParquetSource, parquetRelation } from './parquet-queries.ts';
import { exportPeople, type PeopleQuery, peopleSql, peopleValuesSql } from './people-queries.ts';
import {
  countIdentifiers,
  type ProfileFile,
  validIdentifiersSql,
  writeProfileFiles,
} from './profile-files.ts';
import { hashBucketSql, personText } from './split-buckets.ts';
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
/** The segment's person values as they are, while `writeMembers` keeps identifiers (`identifiers`). */
const VALUES = '__audiences_member_values';

/**
 * Writes the segment's members — the person values of the rows `exportPeople` would write (for the
 * intent shape with min_topics/min_days, only people passing them; otherwise every distinct non-null
 * person value that passes the filter) — to the Parquet file `file` (one column named as the person
 * column, sorted, zstd), and answers the delta against `previous` (a members file of an earlier run,
 * or null for a first run: everyone is added). Uses one temp table so the people query runs once.
 * With `passes`, the query is folded in those hash passes (`hash-passes.ts`), their members added up
 * in the table.
 */
export async function writeMembers(
  sandbox: Sandbox,
  source: ParquetSource,
  query: PeopleQuery,
  file: string,
  previous: string | null,
  { identifiers = false, passes = [ONE_PASS] }: MembersOptions = {},
): Promise<MemberDelta & { invalid?: number }> {
  const person = quoteIdentifier(query.personBy);
  // Identifiers are passed by their lower-cased value: both spellings of one are one member.
  const member = identifiers ? `lower(${person})` : person;
  const inPass = (pass: HashPass) => ({ ...query, whereSql: withPassSql(query.whereSql, member, pass) });
  const [first = ONE_PASS, ...more] = passes;
  // Without input there are no members, but the file still needs a column type: the previous
  // file's, else VARCHAR (a later run of another type compares with it as text, see `withoutPeople`).
  const current =
    source.files.length > 0
      ? membersSql(source, inPass(first))
      : previous === null
        ? `SELECT NULL::VARCHAR AS ${person} LIMIT 0`
        : `${membersOf(previous, query.personBy)} LIMIT 0`;
  let invalid = 0;
  if (identifiers && source.files.length > 0) {
    // Members are the valid identifiers, lower-cased, and the values left out are counted: each
    // pass's segment is read once, into a table both come from.
    for (const [i, pass] of passes.entries()) {
      try {
        const values = i === 0 ? current : membersSql(source, inPass(pass));
        await sandbox.query(`CREATE OR REPLACE TEMP TABLE ${VALUES} AS ${values}`);
        invalid += (await countIdentifiers(sandbox, `SELECT * FROM ${VALUES}`)).invalid;
        const valid = `SELECT id AS ${person} FROM (${validIdentifiersSql(`SELECT * FROM ${VALUES}`)})`;
        await sandbox.query(
          i === 0 ? `CREATE OR REPLACE TEMP TABLE ${MEMBERS} AS ${valid}` : `INSERT INTO ${MEMBERS} ${valid}`,
        );
      } finally {
        await sandbox.query(`DROP TABLE IF EXISTS ${VALUES}`);
      }
    }
  } else {
    await sandbox.query(`CREATE OR REPLACE TEMP TABLE ${MEMBERS} AS ${current}`);
    // The other hash passes over the same people, each its own share of them.
    for (const pass of source.files.length > 0 ? more : []) {
      await sandbox.query(`INSERT INTO ${MEMBERS} ${membersSql(source, inPass(pass))}`);
    }
  }
  const counted = await countMembers(sandbox, file, previous, query.personBy);
  return identifiers ? { ...counted, invalid } : counted;
}

/** How `writeMembers` keeps members. */
export interface MembersOptions {
  /**
   * The person values are hashed e-mails (an activation profile's identifiers): members are the
   * values that are a hex SHA-256, lower-cased; the others are counted (`invalid`) and left out.
   */
  identifiers?: boolean;
  /**
   * The hash passes the people are folded in, each only its share of them (a bucket of a sliced run
   * with more people than one pass folds; identifiers by their lower-cased value). @defaultValue one pass
   */
  passes?: readonly HashPass[];
}

/** Writes the members of `MEMBERS` to `file` and counts them against `previous`; drops the table. */
async function countMembers(
  sandbox: Sandbox,
  file: string,
  previous: string | null,
  personBy: string,
): Promise<MemberDelta> {
  const person = quoteIdentifier(personBy);
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
    const before = membersOf(previous, personBy);
    const added = await withoutPeople(sandbox, members, before, personBy);
    const removed = await withoutPeople(sandbox, before, members, personBy);
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

/**
 * Writes the members of several members files (a sliced run's buckets) into one, `file`; with
 * `bucket`, only the members whose hash bucket (`hashBucketSql` of their text, as the slices of a
 * sliced run are cut) is `bucket.bucket` of `bucket.of`.
 */
export async function mergeMembers(
  sandbox: Sandbox,
  files: readonly string[],
  personBy: string,
  file: string,
  bucket?: { bucket: number; of: number },
): Promise<void> {
  const where =
    bucket === undefined
      ? ''
      : ` WHERE ${hashBucketSql(personText(personBy), bucket.of)} = ${Math.trunc(bucket.bucket)}`;
  const members = `SELECT ${quoteIdentifier(personBy)} FROM ${parquetRelation({ files, hive: false }, false)}`;
  await sandbox.query(
    `COPY (${members}${where} ORDER BY 1) TO ${quoteString(file)} (FORMAT parquet, COMPRESSION zstd)`,
  );
}

/** The person values of the rows `exportPeople` would write. */
function membersSql(source: ParquetSource, query: PeopleQuery): string {
  return peopleValuesSql(source, query);
}

/**
 * A delta run's two outputs in an activation profile's files, from the two members files alone
 * (members are identifiers already, see `MembersOptions`): those in `current` and not in `previous`
 * (everyone when previous is null) into `added`, those in `previous` and not in `current` into
 * `removed`. The platforms take adds and removes as lists of the same shape.
 */
export async function exportProfileDelta(
  sandbox: Sandbox,
  current: string,
  previous: string | null,
  personBy: string,
  profile: ProfileFile,
  targets: { added: string; removed: string },
): Promise<{ added: WrittenFiles; removed: WrittenFiles }> {
  const now = membersOf(current, personBy);
  const ids = (rows: string) => `SELECT ${quoteIdentifier(personBy)} AS id FROM (${rows})`;
  if (previous === null) {
    const added = await writeProfileFiles(sandbox, ids(now), profile, targets.added);
    return { added, removed: { files: [], columns: added.columns } };
  }
  const before = membersOf(previous, personBy);
  return {
    added: await writeProfileFiles(
      sandbox,
      ids(await withoutPeople(sandbox, now, before, personBy)),
      profile,
      targets.added,
    ),
    removed: await writeProfileFiles(
      sandbox,
      ids(await withoutPeople(sandbox, before, now, personBy)),
      profile,
      targets.removed,
    ),
  };
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
