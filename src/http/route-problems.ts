import type { RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { problem } from '../contract/problem-schema.ts';

export interface RouteProblemsOptions {
  /** Whether the rate limit counts requests to a route's URL (then the route can answer 429). */
  rateLimited: (url: string) => boolean;
}

type RouteSchema = NonNullable<RouteOptions['schema']> & { hide?: boolean; security?: unknown[] };

/**
 * Adds to every documented route the problems the app answers for any route, so the OpenAPI
 * document lists them where a route does not itself: 500 anywhere; 400, 413 and 415 with a body
 * (bad JSON, too large, not JSON); 400 with parameters; 429 where the rate limit counts; 403 on a
 * non-GET route behind credentials (a browser session without its CSRF token). Register it before
 * the routes.
 */
export const routeProblems = fp<RouteProblemsOptions>(
  async (app, { rateLimited }) => {
    app.addHook('onRoute', (route) => {
      const schema = route.schema as RouteSchema | undefined;
      if (!schema || schema.hide) return;
      const statuses = new Set([500]);
      if (schema.body) for (const status of [400, 413, 415]) statuses.add(status);
      if (schema.params || schema.querystring || schema.headers) statuses.add(400);
      if (route.config?.rateLimit !== false && rateLimited(route.url)) statuses.add(429);
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (schema.security?.length && !methods.includes('GET')) statuses.add(403);
      const response = { ...(schema.response as Record<string, unknown> | undefined) };
      for (const status of statuses) response[status] ??= problem(status);
      route.schema = { ...schema, response };
    });
  },
  { name: 'route-problems' },
);
