import type { FastifyInstance } from 'fastify';
import { buildApp } from '../http/app.ts';
import { IdempotentRequests } from '../idempotency/idempotent-requests.ts';
import { loggerOptions } from '../logger.ts';
import { type BuildContext, warnings } from './build-context.ts';
import type { Domain } from './domain-builder.ts';
import type { Infrastructure } from './infrastructure-builder.ts';
import type { PublicUrl } from './public-url.ts';

export interface Api {
  app: FastifyInstance;
  /** Where the API listens, e.g. `http://127.0.0.1:8080`. */
  url: string;
}

/**
 * Builds the HTTP app over the domain and starts listening; then the public URL is fixed (the
 * listening address, without PUBLIC_URL), before any request is answered.
 */
export async function startApi(
  ctx: BuildContext,
  infra: Infrastructure,
  domain: Domain,
  publicUrl: PublicUrl,
): Promise<Api> {
  const { config, log, plan } = ctx;
  const { store, queue, limits } = infra;
  const idempotentRequests = new IdempotentRequests({
    store,
    ttlMs: config.limits.idempotencyTtlMs,
    log: warnings(log),
  });
  plan.add('idempotent-requests', () => idempotentRequests.close());
  idempotentRequests.startSweeping();
  const app = await buildApp({
    idempotentRequests,
    accounts: domain.accounts,
    tasks: domain.tasks,
    audiences: domain.audiences,
    overlap: domain.overlap,
    catalog: domain.catalog,
    topics: domain.topics,
    downloads: domain.downloads,
    webhooks: domain.webhooks,
    readiness: [
      { name: 'store', check: () => store.ping() },
      { name: 'queue', check: () => queue.ping() },
    ],
    publicUrl: config.server.publicUrl,
    logger: loggerOptions(config.server.logLevel),
    rateLimitPerMinute: config.limits.rateLimitPerMinute,
    ...(limits && { rateLimitRedis: limits.redis, rateLimitPrefix: limits.rateLimitPrefix }),
    metrics: domain.metrics,
    intentInputPath: config.storage.intentInputPath,
  });
  plan.add('api', () => app.close());

  const { host, port } = config.server;
  await app.listen({ port, host });
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  if (publicUrl.pending) publicUrl.fix(url);
  log.info({ url, docs: `${url}/docs` }, 'audiences is listening');
  return { app, url };
}
