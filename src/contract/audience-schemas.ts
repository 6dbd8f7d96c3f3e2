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

/** An intent task's body without what a saved audience decides itself (`days` come from the window unless fixed). */
export const IntentDefinition = Type.Composite(
  [
    Type.Omit(IntentTaskBody, ['days', 'perform_unload', 'limit']),
    Type.Object({ days: Type.Optional(IntentTaskBody.properties.days) }),
  ],
  { additionalProperties: false },
);
export type IntentDefinition = Static<typeof IntentDefinition>;

export const GenericDefinition = Type.Omit(GenericTaskBody, ['perform_unload', 'limit'], {
  additionalProperties: false,
});
export type GenericDefinition = Static<typeof GenericDefinition>;

export const AudienceWindow = Type.Object(
  {
    last_days: Type.Integer({
      minimum: 1,
      maximum: 366,
      description: 'How many calendar days, ending at until',
    }),
    until: Type.Optional(
      StringEnum(WINDOW_ENDS, {
        default: 'latest',
        description:
          "latest: the newest day the intent data holds; yesterday or today: in the audience's timezone, " +
          'at the time of the run (its slot for a scheduled run)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AudienceWindow = Static<typeof AudienceWindow>;

export const AudienceSchedule = Type.Union(
  [
    Type.Object(
      { every: Type.String({ maxLength: 32, description: 'A duration: 15m, 1h, 24h, 7d' }) },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        cron: Type.String({ maxLength: 128, description: 'Five fields: minute hour day month weekday' }),
        timezone: Type.Optional(
          Type.String({ maxLength: 64, description: "IANA time zone; default: the audience's" }),
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
          'since the last completed run',
      }),
    ),
    path: Type.Optional(
      Type.String({
        maxLength: 512,
        description:
          "Where each run's files go under your organisation's output folder, with the tokens {audience} " +
          "(a slug of the name), {date} (the run's date, YYYY-MM-DD) and {run_id} (required, so drops " +
          'never overwrite each other), e.g. audiences/{audience}/{date}/{run_id}. Default: the task folder',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AudienceDelivery = Static<typeof AudienceDelivery>;

const Fields = {
  description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
  definition: Type.Record(Type.String(), Type.Unknown(), {
    description:
      'The body of a task of the kind (intent: POST /api/v1/intent_hive_tasks, generic: POST ' +
      '/api/v1/generic_parquet_tasks) without perform_unload and limit; an intent audience takes a ' +
      'window instead of days (or fixed days)',
  }),
  window: Type.Optional(Type.Union([AudienceWindow, Type.Null()])),
  timezone: Type.Optional(Type.String({ maxLength: 64, description: 'IANA time zone; default UTC' })),
  schedule: Type.Optional(AudienceSchedule),
  paused: Type.Optional(Type.Boolean({ description: 'true stops the schedule without losing it' })),
  delivery: Type.Optional(AudienceDelivery),
};

export const AudienceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Unique in your organisation' }),
    kind: StringEnum(AUDIENCE_KINDS),
    ...Fields,
  },
  { additionalProperties: false },
);
export type AudienceBody = Static<typeof AudienceBody>;

export const AudiencePatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    ...Fields,
    definition: Type.Optional(Fields.definition),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type AudiencePatch = Static<typeof AudiencePatch>;

export const AudienceEstimateBody = Type.Object(
  {
    kind: StringEnum(AUDIENCE_KINDS),
    definition: Fields.definition,
    window: Fields.window,
    timezone: Fields.timezone,
  },
  { additionalProperties: false },
);
export type AudienceEstimateBody = Static<typeof AudienceEstimateBody>;

export const AudienceParams = Type.Object({ audience_id: Type.String({ maxLength: 64 }) });
export const AudienceRunParams = Type.Object({
  audience_id: Type.String({ maxLength: 64 }),
  run_id: Type.String({ maxLength: 64 }),
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

export const AudienceRun = Type.Object({
  run_id: Type.String(),
  audience_id: Type.String(),
  task_id: Nullable(Type.String()),
  version: Type.Integer({ description: "The audience's version the run read" }),
  trigger: StringEnum(['schedule', 'manual'] as const),
  scheduled_for: Nullable(Type.String({ format: 'date-time', description: 'The slot of a scheduled run' })),
  started_at: Type.String({ format: 'date-time' }),
  completed_at: Nullable(Type.String({ format: 'date-time' })),
  status: StringEnum(RUN_STATUSES, {
    description:
      "The task's status while it runs; skipped: a run was still going at the slot; expired: the task expired",
  }),
  days: Nullable(Type.Array(Type.String(), { description: 'The days an intent run read' })),
  total_count: Nullable(Type.Integer()),
  people: Nullable(Type.Integer({ description: 'Members (distinct unique_by values), with unique_by' })),
  added: Nullable(Type.Integer()),
  removed: Nullable(Type.Integer()),
  kept: Nullable(Type.Integer()),
  baseline: Nullable(
    StringEnum(['new', 'previous'] as const, {
      description:
        'A delta run: new (every member delivered as added: a first run, or the first after a change ' +
        'of the definition or a resync) or previous (against previous_run_id)',
    }),
  ),
  previous_run_id: Nullable(Type.String()),
  previous_version: Nullable(Type.Integer()),
  missed_slots: Type.Integer({
    description: 'Earlier slots this catch-up run stands for (every process was down)',
  }),
  reason: Nullable(Type.String({ description: 'Why a slot was skipped, or why the run failed' })),
});
export type AudienceRun = Static<typeof AudienceRun>;

export const AudienceRunList = Type.Object({
  runs: Type.Array(AudienceRun),
  next_cursor: Nullable(Type.String()),
});
export type AudienceRunList = Static<typeof AudienceRunList>;

export const AudienceRunStarted = Type.Object({
  run_id: Type.String(),
  task_id: Type.String(),
  audience_id: Type.String(),
  days: Nullable(Type.Array(Type.String())),
  baseline: Nullable(StringEnum(['new', 'previous'] as const)),
  previous_run_id: Nullable(Type.String()),
});
export type AudienceRunStarted = Static<typeof AudienceRunStarted>;

const AudienceSummaryFields = {
  audience_id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  kind: StringEnum(AUDIENCE_KINDS),
  version: Type.Integer({ description: 'Grows with each change of the definition or window' }),
  schedule: AudienceSchedule,
  schedule_in_words: Type.String(),
  paused: Type.Boolean(),
  delivery: Type.Object({ mode: StringEnum(DELIVERY_MODES), path: Nullable(Type.String()) }),
  next_run_at: Nullable(Type.String({ format: 'date-time' })),
  last_run: Nullable(AudienceRun),
  size_history: Type.Array(
    Type.Object({
      run_id: Type.String(),
      completed_at: Type.String({ format: 'date-time' }),
      total_count: Nullable(Type.Integer()),
      people: Nullable(Type.Integer()),
    }),
    { description: 'The completed runs among the last 30, oldest first' },
  ),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
};

export const AudienceSummary = Type.Object(AudienceSummaryFields);
export type AudienceSummary = Static<typeof AudienceSummary>;

export const AudienceDetail = Type.Object({
  ...AudienceSummaryFields,
  definition: Type.Record(Type.String(), Type.Unknown()),
  window: Nullable(AudienceWindow),
  timezone: Type.String(),
  days: Nullable(
    Type.Array(Type.String(), { description: 'The days the next run would read (intent audiences)' }),
  ),
});
export type AudienceDetail = Static<typeof AudienceDetail>;

export const AudienceList = Type.Object({
  audiences: Type.Array(AudienceSummary),
  next_cursor: Nullable(Type.String()),
});
export type AudienceList = Static<typeof AudienceList>;
