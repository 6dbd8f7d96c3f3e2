import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { startApi } from './composition/api-builder.ts';
import type { Roles, ServiceHooks } from './composition/build-context.ts';
import { buildDomain } from './composition/domain-builder.ts';
import { startApiLiveness } from './composition/failover-builder.ts';
import { buildInfrastructure } from './composition/infrastructure-builder.ts';
import { PublicUrl } from './composition/public-url.ts';
import { ensureSecrets } from './composition/service-secrets.ts';
import { type ServiceState, ShutdownPlan, type ShutdownStep } from './composition/shutdown-plan.ts';
import { startWorker } from './composition/worker-builder.ts';
import type { Config } from './config.ts';
import { loggerOptions } from './logger.ts';
import type { ObjectScheme } from './storage/object-location.ts';
import type { ObjectStorage } from './storage/object-storage.ts';
import type { StagingCache } from './storage/staging-cache.ts';
import type { TaskChanges } from './tasks/task-changes.ts';

export type { Roles, ServiceHooks } from './composition/build-context.ts';
export { MAX_PARTITIONS_PER_TASK } from './composition/domain-builder.ts';
export { type ServiceState, SHUTDOWN_ORDER } from './composition/shutdown-plan.ts';

export interface RunningService {
  /** The API, when this process serves it. */
  app?: FastifyInstance;
  url?: string;
  /**
   * Object-store backends, whose transfer metrics tests and benchmarks read; present when the
   * configuration names a bucket (INTENT_INPUT_PATH, OUTPUT_PATH or INPUT_BUCKETS).
   */
  objectStorage: Partial<Record<ObjectScheme, ObjectStorage>>;
  stagingCache: StagingCache;
  /** Readers waiting for task changes (long polls), for tests to check none is left behind. */
  changes: TaskChanges;
  /** Where the service is in its life: `running` until `close` is called. */
  readonly state: ServiceState;
  /** The parts this process built, named by their step in SHUTDOWN_ORDER, in the order `close` stops them. */
  readonly parts: readonly ShutdownStep[];
  /** Closes every part in SHUTDOWN_ORDER, once (a second call waits for the first). */
  close(): Promise<void>;
}

export interface RunningServer extends RunningService {
  app: FastifyInstance;
  url: string;
}

/** Starts the API and its worker in one process (`audiences start`: embedded unless DATABASE_URL/REDIS_URL). */
export async function startServer(config: Config, hooks: ServiceHooks = {}): Promise<RunningServer> {
  const service = await startService(config, { api: true, worker: true }, hooks);
  const { app, url } = service;
  if (!app || !url) throw new Error('the API did not start');
  return Object.assign(service, { app, url });
}

/**
 * Starts what `roles` asks for, part by part: the infrastructure, the domain, the API (listening,
 * so the public URL is fixed before anything reads it), then the worker. An API-only process builds
 * no job runner; a worker-only process listens for nothing but its metrics. Embedded (no
 * REDIS_URL): the in-process queue and change notifications, limits in memory. Scaled out
 * (REDIS_URL, with a PostgreSQL store): BullMQ delivers job ids to any worker, task changes and
 * limits are shared through Redis, so any number of API and worker processes serve one deployment.
 * A start that fails closes what it had built.
 */
export async function startService(
  config: Config,
  roles: Roles,
  hooks: ServiceHooks = {},
): Promise<RunningService> {
  const log = pino(loggerOptions(config.server.logLevel) as pino.LoggerOptions);
  const plan = new ShutdownPlan(log);
  const ctx = { config, roles, hooks, log, plan };
  try {
    const secrets = ensureSecrets(config);
    const infra = await buildInfrastructure(ctx);
    // A worker-only process has no address of its own: its links are paths unless PUBLIC_URL is set.
    const publicUrl = new PublicUrl(config.server.publicUrl ?? (roles.api ? undefined : ''));
    const domain = buildDomain(ctx, infra, secrets, publicUrl);
    const api = roles.api ? await startApi(ctx, infra, domain, publicUrl) : undefined;
    if (roles.worker) await startWorker(ctx, infra, domain, publicUrl);
    else startApiLiveness(ctx, infra);
    plan.started();
    return {
      ...api,
      objectStorage: infra.objectStorage,
      stagingCache: infra.stagingCache,
      changes: domain.changes,
      get state() {
        return plan.state;
      },
      parts: plan.steps(),
      close: () => plan.close(),
    };
  } catch (error) {
    await plan.close().catch(() => undefined);
    throw error;
  }
}
