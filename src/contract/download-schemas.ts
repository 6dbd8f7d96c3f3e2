import { Type } from '@sinclair/typebox';

export const DownloadParams = Type.Object({
  file_id: Type.String({ maxLength: 64, description: 'The file, as its signed link names it' }),
  name: Type.String({ maxLength: 256, description: 'File name the download is saved under' }),
});

/** Checked by the route itself, so a missing or malformed signature is a 403 like a wrong one. */
export const DownloadQuery = Type.Object({
  expires: Type.Optional(
    Type.String({ maxLength: 32, description: 'When the link stops working (Unix seconds), as signed' }),
  ),
  signature: Type.Optional(
    Type.String({
      maxLength: 128,
      description: 'The signature of the link: keep it as the task detail gave it',
    }),
  ),
});

/** The archive route's 200: a ZIP, documented by media type (the body is bytes, not JSON). */
export const TaskArchiveReply = {
  description:
    "A ZIP of the task's export: `manifest.json` at its root, and every file at the path the manifest " +
    'gives it (partition folders kept), stored as written (not compressed again). Content-Length is ' +
    'exact; a download cut short (a file that could not be read) is an error, never a smaller ZIP.',
  headers: {
    'content-disposition': { type: 'string', description: 'attachment; filename="task-<task_id>.zip"' },
    'content-length': {
      type: 'integer',
      description: 'Size of the archive in bytes, known before it is sent',
    },
  },
  content: {
    'application/zip': {
      schema: { type: 'string', format: 'binary', description: 'The ZIP archive' },
    },
  },
} as const;
