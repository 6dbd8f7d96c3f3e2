/**
 * The bodies that create a task (and estimate one): what the routes validate and document, and the
 * types the planner takes. The task detail shows a body back normalised (`IntentRequestView` and
 * `GenericRequestView` in tasks/task-model.ts, derived from these).
 */
import { type Static, Type } from '@sinclair/typebox';
import { ACTIVATION_PROFILES } from './activation-profiles.ts';
import { StringEnum } from './string-enum.ts';

/**
 * Where the examples of the OpenAPI document say the intent tree is. Swagger UI's copy of the
 * document names the server's own tree instead (`http/api-docs.ts`), so "Try it out" reads real data.
 */
export const EXAMPLE_INTENT_TREE = '/srv/audiences/data/intent';

/** The longest task `name`, in characters (after trimming). */
export const TASK_NAME_MAX = 120;

/** A short name people give a task, to find it again (both bodies; a saved audience has its own). */
const Naming = {
  name: Type.Optional(
    Type.String({
      maxLength: TASK_NAME_MAX,
      description:
        `A short name for people, shown in task lists and searchable there (GET /api/v1/status?q=): ` +
        `1-${TASK_NAME_MAX} characters once trimmed, no control characters or line breaks`,
      examples: ['Cloud security, high intent, May'],
    }),
  ),
};

/** The pattern of a split's name: it names the split's output folder (`split=NAME`). */
export const SPLIT_NAME_PATTERN = '^[A-Za-z0-9_-]{1,32}$';
/** Most splits one export may have. */
export const MAX_SPLITS = 10;

/** One part of a people export split at random (see `splits`). */
const SplitSchema = Type.Object(
  {
    name: Type.String({
      maxLength: 64,
      description: `The part's name and output folder (split=NAME): ${SPLIT_NAME_PATTERN}, unique in splits`,
      examples: ['A'],
    }),
    percent: Type.Number({
      description: 'Share of the people, more than 0, at most two decimals; all parts add up to 100',
      examples: [45],
    }),
    deliver: Type.Optional(
      Type.Boolean({
        default: true,
        description:
          "false: a holdout, counted and kept in the service's own area (listed in the manifest), never " +
          'written to your output. At least one part is delivered',
        examples: [false],
      }),
    ),
  },
  { additionalProperties: false },
);
export type SplitBody = Static<typeof SplitSchema>;

