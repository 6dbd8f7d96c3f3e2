import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { problems } from '../../contract/problem-schema.ts';
import {
  MAX_WAIT_SECONDS,
  PREVIEW_LIMITS,
  TaskDetail,
  TaskList,
  TaskListQuery,
  TaskParams,
  TaskPreview,
  TaskPreviewQuery,
  TaskStatusQuery,
} from '../../contract/task-schemas.ts';
import { AppError } from '../../errors.ts';
import type { TaskService } from '../../tasks/task-service.ts';
import { principalOf, API_SECURITY as security } from '../auth.ts';
import { acceptsGzip } from '../content-encoding.ts';
import { etagMatches } from '../entity-tags.ts';

/** Answers smaller than this are not worth compressing. */
const GZIP_FROM_BYTES = 1024;

/** Reading tasks: the organisation's list, a task's detail (with long polling), its manifest and a preview of its rows. */
export const taskReadRoutes: FastifyPluginAsyncTypebox<{ tasks: TaskService }> = async (app, { tasks }) => {
  app.get(
    '/api/v1/status',
    {
      schema: {
        tags: ['tasks'],
        summary: "The organisation's tasks, newest first",
        security,
        querystring: TaskListQuery,
        response: { 200: TaskList, ...problems(400, 401) },
      },
    },
    async (request) => {
      const limit = request.query.limit === undefined ? 20 : Number(request.query.limit);
      if (limit < 1 || limit > 100) {
        throw new AppError('validation_failed', 'limit: must be from 1 to 100', [
          { field: 'limit', message: 'must be from 1 to 100' },
        ]);
      }
      return tasks.list(principalOf(request), limit, request.query.cursor);
    },
  );

  app.get(
    '/api/v1/status/:task_id',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Task detail: counts, progress, outputs and download links',
        description:
          'Every answer carries an ETag. Send it back in If-None-Match to get 304 while the task is ' +
          'unchanged, and add ?wait=N to have the request wait up to N seconds for the next change.',
        security,
        params: TaskParams,
        querystring: TaskStatusQuery,
        headers: Type.Object({ 'if-none-match': Type.Optional(Type.String({ maxLength: 1024 })) }),
        response: {
          200: TaskDetail,
          304: Type.Null({ description: 'unchanged since the ETag sent in If-None-Match' }),
          ...problems(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      const wait = request.query.wait === undefined ? 0 : Number(request.query.wait);
      if (wait > MAX_WAIT_SECONDS) {
        throw new AppError('validation_failed', `wait: must be from 0 to ${MAX_WAIT_SECONDS} seconds`, [
          { field: 'wait', message: `must be from 0 to ${MAX_WAIT_SECONDS} seconds` },
        ]);
      }
      const ifNoneMatch = request.headers['if-none-match'];
      const isCurrent = ifNoneMatch ? (etag: string) => etagMatches(ifNoneMatch, etag) : undefined;
      // A client that hangs up ends its wait (only a conditional read with a wait can wait).
      const gone = wait > 0 && isCurrent ? new AbortController() : undefined;
      const onClose = () => gone?.abort();
      if (gone) request.raw.once('close', onClose);
      try {
        const answer = await tasks.getJson(principalOf(request), request.params.task_id, {
          isCurrent,
          waitMs: wait * 1000,
          signal: gone?.signal,
        });
        reply
          .header('etag', answer.etag)
          .header('cache-control', 'private, no-cache')
          .header('vary', 'accept-encoding');
        if (answer.notModified) return reply.status(304).send(null);
        // Already JSON bytes (the domain caches answers), so Fastify sends them as they are; the
        // schema above still documents their shape. Large answers go gzipped to clients that accept it.
        reply.type('application/json; charset=utf-8');
        const { json } = answer.detail;
        if (json.length >= GZIP_FROM_BYTES && acceptsGzip(request.headers['accept-encoding'])) {
          return reply.header('content-encoding', 'gzip').send(answer.detail.gzip() as never);
        }
        return reply.send(json as never);
      } finally {
        if (gone) request.raw.off('close', onClose);
      }
    },
  );

  app.get(
    '/api/v1/tasks/:task_id/manifest',
    {
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
      const { min, max } = PREVIEW_LIMITS;
      const limit = request.query.limit === undefined ? PREVIEW_LIMITS.default : Number(request.query.limit);
      if (limit < min || limit > max) {
        throw new AppError('validation_failed', `limit: must be from ${min} to ${max}`, [
          { field: 'limit', message: `must be from ${min} to ${max}` },
        ]);
      }
      return tasks.preview(principalOf(request), request.params.task_id, limit);
    },
  );
};
