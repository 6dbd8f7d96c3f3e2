import { Fragment, useId, useState } from 'react';
import { Link, useLocation } from 'wouter';
import type { AudienceDetail } from '../../api.ts';
import { ProblemMessage } from '../../components/problem-view.tsx';
import { formatCount, formatTime } from '../../format.ts';
import {
  currentSize,
  daysInWords,
  definitionRows,
  deliveryInWords,
  isRunning,
  windowInWords,
} from './audience-words.ts';
import { AUDIENCE_LIST_PATH } from './paths.ts';
import { RunTable } from './run-table.tsx';
import { ScheduleEditor } from './schedule-editor.tsx';
import { SizeChart } from './size-charts.tsx';
import { useAudience, useAudienceActions } from './use-saved-audiences.ts';

/** Run now, Resync (delta audiences) and Delete, which asks first. */
function Actions({ audience }: { audience: AudienceDetail }) {
  const [, navigate] = useLocation();
  const [confirming, setConfirming] = useState(false);
  const { run, resync, remove } = useAudienceActions(audience.audience_id);
  const running = isRunning(audience.last_run);
  return (
    <>
      <div className="row">
        <button type="button" disabled={run.isPending || running} onClick={() => run.mutate()}>
          Run now
        </button>
        {audience.delivery.mode === 'delta' ? (
          <button
            type="button"
            className="secondary"
            disabled={resync.isPending}
            onClick={() => resync.mutate()}
          >
            Resync
          </button>
        ) : null}
        {confirming ? (
          <span className="confirm">
            <span>
              Delete “{audience.name}”? Its schedule stops; finished runs keep their files until they expire.
            </span>
            <button
              type="button"
              className="danger"
              disabled={remove.isPending}
              onClick={() => remove.mutate(undefined, { onSuccess: () => navigate(AUDIENCE_LIST_PATH) })}
            >
              Yes, delete
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" className="secondary" onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
        {running ? <span className="muted">A run is going: its figures come when it ends.</span> : null}
      </div>
      <ProblemMessage error={run.error ?? resync.error ?? remove.error} />
      {resync.isSuccess ? (
        <p className="muted" role="status">
          Resynced: the next run delivers every member as added.
        </p>
      ) : null}
    </>
  );
}

/** What the audience is: its window and the days its next run would read, its segment, its delivery. */
function Definition({ audience }: { audience: AudienceDetail }) {
  const id = useId();
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Definition</h2>
      <dl className="figures">
        <dt>Window</dt>
        <dd>{windowInWords(audience)}</dd>
        {audience.kind === 'intent' ? (
          <>
            <dt>Next run reads</dt>
            <dd data-testid="next-days">{daysInWords(audience.days)}</dd>
          </>
        ) : null}
        {definitionRows(audience.definition).map(([label, text]) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd>{label === 'Filter' ? <code>{text}</code> : text}</dd>
          </Fragment>
        ))}
        <dt>Delivery</dt>
        <dd>{deliveryInWords(audience.delivery)}</dd>
      </dl>
      <details>
        <summary>As the API holds it</summary>
        <pre>{JSON.stringify({ definition: audience.definition, window: audience.window }, null, 2)}</pre>
      </details>
    </section>
  );
}

/** `/audiences/:id`: a saved audience, its schedule, its size over runs and its runs. */
export function SavedAudiencePage({ audienceId }: { audienceId: string }) {
  const audience = useAudience(audienceId);
  if (audience.error) return <ProblemMessage error={audience.error} />;
  if (!audience.data) return <p aria-busy="true">Loading the audience…</p>;
  const a = audience.data;
  const size = currentSize(a, a.size_history);
  return (
    <div className="stack">
      <header className="task-header">
        <p className="muted">
          <Link href={AUDIENCE_LIST_PATH}>← All audiences</Link>
        </p>
        <h1>
          {a.name}
          {a.paused ? <span className="badge badge-cancelled">Paused</span> : null}
        </h1>
        <p className="muted">
          {a.kind} audience · version {a.version} · saved {formatTime(a.created_at)}
          {a.description ? ` · ${a.description}` : ''}
        </p>
        <Actions audience={a} />
      </header>
      <div className="audience-grid">
        <Definition audience={a} />
        <ScheduleEditor audience={a} />
      </div>
      <section className="card">
        <h2>Size over runs</h2>
        <dl className="figures big">
          <dt>Size now</dt>
          <dd data-testid="size-now">{formatCount(size)}</dd>
        </dl>
        <SizeChart history={a.size_history} />
      </section>
      <RunTable audienceId={a.audience_id} />
    </div>
  );
}
