import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AccountService } from '../../accounts/account-service.ts';
import { AppError } from '../../errors.ts';
import type { TaskService } from '../../tasks/task-service.ts';
import { principalOf, requireApiAccess } from '../auth.ts';
import {
  GenericTaskBody,
  IntentTaskBody,
  problems,
  TaskCreatedReply,
  TaskDetail,
  TaskList,
  TaskListQuery,
  TaskParams,
} from '../schemas.ts';

interface Options {
  accounts: AccountService;
  tasks: TaskService;
}

/** Creating, reading and unloading tasks. */
export const taskRoutes: FastifyPluginAsyncTypebox<Options> = async (app, { accounts, tasks }) => {
  // onRequest: credentials are checked before the body is read or validated.
  app.addHook('onRequest', requireApiAccess(accounts));
  const security: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];

  app.post(
    '/api/v1/intent_hive_tasks',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Count (and export) an intent segment',
        security,
        body: IntentTaskBody,
        response: { 202: TaskCreatedReply, ...problems(400, 401, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const created = await tasks.createIntentTask(principalOf(request), request.body);
      return reply.status(202).header('location', `/api/v1/status/${created.task_id}`).send(created);
    },
  );

  app.post(
    '/api/v1/generic_parquet_tasks',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Count (and export) rows of any Parquet tree under an allowed folder',
        security,
        body: GenericTaskBody,
        response: { 202: TaskCreatedReply, ...problems(400, 401, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const created = await tasks.createGenericTask(principalOf(request), request.body);
      return reply.status(202).header('location', `/api/v1/status/${created.task_id}`).send(created);
    },
  );

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
        security,
        params: TaskParams,
        response: { 200: TaskDetail, ...problems(401, 404) },
      },
    },
    async (request, reply) => {
      const json = await tasks.getJson(principalOf(request), request.params.task_id);
      // Already JSON (the domain caches large answers), so Fastify sends the string as is; the
      // schema above still documents its shape.
      return reply.type('application/json; charset=utf-8').send(json as never);
    },
  );

  app.post(
    '/api/v1/tasks/:task_id/unload',
    {
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
};
