/**
 * The checks of a task request that need no input: the contradictions between its fields and the
 * values the schema cannot check, each a 400 that says what to change. The route's schema has
 * checked types and bounds before; the planner checks what needs the input (its columns) after.
 */

import { activationProfile } from '../../activation/profiles.ts';
import { splitPlanOf } from '../../activation/splits.ts';
import { SCORES, type Score } from '../../catalog/intent-layout.ts';
import type { GenericTaskBody, IntentTaskBody } from '../../contract/task-body-schemas.ts';
import { FORMAT_CODECS } from '../../engine/file-writer.ts';
import { ExpressionError } from '../../engine/sql-guard.ts';
import { AppError, invalidField } from '../../errors.ts';
import type { FileLayout } from '../task-model.ts';
import { parseDays } from './days.ts';

/** The fields both bodies have (`input_path` as the intent body has it: optional). */
export type CommonTaskBody = Pick<IntentTaskBody, keyof IntentTaskBody & keyof GenericTaskBody>;

/** The fields of either body that only a people export takes. */
export type PeopleFields = Pick<IntentTaskBody, 'min_topics' | 'min_days'> &
  Pick<GenericTaskBody, 'latest_by'> &
  Partial<Pick<GenericTaskBody, 'identifier'>>;

/** The column an intent profile export encodes: the intent layout's hashed e-mail. */
export const INTENT_IDENTIFIER = 'hem_sha256';

/** What an intent body names, normalised: each value once, days as `YYYY-MM-DD` in ascending order. */
export interface IntentScope {
  days: string[];
  prefixes: string[];
  scores: Score[];
}

const PREFIX = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * Checks an intent body before its input is read and normalises what it names; a task of more than
 * `maxPartitions` (days × prefixes × scores) is refused.
 */
export function checkIntentBody(body: IntentTaskBody, maxPartitions: number): IntentScope {
  const days = parseDays(body.days);
  const prefixes = uniqueStrings(body.topic_id_prefixes, 'topic_id_prefixes', (value) =>
    PREFIX.test(value)
      ? undefined
      : 'use letters, digits, "_", "-" or "." (a topic prefix such as 4eyes_103)',
  );
  const scores = uniqueStrings(body.scores, 'scores', (value) =>
    (SCORES as readonly string[]).includes(value) ? undefined : 'is not a score; use low, medium or high',
  ) as Score[];
  checkLimit(body);
  checkProfileFields(body, 'intent');
  checkPeopleFields(body, { days: days.length, prefixes: prefixes.length });
  // The splits' 400s come before any input is read; the plan picks the salt (`splitPlanOf`).
  splitPlanOf(body);
  checkPartitionCount(days.length * prefixes.length * scores.length, maxPartitions);
  return { days, prefixes, scores };
}

/** Checks a generic body before its input is read (its partitions are known only once it is listed). */
export function checkGenericBody(body: GenericTaskBody): void {
  checkLimit(body);
  checkProfileFields(body, 'generic');
  checkPeopleFields(body, undefined);
  splitPlanOf(body);
}

export function checkPartitionCount(count: number, maxPartitions: number): void {
  if (count > maxPartitions) {
    throw new AppError(
      'too_many_partitions',
      `the task covers ${count} partitions; the limit is ${maxPartitions}. Split it into several tasks`,
    );
  }
}

