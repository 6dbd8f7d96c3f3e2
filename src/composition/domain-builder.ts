import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AccountService } from '../accounts/account-service.ts';
import { TokenService } from '../accounts/tokens.ts';
import { AudienceService } from '../audiences/audience-service.ts';
import { FooterRows } from '../catalog/footer-rows.ts';
import { InputSchemas } from '../catalog/input-schema.ts';
import { IntentCatalog } from '../catalog/intent-catalog.ts';
import { TopicIndex } from '../catalog/topic-index.ts';
import type { Config } from '../config.ts';
import { DownloadLinks } from '../downloads/download-links.ts';
import { DownloadService } from '../downloads/download-service.ts';
import { SqlGuard } from '../engine/sql-guard.ts';
import type { SliceBounds } from '../jobs/phases/phase.ts';
import { Metrics } from '../metrics/metrics.ts';
import { OverlapService } from '../overlap/overlap-service.ts';
import { isObjectUri, parseObjectUri } from '../storage/object-location.ts';
import { exportJobsPerTask, jobsPerTask } from '../tasks/planning/partition-batches.ts';
import type { InputPathPolicy } from '../tasks/requests/input-paths.ts';
import { TaskChanges } from '../tasks/task-changes.ts';
import { INTENT_DATA_MAX_AGE_MS, TaskService } from '../tasks/task-service.ts';
import { TaskViews } from '../tasks/task-view.ts';
import { bucketsForSlots } from '../tasks/unique-slices.ts';
import { type AddressPolicy, systemResolver } from '../webhooks/address-guard.ts';
import { WebhookService } from '../webhooks/webhook-service.ts';
import { type BuildContext, infos } from './build-context.ts';
import { type EngineBudgets, engineBudgets, sliceBounds } from './engine-budgets.ts';
import { workerSlots } from './failover-builder.ts';
import type { Infrastructure } from './infrastructure-builder.ts';
import type { PublicUrl } from './public-url.ts';
import type { ServiceSecrets } from './service-secrets.ts';

/** Most partitions one task may cover. */
export const MAX_PARTITIONS_PER_TASK = 20_000;

/** The service's own logic over the infrastructure: what the API calls and the worker runs. */
export interface Domain {
  accounts: AccountService;
  tasks: TaskService;
  audiences: AudienceService;
  overlap: OverlapService;
  catalog: IntentCatalog;
  /** Topics of the intent tree by name, cached per catalog version. */
  topics: TopicIndex;
  downloads: DownloadService;
  webhooks: WebhookService;
  /** Which webhook hosts may be reached, at creation (the API) and at each attempt (the worker). */
  webhookPolicy: AddressPolicy;
  /** Readers waiting for task changes (long polls). */
  changes: TaskChanges;
  /** One registry per process: an embedded one shows the API's and the worker's metrics. */
  metrics: Metrics;
  engines: EngineBudgets;
  /**
   * Unique work one job, or one hash pass of an overlap, takes on: a worker alone (over SQLite)
   * slices only what memory could not hold (see `sliceBounds`).
   */
  slices: SliceBounds;
}

/**
 * The hash buckets of a task whose unique or people work is sliced: `SLICE_BUCKETS` when set, else
 * enough for the count jobs that run at once across the live workers (`bucketsForSlots`); a
 * process alone keeps the planner's default.
 */
function sliceBuckets(
  config: Config,
  slots: ((phase: 'count') => Promise<number>) | undefined,
): { sliceBuckets?: () => Promise<number> } {
  const set = config.engine.sliceBuckets;
  if (set !== undefined) return { sliceBuckets: async () => set };
  return slots ? { sliceBuckets: async () => bucketsForSlots(await slots('count')) } : {};
}

