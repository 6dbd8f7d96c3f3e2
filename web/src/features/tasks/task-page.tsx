import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api, type TaskDetail, unwrap } from '../../api.ts';
import { DataWarnings } from '../../components/data-warnings.tsx';
import { withFieldLabels } from '../../components/field-labels.ts';
import { ProblemMessage } from '../../components/problem-view.tsx';
import { JobProgress, StatusBadge } from '../../components/status-badge.tsx';
import { formatCount, formatTime } from '../../format.ts';
import { audiencePath } from '../saved-audiences/paths.ts';
import { RequestSummary } from './request-summary.tsx';
import { BreakdownCharts, SegmentCharts } from './segment-charts.tsx';
import { BreakdownTables, FileList, PartitionTable, PreviewTable } from './task-tables.tsx';
import { taskTitle } from './task-title.ts';
import { useTask } from './use-task.ts';

/** Task error codes a retry can cure: the cause was the storage or the machine, not the request. */
const TRANSIENT = new Set([
  'storage_unreachable',
  'storage_unavailable',
  'storage_error',
  'staging_full',
  'object_changed',
  'job_failed',
]);

/** What a person can do about a failed task. */
function FailureAdvice({ code }: { code: string }) {
  return TRANSIENT.has(code) ? (
    <p>This looks temporary: Retry runs the failed jobs again.</p>
  ) : (
    <p>
      Retrying will fail the same way: change the request (often the Filter) and{' '}
      <Link href="/audiences">build the audience again</Link>.
    </p>
  );
}

function useTaskAction(taskId: string, action: 'unload' | 'cancel' | 'retry') {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const params = { params: { path: { task_id: taskId } } };
      if (action === 'unload') return unwrap(await api.POST('/api/v1/tasks/{task_id}/unload', params));
      if (action === 'cancel') return unwrap(await api.POST('/api/v1/tasks/{task_id}/cancel', params));
      return unwrap(await api.POST('/api/v1/tasks/{task_id}/retry', params));
    },
    onSettled: () => client.invalidateQueries({ queryKey: ['task', taskId] }),
  });
}

function Totals({ task }: { task: TaskDetail }) {
  return (
    <dl className="figures big" aria-label="Totals">
      <dt>Rows</dt>
      <dd data-testid="total-rows">
        {task.total_count === null ? 'counting…' : formatCount(task.total_count)}
      </dd>
      {task.unique_count !== null || (task.request as { unique_by?: string })?.unique_by ? (
        <>
          <dt>People</dt>
          <dd data-testid="total-people">
            {task.unique_count === null ? 'counting…' : formatCount(task.unique_count)}
          </dd>
        </>
      ) : null}
      <dt>Partitions</dt>
      <dd>{formatCount(Object.keys(task.counts).length)}</dd>
    </dl>
  );
}

/** A saved audience's delta run: who joined, who left and who stayed since the run it compares with. */
function DeltaFigures({ delta }: { delta: NonNullable<TaskDetail['delta']> }) {
  return (
    <>
      <h3>
        {delta.baseline === 'new'
          ? 'Change: a baseline, every member delivered as added'
          : `Change since run ${delta.previous_run_id?.slice(0, 8) ?? ''}`}
      </h3>
      <dl className="figures big" aria-label="Change">
        <dt>Added</dt>
        <dd data-testid="delta-added">{formatCount(delta.added)}</dd>
        <dt>Removed</dt>
        <dd data-testid="delta-removed">{formatCount(delta.removed)}</dd>
        <dt>Kept</dt>
        <dd data-testid="delta-kept">{formatCount(delta.kept)}</dd>
      </dl>
    </>
  );
}

export function TaskPage({ taskId }: { taskId: string }) {
  const task = useTask(taskId);
  const unload = useTaskAction(taskId, 'unload');
  const cancel = useTaskAction(taskId, 'cancel');
  const retry = useTaskAction(taskId, 'retry');
  if (task.error) return <ProblemMessage error={task.error} />;
  if (!task.data) return <p aria-busy="true">Loading the task…</p>;
  const t = task.data;
  const running = t.status === 'in_progress' || t.status === 'unloading';
  const counted = t.total_count !== null;
  return (
    <div className="stack">
      <header className="task-header">
        <h1>
          {/* Its name; else its audience's, or its kind and what it asked for. */}
          <span data-testid="task-title">{taskTitle(t)}</span> <StatusBadge status={t.status} />
        </h1>
        {t.audience ? (
          <p data-testid="run-of">
            Run of <Link href={audiencePath(t.audience.audience_id)}>{t.audience.name}</Link>{' '}
            <span className="muted">(version {t.audience.version})</span>
          </p>
        ) : null}
        <p className="muted">
          Task <code>{t.task_id.slice(0, 8)}</code> · created {formatTime(t.created_at)}
          {t.completed_at ? ` · finished ${formatTime(t.completed_at)}` : ''} · expires{' '}
          {formatTime(t.expires_at)}
        </p>
        <div className="row">
          <JobProgress done={t.completed_jobs} total={t.total_jobs} label="Task progress" />
          {t.status === 'counted' ? (
            <button type="button" onClick={() => unload.mutate()} disabled={unload.isPending}>
              Export
            </button>
          ) : null}
          {running || t.status === 'counted' ? (
            <button
              type="button"
              className="secondary"
              onClick={() => cancel.mutate()}
              disabled={cancel.isPending}
            >
              Cancel
            </button>
          ) : null}
        </div>
        {/* What the create warned about stays with the task: a typo'd prefix explains a count of 0. */}
        <DataWarnings warnings={t.warnings} testId="task-warnings" />
        <ProblemMessage error={unload.error ?? cancel.error ?? retry.error} />
      </header>

      {t.status === 'failed' && t.error ? (
        <section className="card failure" role="alert">
          <h2>The task failed</h2>
          <p>
            <code>{t.error.code}</code>: {withFieldLabels(t.error.message)}
          </p>
          <FailureAdvice code={t.error.code} />
          <button type="button" onClick={() => retry.mutate()} disabled={retry.isPending}>
            Retry
          </button>
        </section>
      ) : null}

      {/* What was asked and how big it is first, then the files once exported, then the charts. */}
      <div className="task-overview">
        <RequestSummary request={t.request} />
        <section className="card">
          <h2>Size</h2>
          <Totals task={t} />
          {t.delta ? <DeltaFigures delta={t.delta} /> : null}
        </section>
      </div>
      <FileList task={t} />
      {counted ? <SegmentCharts counts={t.counts} /> : null}
      {t.breakdowns ? <BreakdownCharts breakdowns={t.breakdowns} /> : null}
      {t.breakdowns ? <BreakdownTables breakdowns={t.breakdowns} /> : null}
      {counted && t.status !== 'failed' ? <PreviewTable taskId={t.task_id} /> : null}
      {counted ? <PartitionTable task={t} /> : null}
    </div>
  );
}
