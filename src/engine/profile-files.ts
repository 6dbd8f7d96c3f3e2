/**
 * Upload files of an ad platform (an activation profile): one row per hashed e-mail, encoded as the
 * platform takes it, in the platform's CSV template, split into as few files as its per-file limits
 * allow. What a platform's file is comes in as data (`ProfileFile`); nothing here names a platform.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Json } from '@duckdb/node-api';
import type { QueryTable, Sandbox } from './duckdb-sandbox.ts';
import { describeQuery, type ExportedFile, fileExtension, type WrittenFiles } from './file-writer.ts';
import { jsonValue } from './json-values.ts';
import { quoteIdentifier, quoteString } from './sql-quote.ts';

/** How one platform's upload file is laid out. */
export interface ProfileFile {
  /** The file format; every platform here takes CSV. */
  format: 'csv';
  /** `gzip` where the platform takes compressed files, else `none`. */
  compression: 'gzip' | 'none';
  /** The header: the template's column names, in order. */
  columns: readonly string[];
  /** The column (one of `columns`) holding the identifier; the others are left empty. */
  identifierColumn: string;
  /**
   * SQL over `{hex}` (the lower-case hex SHA-256 of an e-mail, 64 characters): the value the
   * platform takes, e.g. `{hex}` itself or `to_base64(unhex({hex}))`. Every value it gives must
   * have the same length: rows per file are computed from it.
   */
  encoding: string;
  /** Most rows per file (the header not counted); null: no bound. */
  maxRowsPerFile: number | null;
  /** Most bytes per file, uncompressed, header included; null: no bound. */
  maxBytesPerFile: number | null;
}

/** The identifier a profile takes: a hex SHA-256, either case (the file has it in lower case). */
const HEX_SHA256 = '[0-9A-Fa-f]{64}';
/** The identifiers of the people being written, while `writeProfileFiles` runs. */
const IDS = '__audiences_profile_ids';
/** The people values of a segment, while `exportIdentifiers` runs. */
const VALUES = '__audiences_profile_values';
/** The column name `values` queries are read with. */
const VALUE = '__audiences_value';

/** SQL: the value `sql` (a string) is a hex SHA-256. */
export function isHexSha256(sql: string): string {
  return `regexp_full_match(${sql}, ${quoteString(HEX_SHA256)})`;
}

/** A query's first column as `VALUE`, its NULLs left out (nobody). */
function valuesOf(values: string): string {
  const v = quoteIdentifier(VALUE);
  return `SELECT ${v} FROM (${values}) AS values_of(${v}) WHERE ${v} IS NOT NULL`;
}

/**
 * The distinct valid identifiers among the values of a query's first column (a segment's person
 * values), lower-cased, as column `id`: what a profile file holds.
 */
export function validIdentifiersSql(values: string): string {
  const v = quoteIdentifier(VALUE);
  return `SELECT DISTINCT lower(${v}) AS id FROM (${valuesOf(values)}) WHERE ${isHexSha256(v)}`;
}

/**
 * The distinct identifiers (lower-cased) among the values of a query's first column that are valid
 * (the people a profile file holds) and that are not a hex SHA-256 (dropped), in one pass. Validity
 * is checked on the distinct values, not on every input row: a segment has far fewer people than rows.
 */
export async function countIdentifiers(
  sandbox: Sandbox,
  values: string,
): Promise<{ valid: number; invalid: number }> {
  const v = quoteIdentifier(VALUE);
  const [row] = await sandbox.query(
    `SELECT count(DISTINCT lower(${v})) FILTER (WHERE ${isHexSha256(v)}) AS valid, ` +
      `count(DISTINCT lower(${v})) FILTER (WHERE NOT ${isHexSha256(v)}) AS invalid FROM (${valuesOf(values)})`,
  );
  return { valid: Number(row?.valid ?? 0), invalid: Number(row?.invalid ?? 0) };
}

/**
 * Writes the valid identifiers among the values of a query's first column as the profile's files
 * (see `writeProfileFiles`), and counts the values left out; the query runs once.
 */
export async function exportIdentifiers(
  sandbox: Sandbox,
  values: string,
  profile: ProfileFile,
  targetDir: string,
): Promise<{ written: WrittenFiles; valid: number; invalid: number }> {
  await sandbox.query(`CREATE OR REPLACE TEMP TABLE ${VALUES} AS ${valuesOf(values)}`);
  try {
    const { invalid } = await countIdentifiers(sandbox, `SELECT * FROM ${VALUES}`);
    const written = await writeProfileFiles(
      sandbox,
      validIdentifiersSql(`SELECT * FROM ${VALUES}`),
      profile,
      targetDir,
    );
    return { written, valid: written.files.reduce((sum, file) => sum + file.rows, 0), invalid };
  } finally {
    await sandbox.query(`DROP TABLE IF EXISTS ${VALUES}`);
  }
}

