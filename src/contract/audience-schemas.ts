/**
 * Saved audiences: what creates and changes one, and how the API shows an audience and its runs.
 * The `definition` is the body of a task of the audience's kind; the service checks it against that
 * body's schema (`IntentDefinition`, `GenericDefinition`) so its errors name `definition.<field>`.
 */
import { type Static, Type } from '@sinclair/typebox';
import { StringEnum } from './string-enum.ts';
import { GenericTaskBody, IntentTaskBody } from './task-body-schemas.ts';

export const AUDIENCE_KINDS = ['intent', 'generic'] as const;
export const WINDOW_ENDS = ['latest', 'yesterday', 'today'] as const;
export const DELIVERY_MODES = ['full', 'delta'] as const;

/**
 * An intent task's body without what a saved audience decides itself (`days` come from the window
 * unless fixed; its runs' tasks go by the audience's name).
 */
export const IntentDefinition = Type.Composite(
  [
    Type.Omit(IntentTaskBody, ['days', 'perform_unload', 'limit', 'name']),
    Type.Object({ days: Type.Optional(IntentTaskBody.properties.days) }),
  ],
  { additionalProperties: false },
);
export type IntentDefinition = Static<typeof IntentDefinition>;

export const GenericDefinition = Type.Omit(GenericTaskBody, ['perform_unload', 'limit', 'name'], {
  additionalProperties: false,
});
export type GenericDefinition = Static<typeof GenericDefinition>;

export const AudienceWindow = Type.Object(
  {
    last_days: Type.Integer({
      minimum: 1,
      maximum: 366,
      description: 'How many calendar days, ending at until',
      examples: [7],
    }),
    until: Type.Optional(
      StringEnum(WINDOW_ENDS, {
        default: 'latest',
        description:
          "latest: the newest day the intent data holds; yesterday or today: in the audience's timezone, " +
          'at the time of the run (its slot for a scheduled run)',
        examples: ['latest'],
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'The rolling days an intent run reads; null: the fixed days of the definition',
  },
);
export type AudienceWindow = Static<typeof AudienceWindow>;

export const AudienceSchedule = Type.Union(
  [
    Type.Object(
      {
        every: Type.String({ maxLength: 32, description: 'A duration: 15m, 1h, 24h, 7d', examples: ['24h'] }),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        cron: Type.String({
          maxLength: 128,
          description: 'Five fields: minute hour day month weekday',
          examples: ['0 6 * * *'],
        }),
        timezone: Type.Optional(
          Type.String({
            maxLength: 64,
            description: "IANA time zone; default: the audience's",
            examples: ['Europe/Berlin'],
          }),
        ),
      },
      { additionalProperties: false },
    ),
    Type.Null(),
  ],
  { description: 'null: runs only when asked (POST /api/v1/audiences/{id}/runs)' },
);

export const AudienceDelivery = Type.Object(
  {
    mode: Type.Optional(
      StringEnum(DELIVERY_MODES, {
        default: 'full',
        description:
          'full: every run exports the whole audience. delta (output: people and unique_by): a run ' +
          'exports who joined (added, their people rows) and who left (removed, their unique_by values) ' +
          "since the last completed run; with a profile (no unique_by needed) both in the platform's file",
        examples: ['delta'],
      }),
    ),
    path: Type.Optional(
      Type.String({
        maxLength: 512,
        description:
          "Where each run's files go under your organisation's output folder, with the tokens {audience} " +
          "(a slug of the name), {date} (the run's date, YYYY-MM-DD) and {run_id} (required, so drops " +
          'never overwrite each other), e.g. audiences/{audience}/{date}/{run_id}. Default: the task folder',
        examples: ['audiences/{audience}/{date}/{run_id}'],
      }),
    ),
  },
  { additionalProperties: false, description: "How each run's export is delivered" },
);
export type AudienceDelivery = Static<typeof AudienceDelivery>;

const Kind = StringEnum(AUDIENCE_KINDS, {
  description:
    'intent: the definition is an intent task body (POST /api/v1/intent_hive_tasks); generic: a ' +
    'generic Parquet task body (POST /api/v1/generic_parquet_tasks)',
  examples: ['intent'],
});

const Fields = {
  description: Type.Optional(
    Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], {
      description: 'Free text for people: what the audience is for',
      examples: ['US and UK people researching cloud security, refreshed every morning'],
    }),
  ),
  definition: Type.Record(Type.String(), Type.Unknown(), {
    description:
      'The body of a task of the kind (intent: POST /api/v1/intent_hive_tasks, generic: POST ' +
      '/api/v1/generic_parquet_tasks) without perform_unload and limit; an intent audience takes a ' +
      'window instead of days (or fixed days)',
    examples: [
      {
        topic_id_prefixes: ['4eyes_101', '4eyes_102'],
        scores: ['medium', 'high'],
        where_expr: "intent_score >= 60 AND country IN ('US', 'GB')",
        unique_by: 'person_id',
        output: 'people',
      },
    ],
  }),
  window: Type.Optional(
    Type.Union([AudienceWindow, Type.Null()], {
      description:
        'Intent audiences: the rolling days each run reads; null or absent: the fixed days of the definition',
      examples: [{ last_days: 7, until: 'latest' }],
    }),
  ),
  timezone: Type.Optional(
    Type.String({ maxLength: 64, description: 'IANA time zone; default UTC', examples: ['Europe/Berlin'] }),
  ),
  schedule: Type.Optional(AudienceSchedule),
  paused: Type.Optional(
    Type.Boolean({ description: 'true stops the schedule without losing it', examples: [false] }),
  ),
  delivery: Type.Optional(AudienceDelivery),
};

export const AudienceBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Unique in your organisation',
      examples: ['Cloud security, US and UK'],
    }),
    kind: Kind,
    ...Fields,
  },
  {
    additionalProperties: false,
    description:
      'A saved audience: a task definition, the days it reads, when it runs and where its files go',
    examples: [
      {
        name: 'Cloud security, US and UK',
        kind: 'intent',
        description: 'US and UK people researching cloud security, refreshed every morning',
        definition: {
          topic_id_prefixes: ['4eyes_101', '4eyes_102'],
          scores: ['medium', 'high'],
          where_expr: "intent_score >= 60 AND country IN ('US', 'GB')",
          unique_by: 'person_id',
          output: 'people',
        },
        window: { last_days: 7, until: 'latest' },
        timezone: 'Europe/Berlin',
        schedule: { cron: '0 6 * * *' },
        delivery: { mode: 'delta', path: 'audiences/{audience}/{date}/{run_id}' },
      },
    ],
  },
);
export type AudienceBody = Static<typeof AudienceBody>;

