import fs from 'node:fs';
import path from 'node:path';
import { compareText } from '../compare.ts';
import type { Sandbox } from './duckdb-sandbox.ts';
import { jsonValue } from './json-values.ts';
import type { ColumnInfo } from './sql-guard.ts';
import { quoteIdentifier, quoteString } from './sql-quote.ts';

/** File formats an export writes, each by DuckDB's own writer. */
export const FILE_FORMATS = ['parquet', 'csv', 'jsonl'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export type ParquetCompression = 'snappy' | 'zstd' | 'gzip' | 'uncompressed';
/** Codecs per format; `none` writes plain text. */
export const FORMAT_CODECS: Readonly<Record<FileFormat, readonly string[]>> = {
  parquet: ['snappy', 'zstd', 'gzip', 'uncompressed'],
  csv: ['gzip', 'none'],
  jsonl: ['gzip', 'none'],
};

/** Where and how `writeFiles` writes. */
export interface FileTarget {
  /** Folder the files `data_{i}.{extension}` are written into. */
  targetDir: string;
  /** @defaultValue `parquet` */
  format?: FileFormat;
  /** One of the format's `FORMAT_CODECS`. @defaultValue `snappy` for Parquet, `gzip` for text */
  compression?: string;
  /** Largest file before DuckDB starts the next one. @defaultValue one file (Parquet: `512MB`) */
  fileSize?: string;
}

export interface ExportedFile {
  path: string;
  rows: number;
}

/** Files written by one statement, and the columns they hold (names and DuckDB types, in order). */
export interface WrittenFiles<F extends ExportedFile = ExportedFile> {
  files: F[];
  columns: ColumnInfo[];
}

/** Timestamps in text files: ISO 8601, to the microsecond. */
const TIMESTAMP_FORMAT = '%Y-%m-%dT%H:%M:%S.%f';

/** The file name extension of a format and codec: `parquet`, `csv.gz`, `jsonl`, … */
export function fileExtension(format: FileFormat, compression: string): string {
  if (format === 'parquet') return 'parquet';
  return compression === 'gzip' ? `${format}.gz` : format;
}

/**
 * Writes the rows of a query as files `data_{i}.{extension}` in `targetDir`; empty files are not
 * kept. CSV has a header row, RFC 4180 quoting, and lists and structs as JSON text; CSV and JSON
 * Lines write timestamps as ISO 8601.
 */
export async function writeFiles(sandbox: Sandbox, query: string, target: FileTarget): Promise<WrittenFiles> {
  const columns = await describeQuery(sandbox, query);
  return { files: await write(sandbox, query, columns, target), columns };
}

/** The columns of a query's rows, without running it. */
export async function describeQuery(sandbox: Sandbox, query: string): Promise<ColumnInfo[]> {
  const rows = await sandbox.query(`DESCRIBE ${query}`);
  return rows.map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
}

async function write(
  sandbox: Sandbox,
  query: string,
  columns: readonly ColumnInfo[],
  target: FileTarget,
): Promise<ExportedFile[]> {
  const format = target.format ?? 'parquet';
  const compression = target.compression ?? (format === 'parquet' ? 'snappy' : 'gzip');
  if (!FORMAT_CODECS[format]?.includes(compression)) {
    throw new Error(`unsupported compression ${compression} for ${format}`);
  }
  if (format === 'parquet') {
    // RETURN_STATS answers one row per written file with its row count: no second pass over footers.
    const written = await sandbox.query(
      `COPY (${query}) TO ${quoteString(target.targetDir)} (FORMAT parquet, COMPRESSION ${compression}, ` +
        `FILE_SIZE_BYTES ${quoteString(target.fileSize ?? '512MB')}, FILENAME_PATTERN 'data_{i}', OVERWRITE, RETURN_STATS)`,
    );
    return keepNonEmpty(written.map((row) => ({ path: String(row.filename), rows: Number(row.count) })));
  }
  const rows = format === 'csv' ? nestedAsJson(query, columns) : query;
  const options = [
    format === 'csv' ? 'FORMAT csv, HEADER true' : 'FORMAT json',
    `COMPRESSION ${compression === 'gzip' ? 'gzip' : 'none'}`,
    `TIMESTAMPFORMAT ${quoteString(TIMESTAMP_FORMAT)}`,
  ];
  const extension = fileExtension(format, compression);
  fs.mkdirSync(target.targetDir, { recursive: true });
  if (target.fileSize === undefined) {
    // One file: the statement's own count is its row count.
    const file = path.join(target.targetDir, `data_0.${extension}`);
    const [done] = await sandbox.query(`COPY (${rows}) TO ${quoteString(file)} (${options.join(', ')})`);
    return keepNonEmpty([{ path: file, rows: Number(done?.Count ?? 0) }]);
  }
  // Text writers report no per-file statistics: the rows of each file are counted from the files.
  const { rows: done } = await sandbox.table(
    `COPY (${rows}) TO ${quoteString(target.targetDir)} (${options.join(', ')}, FILE_EXTENSION ${quoteString(extension)}, ` +
      `FILE_SIZE_BYTES ${quoteString(target.fileSize)}, FILENAME_PATTERN 'data_{i}', OVERWRITE, RETURN_FILES)`,
    jsonValue,
  );
  const files = ((done[0]?.Files as string[] | null | undefined) ?? []).map(String);
  return keepNonEmpty(await rowsPerFile(sandbox, files, format));
}

/** The query with its list, struct and map columns as JSON text, for CSV. */
export function nestedAsJson(query: string, columns: readonly ColumnInfo[]): string {
  const nested = columns
    .filter((c) => /(\]|^STRUCT\(|^MAP\(|^UNION\()/.test(c.type))
    .map((c) => quoteIdentifier(c.name));
  if (nested.length === 0) return query;
  const replaced = nested.map((name) => `to_json(${name})::VARCHAR AS ${name}`).join(', ');
  return `SELECT * REPLACE (${replaced}) FROM (${query})`;
}

/**
 * Writes the rows of a query as CSV split into one folder per partition by one `COPY …
 * PARTITION_BY` (DuckDB writes the partitions in parallel; its JSON writer cannot partition), with
 * the options of `writeFiles`. Returns the paths written: CSV reports no rows per file.
 */
export async function writePartitionedCsv(
  sandbox: Sandbox,
  query: string,
  target: { targetDir: string; compression?: string; partitionBy: readonly string[] },
): Promise<string[]> {
  const compression = target.compression ?? 'gzip';
  if (!FORMAT_CODECS.csv.includes(compression))
    throw new Error(`unsupported compression ${compression} for csv`);
  const columns = await describeQuery(sandbox, query);
  const { rows: done } = await sandbox.table(
    `COPY (${nestedAsJson(query, columns)}) TO ${quoteString(target.targetDir)} (FORMAT csv, HEADER true, ` +
      `COMPRESSION ${compression === 'gzip' ? 'gzip' : 'none'}, TIMESTAMPFORMAT ${quoteString(TIMESTAMP_FORMAT)}, ` +
      `FILE_EXTENSION ${quoteString(fileExtension('csv', compression))}, PARTITION_BY (${target.partitionBy.join(', ')}), ` +
      `FILENAME_PATTERN 'data_{i}', OVERWRITE, RETURN_FILES)`,
    jsonValue,
  );
  return ((done[0]?.Files as string[] | null | undefined) ?? []).map(String);
}

/** Rows of each written text file, read back by DuckDB. */
export async function rowsPerFile(
  sandbox: Sandbox,
  files: readonly string[],
  format: FileFormat,
): Promise<ExportedFile[]> {
  if (files.length === 0) return [];
  const list = `[${files.map(quoteString).join(', ')}]`;
  const reader =
    format === 'csv'
      ? `read_csv(${list}, header = true, all_varchar = true, filename = true, quote = '"', escape = '"', delim = ',')`
      : `read_ndjson_objects(${list}, filename = true)`;
  const counted = await sandbox.query(`SELECT filename, count(*) AS n FROM ${reader} GROUP BY ALL`);
  const rows = new Map(counted.map((row) => [String(row.filename), Number(row.n)]));
  return files.map((file) => ({ path: file, rows: rows.get(file) ?? 0 }));
}

/** Drops (and deletes) files without rows; the rest sorted by path. */
function keepNonEmpty(files: ExportedFile[]): ExportedFile[] {
  for (const file of files) if (file.rows === 0) fs.rmSync(file.path, { force: true });
  return files.filter((file) => file.rows > 0).sort((a, b) => compareText(a.path, b.path));
}
