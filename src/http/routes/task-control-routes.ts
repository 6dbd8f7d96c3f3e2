import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '../../contract/problem-schema.ts';
import { TaskCreatedReply, TaskParams } from '../../contract/task-schemas.ts';
import type { TaskService } from '../../tasks/task-service.ts';
import { principalOf, API_SECURITY as security } from '../auth.ts';

/** Moving a task on: unload a counted task, cancel one that has not ended, retry a failed one. */
export const taskControlRoutes: FastifyPluginAsyncTypebox<{ tasks: TaskService }> = async (
  app,
  { tasks },
) => {
  app.post(
    '/api/v1/tasks/:task_id/unload',
    {
      config: { access: 'write', idempotent: true },
      schema: {
        tags: ['tasks'],
        summary: 'Export a counted task',
        security,
        params: TaskParams,
        response: { 202: TaskCreatedReply, ...problems(401, 404, 409) },
      },
    },
    async (request, reply) => {
      const started = await tasks.unload(principalOf(request), request.params.task_id);
      return reply.status(202).header('location', `/api/v1/status/${started.task_id}`).send(started);
    },
  );

  app.post(
    '/api/v1/tasks/:task_id/cancel',
    {
      config: { access: 'write', idempotent: true },
      schema: {
        tags: ['tasks'],
        summary: 'Cancel a task that has not ended',
        description:
          'The task becomes `cancelled` at once; a job running for it is interrupted within moments, ' +
          'even in the middle of a query, and the files it exported so far are removed (the detail ' +
          'lists none). Later deliveries of its jobs do nothing. 409 for a task already `completed`, ' +
          '`failed` or `cancelled`.',
        security,
        params: TaskParams,
        response: { 202: TaskCreatedReply, ...problems(401, 404, 409) },
      },
    },
    async (request, reply) => {
      const cancelled = await tasks.cancel(principalOf(request), request.params.task_id);
      return reply.status(202).header('location', `/api/v1/status/${cancelled.task_id}`).send(cancelled);
    },
  );

  app.post(
    '/api/v1/tasks/:task_id/retry',
    {
      config: { access: 'write', idempotent: true },
      schema: {
        tags: ['tasks'],
        summary: "Run a failed task's failed jobs again",
        description:
          'For a `failed` task (after, say, a bucket permission or a corrupt file was fixed): its failed ' +
          'jobs run again, the task goes back to `in_progress` (counting) or `unloading` (exporting) ' +
          'without its error, and continues where it stopped; jobs that were done are not run again. ' +
          '409 in any other status.',
        security,
        params: TaskParams,
        response: { 202: TaskCreatedReply, ...problems(401, 404, 409) },
      },
    },
    async (request, reply) => {
      const retried = await tasks.retry(principalOf(request), request.params.task_id);
      return reply.status(202).header('location', `/api/v1/status/${retried.task_id}`).send(retried);
    },
  );
};
