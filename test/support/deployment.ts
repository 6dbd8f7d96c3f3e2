import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { databaseUrl, POSTGRES_ADMIN_URL, query } from '../../harness/postgres.ts';
import {
  type CommandResult,
  type ProcessEnv,
  runCommand,
  type ServerProcess,
  spawnCommand,
} from '../../harness/server-process.ts';
import { openTestRedis, TEST_REDIS_URL } from './redis.ts';

export interface Deployment {
  /** The first API process. */
  url: string;
  apis: ServerProcess[];
  workers: ServerProcess[];
  /** Folder of the deployment's own files: `exports/` is the OUTPUT_PATH every process shares. */
  dataDir: string;
  intentTree: string;
  /** The deployment's own PostgreSQL database. */
  databaseUrl: string;
  /** What `audiences migrate` answered (it exited 0, or the start failed). */
  migrated: CommandResult;
  /**
   * Stops every process (SIGTERM; an exit other than 0 is printed with the process's output), drops
   * the database and the Redis keys, removes the folders.
   */
  close(): Promise<void>;
}

/**
 * A scaled-out deployment of the shared test tree, the way an operator runs one: `audiences migrate`,
 * then `apis` × `audiences serve` and `workers` × `audiences worker` on a fresh PostgreSQL database and
 * a Redis prefix of their own, all writing to one export folder.
 */
export async function startDeployment(
  options: {
    apis?: number;
    workers?: number;
    /** Every process's settings beyond the defaults below. */
    env?: ProcessEnv;
    /** The workers' settings beyond `env`. */
    workerEnv?: ProcessEnv;
  } = {},
): Promise<Deployment> {
  const database = `audiences_deploy_${randomUUID().replaceAll('-', '')}`;
  const prefix = `test-deploy-${randomUUID()}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-deploy-'));
  const intentTree = inject('intentTree');
  const processes: ServerProcess[] = [];
  const dirOf = (name: string) => {
    const dir = path.join(dataDir, name);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  };
  await query(POSTGRES_ADMIN_URL, `CREATE DATABASE ${database}`);
  const close = async () => {
    for (const child of processes) {
      const code = await child.stop();
      if (code !== 0)
        console.error(`a process exited ${code}:\n${Buffer.concat(child.output).toString('utf8')}`);
    }
    await query(POSTGRES_ADMIN_URL, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await (await openTestRedis(prefix)).close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  let migrated: CommandResult;
  try {
    const shared: ProcessEnv = {
      DATABASE_URL: databaseUrl(database),
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      JWT_SECRET: `jwt-${randomUUID()}-${randomUUID()}`,
      LINK_SECRET: `link-${randomUUID()}-${randomUUID()}`,
      INTENT_INPUT_PATH: intentTree,
      LOCAL_INPUT_ROOTS: intentTree,
      OUTPUT_PATH: path.join(dataDir, 'exports'),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      WORKER_CONCURRENCY: '1',
      COUNT_CONCURRENCY: '1',
      DUCKDB_THREADS: '1',
      PUBLIC_URL: undefined,
      ...options.env,
    };
    migrated = await runCommand('migrate', { ...shared, DATA_DIR: dirOf('migrate') }, { timeoutMs: 60_000 });
    if (migrated.code !== 0) throw new Error(`migrate exited ${migrated.code}: ${migrated.output}`);
    const started = await Promise.allSettled([
      ...Array.from({ length: options.apis ?? 1 }, (_, i) =>
        spawnCommand('serve', { ...shared, DATA_DIR: dirOf(`api${i}`) }, { capture: true }),
      ),
      ...Array.from({ length: options.workers ?? 1 }, (_, i) =>
        spawnCommand(
          'worker',
          { ...shared, ...options.workerEnv, DATA_DIR: dirOf(`worker${i}`) },
          { capture: true },
        ),
      ),
    ]);
    for (const result of started) if (result.status === 'fulfilled') processes.push(result.value);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
  } catch (error) {
    await close();
    throw error;
  }
  const apis = processes.slice(0, options.apis ?? 1);
  return {
    url: apis[0]!.url,
    apis,
    workers: processes.slice(apis.length),
    dataDir,
    intentTree,
    databaseUrl: databaseUrl(database),
    migrated,
    close,
  };
}
