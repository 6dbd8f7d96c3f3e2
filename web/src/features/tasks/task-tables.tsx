import { useQuery } from '@tanstack/react-query';
import { api, archiveUrl, type TaskDetail, unwrap } from '../../api.ts';
import { ProblemMessage } from '../../components/problem-view.tsx';
import { cellText, fileLabel, formatBytes, formatCount } from '../../format.ts';

/** More partitions than this are summed up instead of listed. */
const PARTITIONS_SHOWN = 300;

/** Rows (and people, with unique_by) of every partition, largest first. */
export function PartitionTable({ task }: { task: TaskDetail }) {
  const rows = Object.entries(task.counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (rows.length === 0) return null;
  const people = task.unique_counts;
  return (
    <section className="card">
      <h2>Per partition</h2>
      <div className="table-wrap tall">
        <table data-testid="partition-table">
          <thead>
            <tr>
              <th scope="col">Partition</th>
              <th scope="col" className="num">
                Rows
              </th>
              {people ? (
                <th scope="col" className="num">
                  People
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, PARTITIONS_SHOWN).map(([partition, count]) => (
              <tr key={partition}>
                <td>
                  <code>{partition}</code>
                </td>
                <td className="num">{formatCount(count)}</td>
                {people ? <td className="num">{formatCount(people[partition])}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length > PARTITIONS_SHOWN ? (
        <p className="muted">
          {rows.length - PARTITIONS_SHOWN} smaller partitions not listed; the total counts them all.
        </p>
      ) : null}
    </section>
  );
}

/** The top values of each breakdown column as text, beside its chart. */
export function BreakdownTables({ breakdowns }: { breakdowns: NonNullable<TaskDetail['breakdowns']> }) {
  return (
    <>
      {Object.entries(breakdowns).map(([column, entries]) => (
        <details key={column} className="card">
          <summary>All values of {column}</summary>
          <div className="table-wrap tall">
            <table>
              <thead>
                <tr>
                  <th scope="col">{column}</th>
                  <th scope="col" className="num">
                    Rows
                  </th>
                  <th scope="col" className="num">
                    People
                  </th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr key={cellText(entry.value)}>
                    <td>{entry.value === null ? '(null)' : cellText(entry.value)}</td>
                    <td className="num">{formatCount(entry.count)}</td>
                    <td className="num">{formatCount(entry.unique_count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      ))}
    </>
  );
}

/** Sample rows of the segment, every value rendered as text. */
export function PreviewTable({ taskId }: { taskId: string }) {
  const preview = useQuery({
    queryKey: ['preview', taskId],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/tasks/{task_id}/preview', {
          params: { path: { task_id: taskId }, query: { limit: '10' } },
        }),
      ),
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  return (
    <section className="card">
      <h2>Sample rows</h2>
      {preview.isPending ? <p aria-busy="true">Reading sample rows…</p> : null}
      <ProblemMessage error={preview.error} />
      {preview.data && preview.data.rows.length === 0 ? <p>The segment has no rows.</p> : null}
      {preview.data && preview.data.rows.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="preview-table">
            <thead>
              <tr>
                {preview.data.columns.map((c) => (
                  <th scope="col" key={c.name} title={c.type}>
                    {c.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.data.rows.map((row, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: sample rows have no identity of their own
                <tr key={index}>
                  {preview.data.columns.map((c) => (
                    <td key={c.name}>{cellText(row[c.name])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

/**
 * The export, ready: its files with their rows, sizes and download links, and the manifest. It sits
 * near the top of the task page, so a finished export is the first thing seen.
 */
export function FileList({ task }: { task: TaskDetail }) {
  if (task.files.length === 0) return null;
  const bytes = task.files.reduce((total, file) => total + file.size_bytes, 0);
  return (
    <section className="card ready" aria-labelledby="files-title" data-testid="ready">
      <h2 id="files-title">
        Ready: {formatCount(task.files.length)} {task.files.length === 1 ? 'file' : 'files'},{' '}
        {formatBytes(bytes)}
      </h2>
      {/* Links that fetch the whole export at once go here, above the file list. */}
      <div className="row" data-slot="download-all">
        {task.status === 'completed' ? (
          <p>
            {/* The session cookie goes with a same-origin link, and the route accepts it. */}
            <a href={archiveUrl(task.task_id)} download>
              Download all
            </a>
            : one ZIP of every file in its partition folder, with manifest.json.
          </p>
        ) : null}
      </div>
      {task.manifest_url ? (
        <p>
          <a href={task.manifest_url}>Manifest (manifest.json)</a>: every file with its rows, bytes and
          SHA-256.
        </p>
      ) : null}
      <div className="table-wrap tall">
        <table data-testid="file-table">
          <thead>
            <tr>
              <th scope="col">Partition</th>
              <th scope="col" className="num">
                Rows
              </th>
              <th scope="col" className="num">
                Size
              </th>
              <th scope="col">Download</th>
            </tr>
          </thead>
          <tbody>
            {task.files.map((file) => (
              <tr key={file.uri}>
                <td>
                  <code>{file.partition}</code>
                </td>
                <td className="num">{formatCount(file.rows)}</td>
                <td className="num">{formatBytes(file.size_bytes)}</td>
                <td>
                  <a href={file.url} download>
                    {fileLabel(file, task.outputs)}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
