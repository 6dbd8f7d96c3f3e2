import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PrivateHostedPostgres } from '../../harness/private-postgres.ts';
import { PrivateRedis } from '../../harness/private-redis.ts';
import {
  type ProcessEnv,
  runCommand,
  type ServerProcess,
  spawnCommand,
} from '../../harness/server-process.ts';
import { openStore } from '../../src/store/open-store.ts';
import { type Account, apiClient, call, type Reply, signUp } from '../support/api.ts';
import { expectedIntentCounts, intentPrefixes } from '../support/duck.ts';

/**
 * PostgreSQL and Redis restarted under load: one `audiences serve` and one `audiences worker` on a
 * PostgreSQL server and a Redis server of this file's own. Each is stopped for a few seconds while
 * tasks are in flight and clients call: calls answer at once (503 with Retry-After where they need
 * what is down, never a hang, never a 500), both processes reconnect by themselves, every task ends
 * with the counts of an independent DuckDB count, and none is left stuck.
 */

const tree = inject('intentTree');
const OUTAGE_MS = 5_000;
let postgres: PrivateHostedPostgres;
let redis: PrivateRedis;
let redisDir: string;
let dataDir: string;
let api: ServerProcess;
let worker: ServerProcess;
let account: Account;
let client: ReturnType<typeof apiClient>;
let expected: Record<string, number>;
let env: ProcessEnv;
let prefixes: string[];

beforeAll(async () => {
  expected = await expectedIntentCounts(tree);
  prefixes = await intentPrefixes(tree);
  postgres = await PrivateHostedPostgres.start();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-restarts-'));
  redisDir = path.join(dataDir, 'redis');
  redis = await PrivateRedis.start(redisDir);
  env = {
    DATABASE_URL: postgres.url(),
    REDIS_URL: redis.url,
    JWT_SECRET: `jwt-${randomUUID()}-${randomUUID()}`,
    LINK_SECRET: `link-${randomUUID()}-${randomUUID()}`,
    INTENT_INPUT_PATH: tree,
    LOCAL_INPUT_ROOTS: tree,
    OUTPUT_PATH: path.join(dataDir, 'exports'),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: '1',
    COUNT_CONCURRENCY: '1',
    DUCKDB_THREADS: '1',
    PUBLIC_URL: undefined,
  };
  const migrated = await runCommand('migrate', { ...env, DATA_DIR: path.join(dataDir, 'migrate') });
  expect(migrated.code, migrated.output).toBe(0);
  api = await spawnCommand('serve', { ...env, DATA_DIR: path.join(dataDir, 'api') }, { capture: true });
  worker = await spawnCommand(
    'worker',
    { ...env, DATA_DIR: path.join(dataDir, 'worker') },
    { capture: true },
  );
  account = await signUp(api.url);
  client = apiClient(api.url, account.apiKey);
}, 120_000);

