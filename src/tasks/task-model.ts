import type { SplitPlan } from '../activation/splits.ts';
import type { InputLayout, Score } from '../catalog/intent-layout.ts';
import type { GenericTaskBody, IntentTaskBody } from '../contract/task-body-schemas.ts';
import type { DataWarnings, TaskDetail } from '../contract/task-schemas.ts';
import type { FileFormat } from '../engine/file-writer.ts';

/**
 * A body as the task detail shows it back (`request`), normalised at creation: every field present,
 * null where the client left it out, a default where the body has one. Derived from the body's
 * schema, so a field added to a body must be added to the view the planner builds.
 */
type RequestView<Body> = Omit<NullWhenOmitted<Body>, Defaulted | Resolved | Apart> &
  Required<Pick<Body, Defaulted & keyof Body>> & {
    /** The folder or bucket location `input_path` resolved to (intent: the server's tree without one). */
    input_path: string;
    /** The columns `select` names, checked against the input; null without `select`. */
    select: string[] | null;
    /** The codec the files are written with (`none` for Parquet's `uncompressed`); null: the server's default. */
    compression: string | null;
    /** The parts, each with its `deliver`; null without splits. */
    splits: Array<{ name: string; percent: number; deliver: boolean }> | null;
    /** The salt the people were split with (picked at creation when the body gave none). */
    split_salt: string | null;
  };
/** Optional fields become required and nullable; required ones stay as they are. */
type NullWhenOmitted<Body> = {
  [K in keyof Body]-?: undefined extends Body[K] ? Exclude<Body[K], undefined> | null : Body[K];
};
/** Body fields with a default (the schema's `default`): never null in the view. */
type Defaulted = 'perform_unload' | 'output' | 'format' | 'single_file' | 'strict';
/** Body fields whose view is what the planner made of them rather than the client's text. */
type Resolved = 'input_path' | 'select' | 'compression' | 'splits' | 'split_salt';
/** Body fields that say nothing of the segment: the task shows them beside its request (`name`). */
type Apart = 'name';

export type IntentRequestView = Omit<RequestView<IntentTaskBody>, 'scores'> & {
  /** Checked (the body takes any string, to answer an unknown score with a useful message). */
  scores: Score[];
};
export type GenericRequestView = RequestView<GenericTaskBody>;

export type TaskType = 'intent_hive' | 'generic_parquet';

/** What the worker needs to run a task's jobs, fixed at creation. */
export interface TaskPlan extends InputLayout {
  /** The filter rendered from the validated expression tree; never the client's text. */
  whereSql: string | null;
  /** Columns written to exports, in order; null: the files' own columns. */
  columns: string[] | null;
  limit: number | null;
  /** Column whose distinct values the count also counts (`unique_by`); absent in plans stored before it. */
  uniqueBy?: string | null;
  /** Columns whose top values the count lists (`breakdown_by`); absent in plans stored before it. */
  breakdownBy?: string[] | null;
  /** One row per person (distinct `uniqueBy` value) instead of rows; absent in plans stored before it. */
  people?: PeoplePlan | null;
  /** How exported files are written; absent (plans stored before it): Parquet, one folder per partition. */
  layout?: FileLayout;
  /**
   * The export is the input files as they are (no filter, no column list, no limit, Parquet in the
   * input's own codec, one folder per partition): they are copied, not read and written again.
   */
  copyFiles?: boolean;
  /** A saved audience's delta run: its members are kept and compared with its previous run's. */
  delta?: DeltaPlan | null;
  /**
   * Where the export goes, relative to the output root (a saved audience's delivery path);
   * absent: `{organization_id}/{task_id}`.
   */
  outputFolder?: string;
  /** A people export written as an ad platform's upload file; absent in plans stored before it. */
  profile?: ProfilePlan | null;
  /** A people export split at random into parts, each its own output `split=NAME`; absent: none. */
  splits?: SplitPlan | null;
  /**
   * The hash buckets its unique or people work is sliced into when larger than one job
   * (`tasks/unique-slices.ts`), chosen when the task is planned; absent: `SLICE_BUCKETS`.
   */
  sliceBuckets?: number;
}

/**
 * A people export written in an activation profile: one row per valid hashed e-mail of the column
 * `identifier` (the plan's `uniqueBy` too), encoded and laid out as the profile says.
 */