/** The fields of both bodies that say what to count and export, and how to write it. */
const Expression = {
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 1_000_000_000,
      description: 'Most rows exported per job; skips counting',
      examples: [1000],
    }),
  ),
  perform_unload: Type.Optional(
    Type.Boolean({
      default: true,
      description: 'false: count only, export later with POST /api/v1/tasks/{id}/unload',
      examples: [false],
    }),
  ),
  select: Type.Optional(
    Type.String({
      maxLength: 8192,
      description: 'Comma-separated column names to export',
      examples: ['person_id, hem_sha256, topic_id, intent_score, score'],
    }),
  ),
  where_expr: Type.Optional(
    Type.String({
      maxLength: 8192,
      description: "A SQL boolean filter, e.g. intent_score >= 80 AND country = 'US'",
      examples: ["intent_score >= 60 AND country IN ('US', 'GB')"],
    }),
  ),
  unique_by: Type.Optional(
    Type.String({
      maxLength: 256,
      description:
        'A column (e.g. person_id) whose distinct values the count also counts, exactly: unique_count ' +
        'over the whole segment, unique_counts per partition. Not with limit',
      examples: ['person_id'],
    }),
  ),
  breakdown_by: Type.Optional(
    Type.Array(Type.String({ maxLength: 256 }), {
      minItems: 1,
      maxItems: 3,
      description:
        'Up to 3 distinct columns (e.g. country, seniority): breakdowns lists the top 50 values of each ' +
        'by count, then one "(other)" entry for the rest. Not with limit',
      examples: [['country', 'seniority']],
    }),
  ),
  output: Type.Optional(
    Type.Union([Type.Literal('rows'), Type.Literal('people')], {
      default: 'rows',
      description:
        'rows: the rows of the segment, by partition. people: one row per distinct non-null unique_by ' +
        'value (unique_by required), counted and exported whole under the one key "people". Not with ' +
        'limit or breakdown_by',
      examples: ['rows'],
    }),
  ),
  format: Type.Optional(
    Type.Union([Type.Literal('parquet'), Type.Literal('csv'), Type.Literal('jsonl')], {
      default: 'parquet',
      description:
        'File format of the export. CSV: header row, RFC 4180 quoting, ISO 8601 timestamps, lists and ' +
        'structs as JSON text. jsonl: one JSON object per line',
      examples: ['parquet'],
    }),
  ),
  compression: Type.Optional(
    Type.Union([Type.Literal('snappy'), Type.Literal('zstd'), Type.Literal('gzip'), Type.Literal('none')], {
      description:
        "Parquet: snappy, zstd, gzip or none (default: the server's EXPORT_COMPRESSION, snappy). " +
        'csv and jsonl: gzip (default) or none',
      examples: ['zstd'],
    }),
  ),
  single_file: Type.Optional(
    Type.Boolean({
      default: false,
      description:
        'Write the whole task as one file (output key "all") instead of one folder per partition; the ' +
        'task is counted first. Not with limit or max_file_bytes',
      examples: [false],
    }),
  ),
  max_file_bytes: Type.Optional(
    Type.Integer({
      minimum: 1_048_576,
      maximum: 1_099_511_627_776,
      description: 'Start a new file once one reaches about this many bytes (at least 1 MiB)',
      examples: [268_435_456],
    }),
  ),
  profile: Type.Optional(
    StringEnum(ACTIVATION_PROFILES, {
      description:
        "output: people only: write the people as an ad platform's upload file (header, identifier " +
        'encoding, rows and bytes per file as the platform takes them): one row per valid hashed ' +
        'e-mail (hem_sha256, or the generic identifier column), which is then the person column. ' +
        'Fixes format and compression; values that are not 64 hex characters are dropped and counted ' +
        '(invalid_identifiers). README "Activation" lists each platform\'s rules',
      examples: ['google_customer_match'],
    }),
  ),
  splits: Type.Optional(
    Type.Array(SplitSchema, {
      minItems: 2,
      maxItems: MAX_SPLITS,
      description:
        'output: people only: split the people at random into named parts, each its own output ' +
        '(split=NAME/…): 2 to 10 parts whose percent add up to exactly 100 (at most two decimals). A ' +
        "part with deliver: false (a holdout) is counted and kept in the service's own area, never " +
        "written to your output. A person's part is a pure function of split_salt and the person " +
        '(docs/activation.md "Splits and holdouts" gives the formula)',
      examples: [
        [
          { name: 'A', percent: 45 },
          { name: 'B', percent: 45 },
          { name: 'holdout', percent: 10, deliver: false },
        ],
      ],
    }),
  ),
  split_salt: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 128,
      description:
        'splits only: the text hashed before each person to pick their part. Absent: the service picks ' +
        'a random one and shows it in the request view; send it again to make the same split later',
      examples: ['spring-test-2026'],
    }),
  ),
};

const MinimumPerPerson = (description: string) =>
  Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description, examples: [2] }));

