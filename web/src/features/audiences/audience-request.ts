import type { IntentTaskBody, Topic } from '../../api.ts';

/** What the audience form holds; `toBody` turns it into the API's request. */
export interface AudienceForm {
  /** The task's name (optional): shown in the task list instead of its kind and days. */
  name: string;
  /** The first and last day, `YYYY-MM-DD`: any calendar day, with data or not. */
  firstDay: string;
  lastDay: string;
  prefixes: string[];
  /** Topics chosen by name (`topic_ids`); empty: every topic of the prefixes. */
  topics: Topic[];
  scores: string[];
  where: string;
  columns: string[];
  uniquePeople: boolean;
  breakdowns: string[];
  output: 'rows' | 'people';
  format: 'parquet' | 'csv' | 'jsonl';
  /** The whole export as one file (`single_file`), instead of one per partition; a people export is one already. */
  singleFile: boolean;
  /** A people export as an ad platform's upload file (`profile`); empty: the format above. */
  platform: Platform | '';
}

export type Platform = NonNullable<IntentTaskBody['profile']>;

/** The platforms a people export can be written for, as the Platform select names them. */
export const PLATFORMS: Record<Platform, string> = {
  google_customer_match: 'Google Ads Customer Match',
  meta_custom_audience: 'Meta Custom Audience',
  linkedin_matched_audience: 'LinkedIn Matched Audience',
  uid2: 'UID2 (The Trade Desk)',
  liveramp: 'LiveRamp',
};

/** The most days one request may name (the API's bound on `days`). */
export const MAX_DAYS = 3660;

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Every calendar day from `first` to `last`, both included, with data or not: a day without data
 * counts 0, and the estimate's warnings name it. Empty when either is not a day, `last` comes
 * first, or the span is longer than `MAX_DAYS`.
 */
export function daysBetween(first: string, last: string): string[] {
  if (!DAY.test(first) || !DAY.test(last)) return [];
  const start = Date.parse(first);
  const end = Date.parse(last);
  if (Number.isNaN(start) || Number.isNaN(end) || end < start) return [];
  const count = Math.round((end - start) / DAY_MS) + 1;
  if (count > MAX_DAYS) return [];
  return Array.from({ length: count }, (_, i) => new Date(start + i * DAY_MS).toISOString().slice(0, 10));
}

/** The segment of the form as an intent task request: what the estimate reads, without a name. */
function segmentBody(form: AudienceForm, performUnload: boolean): IntentTaskBody {
  const body: IntentTaskBody = {
    days: daysBetween(form.firstDay, form.lastDay),
    topic_id_prefixes: form.prefixes,
    scores: form.scores,
    perform_unload: performUnload,
  };
  if (form.topics.length > 0) body.topic_ids = form.topics.map((t) => t.topic_id);
  if (form.where.trim()) body.where_expr = form.where.trim();
  if (form.columns.length > 0) body.select = form.columns.join(', ');
  // A platform's file has one row per hashed e-mail: its people are hem_sha256, its format its own.
  const platform = form.output === 'people' && form.platform !== '' ? form.platform : undefined;
  if (platform) body.profile = platform;
  else if (form.uniquePeople || form.output === 'people') body.unique_by = 'person_id';
  if (form.breakdowns.length > 0 && form.output === 'rows') body.breakdown_by = form.breakdowns;
  if (form.output === 'people') body.output = 'people';
  if (form.format !== 'parquet' && !platform) body.format = form.format;
  if (form.singleFile && form.output === 'rows') body.single_file = true;
  return body;
}

/** The estimate's request: the segment, without the name (typing one need not estimate again). */
export function estimateBody(form: AudienceForm): IntentTaskBody {
  return segmentBody(form, false);
}

/** The intent task request for the form; `performUnload` false counts first (the "Count" button). */
export function toBody(form: AudienceForm, performUnload: boolean): IntentTaskBody {
  const body = segmentBody(form, performUnload);
  if (form.name.trim()) body.name = form.name.trim();
  return body;
}

/**
 * The segment as a saved audience's definition: the task request without what the audience decides
 * itself (its days come from its window, or are added back when kept fixed; it always exports; its
 * runs go by its own name).
 */
export function toDefinition(form: AudienceForm): Record<string, unknown> {
  const { days: _days, perform_unload: _unload, ...definition } = segmentBody(form, true);
  return definition;
}
