import type { IntentTaskBody } from '../../api.ts';

/** What the audience form holds; `toBody` turns it into the API's request. */
export interface AudienceForm {
  firstDay: string;
  lastDay: string;
  prefixes: string[];
  scores: string[];
  where: string;
  columns: string[];
  uniquePeople: boolean;
  breakdowns: string[];
  output: 'rows' | 'people';
  format: 'parquet' | 'csv' | 'jsonl';
  /** The whole export as one file (`single_file`), instead of one per partition; a people export is one already. */
  singleFile: boolean;
}

/** The catalog's days from the first to the last chosen: only days that hold data. */
export function daysBetween(days: string[], first: string, last: string): string[] {
  return days.filter((day) => day >= first && day <= last);
}

/** The intent task request for the form; `performUnload` false counts first (the "Count" button). */
export function toBody(form: AudienceForm, catalogDays: string[], performUnload: boolean): IntentTaskBody {
  const body: IntentTaskBody = {
    days: daysBetween(catalogDays, form.firstDay, form.lastDay),
    topic_id_prefixes: form.prefixes,
    scores: form.scores,
    perform_unload: performUnload,
  };
  if (form.where.trim()) body.where_expr = form.where.trim();
  if (form.columns.length > 0) body.select = form.columns.join(', ');
  if (form.uniquePeople || form.output === 'people') body.unique_by = 'person_id';
  if (form.breakdowns.length > 0 && form.output === 'rows') body.breakdown_by = form.breakdowns;
  if (form.output === 'people') body.output = 'people';
  if (form.format !== 'parquet') body.format = form.format;
  if (form.singleFile && form.output === 'rows') body.single_file = true;
  return body;
}

/**
 * The segment as a saved audience's definition: the task request without what the audience decides
 * itself (its days come from its window, or are added back when kept fixed; it always exports).
 */
export function toDefinition(form: AudienceForm, catalogDays: string[]): Record<string, unknown> {
  const { days: _days, perform_unload: _unload, ...definition } = toBody(form, catalogDays, true);
  return definition;
}
