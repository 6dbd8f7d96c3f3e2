import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../../metrics/metrics.ts';

/**
 * `GET /metrics` in Prometheus text format, for a scraper: no authentication (it names no task,
 * organisation or key), no rate limit, and not in the OpenAPI document (it is not part of the API).
 */
export const metricsRoutes: FastifyPluginAsync<{ metrics: Metrics }> = async (app, { metrics }) => {
  app.get('/metrics', { schema: { hide: true }, config: { rateLimit: false } }, async (_request, reply) => {
    const text = await metrics.scrape();
    return reply.type(metrics.contentType).send(text);
  });
};
