import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useLocation } from 'wouter';
import { api, type Catalog, unwrap } from '../../api.ts';
import { DataWarnings } from '../../components/data-warnings.tsx';
import { FieldError, hasFieldError, ProblemMessage } from '../../components/problem-view.tsx';
import { TextField } from '../../components/text-field.tsx';
import { useSettled } from '../../components/use-settled.ts';
import { formatBytes, formatCount } from '../../format.ts';
import { SaveAudienceDialog } from '../saved-audiences/save-audience-dialog.tsx';
import {
  type AudienceForm,
  daysBetween,
  estimateBody,
  MAX_DAYS,
  PLATFORMS,
  toBody,
  toDefinition,
} from './audience-request.ts';
import { PrefixPicker } from './prefix-picker.tsx';
import { TopicPicker } from './topic-picker.tsx';

/** The fields the API may name in a problem, each shown under its control. */
const FIELDS = [
  'name',
  'days',
  'topic_id_prefixes',
  'scores',
  'where_expr',
  'select',
  'unique_by',
  'breakdown_by',
  'output',
  'format',
  'single_file',
  'profile',
];

function initialForm(catalog: Catalog): AudienceForm {
  return {
    name: '',
    firstDay: catalog.days[0] ?? '',
    lastDay: catalog.days.at(-1) ?? '',
    prefixes: [],
    topics: [],
    scores: [...catalog.scores],
    where: '',
    columns: [],
    uniquePeople: catalog.columns.some((c) => c.name === 'person_id'),
    breakdowns: [],
    output: 'rows',
    format: 'parquet',
    singleFile: false,
    platform: '',
  };
}

export function AudiencePage() {
  const catalog = useQuery({
    queryKey: ['catalog'],
    queryFn: async () => unwrap(await api.GET('/api/v1/catalog/intent')),
    staleTime: 60_000,
  });
  if (catalog.error) return <ProblemMessage error={catalog.error} />;
  if (!catalog.data) return <p aria-busy="true">Loading the catalog…</p>;
  return <AudienceBuilder catalog={catalog.data} />;
}

