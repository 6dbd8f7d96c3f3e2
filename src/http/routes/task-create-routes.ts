import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '../../contract/problem-schema.ts';
import { GenericTaskBody, IntentTaskBody } from '../../contract/task-body-schemas.ts';
import { TaskCreatedReply, TaskEstimateReply } from '../../contract/task-schemas.ts';
import type { TaskService } from '../../tasks/task-service.ts';
import { principalOf, API_SECURITY as security } from '../auth.ts';

/** Creating tasks of both kinds, and estimating them (the same bodies, nothing stored). */
export const taskCreateRoutes: FastifyPluginAsyncTypebox<{ tasks: TaskService }> = async (app, { tasks }) => {
  app.post(
    '/api/v1/intent_hive_tasks',
    {
      config: { access: 'write', idempotent: true },
      schema: {
        tags: ['tasks'],
        summary: 'Count (and export) an intent segment',
        security,
        body: IntentTaskBody,
        response: { 202: TaskCreatedReply, ...problems(400, 401, 413, 415, 429, 503) },
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
      config: { access: 'write', idempotent: true },
      schema: {
        tags: ['tasks'],
        summary: 'Count (and export) rows of any Parquet tree under an allowed folder',
        security,
        body: GenericTaskBody,
        response: { 202: TaskCreatedReply, ...problems(400, 401, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const created = await tasks.createGenericTask(principalOf(request), request.body);
      return reply.status(202).header('location', `/api/v1/status/${created.task_id}`).send(created);
    },
  );

  const estimateDescription =
    'Takes the body of a create and answers at once, from listings and Parquet footers, what the task ' +
    'would read. The same validation and errors as a create; nothing is stored, and an estimate does ' +
    'not count against the cap on tasks in progress.';

  app.post(
    '/api/v1/intent_hive_tasks/estimate',
    {
      config: { access: 'read' },
      schema: {
        tags: ['tasks'],
        summary: 'Dry run of an intent task: partitions, files, bytes and rows it would read',
        description: estimateDescription,
        security,
        body: IntentTaskBody,
        response: { 200: TaskEstimateReply, ...problems(400, 401, 413, 415, 429, 503) },
      },
    },
    async (request) => tasks.estimateIntentTask(request.body),
  );

  app.post(
    '/api/v1/generic_parquet_tasks/estimate',
    {
      config: { access: 'read' },
      schema: {
        tags: ['tasks'],
        summary: 'Dry run of a generic Parquet task: partitions, files, bytes and rows it would read',
        description: estimateDescription,
        security,
        body: GenericTaskBody,
        response: { 200: TaskEstimateReply, ...problems(400, 401, 413, 415, 429, 503) },
      },
    },
    async (request) => tasks.estimateGenericTask(request.body),
  );
};
