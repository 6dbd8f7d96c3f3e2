import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'wouter';
import { api, unwrap } from '../../api.ts';
import { Pager, useCursorPages } from '../../components/pager.tsx';
import { ProblemMessage } from '../../components/problem-view.tsx';
import { JobProgress, StatusBadge } from '../../components/status-badge.tsx';
import { useSettled } from '../../components/use-settled.ts';
import { formatCount, formatTime } from '../../format.ts';
import { audiencePath } from '../saved-audiences/paths.ts';
import { taskTitle } from './task-title.ts';

const PAGE_SIZE = '20';

/** The organisation's tasks, newest first, a page at a time; a search narrows them by name. */
export function TasksPage() {
  const id = useId();
  const [search, setSearch] = useState('');
  const q = useSettled(search.trim(), 300);
  return (
    <div className="stack">
      <h1>Tasks</h1>
      <div className="field search">
        <label htmlFor={`${id}-search`}>Search</label>
        <input
          id={`${id}-search`}
          type="search"
          placeholder="A task's name, or the start of its id"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      {/* A new search starts again at its first page. */}
      <TaskPages key={q} q={q} />
    </div>
  );
}

function TaskPages({ q }: { q: string }) {
  const pages = useCursorPages();
  const cursor = pages.cursor;
  const page = useQuery({
    queryKey: ['tasks', q, cursor],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/status', {
          params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}), ...(q ? { q } : {}) } },
        }),
      ),
    refetchInterval: (query) =>
      query.state.data?.tasks.some((t) => t.status === 'in_progress' || t.status === 'unloading')
        ? 3000
        : false,
  });
  const tasks = page.data?.tasks ?? [];
  return (
    <>
      <ProblemMessage error={page.error} />
      {page.isSuccess && tasks.length === 0 ? (
        q ? (
          <p data-testid="no-match">No task’s name contains “{q}”.</p>
        ) : (
          <p>
            No tasks yet: <Link href="/audiences">build an audience</Link>.
          </p>
        )
      ) : null}
      {tasks.length > 0 ? (
        <div className="card table-wrap">
          <table data-testid="task-table">
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Created</th>
                <th scope="col" className="num">
                  Rows
                </th>
              </tr>
            </thead>
            <tbody>
              {tasks.map((t) => (
                <tr key={t.task_id}>
                  <td>
                    <Link href={`/tasks/${encodeURIComponent(t.task_id)}`}>{taskTitle(t)}</Link>{' '}
                    <code className="muted">{t.task_id.slice(0, 8)}</code>
                    {t.audience ? (
                      <div className="muted">
                        run of <Link href={audiencePath(t.audience.audience_id)}>{t.audience.name}</Link>
                      </div>
                    ) : null}
                  </td>
                  <td>
                    <StatusBadge status={t.status} />
                    {t.error ? <span className="muted"> {t.error.code}</span> : null}
                  </td>
                  <td>
                    <JobProgress
                      done={t.completed_jobs}
                      total={t.total_jobs}
                      label={`Progress of ${t.task_id.slice(0, 8)}`}
                    />
                  </td>
                  <td>{formatTime(t.created_at)}</td>
                  <td className="num">{formatCount(t.total_count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager pages={pages} nextCursor={page.data?.next_cursor} label="Pages of tasks" />
    </>
  );
}
