import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AudienceService } from '../../audiences/audience-service.ts';
import {
  AudienceBody,
  AudienceDetail,
  AudienceEstimateBody,
  AudienceList,
  AudienceParams,
  AudiencePatch,
  AudienceRun,
  AudienceRunList,
  AudienceRunParams,
  AudienceRunStarted,
} from '../../contract/audience-schemas.ts';
import { problems } from '../../contract/problem-schema.ts';
import { PageQuery, TaskEstimateReply } from '../../contract/task-schemas.ts';
import { principalOf, API_SECURITY as security } from '../auth.ts';
import { pageLimit } from '../page-limit.ts';

const tags = ['audiences'];

/** Saved audiences: save, read, change, delete, run now, list runs, resync. */
export const audienceRoutes: FastifyPluginAsyncTypebox<{ audiences: AudienceService }> = async (
  app,
  { audiences },
) => {
  app.post(
    '/api/v1/audiences',
    {
      config: { access: 'write', idempotent: true },
      schema: {
        tags,
        summary: 'Save an audience: a task definition with a rolling window, a schedule and a delivery',
        description:
          'Checked as a task create is (the same 400s), with the days its next run would read, so a bad ' +
          'filter is refused when saved, not when a scheduled run starts.',
        security,
        body: AudienceBody,
        response: { 201: AudienceDetail, ...problems(400, 401, 409, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const created = await audiences.create(principalOf(request), request.body);
      return reply.status(201).header('location', `/api/v1/audiences/${created.audience_id}`).send(created);
    },
  );

  app.post(
    '/api/v1/audiences/estimate',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: "What an audience's next run would read (its window resolved now); nothing is stored",
        security,
        body: AudienceEstimateBody,
        response: { 200: TaskEstimateReply, ...problems(400, 401, 413, 415, 429, 503) },
      },
    },
    async (request) => audiences.estimate(request.body),
  );

  app.get(
    '/api/v1/audiences',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: "The organisation's audiences, newest first",
        security,
        querystring: PageQuery,
        response: { 200: AudienceList, ...problems(400, 401) },
      },
    },
    async (request) =>
      audiences.list(principalOf(request), pageLimit(request.query.limit), request.query.cursor),
  );

  app.get(
    '/api/v1/audiences/:audience_id',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'An audience: definition, schedule, delivery, last and next run, size over the last 30 runs',
        security,
        params: AudienceParams,
        response: { 200: AudienceDetail, ...problems(401, 404) },
      },
    },
    async (request) => audiences.get(principalOf(request), request.params.audience_id),
  );

  app.patch(
    '/api/v1/audiences/:audience_id',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Change any field of an audience',
        description:
          'A changed definition or window makes a new version; a changed definition also makes the next ' +
          'delta run a baseline (every member delivered as added).',
        security,
        params: AudienceParams,
        body: AudiencePatch,
        response: { 200: AudienceDetail, ...problems(400, 401, 404, 409, 413, 415, 503) },
      },
    },
    async (request) => audiences.update(principalOf(request), request.params.audience_id, request.body),
  );

  app.delete(
    '/api/v1/audiences/:audience_id',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Delete an audience: its schedule stops; finished runs keep their files until they expire',
        security,
        params: AudienceParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...problems(401, 404) },
      },
    },
    async (request, reply) => {
      await audiences.delete(principalOf(request), request.params.audience_id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/audiences/:audience_id/runs',
    {
      config: { access: 'write', idempotent: true },
      schema: {
        tags,
        summary:
          'Run an audience now: an ordinary task (status, outputs, manifest, cancel, retry) that names the run',
        security,
        params: AudienceParams,
        response: { 202: AudienceRunStarted, ...problems(400, 401, 404, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      const started = await audiences.run(principalOf(request), request.params.audience_id);
      return reply.status(202).header('location', `/api/v1/status/${started.task_id}`).send(started);
    },
  );

  app.get(
    '/api/v1/audiences/:audience_id/runs',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary:
          "An audience's runs and skipped slots, newest first, with added, removed and kept for delta runs",
        security,
        params: AudienceParams,
        querystring: PageQuery,
        response: { 200: AudienceRunList, ...problems(400, 401, 404) },
      },
    },
    async (request) =>
      audiences.runs(
        principalOf(request),
        request.params.audience_id,
        pageLimit(request.query.limit),
        request.query.cursor,
      ),
  );

  app.get(
    '/api/v1/audiences/:audience_id/runs/:run_id',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'One run: its status, days, people, and for a delta run added, removed and kept',
        security,
        params: AudienceRunParams,
        response: { 200: AudienceRun, ...problems(401, 404) },
      },
    },
    async (request) =>
      audiences.getRun(principalOf(request), request.params.audience_id, request.params.run_id),
  );

  app.post(
    '/api/v1/audiences/:audience_id/resync',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Make the next delta run a baseline: every member delivered as added',
        security,
        params: AudienceParams,
        response: { 200: AudienceDetail, ...problems(401, 404, 409) },
      },
    },
    async (request) => audiences.resync(principalOf(request), request.params.audience_id),
  );
};