export interface ProfilePlan {
  /** A profile of the table in `activation/profiles.ts`. */
  name: NonNullable<IntentTaskBody['profile']>;
  /** The column holding the hex SHA-256 of each e-mail (checked: a text column of the input). */
  identifier: string;
}

/**
 * A delta run of a saved audience (a people export): its count writes the members (distinct
 * `uniqueBy` values) to `snapshot` and counts them against `previous`; its export writes the people
 * rows of members new since then (`added`) and the values of those who left (`removed`).
 */
export interface DeltaPlan {
  /** The folder this run's members file (`members.parquet`) is written to. */
  snapshot: string;
  /** The folder of the base run's members; null for a baseline (every member is added). */
  previous: string | null;
  /** The run `previous` belongs to. */
  previousRunId: string | null;
}

/** The members file in a snapshot folder. */
export const MEMBERS_FILE = 'members.parquet';
/** The outputs of a delta run: people rows of new members, and values of members who left. */
export const ADDED = 'added';
export const REMOVED = 'removed';

/** The files of an export: format, codec, and how rows are spread over files. */
export interface FileLayout {
  format: FileFormat;
  /** One of the format's codecs; null (Parquet only) leaves it to the server (`EXPORT_COMPRESSION`). */
  compression: string | null;
  /** One export job writes every partition into the one output `all` (counted first). */
  singleFile: boolean;
  /** Files are split past this size. */
  maxFileBytes: number | null;
}

export const DEFAULT_LAYOUT: FileLayout = {
  format: 'parquet',
  compression: null,
  singleFile: false,
  maxFileBytes: null,
};

/** The output key of a single-file export. */
export const ALL = 'all';

/**
 * A people export (`output: "people"`): one row per distinct non-null `uniqueBy` value, counted and
 * exported whole (not by partition) under the one key `people`.
 */
export interface PeoplePlan {
  /** Intent data: each person's fixed aggregates (topics, scores, days); generic: the person's latest row. */
  shape: 'intent' | 'generic';
  /** Intent: keep people who match at least this many distinct requested prefixes. */
  minTopics: number | null;
  /** Intent: keep people seen on at least this many distinct days. */
  minDays: number | null;
  /** Generic: the column whose largest value names a person's most recent row (else any one row). */
  latestBy: string | null;
}

/** The one partition key of a people export's counts, outputs and files. */
export const PEOPLE = 'people';

/** Values listed per breakdown column before the rest are summed into one `(other)` entry. */
export const BREAKDOWN_TOP = 50;
/** The value shown for the rest of a breakdown column's values. */
export const BREAKDOWN_OTHER = '(other)';

/**
 * A task whose count computes figures over its whole segment (`unique_by`, `breakdown_by`): one job
 * counts all its partitions, so that every value is seen by that one job and its figures are exact.
 */
export function countsWhole(plan: TaskPlan): boolean {
  return (plan.uniqueBy ?? null) !== null || (plan.breakdownBy ?? null) !== null;
}

/**
 * The one output key of an export that one job writes whole, reading every partition its count read
 * (`people`, or `all` for a single file); null when each partition has its own folder.
 */
export function wholeExportKey(plan: TaskPlan): string | null {
  if (peopleOf(plan)) return PEOPLE;
  return plan.layout?.singleFile ? ALL : null;
}

/** The task is counted before it exports, even when it exports at once. */
export function countsFirst(plan: TaskPlan): boolean {
  if (countsAsItWrites(plan)) return false;
  return countsWhole(plan) || wholeExportKey(plan) !== null;
}

/**
 * A people export (not a delta run) that exports at once needs no count before: its first job, over
 * every partition, writes its people and counts them as it writes (a profile's, its valid
 * identifiers; a split's, each part's). One with more people than a job folds is sliced by hash
 * instead: that job hands its partitions to count jobs (`mapPeople` in `jobs/phases/phase-inputs.ts`).
 * A delta run is counted first: its count keeps the members it compares.
 */
export function countsAsItWrites(plan: TaskPlan): boolean {
  return peopleOf(plan) !== null && !plan.delta;
}

