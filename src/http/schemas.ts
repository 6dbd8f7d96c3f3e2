import { type TSchema, Type } from '@sinclair/typebox';
import { TASK_EVENT_TYPES } from '../webhooks/webhook-service.ts';

/** Every error answer: an RFC 9457 problem document with a stable `code`. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem document' },
);

export const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, Type.Ref('Problem')])) as Record<number, TSchema>;

const Email = Type.String({ format: 'email', maxLength: 254 });
const Name = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });

export const RegisterBody = Type.Object(
  {
    email: Email,
    password: Type.String({
      maxLength: 256,
      description: 'At least 12 characters, not a common password',
    }),
    first_name: Name('First name'),
    last_name: Name('Last name'),
    organization_name: Name('Name of the organisation created for this user'),
  },
  { additionalProperties: false },
);

export const RegisterReply = Type.Object({
  user_id: Type.String(),
  organization_id: Type.String(),
  organization_name: Type.String(),
  email: Type.String(),
  first_name: Type.String(),
  last_name: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
});

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const LoginReply = Type.Object({
  user_id: Type.String(),
  organization_id: Type.String(),
  token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_at: Type.String({ format: 'date-time' }),
});

export const SessionReply = Type.Object({
  user_id: Type.String(),
  organization_id: Type.String(),
  csrf_token: Type.String({ description: 'Send it as X-CSRF-Token on every request that is not a GET' }),
});

export const ClientBody = Type.Object(
  { name: Name('A name to tell the client apart') },
  { additionalProperties: false },
);

export const ClientCreatedReply = Type.Object({
  client_id: Type.String(),
  name: Type.String(),
  api_key: Type.String({ description: 'Shown this once; send it as X-API-Key' }),
  api_secret: Type.String({ description: 'Shown this once; stored only as a hash' }),
  key_prefix: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
});

export const ClientView = Type.Object({
  client_id: Type.String(),
  name: Type.String(),
  key_prefix: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  revoked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const ClientList = Type.Object({ clients: Type.Array(ClientView) });

export const ClientParams = Type.Object({ client_id: Type.String({ maxLength: 64 }) });

const Expression = {
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 1_000_000_000,
      description: 'Most rows exported per job; skips counting',
    }),
  ),
  perform_unload: Type.Optional(
    Type.Boolean({
      default: true,
      description: 'false: count only, export later with POST /api/v1/tasks/{id}/unload',
    }),
  ),
  select: Type.Optional(
    Type.String({ maxLength: 8192, description: 'Comma-separated column names to export' }),
  ),
  where_expr: Type.Optional(
    Type.String({
      maxLength: 8192,
      description: "A SQL boolean filter, e.g. intent_score >= 80 AND country = 'US'",
    }),
  ),
  unique_by: Type.Optional(
    Type.String({
      maxLength: 256,
      description:
        'A column (e.g. person_id) whose distinct values the count also counts, exactly: unique_count ' +
        'over the whole segment, unique_counts per partition. Not with limit',
    }),
  ),
  breakdown_by: Type.Optional(
    Type.Array(Type.String({ maxLength: 256 }), {
      minItems: 1,
      maxItems: 3,
      description:
        'Up to 3 distinct columns (e.g. country, seniority): breakdowns lists the top 50 values of each ' +
        'by count, then one "(other)" entry for the rest. Not with limit',
    }),
  ),
  output: Type.Optional(
    Type.Union([Type.Literal('rows'), Type.Literal('people')], {
      default: 'rows',
      description:
        'rows: the rows of the segment, by partition. people: one row per distinct non-null unique_by ' +
        'value (unique_by required), counted and exported whole under the one key "people". Not with ' +
        'limit or breakdown_by',
    }),
  ),
  format: Type.Optional(
    Type.Union([Type.Literal('parquet'), Type.Literal('csv'), Type.Literal('jsonl')], {
      default: 'parquet',
      description:
        'File format of the export. CSV: header row, RFC 4180 quoting, ISO 8601 timestamps, lists and ' +
        'structs as JSON text. jsonl: one JSON object per line',
    }),
  ),
  compression: Type.Optional(
    Type.Union([Type.Literal('snappy'), Type.Literal('zstd'), Type.Literal('gzip'), Type.Literal('none')], {
      description:
        "Parquet: snappy, zstd, gzip or none (default: the server's EXPORT_COMPRESSION, snappy). " +
        'csv and jsonl: gzip (default) or none',
    }),
  ),
  single_file: Type.Optional(
    Type.Boolean({
      default: false,
      description:
        'Write the whole task as one file (output key "all") instead of one folder per partition; the ' +
        'task is counted first. Not with limit or max_file_bytes',
    }),
  ),
  max_file_bytes: Type.Optional(
    Type.Integer({
      minimum: 1_048_576,
      maximum: 1_099_511_627_776,
      description: 'Start a new file once one reaches about this many bytes (at least 1 MiB)',
    }),
  ),
};

const MinimumPerPerson = (description: string) =>
  Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description }));

export const IntentTaskBody = Type.Object(
  {
    days: Type.Array(Type.String({ maxLength: 32 }), {
      minItems: 1,
      maxItems: 3660,
      description: 'YYYY-MM-DD or YYYYMMDD',
    }),
    topic_id_prefixes: Type.Array(Type.String({ maxLength: 128 }), { minItems: 1, maxItems: 10_000 }),
    scores: Type.Array(Type.String({ maxLength: 16 }), {
      minItems: 1,
      maxItems: 3,
      description: 'low, medium, high',
    }),
    input_path: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    ...Expression,
    min_topics: MinimumPerPerson(
      'output: people only: keep people whose rows match at least this many distinct requested ' +
        'topic prefixes (at most the number of topic_id_prefixes)',
    ),
    min_days: MinimumPerPerson(
      'output: people only: keep people seen on at least this many distinct days (at most the number of days)',
    ),
  },
  { additionalProperties: false },
);

export const GenericTaskBody = Type.Object(
  {
    input_path: Type.String({ minLength: 1, maxLength: 1024 }),
    ...Expression,
    latest_by: Type.Optional(
      Type.String({
        maxLength: 256,
        description:
          "output: people only: a column (e.g. a timestamp) whose greatest value picks each person's row; " +
          'without it, any one row of the person',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Every status a task can have; `completed`, `failed` and `cancelled` are final (a `failed` task can be retried). */
