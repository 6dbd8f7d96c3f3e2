import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DownloadParams, DownloadQuery } from '../../contract/download-schemas.ts';
import { problems } from '../../contract/problem-schema.ts';
import type { DownloadService } from '../../downloads/download-service.ts';

/** The media types an exported file is sent as (see `contentTypeOf`). */
const EXPORT_MEDIA_TYPES = [
  'application/vnd.apache.parquet',
  'text/csv',
  'application/jsonl',
  'application/gzip',
];

/** The 200 of a download: the file's bytes, documented per media type since it is no JSON. */
const FileAnswer = {
  description:
    'The file, as an attachment named by Content-Disposition: Parquet, CSV (text/csv; charset=utf-8), ' +
    'JSON Lines, or application/gzip for a gzipped CSV or JSON Lines file',
  headers: {
    'content-disposition': {
      type: 'string',
      description:
        'attachment; filename="<partition folders and file name joined by _>", e.g. ' +
        "day=2024-05-01_prefix=4eyes_101_score=high_data_0.parquet; with filename*=UTF-8''… when not ASCII",
    },
    'content-length': { type: 'integer', description: 'Size of the file in bytes' },
  },
  content: Object.fromEntries(
    EXPORT_MEDIA_TYPES.map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
  ),
};

/** Signed, expiring download links of local exports; the link itself is the credential. */
export const downloadRoutes: FastifyPluginAsyncTypebox<{ downloads: DownloadService }> = async (
  app,
  { downloads },
) => {
  app.get(
    '/api/v1/downloads/:file_id/:name',
    {
      // The signed link is the credential, checked by `downloads.open`.
      config: { access: 'public' },
      schema: {
        tags: ['tasks'],
        summary: 'Download one exported file through a link from the task detail',
        description:
          'The link itself is the credential (no API key): use the url of a file in the task detail, ' +
          'or an output_links entry, before it expires.',
        params: DownloadParams,
        querystring: DownloadQuery,
        response: { 200: FileAnswer, ...problems(403, 404) },
      },
    },
    async (request, reply) => {
      const { file_id, name } = request.params;
      const file = await downloads.open(file_id, name, request.query.expires, request.query.signature);
      return reply
        .header('content-type', contentTypeOf(file.name))
        .header('content-length', String(file.sizeBytes))
        .header('content-disposition', file.disposition)
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
