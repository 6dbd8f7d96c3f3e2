import { type Static, Type } from '@sinclair/typebox';
import { StringEnum } from './string-enum.ts';

/**
 * Every status a task can have; `completed`, `failed` and `cancelled` are final (a `failed` task can
 * be retried). The store's `TaskStatus` is the same list: `TaskViews.summary` hands one to the other,
 * so a status the store gains and this list lacks fails to compile there.
 */
const TASK_STATUSES = ['in_progress', 'counted', 'unloading', 'completed', 'failed', 'cancelled'] as const;

const TaskId = Type.String({ description: 'The task: follow it at GET /api/v1/status/{task_id}' });
const Status = StringEnum(TASK_STATUSES, {
  description:
    'in_progress (counting), counted (waiting for POST .../unload), unloading (exporting), or the final ' +
    'completed, failed (can be retried) or cancelled',
});
const TotalJobs = Type.Integer({ description: 'Jobs of the current phase (count or export)' });
const CompletedJobs = Type.Integer({ description: 'Jobs of the current phase done so far: the progress' });

/**
 * Days, topic prefixes or scores an intent request names that the data does not hold; and a profile
 * export with fewer people than its platform serves.
 */
export const DataWarnings = Type.Array(
  Type.Object({
    code: StringEnum(['no_data', 'below_platform_minimum'] as const, {
      description:
        'no_data: the request names values the data holds no rows for. below_platform_minimum: a ' +
        "profile export has fewer people than the platform's minimum audience",
    }),
    field: StringEnum(['days', 'topic_id_prefixes', 'scores', 'profile'] as const, {
      description: 'The request field naming them',
    }),
    values: Type.Array(Type.String(), {
      description: 'no_data: the values with no data (the first 20); below_platform_minimum: the profile',
    }),
    truncated: Type.Boolean({ description: 'More values have no data than listed' }),
    message: Type.String({ description: 'What to check, e.g. a typo in a prefix' }),
    people: Type.Optional(
      Type.Integer({
        description:
          'below_platform_minimum: the people counted (at an estimate, at most this many: rows from footers)',
      }),
    ),
    minimum: Type.Optional(
      Type.Integer({ description: "below_platform_minimum: the platform's minimum audience size" }),
    ),
  }),
  {
    description:
      "Intent requests over the server's tree: each requested day, prefix or score with no data, which " +
      'counts as 0 (with strict: true the create answers 400 instead). With a profile: people below ' +
      "the platform's minimum audience. Empty when there is nothing to warn of",
  },
);
export type DataWarnings = Static<typeof DataWarnings>;

export const TaskCreatedReply = Type.Object(
  {
    task_id: TaskId,
    status: Status,
    total_jobs: TotalJobs,
    completed_jobs: CompletedJobs,
    warnings: Type.Optional(DataWarnings),
  },
  { description: 'Accepted: the task runs in the background; Location names its status' },
);
export type TaskCreatedReply = Static<typeof TaskCreatedReply>;

export const TaskEstimateReply = Type.Object(
  {
    partitions: Type.Integer({
      description:
        'Partitions the request covers: days × prefixes × scores, or the folders of a generic tree',
    }),
    partitions_with_data: Type.Integer({ description: 'Partitions holding at least one Parquet file' }),
    missing_partitions: Type.Array(Type.String(), {
      description: 'Requested partitions holding no Parquet file, in request order: the first 100',
    }),
    missing_partitions_truncated: Type.Boolean({ description: 'More partitions are missing than listed' }),
    files: Type.Integer({ description: 'Parquet files the task would read' }),
    bytes: Type.Integer({ description: 'Input bytes the task would read' }),
    rows: Type.Integer({
      description:
        'Rows in those files, from their footers: exact without where_expr, an upper bound with it',
    }),
    rows_exact: Type.Boolean({ description: 'false when where_expr may leave rows out' }),
    warnings: Type.Optional(DataWarnings),
  },
  { description: 'What the task would read; nothing was stored' },
);
export type TaskEstimateReply = Static<typeof TaskEstimateReply>;

export const TaskParams = Type.Object({
  task_id: Type.String({ maxLength: 64, description: 'task_id of the task, as its create answered' }),
});

