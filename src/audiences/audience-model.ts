import { Value } from '@sinclair/typebox/value';
import { randomSalt, type SplitFields, splitPlanOf } from '../activation/splits.ts';
import {
  type AudienceWindow,
  GenericDefinition,
  IntentDefinition,
  type WINDOW_ENDS,
} from '../contract/audience-schemas.ts';
import { AppError, invalidField } from '../errors.ts';
import type { AudienceRecord } from '../store/store.ts';
import type { ScheduleBody, ScheduleRule } from './audience-schedule.ts';

export type AudienceKind = 'intent' | 'generic';
export type DeliveryMode = 'full' | 'delta';

/** A saved audience as the store keeps it (`AudienceRecord.spec`), checked and normalised. */
export interface AudienceSpec {
  description: string | null;
  /** The body of a task of the audience's kind, without `perform_unload` and `limit`. */
  definition: Record<string, unknown>;
  /** An intent audience's rolling days; null: the definition's fixed `days` (or a generic audience). */
  window: { last_days: number; until: (typeof WINDOW_ENDS)[number] } | null;
  /** The audience's calendar (window ends `today` and `yesterday`, `{date}`, cron without one). */
  timezone: string;
  /** The schedule as sent, shown back. */
  schedule: ScheduleBody | null;
  /** The checked schedule; null: manual runs only. */
  rule: ScheduleRule | null;
  /** When the schedule was set: `every` slots count from here. */
  anchor: string | null;
  paused: boolean;
  delivery: { mode: DeliveryMode; path: string | null };
}

/** What a run read and against what (`AudienceRunRecord.details`). */
export interface RunDetails {
  /** The days an intent run read. */
  days: string[] | null;
  /** A delta run: `new` (no base) or `previous` (against `previousRunId`); null for a full run. */
  baseline: 'new' | 'previous' | null;
  previousRunId: string | null;
  previousVersion: number | null;
  /** Earlier slots a catch-up run stands for. */
  missed: number;
  /** Why a slot was not run (a run still going, or planning it failed). */
  skipped?: string;
}

/** A window as sent, with its default end (`latest`); null without one. */
export function windowOf(window: AudienceWindow | null | undefined): AudienceSpec['window'] {
  return window ? { last_days: window.last_days, until: window.until ?? 'latest' } : null;
}

export function specOf(audience: AudienceRecord): AudienceSpec {
  return audience.spec as AudienceSpec;
}

/**
 * Checks a definition against the task body of its kind; the first problem is a 400 naming
 * `definition.<field>`. A window and fixed days contradict each other; an intent audience needs one.
 */
export function checkDefinition(
  kind: AudienceKind,
  definition: Record<string, unknown>,
  window: AudienceWindow | null,
): void {
  const schema = kind === 'intent' ? IntentDefinition : GenericDefinition;
  const [error] = Value.Errors(schema, definition);
  if (error) {
    const field = `definition${error.path.replaceAll('/', '.')}`;
    throw invalidField(field, error.message.toLowerCase());
  }
  if (kind === 'generic' && window) {
    throw invalidField(
      'window',
      'applies to intent audiences only; a generic audience reads its input_path whole',
    );
  }
  if (kind === 'intent' && window && definition.days !== undefined) {
    throw invalidField('window', 'give either a rolling window or fixed definition.days, not both');
  }
  if (kind === 'intent' && !window && definition.days === undefined) {
    throw invalidField(
      'window',
      'an intent audience needs a window (e.g. {"last_days": 7}) or fixed definition.days',
    );
  }
  for (const field of ['perform_unload', 'limit']) {
    if (field in definition) {
      throw invalidField(`definition.${field}`, 'is decided by the audience (every run exports it whole)');
    }
  }
  checkSplits(definition);
}

/** The definition's splits, checked as a task's create checks them; a 400 names `definition.<field>`. */
function checkSplits(definition: Record<string, unknown>): void {
  try {
    splitPlanOf(definition as SplitFields);
  } catch (error) {
    const [problem] = error instanceof AppError ? error.errors : [];
    if (!problem) throw error;
    throw invalidField(`definition.${problem.field}`, problem.message);
  }
}

/**
 * The definition with the salt its runs split people with: the one it gives, else the one the
 * audience had (so a person stays in the same part across runs and changes), else a new one.
 */
export function withSplitSalt(
  definition: Record<string, unknown>,
  previous: Record<string, unknown> | undefined,
): Record<string, unknown> {
  if (definition.splits === undefined || definition.split_salt !== undefined) return definition;
  const salt = typeof previous?.split_salt === 'string' ? previous.split_salt : randomSalt();
  return { ...definition, split_salt: salt };
}

/**
 * A delta needs people: membership is the set of `unique_by` values of a people export (with a
 * `profile`, its hashed e-mails, which need no `unique_by`).
 */
export function checkDelivery(definition: Record<string, unknown>, delivery: AudienceSpec['delivery']): void {
  const people = definition.unique_by !== undefined || definition.profile !== undefined;
  if (delivery.mode === 'delta' && (definition.output !== 'people' || !people)) {
    throw invalidField(
      'delivery.mode',
      'delta needs definition.output "people" and definition.unique_by or definition.profile (membership is the set of unique_by values, or of hashed e-mails with a profile)',
    );
  }
  if (delivery.path !== null) checkDeliveryPath(delivery.path);
}

const PATH_TOKENS = ['{audience}', '{date}', '{run_id}'];

/** A relative folder of safe characters and known tokens, with `{run_id}` so drops never overwrite each other. */
function checkDeliveryPath(template: string): void {
  const fail = (message: string) => invalidField('delivery.path', message);
  if (!/^[A-Za-z0-9._\-/{}]+$/.test(template)) {
    throw fail('may hold letters, digits, . _ - / and the tokens {audience}, {date}, {run_id}');
  }
  const segments = template.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw fail('must be a relative folder without empty, "." or ".." parts (no leading or trailing /)');
  }
  const unknown = (template.match(/\{[^}]*\}?/g) ?? []).find((token) => !PATH_TOKENS.includes(token));
  if (unknown) throw fail(`${unknown} is not a token; use {audience}, {date} or {run_id}`);
  if (!template.includes('{run_id}')) {
    throw fail(
      'must hold {run_id}, so that each run has a folder of its own (e.g. audiences/{audience}/{date}/{run_id})',
    );
  }
}

/** The delivery path with its tokens filled in. */
export function renderDeliveryPath(
  template: string,
  values: { audience: string; date: string; runId: string },
): string {
  return template
    .replaceAll('{audience}', values.audience)
    .replaceAll('{date}', values.date)
    .replaceAll('{run_id}', values.runId);
}

/** The name as a path segment: lower case, runs of other characters as one `-`. */
export function slugOf(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return slug || 'audience';
}