/**
 * Rows each file may hold: the file's row bound, and as many rows as fit its byte bound (every row
 * of a profile file has the same length: the encoded identifier, the other columns' separators and
 * a line break). Infinity when the profile bounds neither.
 */
export async function rowsPerFile(sandbox: Sandbox, profile: ProfileFile): Promise<number> {
  const bounds: number[] = [];
  if (profile.maxRowsPerFile !== null) bounds.push(profile.maxRowsPerFile);
  if (profile.maxBytesPerFile !== null) {
    const sample = encodingOf(profile, quoteString('0'.repeat(64)));
    const [row] = await sandbox.query(`SELECT strlen(${sample}) AS n`);
    const rowBytes = Number(row?.n) + (profile.columns.length - 1) + 1;
    const headerBytes = Buffer.byteLength(`${profile.columns.join(',')}\n`);
    bounds.push(Math.floor((profile.maxBytesPerFile - headerBytes) / rowBytes));
  }
  const fit = Math.min(...bounds, Number.POSITIVE_INFINITY);
  if (fit < 1) throw new Error('a profile file must hold at least one row within its bounds');
  return fit;
}

/**
 * Writes the identifiers of `ids` (a query whose rows are distinct lower-case hex SHA-256 values in
 * a column `id`) as the profile's files `data_{i}.csv[.gz]` in `targetDir`: its header, the encoded
 * identifier in its column, the others empty. The rows are spread evenly over as few files as the
 * profile's bounds allow (sizes differ by one row at most, each file a contiguous range of rows),
 * each written by its own `COPY`, so each file's rows are the statement's own count. No file for no
 * rows.
 */
export async function writeProfileFiles(
  sandbox: Sandbox,
  ids: string,
  profile: ProfileFile,
  targetDir: string,
): Promise<WrittenFiles> {
  await sandbox.query(
    `CREATE OR REPLACE TEMP TABLE ${IDS} AS SELECT id, row_number() OVER () - 1 AS n FROM (${ids})`,
  );
  try {
    const rows = `SELECT ${columnsOf(profile)} FROM ${IDS}`;
    const columns = await describeQuery(sandbox, rows);
    const [counted] = await sandbox.query(`SELECT count(*) AS n FROM ${IDS}`);
    const total = Number(counted?.n ?? 0);
    if (total === 0) return { files: [], columns };
    const files = Math.max(1, Math.ceil(total / (await rowsPerFile(sandbox, profile))));
    const extension = fileExtension('csv', profile.compression);
    fs.mkdirSync(targetDir, { recursive: true });
    const written: ExportedFile[] = [];
    for (let i = 0; i < files; i++) {
      const file = path.join(targetDir, `data_${i}.${extension}`);
      // Contiguous ranges of n: the temp table's row groups outside a range are skipped by their
      // min/max, so each COPY reads its own rows only, however many files there are.
      const from = Math.floor((i * total) / files);
      const to = Math.floor(((i + 1) * total) / files);
      const part = files === 1 ? rows : `${rows} WHERE n >= ${from} AND n < ${to}`;
      const [done] = await sandbox.query(
        `COPY (${part}) TO ${quoteString(file)} (FORMAT csv, HEADER true, COMPRESSION ${profile.compression})`,
      );
      written.push({ path: file, rows: Number(done?.Count ?? 0) });
    }
    return { files: written, columns };
  } finally {
    await sandbox.query(`DROP TABLE IF EXISTS ${IDS}`);
  }
}

/**
 * The first `limit` rows of the profile's files for the values of a query's first column (a
 * segment's person values), in no set order, as JSON (see `jsonValue`).
 */
export async function previewProfileRows(
  sandbox: Sandbox,
  values: string,
  profile: ProfileFile,
  limit: number,
): Promise<QueryTable<Json>> {
  const rows = Math.max(0, Math.trunc(limit));
  return sandbox.table(
    `SELECT ${columnsOf(profile)} FROM (${validIdentifiersSql(values)}) LIMIT ${rows}`,
    jsonValue,
  );
}

/** The profile's columns over `id`: the encoded identifier in its column, NULL (an empty field) in the others. */
function columnsOf(profile: ProfileFile): string {
  return profile.columns
    .map((column) =>
      column === profile.identifierColumn
        ? `${encodingOf(profile, 'id')} AS ${quoteIdentifier(column)}`
        : `NULL::VARCHAR AS ${quoteIdentifier(column)}`,
    )
    .join(', ');
}

function encodingOf(profile: ProfileFile, hex: string): string {
  return profile.encoding.replaceAll('{hex}', `(${hex})`);
}