/** Builds the domain services; the links they sign take their base from `publicUrl`. */
export function buildDomain(
  ctx: BuildContext,
  infra: Infrastructure,
  secrets: ServiceSecrets,
  publicUrl: PublicUrl,
): Domain {
  const { config, hooks, log, plan } = ctx;
  const { store, queue, storage } = infra;
  const engines = engineBudgets(config.engine, config.queue);
  const slices = sliceBounds(config.engine, config.queue, config.store.databaseUrl === undefined);
  const changes = new TaskChanges(infra.feed ? { feed: infra.feed } : {});
  plan.add('task-changes', () => changes.close());
  const guard = new SqlGuard();
  plan.add('sql-guard', () => guard.close());
  const schemas = new InputSchemas(engines.exports);
  // Footer row counts, shared by the catalog and estimates: a file's footer is read once.
  const footers = new FooterRows(storage);
  // Read at each signing, once the API listens (see PublicUrl).
  const links = new DownloadLinks(secrets.link, () => publicUrl.url, config.limits.linkTtlMs);
  const catalog = new IntentCatalog({
    storage,
    footers,
    schemas,
    intentInputPath: config.storage.intentInputPath,
    ttlMs: config.limits.catalogTtlMs,
  });
  // Built in the API process, like previews: one thread and a count slot's share of memory.
  const topics = new TopicIndex({
    catalog,
    storage,
    intentInputPath: config.storage.intentInputPath,
    limits: { memoryLimit: engines.counts.memoryLimit, threads: 1 },
  });
  const tasks = new TaskService({
    store,
    changes,
    guard,
    queue,
    storage,
    schemas,
    footers,
    views: new TaskViews(store, links, storage, config.limits.linkTtlMs),
    intentInputPath: config.storage.intentInputPath,
    inputPolicy: inputPolicy(config),
    taskTtlMs: config.limits.taskTtlMs,
    jobsPerTask: {
      count: jobsPerTask(os.availableParallelism(), config.queue.workerConcurrency, config.engine.threads),
      unload: exportJobsPerTask(os.availableParallelism(), config.queue.workerConcurrency),
    },
    maxPartitions: MAX_PARTITIONS_PER_TASK,
    maxActiveTasks: config.limits.maxActiveTasks,
    // A preview is one thread of the API process reading a few rows: a count slot's share of memory.
    preview: { memoryLimit: engines.counts.memoryLimit, timeoutMs: config.engine.previewTimeoutMs },
    outputPath: config.storage.outputPath,
    snapshotPath: config.storage.snapshotPath,
    intentData: async (fresh) => (await catalog.snapshot(fresh ? 0 : INTENT_DATA_MAX_AGE_MS)).view,
    topics: () => topics.prefixesById(),
    ...sliceBuckets(config, workerSlots(ctx, infra)),
    log: infos(log),
  });
  plan.add('task-service', () => tasks.close());
  const audiences = new AudienceService({
    store,
    tasks,
    storage,
    latestDay: async () => (await catalog.get()).days.at(-1) ?? null,
    snapshotPath: config.storage.snapshotPath,
    snapshotsKept: config.audiences.snapshotsKept,
    minIntervalMs: config.audiences.minIntervalMs,
    ...(hooks.audiences?.clock ? { clock: hooks.audiences.clock } : {}),
    log: infos(log),
  });
  const webhookPolicy = {
    allowPrivate: config.webhooks.allowPrivate,
    resolve: hooks.webhooks?.resolve ?? systemResolver,
  };
  return {
    accounts: new AccountService(
      store,
      new TokenService(secrets.jwt, config.limits.jwtTtlMs),
      ...(infra.limits ? [infra.limits.loginThrottle] : []),
    ),
    tasks,
    audiences,
    // A hash pass of an overlap holds the members of as much input as a unique count's job.
    overlap: new OverlapService({ store, tasks, maxPassBytes: slices.unique }),
    catalog,
    topics,
    downloads: new DownloadService(store, storage, links),
    webhooks: new WebhookService({ store, policy: webhookPolicy, allowHttp: config.webhooks.allowHttp }),
    webhookPolicy,
    changes,
    metrics: processMetrics(ctx, infra),
    engines,
    slices,
  };
}

/** The registry of this process: the API's requests and tasks, the worker's jobs, or both. */
function processMetrics({ roles, log }: BuildContext, { store, queue }: Infrastructure): Metrics {
  return new Metrics({
    ...(roles.api && {
      http: {
        taskCounts: () => store.countTasksByStatus(new Date().toISOString()),
        onError: (err: unknown) => log.warn({ err }, 'metrics: tasks by status could not be read'),
      },
    }),
    ...(roles.worker && { jobs: { queueDepth: () => queue.depth() } }),
  });
}

/**
 * Which inputs a task may name: local roots and allowed buckets, never the exports nor the saved
 * audiences' member snapshots (both hold every organisation's data).
 */
function inputPolicy({ storage }: Config): InputPathPolicy {
  const own = [storage.outputPath, storage.snapshotPath];
  return {
    roots: storage.localInputRoots.map(realOrSelf),
    forbidden: own.filter((location) => !isObjectUri(location)).map(realOrSelf),
    buckets: storage.inputBuckets,
    forbiddenObjects: own.flatMap((location) => parseObjectUri(location) ?? []),
  };
}

function realOrSelf(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}
