import { Link } from 'wouter';
import type { AudienceSummary } from '../../api.ts';
import { Pager, useCursorPages } from '../../components/pager.tsx';
import { ProblemMessage } from '../../components/problem-view.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { formatCount, formatTime } from '../../format.ts';
import { currentSize } from './audience-words.ts';
import { audiencePath } from './paths.ts';
import { Sparkline } from './size-charts.tsx';
import { useAudienceList } from './use-saved-audiences.ts';

function LastRun({ run }: { run: AudienceSummary['last_run'] }) {
  if (!run) return <span className="muted">never</span>;
  return (
    <>
      <StatusBadge status={run.status} /> {formatTime(run.completed_at ?? run.started_at)}
    </>
  );
}

function nextRun(audience: AudienceSummary): string {
  if (!audience.schedule) return 'when asked';
  if (audience.paused) return '—';
  return formatTime(audience.next_run_at);
}

/** The organisation's saved audiences, newest first: their size and trend, schedule and runs. */
export function AudienceListPage() {
  const pages = useCursorPages();
  const list = useAudienceList(pages.cursor);
  const audiences = list.data?.audiences ?? [];
  return (
    <div className="stack">
      <h1>Audiences</h1>
      <ProblemMessage error={list.error} />
      {list.isPending ? <p aria-busy="true">Loading the audiences…</p> : null}
      {list.isSuccess && audiences.length === 0 ? (
        <p>
          No saved audiences yet: <Link href="/audiences">build one</Link> and press Save as audience.
        </p>
      ) : null}
      {audiences.length > 0 ? (
        <div className="card table-wrap">
          <table data-testid="audience-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">
                  Size now
                </th>
                <th scope="col">Trend</th>
                <th scope="col">Schedule</th>
                <th scope="col">Last run</th>
                <th scope="col">Next run</th>
                <th scope="col">Paused</th>
              </tr>
            </thead>
            <tbody>
              {audiences.map((audience) => {
                const history = audience.size_history;
                return (
                  <tr key={audience.audience_id}>
                    <td>
                      <Link href={audiencePath(audience.audience_id)}>{audience.name}</Link>
                      {audience.delivery.mode === 'delta' ? <span className="muted"> · delta</span> : null}
                    </td>
                    <td className="num" data-testid="audience-size">
                      {formatCount(currentSize(audience, history))}
                    </td>
                    <td>
                      <Sparkline history={history} />
                    </td>
                    <td>{audience.schedule_in_words}</td>
                    <td>
                      <LastRun run={audience.last_run} />
                    </td>
                    <td>{nextRun(audience)}</td>
                    <td>{audience.paused ? 'Paused' : 'No'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager pages={pages} nextCursor={list.data?.next_cursor} label="Pages of audiences" />
      <p className="muted">
        A saved audience runs again by hand or on a schedule; save one from{' '}
        <Link href="/audiences">the builder</Link>.
      </p>
    </div>
  );
}
