import fs from 'node:fs/promises';
import path from 'node:path';
import type { Sandbox } from './duckdb-sandbox.ts';
import { type ParquetSource, parquetRelation, type SegmentTable } from './parquet-queries.ts';
import { hashBucketSql, personText } from './split-buckets.ts';
import { quoteIdentifier, quoteString } from './sql-quote.ts';

/** The column a slice's number is written under before it names the slice's folder. */
const SLICE_COLUMN = '__audiences_slice';

/**
 * Rows of a slice file's row group. A partitioned write buffers a row group per open slice, so
 * DuckDB's default (122,880 rows) times 16 slices outgrows a count slot's memory: measured with the
 * 100M-row tree's people columns, 30 files (654 MB) into 16 slices ran out of memory at 45 MB with
 * the default and took 4.8 s with 16,384 rows (with 1 GB: 3.4 s with the default, 2.7 s with these).
 */
export const SLICE_ROW_GROUP_ROWS = 16_384;

/**
 * Rows of a slice file's row group when writing into `buckets` slices: `SLICE_ROW_GROUP_ROWS` up to
 * 16 slices, and beyond, fewer in proportion (at least 1,024), so that the row groups buffered
 * across the open slices stay as many rows as 16 slices' (DuckDB keeps at most 100 files open,
 * `partitioned_write_max_open_files`: more slices never buffer more).
 */
export function sliceRowGroupRows(buckets: number): number {
  return Math.max(1_024, Math.min(SLICE_ROW_GROUP_ROWS, Math.floor((16 * SLICE_ROW_GROUP_ROWS) / buckets)));
}

/**
 * Writes, among the rows the filter keeps whose `personBy` is not null, each slice's share into
 * `targetDir/{SLICE_COLUMN}={b}/…parquet`, one folder per slice that has any: the distinct values of
 * `personBy` alone, or with `columns` given, the rows themselves with those columns (the person
 * column first, then the others). The slice of a row is `hashBucketSql` of its person's text, so all
 * of one person's rows land in one slice whichever job reads them. The source is the files, or a
 * segment's table (`segmentFigures`), whose rows the filter already kept and whose person column is
 * written under `personBy`'s name. With `everyBucket`, a slice without rows gets an empty file of the
 * same columns, so that every slice's readers know the columns' types (a delta run's members of an
 * empty bucket). With `lowerCase`, the slice is the hash of the person's text lower-cased, so
 * that every spelling of one identifier lands in one slice. Answers the files of each slice written.
 */
export async function writeSlices(
  sandbox: Sandbox,
  source: ParquetSource | SegmentTable,
  query: {
    whereSql: string | null;
    personBy: string;
    buckets: number;
    columns?: readonly string[];
    everyBucket?: boolean;
    lowerCase?: boolean;
  },
  targetDir: string,
): Promise<Map<number, string[]>> {
  const written = new Map<number, string[]>();
  const fromTable = 'table' in source;
  if (!fromTable && source.files.length === 0) return written;
  const column = fromTable ? source.uniqueColumn : query.personBy;
  const person = quoteIdentifier(column);
  const relation = fromTable ? quoteIdentifier(source.table) : parquetRelation(source, false);
  const where = `WHERE ${query.whereSql === null ? '' : `(${query.whereSql}) AND `}${person} IS NOT NULL`;
  const text = query.lowerCase ? `lower(${personText(column)})` : personText(column);
  const slice = `${hashBucketSql(text, query.buckets)} AS ${SLICE_COLUMN}`;
  const others = [...new Set(query.columns ?? [])]
    .filter((other) => other !== query.personBy)
    .map(quoteIdentifier);
  const named = `${person} AS ${quoteIdentifier(query.personBy)}`;
  // Distinct values are hashed once each, after DISTINCT: SHA-256 costs more than the DISTINCT
  // itself (measured on a third of the 100M-row tree, 5.4M rows of 1.2M people, one thread: the
  // buckets took 3.2 s to write hashing every row, 0.7 s hashing each person once).
  const select =
    query.columns === undefined
      ? `SELECT ${named}, ${slice} FROM (SELECT DISTINCT ${person} FROM ${relation} ${where})`
      : `SELECT ${[named, ...others, slice].join(', ')} FROM ${relation} ${where}`;
  await sandbox.query(
    `COPY (${select}) TO ${quoteString(targetDir)} ` +
      `(FORMAT parquet, PARTITION_BY (${SLICE_COLUMN}), OVERWRITE_OR_IGNORE, ROW_GROUP_SIZE ${sliceRowGroupRows(query.buckets)})`,
  );
  const folders = await fs.readdir(targetDir).catch(() => [] as string[]);
  for (const folder of folders) {
    const match = new RegExp(`^${SLICE_COLUMN}=(\\d+)$`).exec(folder);
    if (!match) continue;
    const files = (await fs.readdir(path.join(targetDir, folder)))
      .filter((name) => name.endsWith('.parquet'))
      .sort()
      .map((name) => path.join(targetDir, folder, name));
    if (files.length > 0) written.set(Number(match[1]), files);
  }
  if (query.everyBucket) {
    const empty = `SELECT * EXCLUDE (${SLICE_COLUMN}) FROM (${select}) LIMIT 0`;
    for (let bucket = 0; bucket < query.buckets; bucket++) {
      if (written.has(bucket)) continue;
      const file = path.join(targetDir, `${SLICE_COLUMN}=${bucket}`, 'empty.parquet');
      await fs.mkdir(path.dirname(file), { recursive: true });
      await sandbox.query(`COPY (${empty}) TO ${quoteString(file)} (FORMAT parquet)`);
      written.set(bucket, [file]);
    }
  }
  return written;
}

/** The distinct non-null values of `column` across the files of one slice. */
export async function countDistinct(
  sandbox: Sandbox,
  files: readonly string[],
  column: string,
): Promise<number> {
  if (files.length === 0) return 0;
  const [row] = await sandbox.query(
    `SELECT count(DISTINCT ${quoteIdentifier(column)}) AS n FROM ${parquetRelation({ files, hive: false }, false)}`,
  );
  return Number(row?.n ?? 0);
}
