import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CamelCasePlugin, Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect } from 'kysely';
import { LRUCache } from 'lru-cache';
import pg from 'pg';
import { KyselyStore } from './kysely-store.ts';
import type { Database } from './schema.ts';
import type { Store } from './store.ts';
import { isStoreUnavailable, translatingPool } from './store-unavailable.ts';

export interface StoreOptions {
  /** `postgres://...`; unset means the embedded SQLite file. */
  databaseUrl?: string;
  /** Folder of the SQLite file. */
  dataDir: string;
  /**
   * Told when an idle PostgreSQL connection fails (the server restarted or failed over): the pool
   * drops it and opens another at the next query. Without a listener such an error would end the
   * process.
   */
  onConnectionError?: (error: Error) => void;
  /**
   * How long to wait for a PostgreSQL server that does not take connections yet (restarting, failing
   * over, or starting alongside this process) before the open fails. @defaultValue {@link START_WAIT_MS}
   */
  waitMs?: number;
  /** Told at each attempt that found the server down, with the error and when the next one comes. */
  onWaiting?: (error: Error, retryInMs: number) => void;
}

/** How long a process waits at its start for a database that cannot be reached yet. */
export const START_WAIT_MS = 60_000;

/** How long a query waits for a connection before it fails (a server that is down or unreachable). */
const CONNECT_TIMEOUT_MS = 5_000;

/** Opens the configured store and brings its schema up to date. */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      types: { getTypeParser },
    });
    // An idle connection's error goes to the pool, a checked-out one's (between two queries of a
    // transaction) to its client: a listener on each keeps a server restart from ending the process.
    pool.on('error', (error) => options.onConnectionError?.(error));
    pool.on('connect', (client) => client.on('error', (error) => options.onConnectionError?.(error)));
    await waitForServer(pool, options);
    return KyselyStore.open(
      new Kysely<Database>({
        dialect: new PostgresDialect({ pool: translatingPool(pool) }),
        plugins: [new CamelCasePlugin()],
      }),
      'postgres',
    );
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const database = new SQLite(path.join(options.dataDir, 'audiences.sqlite'));
  // WAL keeps status reads from waiting on the worker's writes; NORMAL is durable across process crashes.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return KyselyStore.open(
    new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(database) }),
      plugins: [new CamelCasePlugin()],
    }),
    'sqlite',
  );
}

/**
 * Waits, trying again with growing pauses (0.1 s doubling up to 2 s), until the server answers or
 * `waitMs` has passed (the error then says how long it waited, and its cause why); an error other
 * than an unreachable server (a refused login, an unknown database) fails at once. The store is then
 * opened and migrated as usual.
 */
async function waitForServer(pool: pg.Pool, options: StoreOptions): Promise<void> {
  const deadline = Date.now() + (options.waitMs ?? START_WAIT_MS);
  for (let attempt = 0; ; attempt += 1) {
    try {
      await pool.query('select 1');
      return;
    } catch (error) {
      const retryInMs = Math.min(2_000, 100 * 2 ** attempt);
      if (!isStoreUnavailable(error)) throw error;
      if (Date.now() + retryInMs > deadline) {
        await pool.end().catch(() => undefined);
        const waited = Math.round((options.waitMs ?? START_WAIT_MS) / 1000);
        throw new Error(`the database did not take connections within ${waited} s: ${String(error)}`, {
          cause: error,
        });
      }
      options.onWaiting?.(error as Error, retryInMs);
      await new Promise((resolve) => setTimeout(resolve, retryInMs));
    }
  }
}

/**
 * `bigint` columns (rows, bytes, counts) come back as numbers, as SQLite gives them, instead of
 * pg's strings: the values stay far below 2^53.
 */
const getTypeParser: typeof pg.types.getTypeParser = (oid: number, format?: 'text' | 'binary') =>
  oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format);

/** Prepared statements kept, by SQL text; least recently used ones go first. */
const STATEMENTS_KEPT = 256;

/**
 * better-sqlite3 with its prepared statements kept by SQL text. Kysely prepares every query anew,
 * and preparing was the largest single cost of a status read (more than running the query).
 * Reusing a statement is safe here: better-sqlite3 runs it to completion synchronously, and the
 * store never streams results (a statement held by an open iterator could not be reused).
 * An evicted statement needs no finalising: better-sqlite3 frees it when it is collected.
 */
function withStatementCache(database: SQLite.Database): SqliteDatabase {
  const statements = new LRUCache<string, SQLite.Statement>({ max: STATEMENTS_KEPT });
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
