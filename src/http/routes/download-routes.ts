import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DownloadParams, DownloadQuery } from '../../contract/download-schemas.ts';
import { problems } from '../../contract/problem-schema.ts';
import type { DownloadService } from '../../downloads/download-service.ts';

/** Signed, expiring download links of local exports; the link itself is the credential. */
export const downloadRoutes: FastifyPluginAsyncTypebox<{ downloads: DownloadService }> = async (
  app,
  { downloads },
) => {
  app.get(
    '/api/v1/downloads/:file_id/:name',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Download one exported file through a link from the task detail',
        params: DownloadParams,
        querystring: DownloadQuery,
        response: { ...problems(403, 404) },
      },
    },
    async (request, reply) => {
      const { file_id, name } = request.params;
      const file = await downloads.open(file_id, name, request.query.expires, request.query.signature);
      return reply
        .header('content-type', contentTypeOf(file.name))
        .header('content-length', String(file.sizeBytes))
        .header('content-disposition', `attachment; filename="${file.name}"`)
        .header('cache-control', 'private, no-store')
        .send(file.stream);
    },
  );
};

/** The media type of an exported file, by its name: the format, or gzip when it is compressed whole. */
function contentTypeOf(name: string): string {
  if (name.endsWith('.gz')) return 'application/gzip';
  if (name.endsWith('.csv')) return 'text/csv; charset=utf-8';
  if (name.endsWith('.jsonl')) return 'application/jsonl';
  return 'application/vnd.apache.parquet';
}
