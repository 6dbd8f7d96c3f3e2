import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databaseUrl, POSTGRES_ADMIN_URL, query } from '../../harness/postgres.ts';
import { loadConfig } from '../../src/config.ts';
import { type Roles, type RunningService, startService } from '../../src/server.ts';
import { openTestRedis, TEST_REDIS_URL } from '../support/redis.ts';

/**
 * What each kind of process builds, read from the parts it registered to close: an API process
 * runs no jobs, a worker serves no API, and only a scaled-out process opens Redis connections.
 */

const dirs: string[] = [];
const database = `audiences_roles_${randomUUID().replaceAll('-', '')}`;
const prefix = `test-roles-${randomUUID()}`;

beforeAll(() => query(POSTGRES_ADMIN_URL, `CREATE DATABASE ${database}`));
afterAll(async () => {
  await query(POSTGRES_ADMIN_URL, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await (await openTestRedis(prefix)).close();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function started(roles: Roles, env: Record<string, string> = {}): Promise<RunningService> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-roles-'));
  dirs.push(dataDir);
  const tree = inject('intentTree');
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    DEMO_DATA: '0',
    INTENT_INPUT_PATH: tree,
    LOCAL_INPUT_ROOTS: tree,
    LOG_LEVEL: 'silent',
    WORKER_CONCURRENCY: '1',
    DUCKDB_THREADS: '1',
    ...env,
  });
  return startService(config, roles);
}

const JOBS = ['job-reconciler', 'audience-scheduler', 'webhook-deliverer', 'job-leases', 'job-runner'];
const API = ['api', 'idempotent-requests'];
const REDIS = ['change-feed', 'limits-redis'];

describe('the parts a process builds', () => {
  it('embedded: the API and the worker, no Redis and no bucket backends', async () => {
    const service = await started({ api: true, worker: true });
    try {
      expect(service.state).toBe('running');
      expect(service.parts).toEqual(expect.arrayContaining([...API, ...JOBS, 'job-queue', 'store']));
      for (const part of REDIS) expect(service.parts).not.toContain(part);
      expect(service.objectStorage).toEqual({});
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    } finally {
      await service.close();
    }
    expect(service.state).toBe('stopped');
  });

  it('API only: no job runner, reconciler, deliverer or leases', async () => {
    const service = await started({ api: true, worker: false });
    try {
      expect(service.parts).toEqual(expect.arrayContaining(API));
      for (const part of JOBS) expect(service.parts).not.toContain(part);
    } finally {
      await service.close();
    }
  });

  it('worker only: no API, and no address', async () => {
    const service = await started({ api: false, worker: true });
    try {
      expect(service.url).toBeUndefined();
      expect(service.parts).toEqual(expect.arrayContaining(JOBS));
      for (const part of API) expect(service.parts).not.toContain(part);
    } finally {
      await service.close();
    }
  });

  it('scaled out: the API shares its limits and task changes through Redis, still without a runner', async () => {
    const service = await started(
      { api: true, worker: false },
      {
        DATABASE_URL: databaseUrl(database),
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: prefix,
        JWT_SECRET: 'j'.repeat(32),
        LINK_SECRET: 'l'.repeat(32),
      },
    );
    try {
      expect(service.parts).toEqual(expect.arrayContaining([...API, ...REDIS]));
      for (const part of JOBS) expect(service.parts).not.toContain(part);
    } finally {
      await service.close();
    }
  });

  it('builds the S3 and GCS backends when the configuration names a bucket', async () => {
    const service = await started(
      { api: true, worker: false },
      { INTENT_INPUT_PATH: 's3://intent/tree', S3_ENDPOINT: 'http://127.0.0.1:9', S3_FORCE_PATH_STYLE: '1' },
    );
    try {
      expect(Object.keys(service.objectStorage).sort()).toEqual(['gs', 's3']);
    } finally {
      await service.close();
    }
  });
});
