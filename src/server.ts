import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import pino from 'pino';
import { AccountService } from './accounts/account-service.ts';
import { RedisLoginThrottle } from './accounts/redis-login-throttle.ts';
import { TokenService } from './accounts/tokens.ts';
import { FooterRows } from './catalog/footer-rows.ts';
import { InputSchemas } from './catalog/input-schema.ts';
import { IntentCatalog } from './catalog/intent-catalog.ts';
import { RedisChangeFeed } from './changes/redis-change-feed.ts';
import { ensureSecrets } from './composition/service-secrets.ts';
import type { Config } from './config.ts';
import { generateDemoData } from './demo/demo-data.ts';
import { DownloadLinks } from './downloads/download-links.ts';
import { DownloadService } from './downloads/download-service.ts';
import { SqlGuard } from './engine/sql-guard.ts';
import { buildApp } from './http/app.ts';
import { IdempotentRequests } from './idempotency/idempotent-requests.ts';
import { JobLanes } from './jobs/job-lanes.ts';
import { newLeaseOwner } from './jobs/job-lease.ts';
import { JobReconciler } from './jobs/job-reconciler.ts';
import { JobRunner } from './jobs/job-runner.ts';
import { loggerOptions } from './logger.ts';
import { Metrics } from './metrics/metrics.ts';
import { startMetricsServer } from './metrics/metrics-server.ts';
import { BullMqQueue } from './queue/bullmq-queue.ts';
import { MemoryQueue } from './queue/memory-queue.ts';
import type { JobQueue } from './queue/queue.ts';
import { LocalStorage } from './storage/local-storage.ts';
import { isObjectUri, parseObjectUri } from './storage/object-location.ts';
import { ObjectStorage } from './storage/object-storage.ts';
import { createObjectClient } from './storage/s3-clients.ts';
import { StagingCache } from './storage/staging-cache.ts';
import { StorageRouter } from './storage/storage-router.ts';
import { openStore } from './store/open-store.ts';
import type { JobPhase } from './store/store.ts';
import { jobsPerTask } from './tasks/planning/partition-batches.ts';
import { TaskChanges } from './tasks/task-changes.ts';
import { TaskService } from './tasks/task-service.ts';
import { TaskViews } from './tasks/task-view.ts';
import { type Resolver, systemResolver } from './webhooks/address-guard.ts';
import { WebhookDeliverer } from './webhooks/webhook-deliverer.ts';
import { WebhookSender } from './webhooks/webhook-sender.ts';
import { WebhookService } from './webhooks/webhook-service.ts';

/** Demo tree size on first start: a week, 10 prefixes, 1.5 million rows. */
const DEMO = { rows: 1_500_000, days: 7, prefixes: 10, seed: 42 };
export const MAX_PARTITIONS_PER_TASK = 20_000;
/**
 * An export slot's memory in count slots' (see `engine` below). Measured: with
 * DUCKDB_MEMORY_LIMIT=256MB and 2 DuckDB threads, an export of the 10M-row tree runs out of memory
 * at 64MB per slot and runs at 96MB; a filtered count of it runs at a third of that.
 */
const EXPORT_MEMORY_SHARES = 3;

/** What a process runs: the HTTP API, the job worker, or both (the embedded `audiences start`). */
export interface Roles {
  api: boolean;
  worker: boolean;
}

export interface RunningService {
  /** The API, when this process serves it. */
  app?: FastifyInstance;
  url?: string;
  /** Object-store backends, whose transfer metrics tests and benchmarks read. */
  objectStorage: { s3: ObjectStorage; gs: ObjectStorage };
  stagingCache: StagingCache;
  /** Readers waiting for task changes (long polls), for tests to check none is left behind. */
  changes: TaskChanges;
  close(): Promise<void>;
}

export interface RunningServer extends RunningService {
  app: FastifyInstance;
  url: string;
}

/** What tests replace in a running service: time, randomness and name resolution of webhooks. */
export interface ServiceHooks {
  webhooks?: {
    /** The deliverer's clock (when deliveries are due, backoffs): tests move it forward. */
    clock?: () => Date;
    /** The backoffs' jitter, in [0, 1). */
    random?: () => number;
    /** Resolves webhook hosts, at creation and at each attempt. */
    resolve?: Resolver;
    /** Time between two looks for due deliveries. @defaultValue 1 s */
    pollMs?: number;
  };
}

/** Starts the API and its worker in one process (`audiences start`: embedded unless DATABASE_URL/REDIS_URL). */
export async function startServer(config: Config, hooks: ServiceHooks = {}): Promise<RunningServer> {
  const service = await startService(config, { api: true, worker: true }, hooks);
  const { app, url } = service;
  if (!app || !url) throw new Error('the API did not start');
  return { ...service, app, url };
}

