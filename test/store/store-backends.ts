import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { POSTGRES_ADMIN_URL, query } from '../../harness/postgres.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';

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
  await query(POSTGRES_ADMIN_URL, statement);
}
