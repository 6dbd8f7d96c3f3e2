import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { IntentCatalog } from '../../catalog/intent-catalog.ts';
import { IntentCatalogReply } from '../../contract/catalog-schemas.ts';
import { problems } from '../../contract/problem-schema.ts';

/** What the intent data holds: the values pickers offer and the columns filters may name. */
export const catalogRoutes: FastifyPluginAsyncTypebox<{ catalog: IntentCatalog }> = async (
  app,
  { catalog },
) => {
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
        security: [{ apiKey: [] }, { bearer: [] }],
        response: { 200: IntentCatalogReply, ...problems(401, 429, 503) },
      },
    },
    async () => catalog.get(),
  );
};
