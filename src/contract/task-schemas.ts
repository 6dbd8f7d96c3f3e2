import { type Static, Type } from '@sinclair/typebox';
import { StringEnum } from './string-enum.ts';

/**
 * Every status a task can have; `completed`, `failed` and `cancelled` are final (a `failed` task can
 * be retried). The store's `TaskStatus` is the same list: `TaskViews.summary` hands one to the other,
 * so a status the store gains and this list lacks fails to compile there.
 */
const TASK_STATUSES = ['in_progress', 'counted', 'unloading', 'completed', 'failed', 'cancelled'] as const;

export const TaskCreatedReply = Type.Object({
  task_id: Type.String(),
  status: StringEnum(TASK_STATUSES),
  total_jobs: Type.Integer(),
  completed_jobs: Type.Integer(),
});
export type TaskCreatedReply = Static<typeof TaskCreatedReply>;

export const TaskEstimateReply = Type.Object({
  partitions: Type.Integer({
    description: 'Partitions the request covers: days × prefixes × scores, or the folders of a generic tree',
  }),
  partitions_with_data: Type.Integer({ description: 'Partitions holding at least one Parquet file' }),
  missing_partitions: Type.Array(Type.String(), {
    description: 'Requested partitions holding no Parquet file, in request order: the first 100',
  }),
  missing_partitions_truncated: Type.Boolean({ description: 'More partitions are missing than listed' }),
  files: Type.Integer({ description: 'Parquet files the task would read' }),
  bytes: Type.Integer({ description: 'Input bytes the task would read' }),
  rows: Type.Integer({
    description: 'Rows in those files, from their footers: exact without where_expr, an upper bound with it',
  }),
  rows_exact: Type.Boolean({ description: 'false when where_expr may leave rows out' }),
});
export type TaskEstimateReply = Static<typeof TaskEstimateReply>;

export const TaskParams = Type.Object({ task_id: Type.String({ maxLength: 64 }) });

const TaskError = Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]);
const Timestamps = {
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  completed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  expires_at: Type.String({ format: 'date-time' }),
};
const AudienceRunRef = Type.Union(
  [
    Type.Object({
      audience_id: Type.String(),
      run_id: Type.String(),
      name: Type.String(),
      version: Type.Integer(),
    }),
    Type.Null(),
  ],
  { description: 'The saved audience whose run this task is; null for a task created directly' },
);

const TaskSummaryFields = {
  task_id: Type.String(),
  type: Type.String({ enum: ['intent_hive', 'generic_parquet'] }),
  status: StringEnum(TASK_STATUSES),
  total_jobs: Type.Integer(),
  completed_jobs: Type.Integer(),
  failed_jobs: Type.Integer(),
  total_count: Type.Union([Type.Integer(), Type.Null()]),
  error: TaskError,
  audience: AudienceRunRef,
  ...Timestamps,
};

export const TaskSummary = Type.Object(TaskSummaryFields);
export type TaskSummary = Static<typeof TaskSummary>;

