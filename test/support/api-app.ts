import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { AccountService } from '../../src/accounts/account-service.ts';
import {
  DEFAULT_LOGIN_LIMITS,
  type LoginThrottle,
  MemoryLoginThrottle,
} from '../../src/accounts/login-throttle.ts';
import { TokenService } from '../../src/accounts/tokens.ts';
import { AudienceService } from '../../src/audiences/audience-service.ts';
import { FooterRows } from '../../src/catalog/footer-rows.ts';
import { InputSchemas } from '../../src/catalog/input-schema.ts';
import { IntentCatalog } from '../../src/catalog/intent-catalog.ts';
import { TopicIndex } from '../../src/catalog/topic-index.ts';
import { DownloadLinks } from '../../src/downloads/download-links.ts';
import { DownloadService } from '../../src/downloads/download-service.ts';
import { SqlGuard } from '../../src/engine/sql-guard.ts';
import { buildApp } from '../../src/http/app.ts';
import { IdempotentRequests } from '../../src/idempotency/idempotent-requests.ts';
import { OverlapService } from '../../src/overlap/overlap-service.ts';
import { LocalStorage } from '../../src/storage/local-storage.ts';
import { StorageRouter } from '../../src/storage/storage-router.ts';
import type { Store } from '../../src/store/store.ts';
import { TaskService } from '../../src/tasks/task-service.ts';
import { TaskViews } from '../../src/tasks/task-view.ts';
import { systemResolver } from '../../src/webhooks/address-guard.ts';
import { WebhookService } from '../../src/webhooks/webhook-service.ts';
import { type OpenedStore, STORE_BACKENDS } from '../store/store-backends.ts';
import { memoryLanes } from './lanes.ts';

export interface ApiAppOptions {
  store: Store;
  /** @defaultValue 50 */
  maxActiveTasks?: number;
  /** @defaultValue 100000 */
  rateLimitPerMinute?: number;
  rateLimitRedis?: Redis;
  rateLimitPrefix?: string;
  /** @defaultValue a fresh in-memory throttle */
  throttle?: LoginThrottle;
}

export interface ApiApp {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

const SECRET = 'a test secret of at least thirty-two bytes';

/**
 * An API process and nothing else, like one `audiences serve` replica: the real app over the given
 * store, with a queue no worker takes jobs from, so the tasks it creates stay in progress. Several
 * of them over one store (and one Redis) are a scaled-out deployment in one test process. Intent
 * tasks without `where_expr` or `select` read no input, so no data is needed.
 */
export async function startApiApp(options: ApiAppOptions): Promise<ApiApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-api-'));
  const storage = new StorageRouter(new LocalStorage(path.join(dir, 'scratch')), {});
  const links = new DownloadLinks(SECRET, () => url, 60_000);
  const guard = new SqlGuard();
  const queue = memoryLanes(1);
  const tokens = new TokenService(SECRET, 3_600_000);
  const schemas = new InputSchemas({ memoryLimit: '256MB', threads: 1, timeoutMs: 30_000 });
  const footers = new FooterRows(storage);
  const intentInputPath = path.join(dir, 'intent');
  const tasks = new TaskService({
    store: options.store,
    queue,
    guard,
    storage,
    schemas,
    footers,
    views: new TaskViews(options.store, links, storage, 60_000),
    intentInputPath,
    inputPolicy: { roots: [dir], forbidden: [] },
    taskTtlMs: 86_400_000,
    jobsPerTask: { count: 2, unload: 2 },
    maxPartitions: 1000,
    maxActiveTasks: options.maxActiveTasks ?? 50,
    outputPath: path.join(dir, 'exports'),
    snapshotPath: path.join(dir, 'snapshots'),
  });
  const catalog = new IntentCatalog({ storage, footers, schemas, intentInputPath, ttlMs: 60_000 });
  const app = await buildApp({
    accounts: new AccountService(options.store, tokens, options.throttle),
    tasks,
    audiences: new AudienceService({
      store: options.store,
      tasks,
      storage,
      latestDay: async () => (await catalog.get()).days.at(-1) ?? null,
      snapshotPath: path.join(dir, 'snapshots'),
      minIntervalMs: 1_000,
    }),
    overlap: new OverlapService({ store: options.store, tasks }),
    catalog,
    topics: new TopicIndex({
      catalog,
      storage,
      intentInputPath,
      limits: { memoryLimit: '256MB', threads: 1 },
    }),
    downloads: new DownloadService(options.store, storage, links),
    idempotentRequests: new IdempotentRequests({ store: options.store, ttlMs: 86_400_000 }),
    webhooks: new WebhookService({
      store: options.store,
      policy: { allowPrivate: false, resolve: systemResolver },
      allowHttp: false,
    }),
    readiness: [],
    publicUrl: undefined,
    logger: false,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 100_000,
    rateLimitRedis: options.rateLimitRedis,
    rateLimitPrefix: options.rateLimitPrefix,
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    url,
    async close() {
      await app.close();
      await queue.close();
      await guard.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An API app whose login throttle runs on a clock the test moves (see {@link throttledApiApp}). */
export interface ThrottledApiApp {
  /** The app, once this file's `beforeAll` has started it. */
  readonly api: ApiApp;
  /** Moves the throttle's clock on: waits pass without sleeping. */
  advance(ms: number): void;
}

/**
 * Registers hooks that start an API app over the first store backend with a memory login throttle
 * on a clock the test moves, and close both after the file. Each test starts one throttle window
 * later than the last, so no failure carries over.
 */
export function throttledApiApp(): ThrottledApiApp {
  let now = Date.parse('2024-06-01T10:00:00.000Z');
  let opened: OpenedStore | undefined;
  let api: ApiApp | undefined;
  beforeAll(async () => {
    opened = await STORE_BACKENDS[0]!.open();
    api = await startApiApp({
      store: opened.store,
      throttle: new MemoryLoginThrottle(DEFAULT_LOGIN_LIMITS, () => now),
    });
  });
  afterAll(async () => {
    await api?.close();
    await opened?.dispose();
  });
  beforeEach(() => {
    now += DEFAULT_LOGIN_LIMITS.windowMs;
  });
  return {
    get api() {
      if (!api) throw new Error('the throttled API app is not started yet (use it inside a test)');
      return api;
    },
    advance(ms) {
      now += ms;
    },
  };
}