afterAll(async () => {
  for (const process of [api, worker]) {
    const code = await process?.stop();
    if ((code !== 0 || globalThis.process.env.SHOW_OUTPUT) && process)
      console.error(Buffer.concat(process.output).toString('utf8'));
  }
  await redis?.stop();
  await postgres?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A call that must answer within 10 s (a hang fails the test). */
async function answered(method: string, pathname: string, body?: unknown): Promise<Reply> {
  const started = Date.now();
  const reply = await Promise.race([
    call(api.url, method, pathname, { body, headers: { 'x-api-key': account.apiKey } }),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${method} ${pathname} did not answer within 10 s`)), 10_000),
    ),
  ]);
  return { ...reply, body: { ...reply.body, tookMs: Date.now() - started } };
}

/** A count of one day and score over every prefix: what a client creates while things break. */
function countBody(score: string) {
  return { days: ['2024-05-01'], topic_id_prefixes: prefixes, scores: [score], perform_unload: false };
}

function expectedTotal(score: string): number {
  return Object.entries(expected)
    .filter(([key]) => key.startsWith('day=2024-05-01/') && key.endsWith(`/score=${score}`))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** Every task ends counted with the exact total. */
async function expectAllCounted(tasks: Array<{ id: string; score: string }>) {
  for (const task of tasks) {
    const done = await client.waitFor(task.id, ['counted'], 90_000);
    expect(done.total_count, task.id).toBe(expectedTotal(task.score));
  }
}

describe('restarts of the services the processes share', () => {
  it('PostgreSQL stopped for a while: 503 with Retry-After meanwhile, then every task counted', async () => {
    const tasks = [];
    for (const score of ['low', 'medium', 'high'])
      tasks.push({ id: await client.createIntentTask(countBody(score)), score });

    await postgres.pause();
    const outageEnds = Date.now() + OUTAGE_MS;
    const read = await answered('GET', '/api/v1/status');
    const create = await answered('POST', '/api/v1/intent_hive_tasks', countBody('high'));
    for (const reply of [read, create]) {
      expect(reply.status, JSON.stringify(reply.body)).toBe(503);
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(reply.body.code).toBe('store_unavailable');
    }
    expect((await answered('GET', '/readyz')).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageEnds - Date.now())));
    await postgres.resume();

    tasks.push({ id: await client.createIntentTask(countBody('high')), score: 'high' });
    await expectAllCounted(tasks);
    for (const process of [api, worker])
      expect(await Promise.race([process.exited, 'running'])).toBe('running');
  }, 180_000);

  it('Redis stopped for a while: calls answer at once meanwhile, then every task counted', async () => {
    const tasks = [];
    for (const score of ['low', 'medium'])
      tasks.push({ id: await client.createIntentTask(countBody(score)), score });

    await redis.stop();
    const outageEnds = Date.now() + OUTAGE_MS;
    const read = await answered('GET', `/api/v1/status/${tasks[0]!.id}`);
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    // Its jobs are in the store: the reconciler enqueues them once the queue is back.
    const create = await answered('POST', '/api/v1/intent_hive_tasks', countBody('high'));
    expect(create.status, JSON.stringify(create.body)).toBe(202);
    tasks.push({ id: create.body.task_id, score: 'high' });
    // Logins cannot be counted: refused for now rather than let through uncounted.
    const login = await answered('POST', '/auth/v1/login', {
      email: account.email,
      password: account.password,
    });
    expect(login.status, JSON.stringify(login.body)).toBe(503);
    expect(login.body.code).toBe('not_ready');
    expect(Number(login.headers.get('retry-after'))).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageEnds - Date.now())));
    redis = await PrivateRedis.start(redisDir, redis.port);

    tasks.push({ id: await client.createIntentTask(countBody('low')), score: 'low' });
    await expectAllCounted(tasks);
    for (const process of [api, worker])
      expect(await Promise.race([process.exited, 'running'])).toBe('running');
  }, 180_000);

  it('a worker started while PostgreSQL is down waits for it, then runs the jobs', async () => {
    await postgres.pause();
    const starting = spawnCommand(
      'worker',
      { ...env, DATA_DIR: path.join(dataDir, 'late-worker'), LOG_LEVEL: 'warn' },
      { capture: true, readyTimeoutMs: 60_000 },
    );
    const early = await Promise.race([
      starting.then(
        () => 'ready',
        (error) => `failed: ${error}`,
      ),
      new Promise((resolve) => setTimeout(() => resolve('waiting'), 3_000)),
    ]);
    expect(early).toBe('waiting');
    // Opened directly, the store gives up after its wait with an error that says so.
    const waits: number[] = [];
    const opened = openStore({
      databaseUrl: postgres.url(),
      dataDir: path.join(dataDir, 'direct'),
      waitMs: 1_000,
      onWaiting: (_error, retryInMs) => waits.push(retryInMs),
    });
    await expect(opened).rejects.toThrow(/did not take connections within 1 s/);
    expect(waits.length).toBeGreaterThan(0);
    await postgres.resume();

    const late = await starting;
    expect(Buffer.concat(late.output).toString('utf8')).toContain('waiting for the database');
    // The first worker leaves: the one that waited counts what comes next.
    expect(await worker.stop()).toBe(0);
    worker = late;
    const task = { id: await client.createIntentTask(countBody('medium')), score: 'medium' };
    await expectAllCounted([task]);
  }, 180_000);
});
