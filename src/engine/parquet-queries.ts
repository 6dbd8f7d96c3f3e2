import fs from 'node:fs';
import type { Json } from '@duckdb/node-api';
import { compareText } from '../compare.ts';
import type { QueryTable, Sandbox } from './duckdb-sandbox.ts';
import {
  describeQuery,
  type ExportedFile,
  type FileTarget,
  rowsPerFile,
  type WrittenFiles,
  writeFiles,
  writePartitionedCsv,
} from './file-writer.ts';
import { jsonValue } from './json-values.ts';
import type { ColumnInfo } from './sql-guard.ts';
import { quoteIdentifier, quoteString } from './sql-quote.ts';

/** Parquet files read as one relation, with Hive `k=v` path segments as columns. */
export interface ParquetSource {
  files: readonly string[];
  /** Read `k=v` path segments as columns. @defaultValue true */
  hive?: boolean;
  /** Types of the Hive columns; undefined lets DuckDB infer them. */
  hiveTypes?: Readonly<Record<string, string>>;
}

/** The file-name column the engine adds; named so it cannot collide with a data column. */
const FILE_COLUMN = '__audiences_file';
const SAFE_TYPE = /^[A-Z]+(\(\d+(,\s*\d+)?\))?$/;

/** The `read_parquet(…)` relation of a source, with the file-name column when asked. */
export function parquetRelation(source: ParquetSource, withFileName: boolean): string {
  const files = source.files.map(quoteString).join(', ');
  const options = [`hive_partitioning = ${source.hive !== false}`];
  if (source.hiveTypes) {
    const types = Object.entries(source.hiveTypes).map(([name, type]) => {
      if (!SAFE_TYPE.test(type)) throw new Error(`unsupported hive type ${type}`);
      return `${quoteString(name)}: ${type}`;
    });
    options.push(`hive_types = {${types.join(', ')}}`);
  }
  if (withFileName) options.push(`filename = ${quoteString(FILE_COLUMN)}`);
  return `read_parquet([${files}], ${options.join(', ')})`;
}

/** Columns of the relation, Hive columns included (reads the footer of the first file only). */
export async function describeColumns(sandbox: Sandbox, source: ParquetSource): Promise<ColumnInfo[]> {
  const first = source.files.slice(0, 1);
  const rows = await sandbox.query(
    `DESCRIBE SELECT * FROM ${parquetRelation({ ...source, files: first }, false)}`,
  );
  return rows.map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
}

/**
 * The columns of Parquet files as they are (no Hive columns; from the first footer) and their codec
 * (lower case; several joined by `+`), read from footers only. Undefined for no file.
 */
export async function footerSchema(
  sandbox: Sandbox,
  files: readonly string[],
): Promise<{ columns: ColumnInfo[]; codec: string } | undefined> {
  if (files.length === 0) return undefined;
  const columns = await describeColumns(sandbox, { files: files.slice(0, 1), hive: false });
  const codecs = await sandbox.query(
    `SELECT DISTINCT lower(compression) AS codec FROM parquet_metadata([${files.map(quoteString).join(', ')}]) ORDER BY 1`,
  );
  return { columns, codec: codecs.map((row) => String(row.codec)).join('+') };
}

/** Rows per file that pass the filter: one grouped query scans the whole batch. */
export async function countByFile(
  sandbox: Sandbox,
  source: ParquetSource,
  whereSql: string,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (source.files.length === 0) return counts;
  const sql = `SELECT ${FILE_COLUMN} AS file, count(*) AS n FROM ${parquetRelation(source, true)} WHERE ${whereSql} GROUP BY ALL`;
  for (const row of await sandbox.query(sql)) {
    counts.set(String(row.file), Number(row.n));
  }
  return counts;
}

export interface PreviewOptions {
  /** Columns to show, in order; undefined shows every column of the relation but `exclude`. */
  columns?: readonly string[];
  /** Columns left out when `columns` is undefined (partition columns, which stay in the path). */
  exclude?: readonly string[];
  whereSql?: string;
  /** At most this many rows (0: only the columns). */
  limit: number;
}

/**
 * The first `limit` rows that pass the filter, in the files' order, with their columns and DuckDB
 * types; values as JSON (see `jsonValue`). Stops reading as soon as it has them.
 */
