import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AccountService } from '../../accounts/account-service.ts';
import type { IntentCatalog } from '../../catalog/intent-catalog.ts';
import { IntentCatalogReply } from '../../contract/catalog-schemas.ts';
import { problems } from '../../contract/problem-schema.ts';
import { requireApiAccess } from '../auth.ts';

interface Options {
  accounts: AccountService;
  catalog: IntentCatalog;
}

/** What the intent data holds: the values pickers offer and the columns filters may name. */
export const catalogRoutes: FastifyPluginAsyncTypebox<Options> = async (app, { accounts, catalog }) => {
  app.addHook('onRequest', requireApiAccess(accounts));

  app.get(
    '/api/v1/catalog/intent',
    {
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
