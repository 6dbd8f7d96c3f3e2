import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'wouter';
import { api, type Overlap, unwrap } from '../../api.ts';
import { ProblemMessage } from '../../components/problem-view.tsx';
import { formatCount } from '../../format.ts';
import { taskTitle } from '../tasks/task-title.ts';
import { VennDiagram } from './venn-diagram.tsx';

/** Tasks offered to pick from: the newest page of the organisation's. */
const OFFERED = '50';
const MAX_SETS = 10;

/**
 * How 2 to 10 tasks overlap: pick counted or completed tasks (or paste ids), see each set's size, a
 * Venn diagram for 2 or 3 sets and the pairwise matrix. The API checks the rest (same unique_by …)
 * and its problem is shown as it is.
 */
export function OverlapPage() {
  const id = useId();
  const [picked, setPicked] = useState<string[]>([]);
  const [pasted, setPasted] = useState('');
  const tasks = useQuery({
    queryKey: ['tasks', 'overlap-candidates'],
    queryFn: async () => unwrap(await api.GET('/api/v1/status', { params: { query: { limit: OFFERED } } })),
  });
  const compare = useMutation({
    mutationFn: async (taskIds: string[]) =>
      unwrap(await api.POST('/api/v1/overlap', { body: { task_ids: taskIds } })),
  });
  const candidates = (tasks.data?.tasks ?? []).filter(
    (t) => t.status === 'counted' || t.status === 'completed',
  );
  const extra = pasted
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !picked.includes(s));
  const chosen = [...picked, ...extra];
  const toggle = (taskId: string) =>
    setPicked((now) => (now.includes(taskId) ? now.filter((p) => p !== taskId) : [...now, taskId]));
  return (
    <div className="stack">
      <h1>Overlap</h1>
      <p className="muted">
        How many people the tasks share, counted exactly over each task’s segment. The tasks must be counted
        with the same unique_by (e.g. person_id).
      </p>
      <form
        className="card stack"
        onSubmit={(e) => {
          e.preventDefault();
          compare.mutate(chosen);
        }}
      >
        <ProblemMessage error={tasks.error} />
        {candidates.length > 0 ? (
          <fieldset className="field" data-testid="overlap-candidates">
            <legend>Counted tasks</legend>
            {candidates.map((t) => (
              <label className="inline" key={t.task_id}>
                <input
                  type="checkbox"
                  checked={picked.includes(t.task_id)}
                  onChange={() => toggle(t.task_id)}
                  disabled={!picked.includes(t.task_id) && chosen.length >= MAX_SETS}
                />{' '}
                {taskTitle(t)} <code className="muted">{t.task_id.slice(0, 8)}</code>{' '}
                <span className="muted">{formatCount(t.total_count)} rows</span>
              </label>
            ))}
          </fieldset>
        ) : tasks.isSuccess ? (
          <p>
            No counted task yet: <Link href="/audiences">build an audience</Link> with unique_by.
          </p>
        ) : null}
        <div className="field">
          <label htmlFor={`${id}-ids`}>Or task ids</label>
          <input
            id={`${id}-ids`}
            placeholder="Task ids, separated by commas or spaces"
            value={pasted}
            onChange={(e) => setPasted(e.target.value)}
          />
        </div>
        <div>
          <button type="submit" disabled={chosen.length < 2 || chosen.length > MAX_SETS || compare.isPending}>
            {compare.isPending ? 'Counting…' : `Compare ${chosen.length} tasks`}
          </button>
        </div>
      </form>
      <ProblemMessage error={compare.error} />
      {compare.data ? <OverlapResult overlap={compare.data} /> : null}
    </div>
  );
}

function OverlapResult({ overlap }: { overlap: Overlap }) {
  const keys = overlap.sets.map((s) => s.key);
  const pair = (a: string, b: string) =>
    overlap.pairs.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a));
  return (
    <section className="card stack" aria-labelledby="overlap-result" data-testid="overlap-result">
      <h2 id="overlap-result">
        {formatCount(overlap.union)} distinct {overlap.unique_by} in all
      </h2>
      <div className="table-wrap">
        <table data-testid="overlap-sets">
          <thead>
            <tr>
              <th scope="col">Set</th>
              <th scope="col">Task</th>
              <th scope="col" className="num">
                Size
              </th>
            </tr>
          </thead>
          <tbody>
            {overlap.sets.map((s) => (
              <tr key={s.key}>
                <th scope="row">{s.key}</th>
                <td>
                  <Link href={`/tasks/${encodeURIComponent(s.task_id)}`}>
                    {s.name ?? s.task_id.slice(0, 8)}
                  </Link>
                </td>
                <td className="num">{formatCount(s.size)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <VennDiagram overlap={overlap} />
      <div className="table-wrap">
        <table data-testid="overlap-matrix">
          <caption className="muted">People in both sets (Jaccard index)</caption>
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Set</span>
              </th>
              {keys.map((k) => (
                <th scope="col" className="num" key={k}>
                  {k}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {overlap.sets.map((row) => (
              <tr key={row.key}>
                <th scope="row">{row.key}</th>
                {overlap.sets.map((col) => {
                  if (col.key === row.key) {
                    return (
                      <td className="num muted" key={col.key}>
                        {formatCount(row.size)}
                      </td>
                    );
                  }
                  const p = pair(row.key, col.key)!;
                  return (
                    <td className="num" key={col.key} data-testid={`pair-${row.key}${col.key}`}>
                      {formatCount(p.intersection)} <span className="muted">({p.jaccard.toFixed(3)})</span>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