function AudienceBuilder({ catalog }: { catalog: Catalog }) {
  const id = useId();
  const [, navigate] = useLocation();
  const [form, setForm] = useState<AudienceForm>(() => initialForm(catalog));
  const [saving, setSaving] = useState(false);
  const set = <K extends keyof AudienceForm>(key: K, value: AudienceForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const days = daysBetween(form.firstDay, form.lastDay);
  const withData = new Set(catalog.days);
  const daysWithData = days.filter((day) => withData.has(day)).length;
  const ready = days.length > 0 && form.prefixes.length > 0 && form.scores.length > 0;

  const settledBody = useSettled(ready ? estimateBody(form) : undefined, 400);
  const estimate = useQuery({
    queryKey: ['estimate', settledBody],
    queryFn: async () => unwrap(await api.POST('/api/v1/intent_hive_tasks/estimate', { body: settledBody! })),
    enabled: settledBody !== undefined,
    retry: false,
    staleTime: 30_000,
  });
  const create = useMutation({
    mutationFn: async (performUnload: boolean) =>
      unwrap(await api.POST('/api/v1/intent_hive_tasks', { body: toBody(form, performUnload) })),
    onSuccess: (created) => navigate(`/tasks/${encodeURIComponent(created.task_id)}`),
  });
  // A changed form makes the last create's error stale: the estimate speaks for the new one.
  const resetCreate = create.reset;
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every change of the form
  useEffect(() => resetCreate(), [form, resetCreate]);
  // A create's answer is the freshest; an estimate's still tells about a bad filter before any click.
  const error = create.error ?? estimate.error;
  // Each prefix's topic names, from the same cached index the search reads (one request).
  const topicNames = useQuery({
    queryKey: ['topics', 'by-prefix'],
    queryFn: async () => {
      const { topics } = unwrap(
        await api.GET('/api/v1/catalog/intent/topics', { params: { query: { limit: '1000' } } }),
      );
      const names = new Map<string, string[]>();
      for (const t of topics) names.set(t.prefix, [...(names.get(t.prefix) ?? []), t.topic_name]);
      return names;
    },
  });
  const columnNames = catalog.columns.map((c) => c.name);
  const breakdownChoices = catalog.columns.filter(
    (c) => c.type === 'VARCHAR' && !c.name.endsWith('_id') && c.name !== 'hem_sha256',
  );

  const toggle = (list: string[], value: string, on: boolean) =>
    on ? [...list, value] : list.filter((v) => v !== value);

  return (
    <div className="builder">
      <form
        className="card stack"
        aria-labelledby={`${id}-title`}
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate(false);
        }}
      >
        <h1 id={`${id}-title`}>Build an audience</h1>
        <TextField
          id={`${id}-name`}
          label="Task name"
          field="name"
          error={error}
          value={form.name}
          maxLength={120}
          placeholder="Optional, e.g. Cloud security, May"
          hint="Shown in the task list instead of the days and prefixes, and found by its search."
          onChange={(e) => set('name', e.target.value)}
        />
        <fieldset className="field">
          <legend>Days</legend>
          <div className="row">
            <label>
              From{' '}
              <input
                type="date"
                value={form.firstDay}
                max={form.lastDay || undefined}
                onChange={(e) => set('firstDay', e.target.value)}
              />
            </label>
            <label>
              To{' '}
              <input
                type="date"
                value={form.lastDay}
                min={form.firstDay || undefined}
                onChange={(e) => set('lastDay', e.target.value)}
              />
            </label>
          </div>
          <p className="muted" data-testid="days-note">
            {days.length > 0
              ? `${formatCount(days.length)} ${days.length === 1 ? 'day' : 'days'}, ${formatCount(daysWithData)} with data.`
              : `Choose a first and a last day, at most ${formatCount(MAX_DAYS)} days apart.`}{' '}
            The data holds {catalog.days[0] ?? '—'} to {catalog.days.at(-1) ?? '—'}.
          </p>
          <FieldError id={`${id}-days-error`} error={error} field="days" />
        </fieldset>

        <TopicPicker
          selected={form.topics}
          onChange={(topics) =>
            setForm((f) => ({
              ...f,
              topics,
              // A topic is read through its prefix: adding one adds its prefix.
              prefixes: [...new Set([...f.prefixes, ...topics.map((t) => t.prefix)])].sort(),
            }))
          }
        />
        <FieldError id={`${id}-topics-error`} error={error} field="topic_ids" />

        <PrefixPicker
          prefixes={catalog.prefixes}
          topicNames={topicNames.data}
          selected={form.prefixes}
          onChange={(prefixes) =>
            // A prefix removed takes its chosen topics with it.
            setForm((f) => ({ ...f, prefixes, topics: f.topics.filter((t) => prefixes.includes(t.prefix)) }))
          }
        />
        <FieldError id={`${id}-prefixes-error`} error={error} field="topic_id_prefixes" />

        <fieldset className="field">
          <legend>Scores</legend>
          <div className="row">
            {catalog.scores.map((score) => (
              <label key={score} className="inline">
                <input
                  type="checkbox"
                  checked={form.scores.includes(score)}
                  onChange={(e) =>
                    set(
                      'scores',
                      catalog.scores.filter((s) =>
                        s === score ? e.target.checked : form.scores.includes(s),
                      ),
                    )
                  }
                />{' '}
                {score}
              </label>
            ))}
          </div>
          <FieldError id={`${id}-scores-error`} error={error} field="scores" />
        </fieldset>

        <div className="field">
          <label htmlFor={`${id}-filter`}>Filter</label>
          <textarea
            id={`${id}-filter`}
            rows={2}
            placeholder="intent_score >= 80 AND country = 'US'"
            value={form.where}
            aria-invalid={hasFieldError(error, 'where_expr') || undefined}
            aria-describedby={`${id}-filter-help ${id}-filter-error`}
            onChange={(e) => set('where', e.target.value)}
          />
          <p id={`${id}-filter-help`} className="muted">
            Optional: a SQL condition over the columns, e.g. <code>intent_score &gt;= 80</code>.
          </p>
          <FieldError id={`${id}-filter-error`} error={error} field="where_expr" />
        </div>

        <fieldset className="field">
          <legend>Columns</legend>
          <p className="muted">Optional: the columns to export; none chosen exports them all.</p>
          <ul className="checklist columns">
            {columnNames.map((name) => (
              <li key={name}>
                <label className="inline">
                  <input
                    type="checkbox"
                    checked={form.columns.includes(name)}
                    onChange={(e) => set('columns', toggle(form.columns, name, e.target.checked))}
                  />{' '}
                  {name}
                </label>
              </li>
            ))}
          </ul>
          <FieldError id={`${id}-select-error`} error={error} field="select" />
        </fieldset>

        <fieldset className="field">
          <legend>Options</legend>
          {columnNames.includes('person_id') ? (
            <label className="inline">
              <input
                type="checkbox"
                checked={form.uniquePeople || form.output === 'people'}
                disabled={form.output === 'people'}
                onChange={(e) => set('uniquePeople', e.target.checked)}
              />{' '}
              Unique people (count distinct person_id)
            </label>
          ) : null}
          <div className="field">
            <span id={`${id}-breakdowns`}>Breakdowns (up to 3)</span>
            <ul className="checklist columns" aria-labelledby={`${id}-breakdowns`}>
              {breakdownChoices.map((c) => (
                <li key={c.name}>
                  <label className="inline">
                    <input
                      type="checkbox"
                      checked={form.breakdowns.includes(c.name)}
                      disabled={
                        form.output === 'people' ||
                        (!form.breakdowns.includes(c.name) && form.breakdowns.length >= 3)
                      }
                      onChange={(e) => set('breakdowns', toggle(form.breakdowns, c.name, e.target.checked))}
                    />{' '}
                    {c.name}
                  </label>
                </li>
              ))}
            </ul>
            <FieldError id={`${id}-breakdown-error`} error={error} field="breakdown_by" />
          </div>
          <div className="row">
            <label>
              Export{' '}
              <select
                value={form.output}
                onChange={(e) => set('output', e.target.value as AudienceForm['output'])}
              >
                <option value="rows">rows</option>
                <option value="people">people (one row per person)</option>
              </select>
            </label>
            <label>
              Format{' '}
              <select
                value={form.format}
                disabled={form.output === 'people' && form.platform !== ''}
                onChange={(e) => set('format', e.target.value as AudienceForm['format'])}
              >
                <option value="parquet">Parquet</option>
                <option value="csv">CSV</option>
                <option value="jsonl">JSON Lines</option>
              </select>
            </label>
            {form.output === 'people' ? (
              <label>
                Platform{' '}
                <select
                  value={form.platform}
                  aria-describedby={`${id}-platform-help`}
                  onChange={(e) => set('platform', e.target.value as AudienceForm['platform'])}
                >
                  <option value="">none (the format chosen)</option>
                  {Object.entries(PLATFORMS).map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
          </div>
          {form.output === 'people' ? (
            <p id={`${id}-platform-help`} className="muted">
              A platform writes its upload file: one row per hashed e-mail (hem_sha256), encoded and split as
              it takes them.
            </p>
          ) : null}
          <FieldError id={`${id}-profile-error`} error={error} field="profile" />
          <label className="inline">
            <input
              type="checkbox"
              checked={form.singleFile || form.output === 'people'}
              disabled={form.output === 'people'}
              aria-describedby={`${id}-single-help`}
              onChange={(e) => set('singleFile', e.target.checked)}
            />{' '}
            One file
          </label>
          <p id={`${id}-single-help`} className="muted">
            The whole export in one file (under <code>all</code>) instead of one per partition; a people
            export is one file already.
          </p>
          <FieldError id={`${id}-single-error`} error={error} field="single_file" />
        </fieldset>

        <ProblemMessage error={create.error} skipFields={FIELDS} />
        <div className="row actions">
          <button type="submit" disabled={!ready || create.isPending}>
            Count
          </button>
          <button
            type="button"
            className="secondary"
            disabled={!ready || create.isPending}
            onClick={() => create.mutate(true)}
          >
            Export now
          </button>
          <button
            type="button"
            className="secondary"
            disabled={!ready || create.isPending}
            onClick={() => setSaving(true)}
          >
            Save as audience
          </button>
          {!ready ? <span className="muted">Choose days, at least one topic prefix and a score.</span> : null}
        </div>
      </form>

      {/* Sticky on a wide screen, so the figures stay beside Count and Export; after them on a phone. */}
      <aside className="card estimate" aria-labelledby={`${id}-estimate`} data-testid="estimate">
        <h2 id={`${id}-estimate`}>Estimate</h2>
        {!ready ? <p className="muted">Choose the segment to see what it would read.</p> : null}
        {ready && estimate.isFetching ? <p aria-busy="true">Estimating…</p> : null}
        {ready && estimate.error && !estimate.isFetching ? <ProblemMessage error={estimate.error} /> : null}
        {ready && estimate.data && !estimate.isFetching ? (
          <dl className="figures">
            <dt>Partitions with data</dt>
            <dd>
              {formatCount(estimate.data.partitions_with_data)} of {formatCount(estimate.data.partitions)}
            </dd>
            <dt>Files</dt>
            <dd data-testid="estimate-files">{formatCount(estimate.data.files)}</dd>
            <dt>Bytes</dt>
            <dd>{formatBytes(estimate.data.bytes)}</dd>
            <dt>{estimate.data.rows_exact ? 'Rows' : 'Rows (at most)'}</dt>
            <dd>{formatCount(estimate.data.rows)}</dd>
          </dl>
        ) : null}
        {ready && estimate.data && !estimate.isFetching ? (
          <DataWarnings warnings={estimate.data.warnings ?? []} testId="estimate-warnings" />
        ) : null}
        <p className="muted">
          The catalog holds {formatCount(catalog.rows)} rows in {formatCount(catalog.files)} files (
          {formatBytes(catalog.bytes)}).
        </p>
      </aside>
      {saving ? (
        // Outside the builder's form: a form may not hold another.
        <SaveAudienceDialog
          definition={toDefinition(form)}
          name={form.name.trim()}
          days={days}
          people={form.output === 'people'}
          onClose={() => setSaving(false)}
        />
      ) : null}
    </div>
  );
}
