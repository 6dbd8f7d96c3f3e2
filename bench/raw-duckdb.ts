import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteString } from '../src/engine/sql-quote.ts';

/**
 * The raw side: what a user's one-off script pays. Each call opens a fresh in-memory DuckDB, runs
 * one statement, reads its result and closes; the time covers all of it.
 */
export interface RawResult {
  ms: number;
  rows: Record<string, unknown>[];
}

export function treeGlob(tree: string): string {
  return `read_parquet(${quoteString(`${tree}/**/*.parquet`)}, hive_partitioning = true)`;
}

export async function rawQuery(
  sql: string,
  threads: number,
  config: Record<string, string> = {},
): Promise<RawResult> {
  const started = performance.now();
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads), ...config });
  try {
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(sql);
      const rows = reader.getRowObjects() as Record<string, unknown>[];
      return { ms: performance.now() - started, rows };
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Several statements in one fresh in-memory DuckDB, one after another: each one's rows, and the time of all. */
export async function rawStatements(
  statements: readonly string[],
  threads: number,
): Promise<{ ms: number; results: Array<Record<string, unknown>[]> }> {
  const started = performance.now();
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  try {
    const connection = await instance.connect();
    try {
      const results: Array<Record<string, unknown>[]> = [];
      for (const sql of statements) {
        const reader = await connection.runAndReadAll(sql);
        results.push(reader.getRowObjects() as Record<string, unknown>[]);
      }
      return { ms: performance.now() - started, results };
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** 1 and 2: rows per partition of the whole tree, optionally filtered. */
export function countSql(tree: string, where?: string): string {
  return `SELECT day, prefix, score, count(*) AS n FROM ${treeGlob(tree)}${where ? ` WHERE ${where}` : ''} GROUP BY ALL`;
}

/**
 * 3, 14 and 16: the rows (filtered, or all of them) written as Parquet or CSV, one folder per
 * partition, in DuckDB's defaults for the format (`extra`: further COPY options).
 */
export function exportSql(
  tree: string,
  columns: string[],
  where: string | undefined,
  target: string,
  extra = '',
  format: 'parquet' | 'csv' = 'parquet',
): string {
  const list = [...columns, 'day', 'prefix', 'score'].map((c) => `"${c}"`).join(', ');
  const options = format === 'csv' ? 'FORMAT csv, HEADER true, COMPRESSION gzip' : 'FORMAT parquet';
  return (
    `COPY (SELECT ${list} FROM ${treeGlob(tree)}${where ? ` WHERE ${where}` : ''}) TO ${quoteString(target)} ` +
    `(${options}, PARTITION_BY (day, prefix, score)${extra})`
  );
}

/**
 * 20: the tree's people as a Google Customer Match file, the plain way: each distinct `hem_sha256`
 * that is a hex SHA-256, lower-cased, under the header `Email`, in one CSV file. (Distinct values
 * are checked, not every row: the fast way to write it.)
 */
export function profileExportSql(tree: string, target: string): string {
  return (
    `COPY (SELECT DISTINCT lower(hem_sha256) AS "Email" FROM (SELECT DISTINCT hem_sha256 FROM ${treeGlob(tree)}) ` +
    `WHERE regexp_full_match(hem_sha256, '[0-9A-Fa-f]{64}')) TO ${quoteString(path.join(target, 'data_0.csv'))} ` +
    '(FORMAT csv, HEADER true)'
  );
}

/** 15: the filtered rows written as one gzipped JSON Lines file (DuckDB's JSON writer cannot partition). */
export function jsonlExportSql(tree: string, columns: string[], where: string, target: string): string {
  const list = [...columns, 'day', 'prefix', 'score'].map((c) => `"${c}"`).join(', ');
  return (
    `COPY (SELECT ${list} FROM ${treeGlob(tree)} WHERE ${where}) TO ${quoteString(path.join(target, 'data.jsonl.gz'))} ` +
    '(FORMAT json, COMPRESSION gzip)'
  );
}

/** 4 and 8: one partition's rows, optionally filtered. */
export function smallCountSql(partitionDir: string, where?: string): string {
  return `SELECT count(*) AS n FROM read_parquet(${quoteString(`${partitionDir}/*.parquet`)})${where ? ` WHERE ${where}` : ''}`;
}

export function totalOf(rows: Record<string, unknown>[], column = 'n'): number {
  return rows.reduce((sum, row) => sum + Number(row[column]), 0);
}

/** The columns inside the files (not the Hive ones), in file order. */
export async function fileColumns(tree: string, threads: number): Promise<string[]> {
  const { rows } = await rawQuery(
    `DESCRIBE SELECT * FROM read_parquet(${quoteString(`${tree}/**/*.parquet`)}, hive_partitioning = false)`,
    threads,
  );
  return rows.map((row) => String(row.column_name));
}

export async function duckdbVersion(): Promise<string> {
  const { rows } = await rawQuery('SELECT version() AS v', 1);
  return String(rows[0]?.v);
}

/** Opening and closing an empty in-memory instance: the fixed cost a per-job DuckDB pays. */
export async function instanceStartupMs(threads: number): Promise<number> {
  const { ms } = await rawQuery('SELECT 1', threads);
  return ms;
}
