import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';

/**
 * A PostgreSQL server the store tests may create databases on (each test gets a database of its
 * own and drops it after). The default is the local server of the development machine.
 */
const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface OpenedStore {
  store: Store;
  /** Closes the store and removes its data. */
  dispose(): Promise<void>;
}

export interface StoreBackend {
  name: string;
  open(): Promise<OpenedStore>;
}

/** Every store backend: the same tests run over each. */
export const STORE_BACKENDS: StoreBackend[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-store-'));
      const store = await openStore({ dataDir: dir });
      return {
        store,
        async dispose() {
          await store.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    async open() {
      const database = `audiences_test_${randomUUID().replaceAll('-', '')}`;
      await admin(`create database ${database}`);
      const url = new URL(POSTGRES_ADMIN_URL);
      url.pathname = `/${database}`;
      const store = await openStore({ databaseUrl: url.toString(), dataDir: os.tmpdir() });
      return {
        store,
        async dispose() {
          await store.close();
          await admin(`drop database ${database}`);
        },
      };
    },
  },
];

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