const TASK_STATUSES = ['in_progress', 'counted', 'unloading', 'completed', 'failed', 'cancelled'];

export const TaskCreatedReply = Type.Object({
  task_id: Type.String(),
  status: Type.String({ enum: TASK_STATUSES }),
  total_jobs: Type.Integer(),
  completed_jobs: Type.Integer(),
});

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

export const IntentCatalogReply = Type.Object({
  days: Type.Array(Type.String({ format: 'date' }), { description: 'Days with data, ascending' }),
  prefixes: Type.Array(Type.String(), { description: 'Topic prefixes with data, sorted' }),
  scores: Type.Array(Type.String(), { description: 'Scores with data: low, medium, high order' }),
  columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String() }), {
    description: 'Columns of the data (DuckDB types), the partition columns day, prefix and score included',
  }),
  files: Type.Integer(),
  rows: Type.Integer({ description: 'Rows of every file, from the Parquet footers' }),
  bytes: Type.Integer(),
});

export const TaskParams = Type.Object({ task_id: Type.String({ maxLength: 64 }) });

const TaskError = Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]);
const Timestamps = {
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  completed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  expires_at: Type.String({ format: 'date-time' }),
};
const TaskSummaryFields = {
  task_id: Type.String(),
  type: Type.String({ enum: ['intent_hive', 'generic_parquet'] }),
  status: Type.String({ enum: TASK_STATUSES }),
  total_jobs: Type.Integer(),
  completed_jobs: Type.Integer(),
  failed_jobs: Type.Integer(),
  total_count: Type.Union([Type.Integer(), Type.Null()]),
  error: TaskError,
  ...Timestamps,
};

export const TaskSummary = Type.Object(TaskSummaryFields);

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
  request: Type.Unknown({ description: 'The normalised request' }),
});

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

export const TaskList = Type.Object({
  tasks: Type.Array(TaskSummary),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
});

export const DownloadParams = Type.Object({
  file_id: Type.String({ maxLength: 64 }),
  name: Type.String({ maxLength: 256 }),
});

/** Checked by the route itself, so a missing or malformed signature is a 403 like a wrong one. */
export const DownloadQuery = Type.Object({
  expires: Type.Optional(Type.String({ maxLength: 32 })),
  signature: Type.Optional(Type.String({ maxLength: 128 })),
});

const WebhookEvents = Type.Array(Type.String({ enum: [...TASK_EVENT_TYPES] }), {
  minItems: 1,
  maxItems: TASK_EVENT_TYPES.length,
  uniqueItems: true,
  description: `Events to receive, each once: ${TASK_EVENT_TYPES.join(', ')}`,
});

export const WebhookBody = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      maxLength: 2048,
      description:
        'https:// URL that receives the events (http:// only with WEBHOOK_ALLOW_HTTP=1); its host must ' +
        'resolve to public addresses only (unless WEBHOOK_ALLOW_PRIVATE=1)',
    }),
    events: WebhookEvents,
  },
  { additionalProperties: false },
);

const WebhookFields = {
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String({ enum: [...TASK_EVENT_TYPES] })),
  created_at: Type.String({ format: 'date-time' }),
};

export const WebhookView = Type.Object(WebhookFields);

export const WebhookCreatedReply = Type.Object({
  ...WebhookFields,
  secret: Type.String({
    description:
      "whsec_ and the base64 signing key (Standard Webhooks), shown this once: verify each delivery's " +
      'webhook-signature with it',
  }),
});

export const WebhookList = Type.Object({ webhooks: Type.Array(WebhookView) });

export const WebhookParams = Type.Object({ webhook_id: Type.String({ maxLength: 64 }) });

export const WebhookDeliveriesQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: '1-100, default 50' })),
    cursor: Type.Optional(Type.String({ maxLength: 512, description: 'next_cursor of the previous page' })),
  },
  { additionalProperties: false },
);

export const WebhookDeliveries = Type.Object({
  deliveries: Type.Array(
    Type.Object({
      id: Type.String({ description: 'The attempt' }),
      event: Type.String({ enum: [...TASK_EVENT_TYPES] }),
      event_id: Type.String({
        description: 'The webhook-id header: the same for every attempt of the event',
      }),
      task_id: Type.String(),
      attempt: Type.Integer({ description: 'From 1' }),
      outcome: Type.String({
        enum: ['delivered', 'retrying', 'failed'],
        description: 'delivered (2xx), retrying (another attempt at next_attempt_at) or failed (given up)',
      }),
      status_code: Type.Union([Type.Integer(), Type.Null()], {
        description: "The receiver's HTTP status; null when it did not answer",
      }),
      error: Type.Union([Type.String(), Type.Null()]),
      attempted_at: Type.String({ format: 'date-time' }),
      next_attempt_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
    { description: 'Attempts, newest first' },
  ),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
});
