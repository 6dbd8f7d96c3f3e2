import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { OverlapBody, OverlapReply } from '../../contract/overlap-schemas.ts';
import { problems } from '../../contract/problem-schema.ts';
import type { OverlapService } from '../../overlap/overlap-service.ts';
import { principalOf, API_SECURITY as security } from '../auth.ts';

/** How the segments of tasks or saved audiences overlap. */
export const overlapRoutes: FastifyPluginAsyncTypebox<{ overlap: OverlapService }> = async (
  app,
  { overlap },
) => {
  app.post(
    '/api/v1/overlap',
    {
      config: { access: 'read' },
      schema: {
        tags: ['tasks'],
        summary: 'How 2 to 10 tasks or saved audiences overlap: sizes, pairwise intersections, Venn regions',
        description:
          'Exact counts of the distinct non-null `unique_by` values (the people) of each set, every pairwise ' +
          'intersection with its Jaccard index and, for 2 or 3 sets, every region of the Venn diagram. ' +
          "Each set is a task's whole segment (its inputs, `where_expr` and people rules such as " +
          '`min_topics`), read now by the API process in one DuckDB bounded as a preview is (`PREVIEW_TIMEOUT`, ' +
          "a count slot's memory): past the bound it answers 422 `overlap_too_large`. Tasks must be " +
          '`counted` or `completed` (409) and share one `unique_by` (400); with `audience_ids`, each ' +
          "audience's last completed run is compared (409 `audience_not_completed` without one). Another " +
          "organisation's task or audience is a 404.",
        security,
        body: OverlapBody,
        response: { 200: OverlapReply, ...problems(400, 401, 404, 409, 413, 415, 422, 503) },
      },
    },
    async (request) => overlap.overlap(principalOf(request), request.body),
  );
};