/** A `limit` exports at once and counts only what it wrote: refused with what needs a count. */
function checkLimit(body: CommonTaskBody): void {
  if (body.limit !== undefined && body.single_file === true) {
    throw invalidField(
      'limit',
      'a single file is written after the task is counted, and a task with a limit is not counted; drop limit, or drop single_file',
    );
  }
  if (body.limit !== undefined && body.perform_unload === false) {
    throw invalidField(
      'limit',
      'a task with a limit exports straight away; drop limit to count first, or drop perform_unload: false',
    );
  }
  if (body.limit !== undefined && body.output === 'people') {
    throw invalidField(
      'limit',
      'a people export counts and exports every person of the segment, so it cannot have a limit; drop limit, or use output: rows',
    );
  }
  // A limited export counts only the rows it wrote: no figure over the whole segment.
  for (const field of ['unique_by', 'breakdown_by'] as const) {
    if (body.limit !== undefined && body[field] !== undefined) {
      throw invalidField(
        'limit',
        `a task with a limit exports at most limit rows per job and counts only those, so it cannot have ${field}; drop limit, or drop ${field}`,
      );
    }
  }
}

/**
 * The contradictions of the people-export fields, answered before any input is read: they need
 * `output: "people"` and `unique_by`, and an intent task's minimums cannot exceed what it names
 * (`scope`: its numbers of days and prefixes; undefined for a generic task).
 */
function checkPeopleFields(
  body: CommonTaskBody & PeopleFields,
  scope: { days: number; prefixes: number } | undefined,
): void {
  for (const field of ['min_topics', 'min_days', 'latest_by'] as const) {
    if (body[field] !== undefined && body.output !== 'people') {
      throw invalidField(
        field,
        `${field} applies to a people export; add output: "people", or drop ${field}`,
      );
    }
  }
  if (body.output !== 'people') return;
  // A profile's people are its identifier's values (see `profileIdentifier`).
  if (body.unique_by === undefined && body.profile === undefined) {
    throw invalidField(
      'unique_by',
      `output: "people" exports one row per distinct unique_by value; name the person column, e.g. unique_by: "person_id"`,
    );
  }
  if (body.breakdown_by !== undefined) {
    throw invalidField(
      'breakdown_by',
      'breakdowns count the rows of a segment, and a people export counts people; drop breakdown_by, or count the breakdowns in a task with output: rows',
    );
  }
  if (scope && body.select !== undefined) {
    throw invalidField(
      'select',
      'a people export of intent data has fixed columns (person_id, hem_sha256, topic_ids, prefixes, max_intent_score, best_score, days_seen, first_seen, last_seen); drop select',
    );
  }
  const minimums = [
    { field: 'min_topics', value: body.min_topics, most: scope?.prefixes, what: 'topic prefixes' },
    { field: 'min_days', value: body.min_days, most: scope?.days, what: 'days' },
  ];
  for (const { field, value, most, what } of minimums) {
    if (value !== undefined && most !== undefined && value > most) {
      throw invalidField(
        field,
        `${field} is ${value} but the task names ${most} ${what}, so nobody could match; lower ${field} or name more ${what}`,
      );
    }
  }
}

/**
 * The column a profile export encodes and counts people by: an intent tree's `hem_sha256`; for a
 * generic input, `identifier`, else `unique_by`, else `hem_sha256`. Null without a profile.
 */
export function profileIdentifier(
  body: CommonTaskBody & PeopleFields,
  kind: 'intent' | 'generic',
): string | null {
  if (body.profile === undefined) return null;
  if (kind === 'intent') return INTENT_IDENTIFIER;
  return body.identifier ?? body.unique_by ?? INTENT_IDENTIFIER;
}

/**
 * The contradictions of `profile` (and of a generic body's `identifier`), answered before any input
 * is read: a profile writes people, in the file its platform takes, one row per hashed e-mail, so
 * it needs `output: "people"` and fixes the file's format, codec, columns and bounds, and whose
 * people they are. Each 400 says what to drop or change.
 */