export const IntentTaskBody = Type.Object(
  {
    days: Type.Array(Type.String({ maxLength: 32, description: 'A day: YYYY-MM-DD or YYYYMMDD' }), {
      minItems: 1,
      maxItems: 3660,
      description: 'YYYY-MM-DD or YYYYMMDD',
      examples: [['2024-05-01', '2024-05-02']],
    }),
    topic_id_prefixes: Type.Array(Type.String({ maxLength: 128, description: 'A topic prefix' }), {
      minItems: 1,
      maxItems: 10_000,
      description:
        'Topic prefixes to read (the prefix= folders of the intent tree; GET /api/v1/catalog/intent lists them)',
      examples: [['4eyes_101', '4eyes_102']],
    }),
    scores: Type.Array(Type.String({ maxLength: 16, description: 'low, medium or high' }), {
      minItems: 1,
      maxItems: 3,
      description: 'low, medium, high',
      examples: [['medium', 'high']],
    }),
    topic_ids: Type.Optional(
      Type.Array(
        Type.String({ maxLength: 256, description: 'A topic id (GET /api/v1/catalog/intent/topics)' }),
        {
          minItems: 1,
          maxItems: 1000,
          description:
            'Only rows of these topics (topic_id IN …), each a topic of one of topic_id_prefixes in the ' +
            "server's intent tree; GET /api/v1/catalog/intent/topics finds them by name. Absent: every topic of the prefixes",
          examples: [['4eyes_101_3', '4eyes_101_7']],
        },
      ),
    ),
    input_path: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        description:
          "Another intent tree (day=/prefix=/score= folders) to read instead of the server's " +
          'INTENT_INPUT_PATH: an absolute folder under LOCAL_INPUT_ROOTS, or s3:// or gs:// in INPUT_BUCKETS',
      }),
    ),
    ...Naming,
    ...Expression,
    min_topics: MinimumPerPerson(
      'output: people only: keep people whose rows match at least this many distinct requested ' +
        'topic prefixes (at most the number of topic_id_prefixes)',
    ),
    min_days: MinimumPerPerson(
      'output: people only: keep people seen on at least this many distinct days (at most the number of days)',
    ),
    strict: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'true: a day, topic prefix or score the data holds no rows for is a 400 instead of a warning ' +
          '(warnings in the answer) and a count of 0',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'The segment: days × topic prefixes × scores of the intent tree, filtered',
    examples: [
      {
        days: ['2024-05-01', '2024-05-02'],
        topic_id_prefixes: ['4eyes_101', '4eyes_102'],
        scores: ['medium', 'high'],
        where_expr: "intent_score >= 60 AND country IN ('US', 'GB')",
        select: 'person_id, hem_sha256, topic_id, intent_score, score',
        unique_by: 'person_id',
      },
    ],
  },
);
export type IntentTaskBody = Static<typeof IntentTaskBody>;

export const GenericTaskBody = Type.Object(
  {
    input_path: Type.String({
      minLength: 1,
      maxLength: 1024,
      description:
        'Folder of Parquet files, read at any depth (k=v folders become partitions and columns): an ' +
        'absolute folder under LOCAL_INPUT_ROOTS, or s3://bucket/prefix or gs://bucket/prefix in INPUT_BUCKETS',
      examples: [`${EXAMPLE_INTENT_TREE}/day=2024-05-01`],
    }),
    ...Naming,
    ...Expression,
    latest_by: Type.Optional(
      Type.String({
        maxLength: 256,
        description:
          "output: people only: a column (e.g. a timestamp) whose greatest value picks each person's row; " +
          'without it, any one row of the person',
        examples: ['last_seen'],
      }),
    ),
    identifier: Type.Optional(
      Type.String({
        maxLength: 256,
        description:
          'profile only: the text column holding the hex SHA-256 of each e-mail, which the profile ' +
          'encodes and counts people by (default: unique_by, else hem_sha256)',
        examples: ['hem_sha256'],
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'The segment: the rows of a Parquet tree, filtered',
    examples: [
      {
        input_path: `${EXAMPLE_INTENT_TREE}/day=2024-05-01`,
        where_expr: 'intent_score >= 60',
        unique_by: 'person_id',
        breakdown_by: ['industry'],
      },
    ],
  },
);
export type GenericTaskBody = Static<typeof GenericTaskBody>;
