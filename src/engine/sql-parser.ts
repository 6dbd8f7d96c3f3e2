/**
 * DuckDB's SQL parser as an object: one in-memory instance, opened on first use, that turns a
 * statement into its parse tree (`json_serialize_sql`, with the text bound as a parameter). It never
 * runs the statements it parses.
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { LRUCache } from 'lru-cache';

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

  private parse(sql: string): Promise<string> {
    const run = this.queue.then(async () => {
      if (!this.parser) {
        const opening = openParser();
        this.parser = opening;
        // A failed start is retried by the next call instead of failing every call from now on.
        opening.catch(() => {
          if (this.parser === opening) this.parser = undefined;
        });
      }
      const { connection } = await this.parser;
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
