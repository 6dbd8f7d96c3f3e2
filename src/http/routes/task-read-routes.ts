import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { problems } from '../../contract/problem-schema.ts';
import {
  PREVIEW_LIMITS,
  TaskList,
  TaskListQuery,
  TaskParams,
  TaskPreview,
  TaskPreviewQuery,
} from '../../contract/task-schemas.ts';
import type { TaskService } from '../../tasks/task-service.ts';
import { principalOf, API_SECURITY as security } from '../auth.ts';
import { pageLimit, queryLimit } from '../page-limit.ts';

/** Reading tasks: the organisation's list, a task's manifest and a preview of its rows (the detail: `task-detail-route.ts`). */
export const taskReadRoutes: FastifyPluginAsyncTypebox<{ tasks: TaskService }> = async (app, { tasks }) => {
  app.get(
    '/api/v1/status',
    {
      config: { access: 'read' },
      schema: {
        tags: ['tasks'],
        summary: "The organisation's tasks, newest first",
        security,
        querystring: TaskListQuery,
        response: { 200: TaskList, ...problems(400, 401) },
      },
    },
    async (request) => {
      const { limit, cursor, q } = request.query;
      return tasks.list(principalOf(request), pageLimit(limit), cursor, q);
    },
  );

  app.get(
    '/api/v1/tasks/:task_id/manifest',
    {
      config: { access: 'read' },
      schema: {
        tags: ['tasks'],
        summary: "Redirect to a freshly signed link to the export's manifest.json",
        description:
          'A stable address for the manifest of a completed export (webhook bodies carry it as ' +
          "`manifest_url`): answers 302 with a link signed now, like the detail's `manifest_url`. " +
          '409 until an export of the task has completed.',
        security,
        params: TaskParams,
        response: {
          302: Type.Null({ description: 'Location: the signed link to manifest.json' }),
          ...problems(401, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const link = await tasks.manifestLink(principalOf(request), request.params.task_id);
      return reply.status(302).header('location', link).header('cache-control', 'no-store').send(null);
    },
  );

  app.get(
    '/api/v1/tasks/:task_id/preview',
    {
      config: { access: 'read' },
      schema: {
        tags: ['tasks'],
        summary: "Sample rows of the task's segment, without exporting",
        description:
          "The first `limit` rows that pass the task's `where_expr`, with its `select` columns, read " +
          'now from its input (local, S3 or GCS) by the API process: for a task in any status but ' +
          '`failed` (409). Not a random sample: the partitions are walked in key order until enough ' +
          'rows are found.',
        security,
        params: TaskParams,
        querystring: TaskPreviewQuery,
        response: { 200: TaskPreview, ...problems(400, 401, 404, 409, 422, 503, 504) },
      },
    },
    async (request) => {
      const limit = queryLimit(request.query.limit, PREVIEW_LIMITS);
      return tasks.preview(principalOf(request), request.params.task_id, limit);
    },
  );
};
