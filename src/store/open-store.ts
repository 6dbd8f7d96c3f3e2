import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { KyselyStore } from './kysely-store.ts';
import type { Database } from './schema.ts';
import type { Store } from './store.ts';

export interface StoreOptions {
  /** `postgres://...`; unset means the embedded SQLite file. */
  databaseUrl?: string;
  /** Folder of the SQLite file. */
  dataDir: string;
}

/** Opens the configured store and brings its schema up to date. */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    return KyselyStore.open(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), 'postgres');
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const database = new SQLite(path.join(options.dataDir, 'audiences.sqlite'));
  // WAL keeps status reads from waiting on the worker's writes; NORMAL is durable across process crashes.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return KyselyStore.open(new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), 'sqlite');
}
