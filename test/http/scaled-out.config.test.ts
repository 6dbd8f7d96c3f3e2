import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databaseUrl, POSTGRES_ADMIN_URL, query } from '../../harness/postgres.ts';
import { type AudiencesCommand, type ProcessEnv, runCommand } from '../../harness/server-process.ts';
import { migrations } from '../../src/store/migrations.ts';
import { TEST_REDIS_URL } from '../support/redis.ts';

/**
 * A scaled-out process given a setting that cannot work stops at start, before it serves anything,
 * with a message naming the variable to change; and migrations are safe to start twice at once.
 */

const database = `audiences_config_${randomUUID().replaceAll('-', '')}`;
const prefix = `test-config-${randomUUID()}`;
const SECRETS = {
  JWT_SECRET: `jwt-${randomUUID()}-${randomUUID()}`,
  LINK_SECRET: `link-${randomUUID()}-${randomUUID()}`,
};
const dirs: string[] = [];
let base: ProcessEnv;

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-scaled-config-'));
  dirs.push(dir);
  return dir;
}

/** Runs a command in a folder of its own with `env` over a clean base: nothing scaled-out is inherited. */
function run(command: AudiencesCommand, env: ProcessEnv) {
  return runCommand(command, { ...base, DATA_DIR: tempDir(), ...env }, { timeoutMs: 60_000 });
}

beforeAll(async () => {
  const tree = inject('intentTree');
  base = {
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    REDIS_PREFIX: prefix,
    JWT_SECRET: undefined,
    LINK_SECRET: undefined,
    METRICS_PORT: undefined,
    PUBLIC_URL: undefined,
    INTENT_INPUT_PATH: tree,
    LOCAL_INPUT_ROOTS: tree,
    DEMO_DATA: '0',
    HOST: '127.0.0.1',
    // Should a start wrongly succeed, it takes a free port and the run times out rather than collides.
    PORT: '0',
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: '1',
    DUCKDB_THREADS: '1',
  };
  await query(POSTGRES_ADMIN_URL, `CREATE DATABASE ${database}`);
});

afterAll(async () => {
  await query(POSTGRES_ADMIN_URL, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a scaled-out start that cannot work stops with a message naming the variable', () => {
  it.each(['serve', 'worker'] as const)('%s without DATABASE_URL names DATABASE_URL', async (command) => {
    const result = await run(command, { REDIS_URL: undefined, ...SECRETS });
    expect(result.code, result.output).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.output).toContain('DATABASE_URL');
  });

  it.each(['serve', 'worker'] as const)('%s without REDIS_URL names REDIS_URL', async (command) => {
    const result = await run(command, { DATABASE_URL: databaseUrl(database), ...SECRETS });
    expect(result.code, result.output).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.output).toContain('REDIS_URL');
  });

  it.each(['start', 'serve', 'worker', 'migrate'] as const)(
    '%s with REDIS_URL but no DATABASE_URL names REDIS_URL and SQLite',
    async (command) => {
      const result = await run(command, { REDIS_URL: TEST_REDIS_URL, ...SECRETS });
      expect(result.code, result.output).not.toBe(0);
      expect(result.code).not.toBeNull();
      expect(result.output).toContain('REDIS_URL');
      expect(result.output).toMatch(/sqlite/i);
    },
  );

  it.each(['JWT_SECRET', 'LINK_SECRET'])('serve with DATABASE_URL but no %s names it', async (variable) => {
    const result = await run('serve', {
      DATABASE_URL: databaseUrl(database),
      REDIS_URL: TEST_REDIS_URL,
      ...SECRETS,
      [variable]: undefined,
    });
    expect(result.code, result.output).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.output).toContain(variable);
  });
});

describe('audiences migrate', () => {
  it('run twice at once on one fresh database: both exit 0 and the store is migrated once', async () => {
    const env = { DATABASE_URL: databaseUrl(database), ...SECRETS };
    const [first, second] = await Promise.all([run('migrate', env), run('migrate', env)]);
    expect(first!.code, first!.output).toBe(0);
    expect(second!.code, second!.output).toBe(0);
    const tables = await query<{ name: string }>(
      databaseUrl(database),
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['organizations', 'tasks', 'jobs']));
    // Kysely's migration log holds exactly the store's migrations.
    const applied = async () =>
      (await query<{ name: string }>(databaseUrl(database), 'SELECT name FROM kysely_migration'))
        .map((m) => m.name)
        .sort();
    const expected = Object.keys(migrations).sort();
    expect(await applied()).toEqual(expected);
    // And once more on the migrated store: nothing to do, still 0.
    const again = await run('migrate', env);
    expect(again.code, again.output).toBe(0);
    expect(await applied()).toEqual(expected);
  });
});