export async function previewRows(
  sandbox: Sandbox,
  source: ParquetSource,
  options: PreviewOptions,
): Promise<QueryTable<Json>> {
  if (source.files.length === 0) return { columns: [], rows: [] };
  let columns = '*';
  if (options.columns) columns = options.columns.map(quoteIdentifier).join(', ');
  else if (options.exclude && options.exclude.length > 0)
    columns = `* EXCLUDE (${options.exclude.map(quoteIdentifier).join(', ')})`;
  const where = options.whereSql ? ` WHERE ${options.whereSql}` : '';
  const limit = Math.max(0, Math.trunc(options.limit));
  return sandbox.table(
    `SELECT ${columns} FROM ${parquetRelation(source, false)}${where} LIMIT ${limit}`,
    jsonValue,
  );
}

export interface ExportOptions extends FileTarget {
  /** Columns to write, in order; undefined writes every column of the relation. */
  columns?: readonly string[];
  whereSql?: string;
  /** At most this many rows. */
  limit?: number;
}

/** Writes the selected rows as files `data_{i}.{extension}` (see `writeFiles`); empty files are not kept. */
export async function exportRows(
  sandbox: Sandbox,
  source: ParquetSource,
  options: ExportOptions,
): Promise<WrittenFiles> {
  const columns = options.columns ? options.columns.map(quoteIdentifier).join(', ') : '*';
  const where = options.whereSql ? ` WHERE ${options.whereSql}` : '';
  const limit = options.limit !== undefined ? ` LIMIT ${Math.trunc(options.limit)}` : '';
  return writeFiles(
    sandbox,
    `SELECT ${columns} FROM ${parquetRelation(source, false)}${where}${limit}`,
    options,
  );
}

export interface PartitionedExportOptions {
  /** Columns to write, in order; undefined writes every column but the partition columns. */
  columns?: readonly string[];
  whereSql?: string;
  limit?: number;
  /** Folder DuckDB writes `{column}={value}/…/data_{i}.parquet` into. */
  targetDir: string;
  /** Columns whose values name the partition folders, with the SQL that formats each value. */
  partitionBy: ReadonlyArray<{ column: string; value: string }>;
  /** @defaultValue `parquet` */
  format?: 'parquet' | 'csv';
  /** A codec of the format (`FORMAT_CODECS`). @defaultValue `snappy` for Parquet, `gzip` for CSV */
  compression?: string;
}

export interface PartitionedFile extends ExportedFile {
  /** `column=value/…` of the folder the file landed in. */
  partition: string;
}

/** Prefix of the helper columns that carry partition values, so they never clash with selected ones. */
const PART = '__p_';

/**
 * Writes a whole batch of partitions with one `COPY … PARTITION_BY`: DuckDB reads every input once,
 * in parallel, and splits the rows into one folder per partition.
 */
export async function exportPartitioned(
  sandbox: Sandbox,
  source: ParquetSource,
  options: PartitionedExportOptions,
): Promise<WrittenFiles<PartitionedFile>> {
  const keys = options.partitionBy.map(({ column }) => quoteIdentifier(column)).join(', ');
  const columns = options.columns ? options.columns.map(quoteIdentifier).join(', ') : `* EXCLUDE (${keys})`;
  const parts = options.partitionBy.map(
    ({ column, value }) => `${value} AS ${quoteIdentifier(PART + column)}`,
  );
  const where = options.whereSql ? ` WHERE ${options.whereSql}` : '';
  const limit = options.limit !== undefined ? ` LIMIT ${Math.trunc(options.limit)}` : '';
  const from = `FROM ${parquetRelation(source, false)}${where}${limit}`;
  const query = `SELECT ${columns}, ${parts.join(', ')} ${from}`;
  const partitionBy = options.partitionBy.map(({ column }) => quoteIdentifier(PART + column));
  const partitionOf = (file: string) =>
    file
      .slice(options.targetDir.length + 1)
      .split('/')
      .slice(0, -1)
      .map((folder) => decodeURIComponent(folder.slice(PART.length)))
      .join('/');
  let written: ExportedFile[];
  if (options.format === 'csv') {
    const paths = await writePartitionedCsv(sandbox, query, {
      targetDir: options.targetDir,
      ...(options.compression ? { compression: options.compression } : {}),
      partitionBy,
    });
    // Without a LIMIT, a partition written as one file holds its partition's rows, counted from
    // the input in a fraction of the write; files of split partitions are read back.
    const perPartition =
      options.limit === undefined
        ? await partitionRows(sandbox, options.partitionBy, where, source)
        : new Map();
    const filesOf = new Map<string, number>();
    for (const file of paths) filesOf.set(partitionOf(file), (filesOf.get(partitionOf(file)) ?? 0) + 1);
    const known = (file: string) =>
      filesOf.get(partitionOf(file)) === 1 ? perPartition.get(partitionOf(file)) : undefined;
    const readBack = new Map(
      (
        await rowsPerFile(
          sandbox,
          paths.filter((file) => known(file) === undefined),
          'csv',
        )
      ).map((f) => [f.path, f.rows]),
    );
    written = paths.map((file) => ({ path: file, rows: known(file) ?? readBack.get(file) ?? 0 }));
    for (const file of written) if (file.rows === 0) fs.rmSync(file.path, { force: true });
  } else {
    // RETURN_STATS answers one row per written file with its row count: no second pass over footers.
    const stats = await sandbox.query(
      `COPY (${query}) TO ${quoteString(options.targetDir)} (FORMAT parquet, COMPRESSION ${options.compression ?? 'snappy'}, ` +
        `PARTITION_BY (${partitionBy.join(', ')}), FILENAME_PATTERN 'data_{i}', OVERWRITE, RETURN_STATS)`,
    );
    written = stats.map((row) => ({ path: String(row.filename), rows: Number(row.count) }));
  }
  const files = written
    .map((file) => ({ ...file, partition: partitionOf(file.path) }))
    .filter((file) => file.rows > 0)
    .sort((a, b) => compareText(a.path, b.path));
  return { files, columns: await describeQuery(sandbox, `SELECT ${columns} ${from}`) };
}

