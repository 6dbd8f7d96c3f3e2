import { AudienceScheduler } from '../audiences/audience-scheduler.ts';
import { newLeaseOwner } from '../jobs/job-lease.ts';
import { JobReconciler } from '../jobs/job-reconciler.ts';
import { JobRunner } from '../jobs/job-runner.ts';
import { SliceSweeper } from '../jobs/slice-sweeper.ts';
import { type MetricsServer, startMetricsServer } from '../metrics/metrics-server.ts';
import { WebhookDeliverer } from '../webhooks/webhook-deliverer.ts';
import { WebhookSender } from '../webhooks/webhook-sender.ts';
import { type BuildContext, infos, type ServiceHooks, warnings } from './build-context.ts';
import type { Domain } from './domain-builder.ts';
import { startLiveness, workerSlots } from './failover-builder.ts';
import type { Infrastructure } from './infrastructure-builder.ts';
import type { PublicUrl } from './public-url.ts';

export interface Worker {
  /** Names this process in the leases it takes. */
  owner: string;
  /** Where a worker-only process serves `/metrics` (METRICS_PORT). */
  metricsServer?: MetricsServer;
}

/**
 * Starts running jobs: the runner takes deliveries from the queue, the jobs the store still holds
 * are queued again, the reconciler, the slices' sweeper and the webhook deliverer start, and a
 * worker-only process serves its metrics. `publicUrl` is fixed by now (the API, when this process
 * serves it, listens).
 */
export async function startWorker(
  ctx: BuildContext,
  infra: Infrastructure,
  domain: Domain,
  publicUrl: PublicUrl,
): Promise<Worker> {
  const { config, roles, log, plan } = ctx;
  const { store, queue, storage } = infra;
  const jobMetrics = domain.metrics.jobs;
  const owner = newLeaseOwner();
  const slotsAcross = workerSlots(ctx, infra);
  const runner = new JobRunner({
    owner,
    store,
    queue,
    storage,
    outputPath: config.storage.outputPath,
    engine: domain.engines.exports,
    countEngine: domain.engines.counts,
    slots: { unload: config.queue.workerConcurrency, count: config.queue.countConcurrency },
    maxJobBytes: { unload: config.engine.jobMaxBytes, count: config.engine.countJobMaxBytes },
    sliceBounds: {
      ...domain.slices,
      ...(ctx.hooks.jobs?.bucketPassBytes === undefined
        ? {}
        : { bucketPass: ctx.hooks.jobs.bucketPassBytes }),
    },
    ...(slotsAcross ? { workerSlots: slotsAcross } : {}),
    compression: config.engine.exportCompression,
    lifecycle: domain.tasks.lifecycle,
    listPlanner: domain.tasks.listPlanner,
    changes: domain.changes,
    log: warnings(log),
    trace: infos(log),
    ...(jobMetrics ? { metrics: jobMetrics } : {}),
  });
  plan.add('job-runner', () => runner.close());
  plan.add('job-leases', async () => {
    const handedBack = await store.releaseLeases(owner, new Date().toISOString());
    if (!infra.queueDrained() || handedBack.length > 0)
      log.warn({ jobs: handedBack }, 'handed running jobs back');
  });
  await queue.start(runner.handle);
  await resumeJobs(ctx, infra, owner);
  // Later, jobs whose lease expires (on a shared store) or that the queue lost.
  const reconciler = new JobReconciler({
    store,
    queue,
    log: warnings(log),
    ...(jobMetrics ? { metrics: jobMetrics } : {}),
  });
  plan.add('job-reconciler', () => reconciler.stop());
  reconciler.start();
  // Workers sharing a store notice a dead one within seconds (the embedded worker is alone).
  startLiveness(ctx, infra, owner, reconciler);
  // Slices of sliced counts whose task expired or ended without removing them.
  const sweeper = new SliceSweeper({
    store,
    storage,
    outputPath: config.storage.outputPath,
    log: warnings(log),
    trace: infos(log),
  });
  plan.add('slice-sweeper', () => sweeper.stop());
  sweeper.start();
  const scheduler = new AudienceScheduler({
    audiences: domain.audiences,
    ...(ctx.hooks.audiences?.tickMs ? { tickMs: ctx.hooks.audiences.tickMs } : {}),
    log: warnings(log),
  });
  plan.add('audience-scheduler', () => scheduler.stop());
  scheduler.start();
  // Without a base (a worker-only process without PUBLIC_URL), bodies keep their paths.
  await startWebhookDeliverer(ctx, infra, domain, owner, publicUrl.url || undefined);
  let metricsServer: MetricsServer | undefined;
  if (!roles.api && config.server.metricsPort !== undefined) {
    metricsServer = await startMetricsServer(domain.metrics, config.server.metricsPort, config.server.host);
    const started = metricsServer;
    plan.add('metrics-server', () => started.close());
  }
  if (!roles.api) {
    log.info(
      { owner, concurrency: config.queue.workerConcurrency, metrics: metricsServer?.url },
      'audiences worker is running',
    );
  }
  return { owner, ...(metricsServer && { metricsServer }) };
}

/**
 * The store is the truth: whatever was queued or running when the process stopped runs again. On
 * its SQLite file this process is the only worker, so the leases it finds are its previous run's:
 * released now, their jobs resume at once rather than when the leases expire. A shared PostgreSQL
 * store may have other live workers: their jobs wait for their leases to expire.
 */
async function resumeJobs({ config, log }: BuildContext, { store, queue }: Infrastructure, owner: string) {
  if (!config.store.databaseUrl) await store.releaseOtherLeases(owner, new Date().toISOString());
  const resumed = await store.resumableJobs(new Date().toISOString());
  if (resumed.length > 0) log.info({ jobs: resumed.length }, 'resuming unfinished jobs');
  await queue.enqueue(resumed);
}

/**
 * Webhook deliveries are rows too: this worker sends them, leased so no two workers send one
 * attempt at once. An embedded restart takes back at once those its previous run held.
 */
async function startWebhookDeliverer(
  { config, hooks, log, plan }: BuildContext,
  { store }: Infrastructure,
  domain: Domain,
  owner: string,
  publicUrl: string | undefined,
): Promise<void> {
  if (!config.store.databaseUrl) await store.releaseOtherWebhookLeases(owner);
  const sender = new WebhookSender({
    policy: domain.webhookPolicy,
    allowHttp: config.webhooks.allowHttp,
    timeoutMs: config.webhooks.timeoutMs,
  });
  const deliverer = new WebhookDeliverer({
    store,
    send: (target, headers, body) => sender.send(target, headers, body),
    owner,
    retry: { retryForMs: config.webhooks.retryForMs },
    publicUrl: () => publicUrl,
    // Longer than an attempt can take (its timeout), with room for a slow store.
    leaseMs: Math.max(60_000, 3 * config.webhooks.timeoutMs),
    log: warnings(log),
    ...delivererHooks(hooks),
  });
  plan.add('webhook-deliverer', () => deliverer.stop());
  deliverer.start();
}

/** The hooks the deliverer takes (the resolver goes to the sender and the service). */
function delivererHooks({ webhooks = {} }: ServiceHooks) {
  const { resolve: _resolve, ...rest } = webhooks;
  return rest;
}
