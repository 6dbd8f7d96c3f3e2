import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { IntentCatalog } from '../../catalog/intent-catalog.ts';
import { DEFAULT_TOPIC_DAYS, type TopicIndex } from '../../catalog/topic-index.ts';
import { IntentCatalogReply, TopicsQuery, TopicsReply } from '../../contract/catalog-schemas.ts';
import { problems } from '../../contract/problem-schema.ts';
import { API_SECURITY } from '../auth.ts';
import { type LimitRange, queryLimit } from '../page-limit.ts';

const TOPIC_DAYS: LimitRange = { min: 1, max: 366, default: DEFAULT_TOPIC_DAYS };
const TOPIC_LIMITS: LimitRange = { min: 1, max: 1000, default: 50 };

/** What the intent data holds: the values pickers offer and the columns filters may name. */
export const catalogRoutes: FastifyPluginAsyncTypebox<{
  catalog: IntentCatalog;
  topics: TopicIndex;
}> = async (app, { catalog, topics }) => {
  app.get(
    '/api/v1/catalog/intent',
    {
      config: { access: 'read' },
      schema: {
        tags: ['catalog'],
        summary: 'Days, prefixes, scores, columns and totals of the intent data',
        description:
          'Read from the tree itself: a local tree at each request, an object-store tree again once ' +
          'CATALOG_TTL has passed. Rows come from the Parquet footers.',
        security: API_SECURITY,
        response: { 200: IntentCatalogReply, ...problems(401, 429, 503) },
      },
    },
    async () => catalog.get(),
  );
  app.get(
    '/api/v1/catalog/intent/topics',
    {
      config: { access: 'read' },
      schema: {
        tags: ['catalog'],
        summary: 'Topics by name, with their rows and people over the newest days',
        description:
          'Finds topics by name (or id) for intent tasks: `topic_id`, `topic_name`, `prefix`, rows and ' +
          'distinct people over the newest `days` days. The figures come from an index built by one scan ' +
          'the first time a `days` value is asked for after the tree changed (the catalog notices changes ' +
          'as GET /api/v1/catalog/intent does), so later searches only filter it.',
        security: API_SECURITY,
        querystring: TopicsQuery,
        response: { 200: TopicsReply, ...problems(400, 401, 429, 503) },
      },
    },
    async ({ query }) =>
      topics.search({
        ...(query.q === undefined ? {} : { q: query.q }),
        days: queryLimit(query.days, TOPIC_DAYS, 'days'),
        limit: queryLimit(query.limit, TOPIC_LIMITS),
      }),
  );
};