/** Rows per partition (`column=value/…`, as the partitioned writer names its folders) of a filtered source. */
async function partitionRows(
  sandbox: Sandbox,
  partitionBy: PartitionedExportOptions['partitionBy'],
  where: string,
  source: ParquetSource,
): Promise<Map<string, number>> {
  const key = partitionBy
    .map(({ column, value }) => `${quoteString(`${column}=`)} || CAST(${value} AS VARCHAR)`)
    .join(" || '/' || ");
  const rows = await sandbox.query(
    `SELECT ${key} AS partition, count(*) AS n FROM ${parquetRelation(source, false)}${where} GROUP BY ALL`,
  );
  return new Map(rows.map((row) => [String(row.partition), Number(row.n)]));
}

export interface SegmentFiguresOptions {
  /** The filter rendered from a checked expression; null counts every row. */
  whereSql: string | null;
  /** Also count the distinct values of this column (a checked column name). */
  uniqueBy: string | null;
  /** Columns (checked names) whose most frequent values are listed, with the rest summed up. */
  breakdownBy: readonly string[];
  /** Values listed per breakdown column before the rest are summed into one "other" entry. */
  top: number;
  /**
   * Also count the whole segment (default): a slice of a sliced count leaves that to its reduce
   * step, and its `whole` is then only the sum of its groups' rows, with `unique` null. A distinct
   * count over every group costs as much again as the groups' own (measured: 0.5 s of 3 s over a
   * third of the 100M-row tree).
   */
  whole?: boolean;
  /**
   * Runs on the segment's table once the figures are counted, before it is dropped: more work
   * over the rows the filter kept, without reading the files again.
   */
  alsoOnTable?: (table: SegmentTable) => Promise<void>;
}

/** The temporary table of a segment's kept rows: its name, and the column holding `uniqueBy`. */
export interface SegmentTable {
  table: string;
  uniqueColumn: string;
}

/** Rows, and distinct values of the `uniqueBy` column (null without one). */
export interface RowsAndUnique {
  rows: number;
  unique: number | null;
}

/** One listed value of a breakdown column (NULL is a value of its own). */
export interface ValueFigures extends RowsAndUnique {
  value: Json;
}

export interface BreakdownFigures {
  column: string;
  /** The `top` most frequent values: by rows descending, then value ascending (NULL last). */
  values: ValueFigures[];
  /** Every other value taken together (distinct values counted over all of them); null when none is left. */
  other: RowsAndUnique | null;
}

export interface SegmentFigures {
  /** Per group of files, in the order of `groups`. */
  groups: RowsAndUnique[];
  /** The whole segment: a value found in several groups counts once. */
  whole: RowsAndUnique;
  breakdowns: BreakdownFigures[];
}

const SEGMENT = '__audiences_segment';
const GROUP = '__audiences_group';
const UNIQUE = '__audiences_unique';
const breakdownColumn = (i: number) => `__audiences_b${i}`;

/**
 * Exact figures of a filtered segment in one scan of the files: rows per group of files, distinct
 * values of one column per group and over the whole segment, and the top values of a few columns.
 * The scan keeps only the columns these need in a temporary table (which spills to the instance's
 * temp folder when it outgrows memory); the aggregates then read that table, never the files again.
 * `groups[i]` is the group of `source.files[i]`.
 */
