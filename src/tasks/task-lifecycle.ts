import type { NewJob, TaskLifecycle, TaskRecord } from '../store/store.ts';
import { manifestJob } from './planning/job-rows.ts';
import { countsFirst, type StoredRequest } from './task-model.ts';
import { exportEnded, reduceEnded, reduceStep } from './unique-slices.ts';

/** Plans the export jobs of a counted task from its counts (empty partitions need no job). */
export type ExportPlanner = (task: TaskRecord, counts: Record<string, number>) => NewJob[];

/**
 * The task state machine, decided here and written by the store in the transaction that finished
 * the phase (or took the request):
 *
 * - A task that exports at once (`perform_unload: true`) starts `unloading`: its export jobs' rows
 *   are its counts.
 * - A task held for review (`perform_unload: false`) starts `in_progress`; the end of its count makes
 *   it `counted` with the final counts.
 * - A sliced count (`tasks/unique-slices.ts`) stays `in_progress` when its count ends, with one
 *   `reduce` job per hash bucket; the end of those is the end of its count (a unique count keeps the
 *   counts of its count phase, a people export counts its people by bucket).
 * - A task that exports at once but is counted first (figures over its whole segment, a single
 *   file, a delta run; see `countsFirst`) starts `in_progress`, and the end of its count makes it
 *   `unloading` with export jobs over its non-empty partitions at once, with no `unload` call.
 * - A people export that exports at once starts `unloading` and counts as it writes. When it is
 *   sliced, its first job gives way to count jobs: it stays `unloading` through its count and reduce
 *   steps, whose ends plan the rest as above.
 * - `unload` moves a `counted` task to `unloading` with export jobs over its non-empty partitions.
 *   Any other status refuses it (a conflict).
 * - The end of the export adds one `manifest` job, which writes `manifest.json` and `_SUCCESS`; its
 *   end makes the task `completed`. An export without rows to write goes straight to that job.
 * - A job that fails for good fails its task (the store keeps the first error). `retry` takes a
 *   `failed` task back to the status of its failed jobs' phase: `unloading` for export and manifest
 *   jobs, `in_progress` for count jobs, and for a `list` job the status the task started in. Any
 *   other status refuses it.
 * - `cancel` ends any unfinished task (`cancelled`); the store decides it alone.
 */
export function taskLifecycle(planExport: ExportPlanner): TaskLifecycle {
  /** The export jobs of a task's counts; with no rows to export, the manifest job alone. */
  const exportJobs = (task: TaskRecord, counts: Record<string, number>) => {
    const jobs = planExport(task, counts);
    return jobs.length > 0 ? jobs : manifestJob();
  };
  return {
    phaseEnded(task, phase, counts, parts = []) {
      if (phase === 'manifest') return { status: 'completed', jobs: [] };
      if (phase === 'unload') {
        // A task counted first keeps the counts of its count; one that exported at once has only these.
        const kept = task.countsJson === null ? { counts } : {};
        // A sliced split export's held-back files are its buckets' (see `exportEnded`).
        const figures = exportEnded(task, parts);
        return { status: 'unloading', jobs: manifestJob(), ...kept, ...(figures ? { figures } : {}) };
      }
      // A sliced unique count's counts are final; its whole segment's figure comes with a reduce step.
      const reduce = phase === 'count' ? reduceStep(task, parts) : undefined;
      if (reduce) return { status: task.status, jobs: reduce.jobs, counts, figures: reduce.figures };
      // The reduce step ended: its counts and figures are final (see `reduceEnded`).
      const reduced = phase === 'reduce' ? reduceEnded(task, parts) : undefined;
      const final = reduced?.counts ?? counts;
      const figures = reduced ? { figures: reduced.figures } : {};
      // A task held for review waits for its `unload`; one counted for its figures exports at once.
      if (!exportsAtOnce(task)) return { status: 'counted', jobs: [], counts: final, ...figures };
      return { status: 'unloading', jobs: exportJobs(task, final), counts: final, ...figures };
    },
    unloadRequested(task, counts) {
      if (task.status !== 'counted') return undefined;
      return { status: 'unloading', jobs: exportJobs(task, counts) };
    },
    retryRequested(task, phase) {
      if (task.status !== 'failed') return undefined;
      if (phase === 'unload' || phase === 'manifest') return 'unloading';
      // A list job plans the task's first jobs: the task goes back to the status it started in.
      if (phase === 'list' && exportsAtOnce(task) && !countsFirst((task.request as StoredRequest).plan)) {
        return 'unloading';
      }
      return 'in_progress';
    },
  };
}

/** The last job of every export: it lists what the export wrote in `manifest.json`, then `_SUCCESS`. */
/** The task's request asks for its export without an `unload` call (`perform_unload: true`). */
function exportsAtOnce(task: TaskRecord): boolean {
  return (task.request as Partial<StoredRequest>).view?.perform_unload === true;
}
