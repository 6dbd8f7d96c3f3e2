/**
 * DuckDB's SQL parser as an object: one in-memory instance, opened on first use, that turns a
 * statement into its parse tree (`json_serialize_sql`, with the text bound as a parameter). It never
 * runs the statements it parses; it runs only conditions the guard rendered itself, over one row of
 * NULLs of a temporary table (`tryCondition`), to find the literals the data's types cannot take.
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { LRUCache } from 'lru-cache';
import { quoteIdentifier } from './sql-quote.ts';

interface OpenParser {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
}

const PARSES_KEPT = 512;
/** Larger parse trees (long IN lists) are not kept at all. */
const LARGEST_KEPT = 32 * 1024;
/** Characters of JSON kept in all: 512 ordinary parses (1-3 KB each) fit, 128 of the largest kept. */
const KEPT_SIZE = 4 * 1024 * 1024;

/**
 * Parses statements on one DuckDB connection; calls are queued because a connection runs one query
 * at a time. The owner closes it; it does not reopen after `close`.
 */
export class SqlParser {
  private parser: Promise<OpenParser> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Parses of recent statements: parsing is pure, and clients send the same segments again and again. */
  private readonly recentParses = new LRUCache<string, string>({
    max: PARSES_KEPT,
    maxSize: KEPT_SIZE,
    maxEntrySize: LARGEST_KEPT,
    sizeCalculation: (json) => json.length,
  });

  /**
   * The JSON parse tree of `sql` (with `error: true` and a message when it does not parse); a
   * statement parsed recently is answered from memory.
   * @throws Error once the parser is closed, or when DuckDB fails to start
   */
  async serialize(sql: string): Promise<string> {
    if (this.closed) throw new Error('the SQL parser is closed');
    const known = this.recentParses.get(sql);
    if (known !== undefined) return known;
    const json = await this.parse(sql);
    this.recentParses.set(sql, json);
    return json;
  }

  /**
   * Runs a rendered condition over one row of NULLs typed as `columns`: what DuckDB says when a
   * literal cannot take its column's type (`intent_score = 'high'`: "Could not convert string 'high'
   * to INT32"), which it would otherwise say only when a job runs. Null when the condition runs, or
   * when the columns' types cannot be declared (nothing can be said then).
   */
  async tryCondition(
    columns: ReadonlyArray<{ name: string; type: string }>,
    condition: string,
  ): Promise<string | null> {
    if (this.closed) throw new Error('the SQL parser is closed');
    const run = this.queue.then(async () => {
      const { connection } = await this.open();
      const declared = columns.map((c) => `${quoteIdentifier(c.name)} ${c.type}`).join(', ');
      try {
        await connection.run(`CREATE OR REPLACE TEMP TABLE condition_row (${declared})`);
        await connection.run('INSERT INTO condition_row DEFAULT VALUES');
      } catch {
        return null;
      }
      try {
        await connection.run(`SELECT count(*) FROM condition_row WHERE ${condition}`);
        return null;
      } catch (error) {
        return String(error instanceof Error ? error.message : error).split('\n')[0]!;
      } finally {
        await connection.run('DROP TABLE IF EXISTS condition_row');
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Closes the DuckDB instance once the parses already asked for have finished. */
  async close(): Promise<void> {
    this.closed = true;
    this.recentParses.clear();
    const closing = this.queue.then(async () => {
      const current = this.parser;
      this.parser = undefined;
      const open = await current?.catch(() => undefined);
      open?.connection.closeSync();
      open?.instance.closeSync();
    });
    this.queue = closing.catch(() => undefined);
    await closing;
  }

  /** The instance, started on first use; a failed start is retried by the next call. */
  private open(): Promise<OpenParser> {
    if (!this.parser) {
      const opening = openParser();
      this.parser = opening;
      opening.catch(() => {
        if (this.parser === opening) this.parser = undefined;
      });
    }
    return this.parser;
  }

  private parse(sql: string): Promise<string> {
    const run = this.queue.then(async () => {
      const { connection } = await this.open();
      const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
      const value = reader.getRows()[0]?.[0];
      if (typeof value !== 'string') throw new Error('json_serialize_sql returned no text');
      return value;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

async function openParser(): Promise<OpenParser> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    // The parser never runs customer SQL, but lock it down anyway so a future mistake cannot reach files or extensions.
    for (const setting of [
      'enable_external_access = false',
      'autoload_known_extensions = false',
      'autoinstall_known_extensions = false',
      'lock_configuration = true',
    ]) {
      await connection.run(`SET ${setting}`);
    }
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw error;
  }
  return { instance, connection };
}
