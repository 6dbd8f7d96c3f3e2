import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { TaskSpec } from './workload.ts';

/** A multiset of rows in a few numbers: how many, and the sum of their hashes. */
export interface Fingerprint {
  rows: number;
  hashSum: bigint;
}

/** The partition column the oracle adds, named so no filter or column list can clash with it. */
const PARTITION = '__chaos_partition';
const HIVE = ['day', 'prefix', 'score'];

const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;
const identifier = (name: string) => `"${name.replaceAll('"', '""')}"`;
const list = (files: readonly string[]) => `[${files.map(literal).join(', ')}]`;

/**
 * The independent answer to every check: a DuckDB of the run's own (sharing no code with the
 * service's engine) that holds the whole intent tree in memory, read straight from the files.
 * Counts are `count(*)` per partition; an export is compared as a multiset of its rows per
 * partition by count and the sum of a 64-bit hash of each row (every value as text), which a lost
 * or doubled row changes.
 */
export class Oracle {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** Data columns of the tree, in file order (what an export without `select` writes). */
    readonly columns: string[],
    readonly rows: number,
    readonly days: string[],
    readonly prefixes: string[],
  ) {}

  static async open(tree: string, threads: number): Promise<Oracle> {
    const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
    const connection = await instance.connect();
    await connection.run(
      `CREATE TABLE intent AS SELECT *, 'day=' || strftime(day, '%Y-%m-%d') || '/prefix=' || prefix || '/score=' || score AS ${PARTITION}
       FROM read_parquet(${literal(`${tree}/**/*.parquet`)}, hive_partitioning = true, hive_types = {'day': DATE})`,
    );
    const described = (await connection.runAndReadAll('DESCRIBE intent')).getRowObjectsJS();
    const columns = described
      .map((row) => String(row.column_name))
      .filter((name) => name !== PARTITION && !HIVE.includes(name));
    const read = async (sql: string) =>
      (await connection.runAndReadAll(sql)).getRowObjectsJS().map((row) => String(row.v));
    const [rows] = await read('SELECT count(*) AS v FROM intent');
    const days = await read("SELECT DISTINCT strftime(day, '%Y-%m-%d') AS v FROM intent ORDER BY 1");
    const prefixes = await read('SELECT DISTINCT prefix AS v FROM intent ORDER BY 1');
    return new Oracle(instance, connection, columns, Number(rows), days, prefixes);
  }

  /** Rows per partition of the segment (partitions with rows only). */
  async counts(spec: TaskSpec, partitions?: readonly string[]): Promise<Record<string, number>> {
    const rows = await this.all(
      `SELECT ${PARTITION} AS p, count(*) AS n FROM intent WHERE ${this.segment(spec, partitions)} GROUP BY ALL`,
    );
    return Object.fromEntries(rows.map((row) => [String(row.p), Number(row.n)]));
  }

  /** Fingerprint per partition of the segment's rows, over `columns`. */
  async fingerprints(
    spec: TaskSpec,
    columns: readonly string[],
    partitions?: readonly string[],
  ): Promise<Record<string, Fingerprint>> {
    const rows = await this.all(
      `SELECT ${PARTITION} AS p, count(*) AS n, sum(${rowHash(columns)}::HUGEINT)::VARCHAR AS h
       FROM intent WHERE ${this.segment(spec, partitions)} GROUP BY ALL`,
    );
    return Object.fromEntries(rows.map((row) => [String(row.p), fingerprint(row)]));
  }

  /** Fingerprint per file of exported files, over `columns`. */
  async fileFingerprints(
    files: readonly string[],
    columns: readonly string[],
  ): Promise<Record<string, Fingerprint>> {
    if (files.length === 0) return {};
    const rows = await this.all(
      `SELECT filename AS f, count(*) AS n, sum(${rowHash(columns)}::HUGEINT)::VARCHAR AS h
       FROM read_parquet(${list(files)}, hive_partitioning = false, filename = true) GROUP BY ALL`,
    );
    return Object.fromEntries(rows.map((row) => [String(row.f), fingerprint(row)]));
  }

  /** Rows of each file by its Parquet metadata. */
  async fileRows(files: readonly string[]): Promise<Record<string, number>> {
    if (files.length === 0) return {};
    const rows = await this.all(
      `SELECT file_name AS f, sum(num_rows) AS n FROM parquet_file_metadata(${list(files)}) GROUP BY ALL`,
    );
    return Object.fromEntries(rows.map((row) => [String(row.f), Number(row.n)]));
  }

  /** The column names of an exported file, in order. */
  async fileColumns(file: string): Promise<string[]> {
    const rows = await this.all(
      `DESCRIBE SELECT * FROM read_parquet(${literal(file)}, hive_partitioning = false)`,
    );
    return rows.map((row) => String(row.column_name));
  }

  /**
   * Rows of `files` (one partition's export) that the segment's rows of that partition do not
   * account for, as multisets (`EXCEPT ALL`): 0 when the files hold a sub-multiset of the segment.
   */
  async surplus(
    files: readonly string[],
    spec: TaskSpec,
    partition: string,
    columns: readonly string[],
  ): Promise<number> {
    const text = columns.map((c) => `CAST(${identifier(c)} AS VARCHAR)`).join(', ');
    const [row] = await this.all(
      `SELECT count(*) AS n FROM (
         SELECT ${text} FROM read_parquet(${list(files)}, hive_partitioning = false)
         EXCEPT ALL
         SELECT ${text} FROM intent WHERE ${this.segment(spec, [partition])})`,
    );
    return Number(row?.n ?? 0);
  }

  /** The segment's people: distinct non-null values of `column`, sorted as text. */
  async people(spec: TaskSpec, column: string): Promise<string[]> {
    const rows = await this.all(
      `SELECT DISTINCT CAST(${identifier(column)} AS VARCHAR) AS v FROM intent
       WHERE ${this.segment(spec)} AND ${identifier(column)} IS NOT NULL ORDER BY 1`,
    );
    return rows.map((row) => String(row.v));
  }

  /** The values of `column` in exported files, sorted as text. */
  async fileValues(files: readonly string[], column: string): Promise<string[]> {
    if (files.length === 0) return [];
    const rows = await this.all(
      `SELECT CAST(${identifier(column)} AS VARCHAR) AS v FROM read_parquet(${list(files)}, hive_partitioning = false) ORDER BY 1`,
    );
    return rows.map((row) => String(row.v));
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private segment(spec: TaskSpec, partitions?: readonly string[]): string {
    const parts = [
      `day IN (${spec.days.map((day) => `DATE ${literal(day)}`).join(', ')})`,
      `prefix IN (${spec.prefixes.map(literal).join(', ')})`,
      `score IN (${spec.scores.map(literal).join(', ')})`,
    ];
    if (partitions) parts.push(`${PARTITION} IN (${partitions.map(literal).join(', ') || 'NULL'})`);
    // The client's own filter text, run as it is: standard SQL both engines read the same way.
    if (spec.where) parts.push(`(${spec.where})`);
    return parts.join(' AND ');
  }

  private async all(sql: string): Promise<Array<Record<string, unknown>>> {
    return (await this.connection.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>;
  }
}

function rowHash(columns: readonly string[]): string {
  return `hash(${columns.map((c) => `CAST(${identifier(c)} AS VARCHAR)`).join(', ')})`;
}

function fingerprint(row: Record<string, unknown>): Fingerprint {
  return { rows: Number(row.n), hashSum: BigInt(String(row.h ?? '0')) };
}

/** Sums fingerprints (the files of one partition). */
export function addFingerprints(a: Fingerprint | undefined, b: Fingerprint): Fingerprint {
  return { rows: (a?.rows ?? 0) + b.rows, hashSum: (a?.hashSum ?? 0n) + b.hashSum };
}
