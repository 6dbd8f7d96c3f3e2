import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { problems } from '../../contract/problem-schema.ts';
import { MAX_WAIT_SECONDS, TaskDetail, TaskParams, TaskStatusQuery } from '../../contract/task-schemas.ts';
import { AppError } from '../../errors.ts';
import type { TaskService } from '../../tasks/task-service.ts';
import { principalOf, API_SECURITY as security } from '../auth.ts';
import { acceptsGzip } from '../content-encoding.ts';
import { etagMatches } from '../entity-tags.ts';

/** Answers smaller than this are not worth compressing. */
const GZIP_FROM_BYTES = 1024;

/**
 * A task's detail: an ETag on every answer, 304 while unchanged, `?wait=N` to wait for the next
 * change (long polling), and large answers gzipped for clients that accept it.
 */
export const taskDetailRoute: FastifyPluginAsyncTypebox<{ tasks: TaskService }> = async (app, { tasks }) => {
  app.get(
    '/api/v1/status/:task_id',
    {
      config: { access: 'read' },
      schema: {
        tags: ['tasks'],
        summary: 'Task detail: counts, progress, outputs and download links',
        description:
          'Every answer carries an ETag. Send it back in If-None-Match to get 304 while the task is ' +
          'unchanged, and add ?wait=N to have the request wait up to N seconds for the next change.',
        security,
        params: TaskParams,
        querystring: TaskStatusQuery,
        headers: Type.Object({
          'if-none-match': Type.Optional(
            Type.String({
              maxLength: 1024,
              description: 'The ETag of an earlier answer: 304 while the task is unchanged',
            }),
          ),
        }),
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
};
