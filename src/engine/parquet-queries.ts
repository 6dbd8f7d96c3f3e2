import type { Json } from '@duckdb/node-api';
import { compareText } from '../compare.ts';
import type { QueryTable, Sandbox } from './duckdb-sandbox.ts';
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

function relation(source: ParquetSource, withFileName: boolean): string {
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
  const rows = await sandbox.query(`DESCRIBE SELECT * FROM ${relation({ ...source, files: first }, false)}`);
  return rows.map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
}

/** Rows per file that pass the filter: one grouped query scans the whole batch. */
export async function countByFile(
  sandbox: Sandbox,
  source: ParquetSource,
  whereSql: string,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (source.files.length === 0) return counts;
  const sql = `SELECT ${FILE_COLUMN} AS file, count(*) AS n FROM ${relation(source, true)} WHERE ${whereSql} GROUP BY ALL`;
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
  return sandbox.table(`SELECT ${columns} FROM ${relation(source, false)}${where} LIMIT ${limit}`, jsonValue);
}

export interface ExportOptions {
  /** Columns to write, in order; undefined writes every column of the relation. */
  columns?: readonly string[];
  whereSql?: string;
  /** At most this many rows. */
  limit?: number;
  /** Folder the Parquet files are written into (created by DuckDB). */
  targetDir: string;
  /** Largest file before DuckDB starts the next one. @defaultValue `512MB` */
  fileSize?: string;
  /** Parquet codec. @defaultValue `snappy` (DuckDB's own default, read by every Parquet reader) */
  compression?: ParquetCompression;
}

export type ParquetCompression = 'snappy' | 'zstd' | 'gzip' | 'uncompressed';
const CODECS: readonly ParquetCompression[] = ['snappy', 'zstd', 'gzip', 'uncompressed'];

function codec(compression: ParquetCompression | undefined): string {
  const chosen = compression ?? 'snappy';
  if (!CODECS.includes(chosen)) throw new Error(`unsupported compression ${chosen}`);
  return chosen;
}

export interface ExportedFile {
  path: string;
  rows: number;
}

/** Writes the selected rows as Parquet files `data_{i}.parquet`; empty files are not kept. */
export async function exportRows(
  sandbox: Sandbox,
  source: ParquetSource,
  options: ExportOptions,
): Promise<ExportedFile[]> {
  const columns = options.columns ? options.columns.map(quoteIdentifier).join(', ') : '*';
  const where = options.whereSql ? ` WHERE ${options.whereSql}` : '';
  const limit = options.limit !== undefined ? ` LIMIT ${Math.trunc(options.limit)}` : '';
  const query = `SELECT ${columns} FROM ${relation(source, false)}${where}${limit}`;
  // RETURN_STATS answers one row per written file with its row count: no second pass over footers.
  const written = await sandbox.query(
    `COPY (${query}) TO ${quoteString(options.targetDir)} (FORMAT parquet, COMPRESSION ${codec(options.compression)}, ` +
      `FILE_SIZE_BYTES ${quoteString(options.fileSize ?? '512MB')}, FILENAME_PATTERN 'data_{i}', OVERWRITE, RETURN_STATS)`,
  );
  return written
    .map((row) => ({ path: String(row.filename), rows: Number(row.count) }))
    .filter((file) => file.rows > 0)
    .sort((a, b) => compareText(a.path, b.path));
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
  compression?: ParquetCompression;
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
): Promise<PartitionedFile[]> {
  const keys = options.partitionBy.map(({ column }) => quoteIdentifier(column)).join(', ');
  const columns = options.columns ? options.columns.map(quoteIdentifier).join(', ') : `* EXCLUDE (${keys})`;
  const parts = options.partitionBy.map(
    ({ column, value }) => `${value} AS ${quoteIdentifier(PART + column)}`,
  );
  const where = options.whereSql ? ` WHERE ${options.whereSql}` : '';
  const limit = options.limit !== undefined ? ` LIMIT ${Math.trunc(options.limit)}` : '';
  const query = `SELECT ${columns}, ${parts.join(', ')} FROM ${relation(source, false)}${where}${limit}`;
  const partitionBy = options.partitionBy.map(({ column }) => quoteIdentifier(PART + column)).join(', ');
  const written = await sandbox.query(
    `COPY (${query}) TO ${quoteString(options.targetDir)} (FORMAT parquet, COMPRESSION ${codec(options.compression)}, ` +
      `PARTITION_BY (${partitionBy}), FILENAME_PATTERN 'data_{i}', OVERWRITE, RETURN_STATS)`,
  );
  return written
    .map((row) => {
      const file = String(row.filename);
      const folders = file
        .slice(options.targetDir.length + 1)
        .split('/')
        .slice(0, -1);
      const partition = folders.map((folder) => decodeURIComponent(folder.slice(PART.length))).join('/');
      return { path: file, rows: Number(row.count), partition };
    })
    .filter((file) => file.rows > 0)
    .sort((a, b) => compareText(a.path, b.path));
}
