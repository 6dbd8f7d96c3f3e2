import type { DataWarnings } from '../../contract/task-schemas.ts';
import { AppError } from '../../errors.ts';
import type { IntentRequestView } from '../task-model.ts';

/** What the intent data holds: its days, topic prefixes and scores (the catalog's lists). */
export interface IntentDataValues {
  days: readonly string[];
  prefixes: readonly string[];
  scores: readonly string[];
}

/** Values listed per warning. */
const LISTED = 20;

const FIELDS = [
  {
    field: 'days',
    has: 'days',
    what: 'days',
    hint: 'check the dates (GET /api/v1/catalog/intent lists the days with data)',
  },
  {
    field: 'topic_id_prefixes',
    has: 'prefixes',
    what: 'topic prefixes',
    hint: 'check for a typo (GET /api/v1/catalog/intent lists the prefixes with data)',
  },
  { field: 'scores', has: 'scores', what: 'scores', hint: 'the data holds no rows of these scores' },
] as const;

/**
 * The days, prefixes and scores of an intent request that the data holds no rows for: a typo'd
 * prefix or a day not loaded yet counts 0, which a client should hear of when it creates the task,
 * not find out from an empty export.
 */
export function dataWarnings(view: IntentRequestView, data: IntentDataValues): DataWarnings {
  const requested = { days: view.days, topic_id_prefixes: view.topic_id_prefixes, scores: view.scores };
  const warnings: DataWarnings = [];
  for (const { field, has, what, hint } of FIELDS) {
    const known = new Set(data[has]);
    const missing = requested[field].filter((value) => !known.has(value));
    if (missing.length === 0) continue;
    const listed = missing.slice(0, LISTED);
    warnings.push({
      code: 'no_data',
      field,
      values: listed,
      truncated: missing.length > listed.length,
      message: `${missing.length} of the ${requested[field].length} requested ${what} have no data (${listed.join(', ')}${missing.length > listed.length ? ', …' : ''}) and count 0; ${hint}`,
    });
  }
  return warnings;
}

/** With `strict: true`, warnings are a 400 naming each field. */
export function refuseWarnings(warnings: DataWarnings): void {
  if (warnings.length === 0) return;
  throw new AppError(
    'validation_failed',
    `${warnings.map((w) => `${w.field}: ${w.message}`).join('; ')} (strict: true)`,
    warnings.map((w) => ({ field: w.field, message: w.message })),
  );
}