/**
 * Starts what `roles` asks for. Embedded (no REDIS_URL): the in-process queue and change
 * notifications, limits in memory. Scaled out (REDIS_URL, with a PostgreSQL store): BullMQ delivers
 * job ids to any worker, task changes and limits are shared through Redis, so any number of API and
 * worker processes serve one deployment.
 */
export async function startService(
  config: Config,
  roles: Roles,
  hooks: ServiceHooks = {},
): Promise<RunningService> {
  const log = pino(loggerOptions(config.server.logLevel) as pino.LoggerOptions);
  const secrets = ensureSecrets(config);
  const { storage: where } = config;
  const localOutput = !isObjectUri(where.outputPath);
  if (localOutput) fs.mkdirSync(where.outputPath, { recursive: true });
  // Only the one-process start generates the demo tree: processes sharing a folder must not race on it.
  const demo = roles.api && roles.worker && !config.queue.redisUrl;
  if (!isObjectUri(where.intentInputPath)) await prepareIntentData(config, log, demo);

  const store = await openStore({ databaseUrl: config.store.databaseUrl, dataDir: config.server.dataDir });
  const { redisUrl, redisPrefix } = config.queue;
  const warn = (message: string, fields: Record<string, unknown>) => log.warn(fields, message);
  // Counts and exports wait in lanes of their own, each with its slots in every worker.
  const lane = (phase: JobPhase, concurrency: number): JobQueue =>
    redisUrl
      ? new BullMqQueue({ redisUrl, prefix: redisPrefix, name: `audiences-${phase}`, concurrency, log: warn })
      : new MemoryQueue(concurrency);
  const queue = new JobLanes({
    count: lane('count', config.queue.countConcurrency),
    unload: lane('unload', config.queue.workerConcurrency),
  });
  const feed = redisUrl ? new RedisChangeFeed({ redisUrl, prefix: redisPrefix, log: warn }) : undefined;
  // Limits want to fail fast rather than wait out a Redis outage (BullMQ's connections wait).
  const limitsRedis =
    redisUrl && roles.api
      ? new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2_000 })
      : undefined;
  // Exports are written next to their destination so the final move is a rename; uploads start from DATA_DIR.
  const local = new LocalStorage(
    localOutput ? path.join(where.outputPath, '.staging') : path.join(config.server.dataDir, 'scratch'),
  );
  const stagingCache = new StagingCache(where.stagingDir, where.stagingCacheBytes);
  await stagingCache.clear();
  const clientOptions = {
    s3: where.s3,
    gcs: where.gcs,
    maxAttempts: where.maxAttempts,
    timeoutMs: where.timeoutMs,
  };
  const objectStorage = {
    s3: new ObjectStorage(createObjectClient('s3', clientOptions), 's3', stagingCache, local.scratchDir()),
    gs: new ObjectStorage(createObjectClient('gs', clientOptions), 'gs', stagingCache, local.scratchDir()),
  };
  const storage = new StorageRouter(local, objectStorage);
  const outputObject = parseObjectUri(where.outputPath);
  let publicUrl = config.server.publicUrl ?? '';
  const links = new DownloadLinks(secrets.link, () => publicUrl, config.limits.linkTtlMs);
  const accounts = new AccountService(
    store,
    new TokenService(secrets.jwt, config.limits.jwtTtlMs),
    ...(limitsRedis ? [new RedisLoginThrottle(limitsRedis, { prefix: `${redisPrefix}:login:` })] : []),
  );
  // DUCKDB_MEMORY_LIMIT is the budget of all jobs at once, shared by the slots: an export slot gets
  // EXPORT_MEMORY_SHARES shares and a count slot one (an export reads every column and writes
  // Parquet; a count reads a few columns into one aggregate). DuckDB's buffer manager gets three
  // quarters of a slot's memory: the Parquet reader and writer allocate beyond it.
  const share =
    (0.75 * config.engine.memoryBytes) /
    (EXPORT_MEMORY_SHARES * config.queue.workerConcurrency + config.queue.countConcurrency);
  const engine = {
    memoryLimit: `${Math.floor((EXPORT_MEMORY_SHARES * share) / 1e6)}MB`,
    threads: config.engine.threads,
    timeoutMs: config.engine.jobTimeoutMs,
  };
  const countEngine = { ...engine, memoryLimit: `${Math.floor(share / 1e6)}MB` };
  const changes = new TaskChanges(feed ? { feed } : {});
  const guard = new SqlGuard();
  const schemas = new InputSchemas(engine);
  // Footer row counts, shared by the catalog and estimates: a file's footer is read once.
  const footers = new FooterRows(storage);
  const tasks = new TaskService({
    store,
    changes,
    guard,
    queue,
    storage,
    schemas,
    footers,
    views: new TaskViews(store, links, storage, config.limits.linkTtlMs),
    intentInputPath: where.intentInputPath,
    inputPolicy: {
      roots: where.localInputRoots.map(realOrSelf),
      // Other organisations' exports live there.
      forbidden: localOutput ? [realOrSelf(where.outputPath)] : [],
      buckets: where.inputBuckets,
      forbiddenObjects: outputObject ? [outputObject] : [],
    },
    taskTtlMs: config.limits.taskTtlMs,
    jobsPerTask: jobsPerTask(
      os.availableParallelism(),
      config.queue.workerConcurrency,
      config.engine.threads,
    ),
    maxPartitions: MAX_PARTITIONS_PER_TASK,
    maxActiveTasks: config.limits.maxActiveTasks,
    // A preview is one thread of the API process reading a few rows: a count slot's share of memory.
    preview: { memoryLimit: countEngine.memoryLimit, timeoutMs: config.engine.previewTimeoutMs },
    outputPath: where.outputPath,
    log: (message, fields) => log.info(fields, message),
  });
  // One registry per process: an embedded one shows the API's and the worker's metrics.
  const metrics = new Metrics({
    ...(roles.api && {
      http: {
        taskCounts: () => store.countTasksByStatus(new Date().toISOString()),
        onError: (err: unknown) => log.warn({ err }, 'metrics: tasks by status could not be read'),
      },
    }),
    ...(roles.worker && { jobs: { queueDepth: () => queue.depth() } }),
  });
  const owner = newLeaseOwner();
  const runner = new JobRunner({
    owner,
    store,
    queue,
    storage,
    outputPath: where.outputPath,
    engine,
    countEngine,
    // An API-only process runs no jobs: it keeps no DuckDB started for them.
    ...(roles.worker && {
      warmEngines: { unload: config.queue.workerConcurrency, count: config.queue.countConcurrency },
    }),
    maxJobBytes: config.engine.jobMaxBytes,
    compression: config.engine.exportCompression,
    lifecycle: tasks.lifecycle,
    listPlanner: tasks.listPlanner,
    changes,
    log: warn,
    trace: (message, fields) => log.info(fields, message),
    ...(metrics.jobs ? { metrics: metrics.jobs } : {}),
  });

  const webhookPolicy = {
    allowPrivate: config.webhooks.allowPrivate,
    resolve: hooks.webhooks?.resolve ?? systemResolver,
  };

  let app: FastifyInstance | undefined;
  let url: string | undefined;
  let idempotentRequests: IdempotentRequests | undefined;
  if (roles.api) {
    idempotentRequests = new IdempotentRequests({ store, ttlMs: config.limits.idempotencyTtlMs, log: warn });
    idempotentRequests.startSweeping();
    app = await buildApp({
      idempotentRequests,
      accounts,
      tasks,
      catalog: new IntentCatalog({
        storage,
        footers,
        schemas,
        intentInputPath: where.intentInputPath,
        ttlMs: config.limits.catalogTtlMs,
      }),
      downloads: new DownloadService(store, storage, links),
      webhooks: new WebhookService({ store, policy: webhookPolicy, allowHttp: config.webhooks.allowHttp }),
      readiness: [
        { name: 'store', check: () => store.ping() },
        { name: 'queue', check: () => queue.ping() },
      ],
      publicUrl: config.server.publicUrl,
      logger: loggerOptions(config.server.logLevel),
      rateLimitPerMinute: config.limits.rateLimitPerMinute,
      ...(limitsRedis && { rateLimitRedis: limitsRedis, rateLimitPrefix: `${redisPrefix}:rate:` }),
      metrics,
    });
  }

  let reconciler: JobReconciler | undefined;
  let deliverer: WebhookDeliverer | undefined;
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  if (roles.worker) {
    await queue.start(runner.handle);
    // The store is the truth: whatever was queued or running when the process stopped runs again.
    // On its SQLite file this process is the only worker, so the leases it finds are its previous
    // run's: released now, their jobs resume at once rather than when the leases expire. A shared
    // PostgreSQL store may have other live workers: their jobs wait for their leases to expire.
    if (!config.store.databaseUrl) await store.releaseOtherLeases(owner, new Date().toISOString());
    const resumed = await store.resumableJobs(new Date().toISOString());
    if (resumed.length > 0) log.info({ jobs: resumed.length }, 'resuming unfinished jobs');
    await queue.enqueue(resumed);
    // Later, jobs whose lease expires (on a shared store) or that the queue lost.
    reconciler = new JobReconciler({
      store,
      queue,
      log: warn,
      ...(metrics.jobs ? { metrics: metrics.jobs } : {}),
    });
    reconciler.start();
    // Webhook deliveries are rows too: this worker sends them, leased so no two workers send one
    // attempt at once. An embedded restart takes back at once those its previous run held.
    if (!config.store.databaseUrl) await store.releaseOtherWebhookLeases(owner);
    const sender = new WebhookSender({
      policy: webhookPolicy,
      allowHttp: config.webhooks.allowHttp,
      timeoutMs: config.webhooks.timeoutMs,
    });
    deliverer = new WebhookDeliverer({
      store,
      send: (target, headers, body) => sender.send(target, headers, body),
      owner,
      retry: { retryForMs: config.webhooks.retryForMs },
      publicUrl: () => publicUrl || undefined,
      // Longer than an attempt can take (its timeout), with room for a slow store.
      leaseMs: Math.max(60_000, 3 * config.webhooks.timeoutMs),
      log: warn,
      ...delivererHooks(hooks),
    });
    deliverer.start();
    if (!roles.api && config.server.metricsPort !== undefined) {
      metricsServer = await startMetricsServer(metrics, config.server.metricsPort, config.server.host);
    }
  }

  if (app) {
    const { host } = config.server;
    await app.listen({ port: config.server.port, host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.server.port;
    url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    publicUrl = config.server.publicUrl ?? url;
    log.info({ url, docs: `${url}/docs` }, 'audiences is listening');
  }
  if (!roles.api) {
    log.info(
      { owner, concurrency: config.queue.workerConcurrency, metrics: metricsServer?.url },
      'audiences worker is running',
    );
  }

  return {
    ...(app && url ? { app, url } : {}),
    objectStorage,
    stagingCache,
    changes,
    async close() {
      // Readers waiting for a change get their answer now rather than hold the close up.
      changes.close();
      await app?.close();
      await idempotentRequests?.close();
      await reconciler?.stop();
      await deliverer?.stop();
      // Running jobs get SHUTDOWN_GRACE to finish; whatever still runs then is handed back.
      const drained = await settlesWithin(queue.close(), config.server.shutdownGraceMs);
      if (roles.worker) {
        const handedBack = await store.releaseLeases(owner, new Date().toISOString());
        if (!drained || handedBack.length > 0) log.warn({ jobs: handedBack }, 'handed running jobs back');
      }
      await runner.close();
      await tasks.close();
      await metricsServer?.close();
      await store.close();
      await guard.close();
      await feed?.close();
      await limitsRedis?.quit();
    },
  };
}

/** The hooks the deliverer takes (the resolver goes to the sender and the service). */
function delivererHooks({ webhooks = {} }: ServiceHooks) {
  const { resolve: _resolve, ...rest } = webhooks;
  return rest;
}

/** Whether `work` settled within `ms` (it goes on either way). */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function realOrSelf(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

/** Generates the demo tree on first start, then logs what the intent tree holds. */
async function prepareIntentData(config: Config, log: pino.Logger, demo: boolean): Promise<void> {
  const root = config.storage.intentInputPath;
  const empty = !fs.existsSync(root) || fs.readdirSync(root).length === 0;
  if (empty && demo && config.storage.demoData) {
    log.info({ path: root, ...DEMO }, 'generating the demo intent tree (first start)');
    // Written beside the target and renamed into place, so an interrupted start leaves no half tree.
    const partial = `${root}.partial`;
    fs.rmSync(partial, { recursive: true, force: true });
    const result = await generateDemoData({ out: partial, ...DEMO });
    fs.rmSync(root, { recursive: true, force: true });
    fs.renameSync(partial, root);
    log.info(
      { rows: result.rows, files: result.files, bytes: result.bytes, ms: Math.round(result.elapsedMs) },
      'demo intent tree ready',
    );
  }
  fs.mkdirSync(root, { recursive: true });
  const days = segmentValues(root, 'day');
  const prefixes = new Set(days.flatMap((day) => segmentValues(path.join(root, `day=${day}`), 'prefix')));
  log.info(
    { path: root, days, prefixes: [...prefixes].sort() },
    days.length > 0 ? 'intent data available' : 'the intent tree is empty',
  );
}

function segmentValues(dir: string, key: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name.startsWith(`${key}=`))
      .map((entry) => entry.name.slice(key.length + 1))
      .sort();
  } catch {
    return [];
  }
}
