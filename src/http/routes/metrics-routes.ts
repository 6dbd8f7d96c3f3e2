import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../../metrics/metrics.ts';

/** The 200 of a scrape: the Prometheus text exposition format, no JSON. */
const Exposition = {
  description:
    'Every metric in the Prometheus text exposition format (version 0.0.4): HTTP requests by route and ' +
    'status, tasks by status, jobs, queue depth, leases',
  content: {
    'text/plain': {
      schema: {
        type: 'string',
        examples: [
          '# HELP audiences_queue_depth Job ids waiting in the queue (read at each scrape).\n# TYPE audiences_queue_depth gauge\naudiences_queue_depth 0\n',
        ],
      },
    },
  },
};

/**
 * `GET /metrics` in Prometheus text format, for a scraper: no authentication (it names no task,
 * organisation or key) and no rate limit. In the OpenAPI document so operators find it.
 */
export const metricsRoutes: FastifyPluginAsync<{ metrics: Metrics }> = async (app, { metrics }) => {
  const schema = {
    tags: ['operations'],
    summary: 'Metrics for Prometheus',
    description: 'For a scraper: no credentials, no rate limit. Names no task, organisation or key.',
    response: { 200: Exposition },
  };
  app.get('/metrics', { schema, config: { rateLimit: false } }, async (_request, reply) => {
    const text = await metrics.scrape();
    return reply.type(metrics.contentType).send(text);
  });
};