function checkProfileFields(body: CommonTaskBody & PeopleFields, kind: 'intent' | 'generic'): void {
  if (body.identifier !== undefined && body.profile === undefined) {
    throw invalidField('identifier', 'names the column a profile encodes; add profile, or drop identifier');
  }
  if (body.profile === undefined) return;
  const name = body.profile;
  const profile = activationProfile(name);
  if (body.output !== 'people') {
    throw invalidField(
      'profile',
      `a ${name} file has one row per person; add output: "people" (or drop profile to export rows)`,
    );
  }
  if (body.format !== undefined && body.format !== profile.format) {
    throw invalidField('format', `${name} files are ${profile.format.toUpperCase()}; drop format`);
  }
  if (body.compression !== undefined && body.compression !== profile.compression) {
    throw invalidField(
      'compression',
      `${profile.platform} takes ${name} files with compression ${profile.compression}; drop compression`,
    );
  }
  const fixed = [
    {
      field: 'max_file_bytes',
      set: body.max_file_bytes !== undefined,
      why: `splits files at the limits ${profile.platform} sets`,
    },
    {
      field: 'single_file',
      set: body.single_file === true,
      why: `writes as many files as the limits of ${profile.platform} need`,
    },
    { field: 'select', set: body.select !== undefined, why: "writes only its template's columns" },
    {
      field: 'latest_by',
      set: body.latest_by !== undefined,
      why: 'writes only the identifier, which is the person: no row is picked',
    },
  ];
  for (const { field, set, why } of fixed) {
    if (set) throw invalidField(field, `the profile ${name} ${why}; drop ${field}`);
  }
  const identifier = profileIdentifier(body, kind)!;
  if (body.unique_by !== undefined && body.unique_by !== identifier) {
    throw invalidField(
      'unique_by',
      `a ${name} file has one row per hashed e-mail, so its people are the values of "${identifier}"; drop unique_by, or set it to "${identifier}"`,
    );
  }
}

/** How the export's files are written: the request's format, codec and file bounds, checked. */
export function layoutOf(body: CommonTaskBody): FileLayout {
  if (body.profile !== undefined) {
    // The profile's platform decides (its contradictions with the body are 400s already).
    const { format, compression } = activationProfile(body.profile);
    return { format, compression, singleFile: false, maxFileBytes: null };
  }
  const format = body.format ?? 'parquet';
  let compression: string | null = body.compression ?? (format === 'parquet' ? null : 'gzip');
  // Parquet's name for no codec is `uncompressed`; the API says `none` for every format.
  if (format === 'parquet' && compression === 'none') compression = 'uncompressed';
  if (compression !== null && !FORMAT_CODECS[format].includes(compression)) {
    const codecs = FORMAT_CODECS[format].map((codec) => (codec === 'uncompressed' ? 'none' : codec));
    throw invalidField(
      'compression',
      `${format} files are written with ${codecs.join(', ')}, not ${compression}`,
    );
  }
  if (body.single_file === true && body.max_file_bytes !== undefined) {
    throw invalidField(
      'max_file_bytes',
      'single_file writes one file, and max_file_bytes splits files; drop one of them',
    );
  }
  return {
    format,
    compression,
    singleFile: body.single_file ?? false,
    maxFileBytes: body.max_file_bytes ?? null,
  };
}

/** The request names columns, so the input's schema must be read to check them. */
export function needsSchema(body: CommonTaskBody): boolean {
  return (
    body.where_expr !== undefined ||
    body.select !== undefined ||
    body.unique_by !== undefined ||
    body.breakdown_by !== undefined ||
    body.profile !== undefined
  );
}

/** A field that names columns of an input whose columns are unknown (it holds no file yet). */
export function noDataFor(field: string): ExpressionError {
  return new ExpressionError(
    field,
    'expression_invalid',
    `${field}: the input holds no data yet, so its columns are unknown`,
  );
}

/** The values of a list field, each once, in order; the first refused by `problem` is a 400 naming its index. */
function uniqueStrings(
  values: readonly string[],
  field: string,
  problem: (value: string) => string | undefined,
) {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    const message = problem(value);
    if (message) throw invalidField(`${field}[${index}]`, `${JSON.stringify(value).slice(0, 60)} ${message}`);
    seen.add(value);
  });
  return [...seen];
}
