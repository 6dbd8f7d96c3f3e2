import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { countAsOurs } from './cpu-monitor.ts';
import type { Dataset } from './dataset.ts';
import { srcHash } from './machine.ts';
import type { BenchOptions } from './options.ts';
import { ChildServer } from './server-process.ts';
import { serviceEnv } from './service.ts';

/** What each `worker` process of a deployment runs with, besides the shared settings. */
export interface WorkerSettings {
  /** Short name in the report, e.g. `1 slot × 1 thread`. */
  label: string;
  /** WORKER_CONCURRENCY, DUCKDB_THREADS and the like, given to every process of the deployment. */
  env: Record<string, string>;
}

/** A scaled-out deployment: one `serve` and `workers` × `worker` on PostgreSQL and Redis. */
export interface Deployment {
  name: string;
  settings: WorkerSettings;
  /** The `serve` process's URL. */
  url: string;
  serve: ChildServer;
  workers: ChildServer[];
  /** OUTPUT_PATH every process shares (exports land in {organization}/{task} under it). */
  outputDir: string;
  /** The environment every process shares (secrets included; never printed). */
  env: Record<string, string>;
  /** Hash of src/ when the processes started. */
  srcHash: string;
  /** Stops every process, drops the database, deletes the Redis prefix's keys and the folders. */
  stop(): Promise<void>;
}

const live = new Set<Deployment>();

/** Stops every deployment still running (on Ctrl-C), within `ms`. */
export async function stopAllDeployments(ms = 20_000): Promise<void> {
  await Promise.race([
    Promise.allSettled([...live].map((d) => d.stop())),
    new Promise((resolve) => setTimeout(resolve, ms).unref()),
  ]);
}

async function onPostgres(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Deletes the keys under `prefix:` (and only those; never FLUSHALL on a shared Redis). */
async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
}

/** Fails early, naming the variable to set, when PostgreSQL or Redis cannot be reached. */
export async function checkBackends(options: BenchOptions): Promise<void> {
  try {
    await onPostgres(options.postgresUrl, 'SELECT 1');
  } catch (error) {
    throw new Error(
      `the scaled-out sections need PostgreSQL: ${options.postgresUrl} answered ${String(error)}; start it or set BENCH_POSTGRES_URL`,
    );
  }
  const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `the scaled-out sections need Redis: ${options.redisUrl} answered ${String(error)}; start it or set BENCH_REDIS_URL`,
    );
  } finally {
    redis.disconnect();
  }
}

/**
 * Starts a deployment the way README "Scaling out" does: a fresh database on the PostgreSQL server,
 * a Redis prefix of its own, `audiences migrate`, then one `serve` and `workers` × `worker`, all
 * sharing one OUTPUT_PATH under the run's scratch folder.
 */
export async function startDeployment(
  options: BenchOptions,
  dataset: Dataset,
  name: string,
  settings: WorkerSettings,
  workers = 2,
): Promise<Deployment> {
  const unique = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const database = `bench_${name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${unique}`;
  const prefix = `bench-${name}-${unique}`;
  const root = path.join(options.scratchDir, `deployment-${name}`);
  const databaseUrl = new URL(options.postgresUrl);
  databaseUrl.pathname = `/${database}`;
  const outputDir = path.join(root, 'exports');
  fs.mkdirSync(outputDir, { recursive: true });
  const env = serviceEnv(options, dataset, path.join(root, 'migrate'), {
    DATABASE_URL: databaseUrl.toString(),
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: prefix,
    JWT_SECRET: randomBytes(48).toString('base64url'),
    LINK_SECRET: randomBytes(48).toString('base64url'),
    OUTPUT_PATH: outputDir,
    ...settings.env,
  });
  const processes: ChildServer[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await Promise.allSettled(processes.map((p) => p.stop()));
      try {
        await onPostgres(options.postgresUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await deleteRedisKeys(options.redisUrl, prefix);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
        release();
        live.delete(deployment);
      }
    })();
    return stopped;
  };
  await onPostgres(options.postgresUrl, `CREATE DATABASE ${database}`);
  // The database's backends (their process titles name it) work for this benchmark alone.
  const release = countAsOurs(database);
  const deployment = { stop } as Deployment;
  live.add(deployment);
  try {
    const hash = srcHash(options.root);
    await promisify(execFile)(process.execPath, ['bin/audiences.js', 'migrate'], {
      cwd: options.root,
      env: { ...process.env, ...env },
      timeout: 120_000,
    });
    const logFile = (role: string) => path.join(options.logDir, `${name}-${role}.log`);
    const started = await Promise.allSettled([
      ChildServer.start({
        name: `audiences serve (${name})`,
        cwd: options.root,
        args: ['bin/audiences.js', 'serve'],
        env: { ...env, DATA_DIR: path.join(root, 'serve') },
        logFile: logFile('serve'),
        readyPath: '/readyz',
      }),
      ...Array.from({ length: workers }, (_, i) =>
        ChildServer.start({
          name: `audiences worker ${i + 1} (${name})`,
          cwd: options.root,
          args: ['bin/audiences.js', 'worker'],
          env: { ...env, DATA_DIR: path.join(root, `worker${i + 1}`) },
          logFile: logFile(`worker${i + 1}`),
          readyPath: '/metrics',
          portVariable: 'METRICS_PORT',
        }),
      ),
    ]);
    for (const result of started) if (result.status === 'fulfilled') processes.push(result.value);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    return Object.assign(deployment, {
      name,
      settings,
      url: processes[0]!.url,
      serve: processes[0]!,
      workers: processes.slice(1),
      outputDir,
      env,
      srcHash: hash,
    });
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Jobs a worker has settled as done, by phase, read from its `/metrics`. */
export async function jobsDone(worker: ChildServer, phase: 'count' | 'unload'): Promise<number> {
  const text = await (await fetch(`${worker.url}/metrics`)).text();
  let done = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('audiences_jobs_total{')) continue;
    if (line.includes(`phase="${phase}"`) && line.includes('outcome="done"')) {
      done += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return done;
}
