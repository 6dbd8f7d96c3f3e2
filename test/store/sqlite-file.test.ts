import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.ts';
import { taskLifecycle } from '../../src/tasks/task-lifecycle.ts';
import { idsOf } from '../support/store-records.ts';

/**
 * The SQLite schema as migrations 0001-0003 wrote it (copied from such a file with `.schema`):
 * users' DATA_DIR files have these snake_case tables and columns, and must keep working.
 */
const WRITTEN_BY_0003 = `
CREATE TABLE IF NOT EXISTS "kysely_migration" ("name" varchar(255) not null primary key, "timestamp" varchar(255) not null);
CREATE TABLE IF NOT EXISTS "kysely_migration_lock" ("id" varchar(255) not null primary key, "is_locked" integer default 0 not null);
CREATE TABLE IF NOT EXISTS "organizations" ("id" text primary key, "name" text not null, "created_at" text not null);
CREATE TABLE IF NOT EXISTS "users" ("id" text primary key, "organization_id" text not null references "organizations" ("id"), "email" text not null unique, "password_hash" text not null, "first_name" text not null, "last_name" text not null, "created_at" text not null);
CREATE TABLE IF NOT EXISTS "api_clients" ("id" text primary key, "organization_id" text not null references "organizations" ("id"), "name" text not null, "key_hash" text not null unique, "key_prefix" text not null, "secret_hash" text not null, "created_by" text not null, "created_at" text not null, "revoked_at" text);
CREATE INDEX "api_clients_org" on "api_clients" ("organization_id");
CREATE TABLE IF NOT EXISTS "tasks" ("id" text primary key, "organization_id" text not null references "organizations" ("id"), "type" text not null, "status" text not null, "request" text not null, "total_jobs" integer not null, "completed_jobs" integer not null, "failed_jobs" integer not null, "total_count" bigint, "error_code" text, "error_message" text, "created_at" text not null, "updated_at" text not null, "completed_at" text, "expires_at" text not null, "counts" text);
CREATE INDEX "tasks_org_created" on "tasks" ("organization_id", "created_at", "id");
CREATE TABLE IF NOT EXISTS "jobs" ("id" text primary key, "task_id" text not null references "tasks" ("id") on delete cascade, "phase" text not null, "seq" integer not null, "partitions" text not null, "status" text not null, "attempts" integer default 0 not null, "counts" text, "error" text, "updated_at" text not null, "manifest" text);
CREATE INDEX "jobs_task" on "jobs" ("task_id", "phase", "status");
CREATE INDEX "jobs_status" on "jobs" ("status");
CREATE TABLE IF NOT EXISTS "files" ("id" text primary key, "task_id" text not null references "tasks" ("id") on delete cascade, "job_id" text not null, "partition" text not null, "uri" text not null, "rows" bigint not null, "size_bytes" bigint not null, "created_at" text not null);
CREATE INDEX "files_task" on "files" ("task_id", "partition");
CREATE INDEX "files_job" on "files" ("job_id");
INSERT INTO kysely_migration VALUES ('0001_initial', '2024-06-01T00:00:00.000Z'), ('0002_job_manifest', '2024-06-01T00:00:00.000Z'), ('0003_task_counts', '2024-06-01T00:00:00.000Z');
INSERT INTO kysely_migration_lock VALUES ('migration_lock', 0);
INSERT INTO organizations VALUES ('o1', 'Acme', '2024-06-01T00:00:00.000Z');
INSERT INTO users VALUES ('u1', 'o1', 'a@example.com', 'hash', 'Ada', 'Byron', '2024-06-01T00:00:00.000Z');
INSERT INTO api_clients VALUES ('c1', 'o1', 'ci', 'key-hash', 'kp', 'secret-hash', 'u1', '2024-06-01T00:00:00.000Z', NULL);
INSERT INTO tasks VALUES ('t1', 'o1', 'intent_hive', 'in_progress', '{"view":{}}', 1, 0, 0, NULL, NULL, NULL, '2024-06-01T00:00:00.000Z', '2024-06-01T00:00:00.000Z', NULL, '2024-06-09T00:00:00.000Z', NULL);
INSERT INTO jobs VALUES ('j1', 't1', 'count', 0, '["p0"]', 'queued', 0, NULL, NULL, '2024-06-01T00:00:00.000Z', NULL);
`;
const NOW = '2024-06-02T00:00:00.000Z';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-sqlite-file-'));
  const database = new SQLite(path.join(dir, 'audiences.sqlite'));
  database.exec(WRITTEN_BY_0003);
  database.close();
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

it('reads and moves on the rows of a SQLite file written by migrations 0001-0003', async () => {
  const store = await openStore({ dataDir: dir });
  try {
    expect(await store.findUserByEmail('a@example.com')).toMatchObject({ id: 'u1', organizationId: 'o1' });
    // A key made before scopes existed keeps what it could do then: all of them.
    expect(await store.findClientByKeyHash('key-hash')).toMatchObject({
      id: 'c1',
      keyPrefix: 'kp',
      scopes: ['read', 'write', 'admin'],
    });
    expect(idsOf(await store.resumableJobs(NOW))).toEqual(['j1']);
    expect(await store.claimJob('j1', { owner: 'w1', now: NOW, leaseMs: 30_000 })).toMatchObject({
      job: { taskId: 't1', partitions: ['p0'] },
    });
    await store.completeJob(
      'j1',
      'w1',
      { counts: { p0: 9 }, files: [] },
      NOW,
      taskLifecycle(() => []),
    );
    expect(await store.findTask('o1', 't1', NOW)).toMatchObject({ status: 'counted', totalCount: 9 });
  } finally {
    await store.close();
  }
  // Written back into the snake_case columns; the columns added to tasks are 0005's `figures`
  // (null: this task has no unique_by or breakdown_by) and 0010's `name` and `name_key` (null: a
  // task of before names); 0006 adds idempotency_keys, 0007 the webhook tables, 0009 the saved
  // audiences and their runs, 0012 the login sessions.
  const database = new SQLite(path.join(dir, 'audiences.sqlite'), { readonly: true });
  expect(
    database.prepare('select status, total_count, completed_jobs, counts, figures from tasks').all(),
  ).toEqual([{ status: 'counted', total_count: 9, completed_jobs: 1, counts: '{"p0":9}', figures: null }]);
  const columns = database.prepare('select name from pragma_table_info(?)').pluck().all('tasks');
  expect(columns).toHaveLength(19);
  expect(columns.slice(-3)).toEqual(['figures', 'name', 'name_key']);
  expect(database.prepare('select name, name_key from tasks').all()).toEqual([
    { name: null, name_key: null },
  ]);
  expect(
    database.prepare("select name from sqlite_master where type = 'table' order by name").pluck().all(),
  ).toEqual([
    'api_clients',
    'audience_runs',
    'audiences',
    'files',
    'idempotency_keys',
    'jobs',
    'kysely_migration',
    'kysely_migration_lock',
    'organizations',
    'sessions',
    'tasks',
    'users',
    'webhook_attempts',
    'webhook_deliveries',
    'webhooks',
    'workers',
  ]);
  database.close();
});