export const AudiencePatch = Type.Object(
  {
    name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'A new name, unique in your organisation',
        examples: ['Cloud security, US and UK'],
      }),
    ),
    ...Fields,
    definition: Type.Optional(Fields.definition),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'The fields to change (at least one); the others stay as they are',
    examples: [{ schedule: { every: '24h' }, paused: false }],
  },
);
export type AudiencePatch = Static<typeof AudiencePatch>;

export const AudienceEstimateBody = Type.Object(
  {
    kind: Kind,
    definition: Fields.definition,
    window: Fields.window,
    timezone: Fields.timezone,
  },
  {
    additionalProperties: false,
    description: "An audience's kind, definition and window, as a save would take them",
    examples: [
      {
        kind: 'intent',
        definition: {
          topic_id_prefixes: ['4eyes_101', '4eyes_102'],
          scores: ['high'],
          unique_by: 'person_id',
        },
        window: { last_days: 7, until: 'latest' },
        timezone: 'UTC',
      },
    ],
  },
);
export type AudienceEstimateBody = Static<typeof AudienceEstimateBody>;

const AudienceIdParam = Type.String({ maxLength: 64, description: 'audience_id of the audience' });
export const AudienceParams = Type.Object({ audience_id: AudienceIdParam });
export const AudienceRunParams = Type.Object({
  audience_id: AudienceIdParam,
  run_id: Type.String({ maxLength: 64, description: 'run_id of one of its runs' }),
});

const RUN_STATUSES = [
  'in_progress',
  'counted',
  'unloading',
  'completed',
  'failed',
  'cancelled',
  'skipped',
  'expired',
] as const;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const AudienceRun = Type.Object(
  {
    run_id: Type.String({ description: 'The run' }),
    audience_id: Type.String({ description: 'The audience it ran' }),
    task_id: Nullable(Type.String({ description: 'The task that does the work; null for a skipped slot' })),
    version: Type.Integer({ description: "The audience's version the run read" }),
    trigger: StringEnum(['schedule', 'manual'] as const, {
      description: 'schedule: a slot of the schedule; manual: POST /api/v1/audiences/{audience_id}/runs',
    }),
    scheduled_for: Nullable(Type.String({ format: 'date-time', description: 'The slot of a scheduled run' })),
    started_at: Type.String({ format: 'date-time', description: 'When the run started (UTC)' }),
    completed_at: Nullable(
      Type.String({ format: 'date-time', description: 'When the run ended (UTC); null while it runs' }),
    ),
    status: StringEnum(RUN_STATUSES, {
      description:
        "The task's status while it runs; skipped: a run was still going at the slot; expired: the task expired",
    }),
    days: Nullable(Type.Array(Type.String(), { description: 'The days an intent run read' })),
    total_count: Nullable(Type.Integer({ description: "The task's total_count; null until counted" })),
    people: Nullable(Type.Integer({ description: 'Members (distinct unique_by values), with unique_by' })),
    added: Nullable(Type.Integer({ description: 'A delta run: members who joined; null otherwise' })),
    removed: Nullable(Type.Integer({ description: 'A delta run: members who left; null otherwise' })),
    kept: Nullable(Type.Integer({ description: 'A delta run: members in both runs; null otherwise' })),
    split_counts: Nullable(
      Type.Record(Type.String(), Type.Integer(), {
        description:
          'A definition with splits: the people of every part (holdouts too), once counted; null otherwise',
        examples: [{ A: 4512, B: 4470, holdout: 1018 }],
      }),
    ),
    baseline: Nullable(
      StringEnum(['new', 'previous'] as const, {
        description:
          'A delta run: new (every member delivered as added: a first run, or the first after a change ' +
          'of the definition or a resync) or previous (against previous_run_id)',
      }),
    ),
    previous_run_id: Nullable(Type.String({ description: 'A delta run: the run it was compared with' })),
    previous_version: Nullable(
      Type.Integer({ description: "A delta run: the audience's version that run read" }),
    ),
    missed_slots: Type.Integer({
      description: 'Earlier slots this catch-up run stands for (every process was down)',
    }),
    reason: Nullable(Type.String({ description: 'Why a slot was skipped, or why the run failed' })),
  },
  { description: 'A run of the audience, or a skipped slot' },
);
export type AudienceRun = Static<typeof AudienceRun>;