export const TaskDetail = Type.Object({
  ...TaskSummaryFields,
  counts: Type.Record(Type.String(), Type.Integer(), { description: 'Rows per partition' }),
  outputs: Type.Record(Type.String(), Type.String(), {
    description: 'Storage folder of each exported partition',
  }),
  output_links: Type.Array(Type.String(), { description: 'One signed, expiring download URL per file' }),
  files: Type.Array(
    Type.Object({
      partition: Type.String(),
      uri: Type.String(),
      url: Type.String(),
      rows: Type.Integer(),
      size_bytes: Type.Integer(),
      sha256: Type.Union([Type.String(), Type.Null()], {
        description:
          'Hex SHA-256 of the file, as manifest.json lists it (null for files exported before checksums)',
      }),
    }),
  ),
  manifest_url: Type.Union([Type.String(), Type.Null()], {
    description:
      "Signed, expiring link to the export's manifest.json (every file with its rows, bytes and sha256, " +
      'the schema and the request); written, then an empty _SUCCESS, when the export completes. Null before',
  }),
  unique_count: Type.Union([Type.Integer(), Type.Null()], {
    description:
      'Distinct non-null values of unique_by over the whole segment (a value in several partitions ' +
      'counts once); null until counted, and without unique_by',
  }),
  unique_counts: Type.Union([Type.Record(Type.String(), Type.Integer()), Type.Null()], {
    description: 'Distinct values of unique_by per partition; null until counted, and without unique_by',
  }),
  breakdowns: Type.Union(
    [
      Type.Record(
        Type.String(),
        Type.Array(
          Type.Object({
            value: Type.Unknown({ description: 'The value (null for NULL), or "(other)" for the rest' }),
            count: Type.Integer(),
            unique_count: Type.Optional(
              Type.Integer({ description: 'Distinct unique_by values (with unique_by)' }),
            ),
          }),
        ),
      ),
      Type.Null(),
    ],
    {
      description:
        'Per breakdown_by column: its top 50 values by count (then value), and one "(other)" entry ' +
        'summing the rest when there are more; null until counted, and without breakdown_by',
    },
  ),
  delta: Type.Union(
    [
      Type.Object({
        baseline: Type.String({ enum: ['new', 'previous'] }),
        previous_run_id: Type.Union([Type.String(), Type.Null()]),
        members: Type.Integer(),
        added: Type.Integer(),
        removed: Type.Integer(),
        kept: Type.Integer(),
      }),
      Type.Null(),
    ],
    {
      description:
        "A saved audience's delta run, once counted: its members, who joined (added, exported under " +
        'the key "added") and who left (removed, under "removed") since previous_run_id; baseline ' +
        'new: every member is added. Null for other tasks',
    },
  ),
  request: Type.Unknown({ description: 'The normalised request' }),
});
export type TaskDetail = Static<typeof TaskDetail>;

export const TaskListQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: '1-100, default 20' })),
    cursor: Type.Optional(Type.String({ maxLength: 512, description: 'next_cursor of the previous page' })),
  },
  { additionalProperties: false },
);

export const MAX_WAIT_SECONDS = 60;

export const TaskStatusQuery = Type.Object(
  {
    wait: Type.Optional(
      Type.String({
        pattern: '^[0-9]{1,2}$',
        description:
          `0-${MAX_WAIT_SECONDS} seconds. With If-None-Match holding the ETag of the current answer, ` +
          'the request waits up to this long for the task to change: 200 with the new detail as soon ' +
          'as it does, 304 if it did not (long polling).',
      }),
    ),
  },
  { additionalProperties: false },
);

export const PREVIEW_LIMITS = { min: 1, max: 100, default: 20 };

export const TaskPreviewQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,3}$', description: 'Rows to show: 1-100, default 20' }),
    ),
  },
  { additionalProperties: false },
);

export const TaskPreview = Type.Object({
  columns: Type.Array(
    Type.Object({
      name: Type.String(),
      type: Type.String({ description: 'DuckDB type, e.g. VARCHAR, BIGINT, TIMESTAMP, VARCHAR[]' }),
    }),
    {
      description:
        "The columns an export of the task holds, in order: the selected ones, else the files' own " +
        '(intent partition columns day, prefix, score stay in the path unless selected)',
    },
  ),
  rows: Type.Array(Type.Record(Type.String(), Type.Unknown()), {
    description:
      'The first rows found walking the partitions in key order (not a random sample), keyed by ' +
      'column in `columns` order. DATE and TIMESTAMP as ISO 8601 strings (UTC), BIGINT as a number ' +
      'when it is a safe integer (else a string), lists as arrays, NULL as null.',
  }),
});
export type TaskPreview = Static<typeof TaskPreview>;

export const TaskList = Type.Object({
  tasks: Type.Array(TaskSummary),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
});
export type TaskList = Static<typeof TaskList>;
