import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { problems } from '../../contract/problem-schema.ts';
import { AppError } from '../../errors.ts';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

const Health = Type.Object(
  {
    status: Type.String({ description: 'ok' }),
    checks: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Readiness: each dependency (store, queue) and ok',
      }),
    ),
  },
  { description: 'Up (and, for readiness, every dependency reachable)' },
);

/** Liveness, and readiness of the store and the queue. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ checks: ReadinessCheck[] }> = async (
  app,
  { checks },
) => {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'Liveness', response: { 200: Health } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: store and queue reachable',
        response: { 200: Health, ...problems(503) },
      },
    },
    async () => {
      const results: Record<string, string> = {};
      let ready = true;
      for (const { name, check } of checks) {
        try {
          await check();
          results[name] = 'ok';
        } catch {
          results[name] = 'unreachable';
          ready = false;
        }
      }
      if (!ready) {
        const failing = Object.keys(results).filter((name) => results[name] !== 'ok');
        throw new AppError('not_ready', `not ready: ${failing.join(', ')} unreachable`);
      }
      return { status: 'ok', checks: results };
    },
  );
};