const TaskError = Type.Union(
  [
    Type.Object({
      code: Type.String({ description: 'A task error code (docs/errors.md, "Task errors")' }),
      message: Type.String({ description: 'What failed and, where you can act, what to change' }),
    }),
    Type.Null(),
  ],
  { description: 'Why the task failed; null unless failed' },
);
const Timestamps = {
  created_at: Type.String({ format: 'date-time', description: 'When the task was created (UTC)' }),
  updated_at: Type.String({ format: 'date-time', description: 'When the task last changed (UTC)' }),
  completed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the task ended (completed, failed or cancelled); null before',
  }),
  expires_at: Type.String({
    format: 'date-time',
    description: 'When the task and its files are removed (TASK_TTL after creation)',
  }),
};
const AudienceRunRef = Type.Union(
  [
    Type.Object({
      audience_id: Type.String({ description: 'The saved audience' }),
      run_id: Type.String({ description: 'The run of the audience this task is' }),
      name: Type.String({ description: "The audience's name" }),
      version: Type.Integer({ description: "The audience's version the run read" }),
    }),
    Type.Null(),
  ],
  { description: 'The saved audience whose run this task is; null for a task created directly' },
);

const TaskSummaryFields = {
  task_id: TaskId,
  name: Type.Union([Type.String(), Type.Null()], {
    description:
      "The name given at creation (trimmed); null without one (a saved audience's run goes by the audience's name, in audience)",
    examples: ['Cloud security, high intent, May'],
  }),
  type: Type.String({
    enum: ['intent_hive', 'generic_parquet'],
    description:
      'intent_hive: created with POST /api/v1/intent_hive_tasks; generic_parquet: with POST /api/v1/generic_parquet_tasks',
  }),
  status: Status,
  total_jobs: TotalJobs,
  completed_jobs: CompletedJobs,
  failed_jobs: Type.Integer({ description: 'Jobs of the current phase that failed for good' }),
  total_count: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Rows of the whole segment (people with output: people); null until counted',
  }),
  error: TaskError,
  audience: AudienceRunRef,
  ...Timestamps,
};

export const TaskSummary = Type.Object(TaskSummaryFields);
export type TaskSummary = Static<typeof TaskSummary>;

