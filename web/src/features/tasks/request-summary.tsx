import { Fragment } from 'react';
import { FIELD_LABELS } from '../../components/field-labels.ts';
import { cellText } from '../../format.ts';
import { daysSummary } from './task-title.ts';

/** More prefixes than this are counted instead of listed (the JSON below lists them all). */
const PREFIXES_LISTED = 12;

const FORMATS: Record<string, string> = { parquet: 'Parquet', csv: 'CSV', jsonl: 'JSON Lines' };

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.map(cellText) : [];
}

/** The request's parts a person asked for, labelled as the builder labels them; absent parts are left out. */
function requestRows(request: Record<string, unknown>): Array<[string, string, boolean?]> {
  const rows: Array<[string, string, boolean?]> = [];
  const add = (label: string, text: string | undefined, code = false) => {
    if (text) rows.push([label, text, code]);
  };
  add(FIELD_LABELS.days!, daysSummary(request.days));
  const prefixes = list(request.topic_id_prefixes);
  add(
    FIELD_LABELS.topic_id_prefixes!,
    prefixes.length > PREFIXES_LISTED
      ? `${prefixes.slice(0, PREFIXES_LISTED).join(', ')} +${prefixes.length - PREFIXES_LISTED} more`
      : prefixes.join(', '),
  );
  add(FIELD_LABELS.topic_ids!, list(request.topic_ids).join(', '));
  add(FIELD_LABELS.scores!, list(request.scores).join(', '));
  if (typeof request.input_path === 'string' && !('topic_id_prefixes' in request))
    add('Input', request.input_path, true);
  add(FIELD_LABELS.where_expr!, typeof request.where_expr === 'string' ? request.where_expr : 'none', true);
  add(FIELD_LABELS.select!, Array.isArray(request.select) ? list(request.select).join(', ') : 'all');
  if (typeof request.unique_by === 'string') add(FIELD_LABELS.unique_by!, `by ${request.unique_by}`);
  add(FIELD_LABELS.breakdown_by!, list(request.breakdown_by).join(', '));
  for (const [field, label] of [
    ['min_topics', 'Minimum topics'],
    ['min_days', 'Minimum days'],
  ] as const) {
    if (typeof request[field] === 'number') add(label, String(request[field]));
  }
  const format = typeof request.format === 'string' ? (FORMATS[request.format] ?? request.format) : undefined;
  const layout = [
    request.output === 'people' ? 'people (one row per person)' : 'rows',
    format,
    typeof request.compression === 'string' && request.compression !== 'none' ? request.compression : '',
    request.single_file === true ? 'one file' : '',
  ];
  add(FIELD_LABELS.output!, layout.filter(Boolean).join(', '));
  return rows;
}

/** What the task was asked for, in the builder's words, with the whole request as JSON under it. */
export function RequestSummary({ request }: { request: unknown }) {
  const parts = request && typeof request === 'object' ? (request as Record<string, unknown>) : {};
  return (
    <section className="card" aria-labelledby="request-title" data-testid="request-summary">
      <h2 id="request-title">Request</h2>
      <dl className="figures">
        {requestRows(parts).map(([label, text, code]) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd>{code ? <code>{text}</code> : text}</dd>
          </Fragment>
        ))}
      </dl>
      <details>
        <summary>The request as JSON</summary>
        <pre>{JSON.stringify(request, null, 2)}</pre>
      </details>
    </section>
  );
}