export async function segmentFigures(
  sandbox: Sandbox,
  source: ParquetSource,
  groups: readonly number[],
  options: SegmentFiguresOptions,
): Promise<SegmentFigures> {
  const groupCount = groups.length === 0 ? 0 : Math.max(...groups) + 1;
  const empty: RowsAndUnique = { rows: 0, unique: options.uniqueBy === null ? null : 0 };
  if (source.files.length === 0) {
    return {
      groups: Array.from({ length: groupCount }, () => ({ ...empty })),
      whole: { ...empty },
      breakdowns: options.breakdownBy.map((column) => ({ column, values: [], other: null })),
    };
  }
  const fileGroups = source.files.map((file, i) => `(${quoteString(file)}, ${Math.trunc(groups[i]!)})`);
  const kept = [
    `g.${quoteIdentifier(GROUP)}`,
    ...(options.uniqueBy === null ? [] : [`r.${quoteIdentifier(options.uniqueBy)} AS ${UNIQUE}`]),
    ...options.breakdownBy.map((column, i) => `r.${quoteIdentifier(column)} AS ${breakdownColumn(i)}`),
  ];
  const where = options.whereSql === null ? '' : ` WHERE ${options.whereSql}`;
  await sandbox.query(
    `CREATE OR REPLACE TEMP TABLE ${SEGMENT} AS SELECT ${kept.join(', ')} ` +
      `FROM (SELECT * FROM ${parquetRelation(source, true)}${where}) r ` +
      `JOIN (VALUES ${fileGroups.join(', ')}) g(${FILE_COLUMN}, ${GROUP}) USING (${FILE_COLUMN})`,
  );
  try {
    const distinct = options.uniqueBy === null ? 'NULL' : `count(DISTINCT ${UNIQUE})`;
    const counted = options.whole !== false;
    const rows = await sandbox.query(
      `SELECT ${GROUP} AS g, grouping(${GROUP}) AS whole, count(*) AS n, ${distinct} AS u ` +
        `FROM ${SEGMENT} GROUP BY GROUPING SETS ((${GROUP})${counted ? ', ()' : ''})`,
    );
    const perGroup = Array.from({ length: groupCount }, () => ({ ...empty }));
    let whole = { ...empty };
    for (const row of rows) {
      const figures = { rows: Number(row.n), unique: row.u === null ? null : Number(row.u) };
      if (Number(row.whole) === 1) whole = figures;
      else perGroup[Number(row.g)] = figures;
    }
    if (!counted) whole = { rows: perGroup.reduce((sum, group) => sum + group.rows, 0), unique: null };
    const breakdowns: BreakdownFigures[] = [];
    for (const [i, column] of options.breakdownBy.entries()) {
      breakdowns.push(await breakdown(sandbox, column, breakdownColumn(i), options));
    }
    await options.alsoOnTable?.({ table: SEGMENT, uniqueColumn: UNIQUE });
    return { groups: perGroup, whole, breakdowns };
  } finally {
    await sandbox.query(`DROP TABLE IF EXISTS ${SEGMENT}`);
  }
}

/** One column's top values and the rest, from the segment table. */
async function breakdown(
  sandbox: Sandbox,
  column: string,
  name: string,
  options: SegmentFiguresOptions,
): Promise<BreakdownFigures> {
  const top = Math.max(1, Math.trunc(options.top));
  const ranked =
    `WITH v AS (SELECT ${name} AS value, count(*) AS n FROM ${SEGMENT} GROUP BY ALL), ` +
    `r AS (SELECT value, n, row_number() OVER (ORDER BY n DESC, value ASC NULLS LAST) AS rank FROM v) `;
  // Without distinct values the ranked counts suffice; with them, the rows of the values outside
  // the top are read again from the table to count their distinct values together.
  const sql =
    options.uniqueBy === null
      ? `${ranked}SELECT least(rank, ${top + 1}) AS bucket, any_value(value) AS value, sum(n) AS n, NULL AS u ` +
        `FROM r GROUP BY 1 ORDER BY 1`
      : `${ranked}SELECT least(r.rank, ${top + 1}) AS bucket, any_value(r.value) AS value, count(*) AS n, ` +
        `count(DISTINCT s.${UNIQUE}) AS u FROM ${SEGMENT} s JOIN r ON s.${name} IS NOT DISTINCT FROM r.value ` +
        `GROUP BY 1 ORDER BY 1`;
  const { rows } = await sandbox.table(sql, jsonValue);
  const values: ValueFigures[] = [];
  let other: RowsAndUnique | null = null;
  for (const row of rows) {
    const figures = { rows: Number(row.n), unique: row.u === null ? null : Number(row.u) };
    if (Number(row.bucket) > top) other = figures;
    else values.push({ value: row.value ?? null, ...figures });
  }
  return { column, values, other };
}