/** The task's activation profile, when it is a people export written in one. */
export function profileOf(plan: TaskPlan): ProfilePlan | null {
  return peopleOf(plan) === null ? null : (plan.profile ?? null);
}

/**
 * A task that exports has no count phase: its export jobs run at once, in one pass over the data,
 * and the rows they write are its counts (exact, or capped by a limit). A task held for review
 * (perform_unload: false) is counted first, and so is one with figures over its whole segment
 * (`unique_by`, `breakdown_by`), which only its count computes, or one written whole by one job (a
 * single file, a people export held for review or a delta run's); it then exports without an
 * `unload`. A people export that exports at once counts as it writes (`countsAsItWrites`).
 */
export function firstJobPhase(request: StoredRequest): 'count' | 'unload' {
  return request.view.perform_unload && !countsFirst(request.plan) ? 'unload' : 'count';
}

/**
 * The task's first jobs export it whole (one job over every partition, see `wholeExportKey`)
 * without a count before: a people export that counts as it writes.
 */
export function exportsWholeAtOnce(request: StoredRequest): boolean {
  return firstJobPhase(request) === 'unload' && wholeExportKey(request.plan) !== null;
}

/** The task's people export, when it is one (see `PeoplePlan`). */
export function peopleOf(plan: TaskPlan): PeoplePlan | null {
  return (plan.uniqueBy ?? null) === null ? null : (plan.people ?? null);
}

/** The figures of a task counted whole (see `countsWhole`), as the task detail shows them. */
export type SegmentFiguresView = Pick<TaskDetail, 'unique_count' | 'unique_counts' | 'breakdowns'> & {
  delta?: DeltaView;
  /** A profile export: distinct identifier values left out for not being a hex SHA-256. */
  invalid_identifiers?: number;
  /** A split export: the people of every part, delivered or not. */
  split_counts?: Record<string, number>;
  /** A split export, once exported: the files of the parts not delivered, in the service's own area. */
  held_back?: HeldBackFile[];
};

/**
 * A file of a part not delivered (a holdout), as the figures and the manifest list it. Its `path`
 * is relative to the task's held-back folder: where the service keeps its own data is not the
 * caller's to see, as the intent tree's location is not.
 */
export interface HeldBackFile {
  split: string;
  /** `split=NAME/data_0.parquet`, or `split=NAME/added/…` for a delta run. */
  path: string;
  rows: number;
  size_bytes: number;
  sha256: string | null;
}

/** The output key (and folder) of a delivered part of a split export. */
export function splitPartition(name: string): string {
  return `split=${name}`;
}

/** The task's splits, when it is a people export split into parts. */
export function splitsOf(plan: TaskPlan): SplitPlan | null {
  return peopleOf(plan) === null ? null : (plan.splits ?? null);
}

/** One value of a breakdown column and its count. */
export type BreakdownEntry = NonNullable<TaskDetail['breakdowns']>[string][number];

/** The JSON stored in `tasks.request`. */
export interface StoredRequest {
  view: IntentRequestView | GenericRequestView;
  plan: TaskPlan;
  /** The saved audience whose run this task is; absent for a task created as such. */
  audience?: AudienceRunRef;
  /** What the create warned about (values without data), shown with the task; absent without any. */
  warnings?: DataWarnings;
}

/** A run of a saved audience, as its task names it. */
export interface AudienceRunRef {
  audience_id: string;
  run_id: string;
  name: string;
  version: number;
}

/** What a delta run's count found, as the task detail shows it (`delta`). */
export interface DeltaView {
  /** `new`: every member is added (no base); `previous`: against `previous_run_id`. */
  baseline: 'new' | 'previous';
  previous_run_id: string | null;
  members: number;
  added: number;
  removed: number;
  kept: number;
}

/** Where an intent partition's key comes from. */
export function intentPartitionKey(day: string, prefix: string, score: string): string {
  return `day=${day}/prefix=${prefix}/score=${score}`;
}

/** Every partition of an intent request: days × prefixes × scores, in that order. */
export function intentPartitionKeys(
  days: readonly string[],
  prefixes: readonly string[],
  scores: readonly string[],
): string[] {
  return days.flatMap((day) =>
    prefixes.flatMap((prefix) => scores.map((score) => intentPartitionKey(day, prefix, score))),
  );
}