const NextCursor = Nullable(
  Type.String({ description: 'Send it as ?cursor= for the next page; null on the last page' }),
);

export const AudienceRunList = Type.Object(
  {
    runs: Type.Array(AudienceRun, { description: 'A page of runs and skipped slots, newest first' }),
    next_cursor: NextCursor,
  },
  { description: "A page of the audience's runs" },
);
export type AudienceRunList = Static<typeof AudienceRunList>;

export const AudienceRunStarted = Type.Object(
  {
    run_id: Type.String({ description: 'The run: GET /api/v1/audiences/{audience_id}/runs/{run_id}' }),
    task_id: Type.String({ description: 'Its task: GET /api/v1/status/{task_id}' }),
    audience_id: Type.String({ description: 'The audience' }),
    days: Nullable(Type.Array(Type.String(), { description: 'The days an intent run reads' })),
    baseline: Nullable(
      StringEnum(['new', 'previous'] as const, {
        description: 'A delta run: new (every member added) or previous (against previous_run_id)',
      }),
    ),
    previous_run_id: Nullable(Type.String({ description: 'A delta run: the run it is compared with' })),
  },
  { description: 'Started: the run is an ordinary task; Location names its status' },
);
export type AudienceRunStarted = Static<typeof AudienceRunStarted>;

const AudienceSummaryFields = {
  audience_id: Type.String({ description: 'The audience' }),
  name: Type.String({ description: 'Unique in the organisation' }),
  description: Nullable(Type.String({ description: 'Free text for people' })),
  kind: StringEnum(AUDIENCE_KINDS, { description: 'intent or generic: the kind of task its runs are' }),
  version: Type.Integer({ description: 'Grows with each change of the definition or window' }),
  schedule: AudienceSchedule,
  schedule_in_words: Type.String({ description: 'The schedule for people, e.g. "every day at 06:00"' }),
  paused: Type.Boolean({ description: 'true: the schedule is stopped' }),
  delivery: Type.Object(
    {
      mode: StringEnum(DELIVERY_MODES, { description: 'full or delta' }),
      path: Nullable(Type.String({ description: "Where runs' files go; null: the task folder" })),
    },
    { description: "How each run's export is delivered" },
  ),
  next_run_at: Nullable(
    Type.String({ format: 'date-time', description: 'The next slot; null without a schedule or paused' }),
  ),
  last_run: Type.Union([AudienceRun, Type.Null()], { description: 'The newest run; null before the first' }),
  size_history: Type.Array(
    Type.Object({
      run_id: Type.String({ description: 'The run' }),
      completed_at: Type.String({ format: 'date-time', description: 'When it completed (UTC)' }),
      total_count: Nullable(Type.Integer({ description: 'Rows of its segment' })),
      people: Nullable(Type.Integer({ description: 'Members, with unique_by' })),
    }),
    { description: 'The completed runs among the last 30, oldest first' },
  ),
  created_at: Type.String({ format: 'date-time', description: 'When it was saved (UTC)' }),
  updated_at: Type.String({ format: 'date-time', description: 'When it last changed (UTC)' }),
};

export const AudienceSummary = Type.Object(AudienceSummaryFields);
export type AudienceSummary = Static<typeof AudienceSummary>;

export const AudienceDetail = Type.Object(
  {
    ...AudienceSummaryFields,
    definition: Type.Record(Type.String(), Type.Unknown(), {
      description: 'The task body its runs use, as saved',
    }),
    window: Nullable(AudienceWindow),
    timezone: Type.String({ description: 'IANA time zone of the window and the schedule' }),
    days: Nullable(
      Type.Array(Type.String(), { description: 'The days the next run would read (intent audiences)' }),
    ),
  },
  { description: 'The audience' },
);
export type AudienceDetail = Static<typeof AudienceDetail>;

export const AudienceList = Type.Object(
  {
    audiences: Type.Array(AudienceSummary, { description: 'A page of audiences, newest first' }),
    next_cursor: NextCursor,
  },
  { description: "A page of the organisation's audiences" },
);
export type AudienceList = Static<typeof AudienceList>;
