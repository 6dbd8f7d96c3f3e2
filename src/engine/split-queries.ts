/**
 * A people export split at random into parts (A/B tests, holdouts), in DuckDB: each part's people
 * written by the writers of people and profile files, and counted. Which part a person falls in is
 * `split-buckets.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Sandbox } from './duckdb-sandbox.ts';
import { type FileTarget, type WrittenFiles, writeFiles } from './file-writer.ts';
import {
  countIdentifiers,
  type ProfileFile,
  validIdentifiersSql,
  writeProfileFiles,
} from './profile-files.ts';
import {
  personText,
  type SplitRange,
  type Splits,
  splitBucketSql,
  splitNameSql,
  zeroParts,
} from './split-buckets.ts';
import { quoteIdentifier, quoteString } from './sql-quote.ts';

/** The rows being split, with their bucket, while a split export runs. */
const SPLIT_ROWS = '__audiences_split_rows';
/** A segment's person values, while `exportIdentifierSplits` runs. */
const SPLIT_VALUES = '__audiences_split_values';
/** The bucket column of `SPLIT_ROWS`. */
const BUCKET = '__audiences_bucket';

/** The people of each part of `rows` (read from `SPLIT_ROWS`), every part present. */
async function countParts(sandbox: Sandbox, splits: Splits): Promise<Record<string, number>> {
  const counts = zeroParts(splits);
  const rows = await sandbox.query(
    `SELECT ${splitNameSql(BUCKET, splits)} AS part, count(*) AS n FROM ${SPLIT_ROWS} GROUP BY ALL`,
  );
  for (const row of rows) counts[String(row.part)] = Number(row.n);
  return counts;
}

/** The people of each part as written: one row per person, every part present (empty ones too). */
function peopleWritten(written: ReadonlyMap<string, WrittenFiles>): Record<string, number> {
  return Object.fromEntries(
    [...written].map(([name, files]) => [name, files.files.reduce((sum, file) => sum + file.rows, 0)]),
  );
}

/** The rows of one part of `SPLIT_ROWS`, without their bucket. */
function partRows(split: SplitRange, columns: string): string {
  return `SELECT ${columns} FROM ${SPLIT_ROWS} WHERE ${BUCKET} >= ${split.from} AND ${BUCKET} < ${split.to}`;
}

/** People of each part of a query's first column (a segment's person values, NULL is nobody). */
export async function countSplits(
  sandbox: Sandbox,
  values: string,
  splits: Splits,
): Promise<Record<string, number>> {
  const v = quoteIdentifier('__audiences_value');
  return withRows(
    sandbox,
    `SELECT ${splitBucketSql(`CAST(${v} AS VARCHAR)`, splits.salt)} AS ${BUCKET} ` +
      `FROM (${values}) AS values_of(${v}) WHERE ${v} IS NOT NULL`,
    () => countParts(sandbox, splits),
  );
}

/**
 * Writes the rows of a people query (one row per person of the column `personBy`) split into its
 * parts, each part's files by `writeFiles` into `target(part)`; the query runs once. Answers each
 * part's files and people.
 */
export async function exportPeopleSplits(
  sandbox: Sandbox,
  people: string,
  personBy: string,
  splits: Splits,
  target: (split: SplitRange) => FileTarget,
): Promise<{ written: Map<string, WrittenFiles>; counts: Record<string, number> }> {
  const bucket = splitBucketSql(personText(personBy), splits.salt);
  return withRows(sandbox, `SELECT *, ${bucket} AS ${BUCKET} FROM (${people})`, async () => {
    const written = new Map<string, WrittenFiles>();
    for (const split of splits.splits) {
      written.set(
        split.name,
        await writeFiles(sandbox, partRows(split, `* EXCLUDE (${BUCKET})`), target(split)),
      );
    }
    return { written, counts: peopleWritten(written) };
  });
}

/**
 * Writes the valid identifiers among a query's first column (a segment's person values) split into
 * parts, each part in the profile's files in `targetDir(part)` (see `writeProfileFiles`: its bounds
 * apply to each part), and counts the values left out (see `countIdentifiers`); the query runs
 * once. A person is the lower-case hex identifier the file holds.
 */
export async function exportIdentifierSplits(
  sandbox: Sandbox,
  values: string,
  profile: ProfileFile,
  splits: Splits,
  targetDir: (split: SplitRange) => string,
): Promise<{ written: Map<string, WrittenFiles>; counts: Record<string, number>; invalid: number }> {
  await sandbox.query(`CREATE OR REPLACE TEMP TABLE ${SPLIT_VALUES} AS ${values}`);
  try {
    const { invalid } = await countIdentifiers(sandbox, `SELECT * FROM ${SPLIT_VALUES}`);
    const ids = validIdentifiersSql(`SELECT * FROM ${SPLIT_VALUES}`);
    const bucket = splitBucketSql('id', splits.salt);
    return await withRows(sandbox, `SELECT id, ${bucket} AS ${BUCKET} FROM (${ids})`, async () => {
      const written = new Map<string, WrittenFiles>();
      for (const split of splits.splits) {
        const dir = targetDir(split);
        written.set(split.name, await writeProfileFiles(sandbox, partRows(split, 'id'), profile, dir));
      }
      return { written, counts: peopleWritten(written), invalid };
    });
  } finally {
    await sandbox.query(`DROP TABLE IF EXISTS ${SPLIT_VALUES}`);
  }
}

/** Runs `work` with the rows of `rows` (a query with a `BUCKET` column) in `SPLIT_ROWS`. */
async function withRows<T>(sandbox: Sandbox, rows: string, work: () => Promise<T>): Promise<T> {
  await sandbox.query(`CREATE OR REPLACE TEMP TABLE ${SPLIT_ROWS} AS ${rows}`);
  try {
    return await work();
  } finally {
    await sandbox.query(`DROP TABLE IF EXISTS ${SPLIT_ROWS}`);
  }
}

/**
 * Writes the members of one part of a members file (one person column, see `delta-queries.ts`) to
 * the Parquet file `file`, with the same column; `members` null writes an empty file of the column
 * of `like` (a first run has no earlier members).
 */
export async function writePartMembers(
  sandbox: Sandbox,
  members: string | null,
  like: string,
  personBy: string,
  salt: string,
  split: SplitRange,
  file: string,
): Promise<void> {
  const person = quoteIdentifier(personBy);
  const from = (source: string) => membersFile(source);
  const bucket = splitBucketSql(personText(personBy), salt);
  const rows =
    members === null
      ? `SELECT ${person} FROM ${from(like)} LIMIT 0`
      : `SELECT ${person} FROM ${from(members)} WHERE ${bucket} >= ${split.from} AND ${bucket} < ${split.to}`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sandbox.query(`COPY (${rows}) TO ${quoteString(file)} (FORMAT parquet)`);
}

/** People of each part of a members file. */
export function countPartMembers(
  sandbox: Sandbox,
  members: string,
  personBy: string,
  splits: Splits,
): Promise<Record<string, number>> {
  return countSplits(
    sandbox,
    `SELECT ${quoteIdentifier(personBy)} FROM read_parquet(${quoteString(members)})`,
    splits,
  );
}

/** A members file as a relation (its folders never read as Hive columns). */
function membersFile(file: string): string {
  return `read_parquet(${quoteString(file)}, hive_partitioning = false)`;
}
