const LABELS: Record<string, string> = {
  in_progress: 'In progress',
  counted: 'Counted',
  unloading: 'Exporting',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  // A saved audience's runs: a slot that found a run still going, a run whose task has expired.
  skipped: 'Skipped',
  expired: 'Expired',
};

/** A task's (or an audience run's) status as a coloured badge; the text says it too, colour is never the only sign. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{LABELS[status] ?? status}</span>;
}

/** Jobs done of the task's jobs, as a native progress bar with its figures beside it. */
export function JobProgress({ done, total, label }: { done: number; total: number; label: string }) {
  return (
    <span className="progress">
      <progress max={Math.max(total, 1)} value={done} aria-label={label} />
      <span>
        {done}/{total} jobs
      </span>
    </span>
  );
}
