import fs from 'node:fs';
import path from 'node:path';
import type { ChangeFeed } from '../changes/change-feed.ts';
import type { StorageConfig } from '../config.ts';
import { JobLanes } from '../jobs/job-lanes.ts';
import { MemoryQueue } from '../queue/memory-queue.ts';
import { settlesWithin } from '../settles-within.ts';
import { LocalStorage } from '../storage/local-storage.ts';
import { isObjectUri, type ObjectScheme } from '../storage/object-location.ts';
import type { ObjectStorage } from '../storage/object-storage.ts';
import { StagingCache } from '../storage/staging-cache.ts';
import { StorageRouter } from '../storage/storage-router.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { type BuildContext, warnings } from './build-context.ts';
import { prepareIntentTree } from './intent-tree-setup.ts';
import type { SharedLimits } from './redis-backends.ts';

/** What the service's parts run on: the store, the queue, the change feed, Redis limits, files and buckets. */
export interface Infrastructure {
  store: Store;
  /** Counts and exports wait in lanes of their own, each with its slots in every worker. */
  queue: JobLanes;
  /** Task changes between processes; absent in one process, where they stay in memory. */
  feed?: ChangeFeed;
  /** Rate limits and login throttling shared through Redis, in a scaled-out API process. */
  limits?: SharedLimits;
  storage: StorageRouter;
  /** The bucket backends, built only when the configuration names a bucket. */
  objectStorage: Partial<Record<ObjectScheme, ObjectStorage>>;
  stagingCache: StagingCache;
  /** Whether the queue's running jobs all finished within SHUTDOWN_GRACE (known once it closed). */
  queueDrained(): boolean;
}

/**
 * Opens the store, the queue lanes, the Redis connections (with REDIS_URL only) and the storage, and
 * prepares the local folders. Embedded (no REDIS_URL): the in-process queue, changes and limits in
 * memory, and neither BullMQ nor ioredis is loaded.
 */
export async function buildInfrastructure(ctx: BuildContext): Promise<Infrastructure> {
  const { config, roles, log, plan } = ctx;
  const { storage: where, queue: lanes } = config;
  const localOutput = !isObjectUri(where.outputPath);
  if (localOutput) fs.mkdirSync(where.outputPath, { recursive: true });
  // Only the one-process start generates the demo tree: processes sharing a folder must not race on it.
  const demo = roles.api && roles.worker && !lanes.redisUrl && where.demoData;
  if (!isObjectUri(where.intentInputPath)) await prepareIntentTree(where.intentInputPath, log, demo);

  const store = await openStore({
    databaseUrl: config.store.databaseUrl,
    dataDir: config.server.dataDir,
    onConnectionError: (error) => log.warn({ error: error.message }, 'a database connection failed'),
    onWaiting: (error, retryInMs) =>
      log.warn({ error: error.message, retryInMs }, 'waiting for the database to take connections'),
  });
  plan.add('store', () => store.close());
  const shared = lanes.redisUrl
    ? (await import('./redis-backends.ts')).redisBackends(
        { redisUrl: lanes.redisUrl, prefix: lanes.redisPrefix, log: warnings(log) },
        roles.api,
      )
    : undefined;
  const lane = shared?.lane ?? ((_phase: string, concurrency: number) => new MemoryQueue(concurrency));
  const queue = new JobLanes({
    count: lane('count', lanes.countConcurrency),
    unload: lane('unload', lanes.workerConcurrency),
  });
  let drained = true;
  plan.add('job-queue', async () => {
    drained = await settlesWithin(queue.close(), config.server.shutdownGraceMs);
  });
  const feed = shared?.feed;
  if (feed) plan.add('change-feed', () => feed.close());
  const limits = shared?.limits;
  if (limits) plan.add('limits-redis', () => limits.redis.quit());

  const files = await buildStorage(where, config.server.dataDir);
  return {
    store,
    queue,
    ...(feed && { feed }),
    ...(limits && { limits }),
    ...files,
    queueDrained: () => drained,
  };
}

/** Local folders, the staging cache and (when a bucket is named) the object stores, behind one router. */
async function buildStorage(
  where: StorageConfig,
  dataDir: string,
): Promise<Pick<Infrastructure, 'storage' | 'objectStorage' | 'stagingCache'>> {
  // Exports are written next to their destination so the final move is a rename; uploads start from DATA_DIR.
  const local = new LocalStorage(
    isObjectUri(where.outputPath) ? path.join(dataDir, 'scratch') : path.join(where.outputPath, '.staging'),
  );
  const stagingCache = new StagingCache(where.stagingDir, where.stagingCacheBytes);
  await stagingCache.clear();
  const objectStorage = namesBucket(where)
    ? (await import('./object-backends.ts')).objectBackends(where, stagingCache, local.scratchDir())
    : {};
  return { storage: new StorageRouter(local, objectStorage), objectStorage, stagingCache };
}

/**
 * Whether anything this process reads or writes can be in a bucket: the intent tree, the exports, or
 * the buckets a task's `input_path` may name (INPUT_BUCKETS defaults to the intent tree's).
 */
function namesBucket(where: StorageConfig): boolean {
  return isObjectUri(where.intentInputPath) || isObjectUri(where.outputPath) || where.inputBuckets.length > 0;
}
