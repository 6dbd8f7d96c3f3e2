import type { AudienceDetail, AudienceRun, AudienceSummary } from '../../api.ts';
import { formatBytes } from '../../format.ts';

/** Run statuses that change by themselves: pages showing them poll until they rest. */
export const RUNNING = new Set(['in_progress', 'unloading']);

interface Sized {
  people: number | null;
  total_count: number | null;
}

/** An audience's size as a person reads it: its people with unique_by, else its rows. */
export function sizeOf(point: Sized): number | null {
  return point.people ?? point.total_count;
}

/** The size of the last completed run: the newest point of the history, else the last run if it completed. */
export function currentSize(
  audience: AudienceSummary,
  history: AudienceSummary['size_history'] | undefined,
): number | null {
  const newest = history?.at(-1);
  if (newest) return sizeOf(newest);
  const last = audience.last_run;
  return last?.status === 'completed' ? sizeOf(last) : null;
}

/** Whether a run is still going, so its figures are yet to come. */
export function isRunning(run: Pick<AudienceRun, 'status'> | null | undefined): boolean {
  return run !== null && run !== undefined && RUNNING.has(run.status);
}

/** Days as "2024-05-01 – 2024-05-03 (3 days)"; a short list is spelt out, since days with no data are left out. */
export function daysInWords(days: readonly string[] | null | undefined): string {
  if (!days || days.length === 0) return '—';
  if (days.length === 1) return days[0]!;
  if (days.length <= 4) return days.join(', ');
  return `${days[0]} – ${days.at(-1)} (${days.length} days)`;
}

const UNTIL: Record<string, string> = {
  latest: 'the newest day with data',
  yesterday: 'yesterday',
  today: 'today',
};

/** The window as a sentence: "the last 7 days until yesterday (Europe/Berlin)", or the fixed days. */
export function windowInWords(audience: Pick<AudienceDetail, 'window' | 'definition' | 'timezone'>): string {
  const { window } = audience;
  if (window) {
    const until = window.until ?? 'latest';
    const zone = until === 'latest' ? '' : ` (${audience.timezone})`;
    return `the last ${window.last_days} ${window.last_days === 1 ? 'day' : 'days'} until ${UNTIL[until] ?? until}${zone}`;
  }
  const days = audience.definition.days;
  return `fixed days: ${daysInWords(Array.isArray(days) ? days.map(String) : null)}`;
}

/** What a delivery mode does, in words. */
export function deliveryInWords(delivery: AudienceSummary['delivery']): string {
  const what =
    delivery.mode === 'delta'
      ? 'delta: each run exports who joined and who left since the last completed run'
      : 'full: each run exports the whole audience';
  return delivery.path ? `${what}, into ${delivery.path}` : what;
}

/** The definition fields a person knows by the builder's names, in the builder's order. */
const LABELS: Array<[string, string]> = [
  ['input_path', 'Input'],
  ['topic_id_prefixes', 'Topic prefixes'],
  ['scores', 'Scores'],
  ['where_expr', 'Filter'],
  ['select', 'Columns'],
  ['unique_by', 'Unique by'],
  ['output', 'Export'],
  ['min_topics', 'At least topics'],
  ['min_days', 'At least days'],
  ['latest_by', 'Latest by'],
  ['breakdown_by', 'Breakdowns'],
  ['format', 'Format'],
  ['compression', 'Compression'],
  ['single_file', 'One file'],
  ['max_file_bytes', 'Largest file'],
];

function valueInWords(key: string, value: unknown): string {
  if (key === 'output') return value === 'people' ? 'people (one row per person)' : 'rows';
  if (key === 'max_file_bytes' && typeof value === 'number') return formatBytes(value);
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/**
 * The definition as label and text pairs: known fields by the builder's names, any other by its own
 * (a later API field still shows). `days` is left out: the window says which days a run reads.
 */
export function definitionRows(definition: Record<string, unknown>): Array<[string, string]> {
  const known = new Map(LABELS);
  const rows: Array<[string, string]> = [];
  for (const [key, label] of LABELS) {
    // A definition without output exports rows: said, so Export always shows.
    const value = definition[key] ?? (key === 'output' ? 'rows' : undefined);
    if (value !== undefined && value !== null) rows.push([label, valueInWords(key, value)]);
  }
  for (const [key, value] of Object.entries(definition)) {
    if (!known.has(key) && key !== 'days' && value !== undefined) rows.push([key, valueInWords(key, value)]);
  }
  return rows;
}
