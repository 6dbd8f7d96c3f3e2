import { Link } from 'wouter';
import { Pager, useCursorPages } from '../../components/pager.tsx';
import { ProblemMessage } from '../../components/problem-view.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { formatCount, formatTime } from '../../format.ts';
import { daysInWords } from './audience-words.ts';
import { useAudienceRuns } from './use-saved-audiences.ts';

/**
 * An audience's runs (and skipped slots), newest first: when, why, how it went, the days it read and
 * its figures, each opening its task. Asked again while a run is going, so a new run shows its
 * progress and then its figures.
 */
export function RunTable({ audienceId }: { audienceId: string }) {
  const pages = useCursorPages();
  const runs = useAudienceRuns(audienceId, pages.cursor);
  const list = runs.data?.runs ?? [];
  return (
    <section className="card" aria-labelledby="runs-title">
      <h2 id="runs-title">Runs</h2>
      <ProblemMessage error={runs.error} />
      {runs.isPending ? <p aria-busy="true">Loading the runs…</p> : null}
      {runs.isSuccess && list.length === 0 ? <p>No runs yet: Run now starts the first.</p> : null}
      {list.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="run-table">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Trigger</th>
                <th scope="col">Status</th>
                <th scope="col">Days</th>
                <th scope="col" className="num">
                  People
                </th>
                <th scope="col" className="num">
                  Added
                </th>
                <th scope="col" className="num">
                  Removed
                </th>
                <th scope="col" className="num">
                  Kept
                </th>
                <th scope="col">Task</th>
              </tr>
            </thead>
            <tbody>
              {list.map((run) => (
                <tr key={run.run_id}>
                  <td className="nowrap">{formatTime(run.started_at)}</td>
                  <td>
                    {run.trigger}
                    {run.missed_slots > 0 ? (
                      <span className="muted"> (stands for {run.missed_slots} missed)</span>
                    ) : null}
                  </td>
                  <td>
                    <StatusBadge status={run.status} />
                    {run.baseline === 'new' ? <span className="muted"> baseline</span> : null}
                    {run.reason ? <div className="muted">{run.reason}</div> : null}
                  </td>
                  <td className="days">{daysInWords(run.days)}</td>
                  <td className="num" data-testid="run-people">
                    {run.people === null && run.total_count !== null
                      ? `${formatCount(run.total_count)} rows`
                      : formatCount(run.people)}
                  </td>
                  <td className="num" data-testid="run-added">
                    {formatCount(run.added)}
                  </td>
                  <td className="num" data-testid="run-removed">
                    {formatCount(run.removed)}
                  </td>
                  <td className="num" data-testid="run-kept">
                    {formatCount(run.kept)}
                  </td>
                  <td>
                    {run.task_id ? (
                      <Link href={`/tasks/${encodeURIComponent(run.task_id)}`}>
                        <code>{run.task_id.slice(0, 8)}</code>
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager pages={pages} nextCursor={runs.data?.next_cursor} label="Pages of runs" />
    </section>
  );
}