export const TaskDetail = Type.Object(
  {
    ...TaskSummaryFields,
    counts: Type.Record(Type.String(), Type.Integer(), { description: 'Rows per partition' }),
    outputs: Type.Record(Type.String(), Type.String(), {
      description: 'Storage folder of each exported partition',
    }),
    output_links: Type.Array(Type.String(), { description: 'One signed, expiring download URL per file' }),
    files: Type.Array(
      Type.Object({
        partition: Type.String({
          description: 'The partition (a key of counts and outputs) the file belongs to',
        }),
        uri: Type.String({ description: 'Where the file is stored: a local path, or s3:// or gs://' }),
        url: Type.String({ description: 'Signed, expiring download link of the file' }),
        rows: Type.Integer({ description: 'Rows in the file' }),
        size_bytes: Type.Integer({ description: 'Size of the file in bytes' }),
        sha256: Type.Union([Type.String(), Type.Null()], {
          description:
            'Hex SHA-256 of the file, as manifest.json lists it (null for files exported before checksums)',
        }),
      }),
      { description: 'Every exported file, by partition' },
    ),
    warnings: Type.Array(DataWarnings.items, {
      description:
        'What the create warned about, kept with the task: each requested day, prefix or score the ' +
        'intent tree held no rows for at that time (counted as 0); with a profile, once counted, ' +
        "people below the platform's minimum audience. Empty when there is none",
    }),
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
    invalid_identifiers: Type.Union([Type.Integer(), Type.Null()], {
      description:
        'A profile export: distinct identifier values of the segment that are not a hex SHA-256 (64 ' +
        'hex characters), left out of the files and of the people counted; null until counted (or ' +
        'exported, for a task that exports at once), and without a profile',
    }),
    split_counts: Type.Union([Type.Record(Type.String(), Type.Integer()), Type.Null()], {
      description:
        'A people export with splits: the people of every part by name, delivered or not (a holdout ' +
        'too); null until counted (or exported, for a task that exports at once), and without splits',
      examples: [{ A: 4512, B: 4470, holdout: 1018 }],
    }),
    held_back: Type.Union(
      [
        Type.Array(
          Type.Object({
            split: Type.String({ description: 'The part (deliver: false) the file holds' }),
            path: Type.String({
              description:
                "The file, relative to the task's folder of the service's own area (which is not shown): " +
                '`split=NAME/data_0.parquet`, or `split=NAME/added/…` for a delta run',
              examples: ['split=holdout/data_0.parquet'],
            }),
            rows: Type.Integer({ description: 'People in the file' }),
            size_bytes: Type.Integer({ description: 'Size of the file in bytes' }),
            sha256: Type.Union([Type.String(), Type.Null()], { description: 'Hex SHA-256 of the file' }),
          }),
        ),
        Type.Null(),
      ],
      {
        description:
          "A people export with a holdout, once exported: the files of the parts not delivered, kept in the service's " +
          'own area and never in your output (no download link); manifest.json lists them too. Null before and without splits',
      },
    ),
    breakdowns: Type.Union(
      [
        Type.Record(
          Type.String(),
          Type.Array(
            Type.Object({
              value: Type.Unknown({ description: 'The value (null for NULL), or "(other)" for the rest' }),
              count: Type.Integer({ description: 'Rows with the value' }),
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
          baseline: Type.String({
            enum: ['new', 'previous'],
            description: 'new: every member counts as added; previous: compared with previous_run_id',
          }),
          previous_run_id: Type.Union([Type.String(), Type.Null()], {
            description: 'The run compared with; null with baseline new',
          }),
          members: Type.Integer({ description: 'People in the audience at this run' }),
          added: Type.Integer({ description: 'Members who joined since the previous run' }),
          removed: Type.Integer({ description: 'Members who left since the previous run' }),
          kept: Type.Integer({ description: 'Members in both runs' }),
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
  },
  { description: 'The task: its progress, counts, and once exported its files and signed links' },
);
export type TaskDetail = Static<typeof TaskDetail>;

/**
 * A page size in a query string: digits, checked by `http/page-limit.ts` so that every wrong value
 * (`0`, `500`, `1000`, `ten`) gets the same answer naming the range.
 */
export const PageLimit = (range: string, example: string) =>
  Type.String({ description: range, examples: [example] });

/** `limit` and `cursor` of a newest-first listing. */
export const PageQuery = Type.Object(
  {
    limit: Type.Optional(PageLimit('1-100, default 20', '20')),
    cursor: Type.Optional(Type.String({ maxLength: 512, description: 'next_cursor of the previous page' })),
  },
  { additionalProperties: false },
);

/** The most characters of a task search (`q`): a name is at most this long. */
export const TASK_SEARCH_MAX = 120;

export const TaskListQuery = Type.Object(
  {
    ...PageQuery.properties,
    q: Type.Optional(
      Type.String({
        maxLength: TASK_SEARCH_MAX,
        description:
          'Only tasks whose name contains this text, in any letter case (or whose task_id starts with ' +
          'it); blank: every task. Pages and cursors work as without it',
        examples: ['cloud security'],
      }),
    ),
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
        examples: ['30'],
      }),
    ),
  },
  { additionalProperties: false },
);

export const PREVIEW_LIMITS = { min: 1, max: 100, default: 20 };

export const TaskPreviewQuery = Type.Object(
  {
    limit: Type.Optional(PageLimit('Rows to show: 1-100, default 20', '5')),
  },
  { additionalProperties: false },
);

export const TaskPreview = Type.Object(
  {
    columns: Type.Array(
      Type.Object({
        name: Type.String({ description: 'Column name' }),
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
  },
  { description: "The segment's first rows and its columns" },
);
export type TaskPreview = Static<typeof TaskPreview>;

export const TaskList = Type.Object(
  {
    tasks: Type.Array(TaskSummary, { description: 'A page of tasks, newest first' }),
    next_cursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Send it as ?cursor= for the next page; null on the last page',
    }),
  },
  { description: "A page of the organisation's tasks" },
);
export type TaskList = Static<typeof TaskList>;
