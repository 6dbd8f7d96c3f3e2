import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TaskArchiveReply } from '../../contract/download-schemas.ts';
import { problems } from '../../contract/problem-schema.ts';
import { TaskParams } from '../../contract/task-schemas.ts';
import type { DownloadService } from '../../downloads/download-service.ts';
import { API_SECURITY, principalOf } from '../auth.ts';

/** A completed task's files as one ZIP, behind the task routes' credentials (the console's cookie too). */
export const archiveRoutes: FastifyPluginAsyncTypebox<{ downloads: DownloadService }> = async (
  app,
  { downloads },
) => {
  app.get(
    '/api/v1/tasks/:task_id/archive',
    {
      config: { access: 'read' },
      // A HEAD would make Fastify read the whole archive from storage only to drop it.
      exposeHeadRoute: false,
      schema: {
        tags: ['tasks'],
        summary: 'Download every file of a completed export as one ZIP',
        description:
          "Streams a ZIP of the task's `manifest.json` and every exported file, in their partition " +
          'folders, read from storage as the answer is sent. 409 until the task is `completed`.',
        security: [...API_SECURITY, { session: [] }],
        params: TaskParams,
        response: { 200: TaskArchiveReply, ...problems(401, 404, 409) },
      },
    },
    async (request, reply) => {
      const archive = await downloads.archive(principalOf(request), request.params.task_id);
      if (archive.sizeBytes >= 0) reply.header('content-length', String(archive.sizeBytes));
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', archive.disposition)
        .header('cache-control', 'private, no-store')
        .send(archive.stream);
    },
  );
};
