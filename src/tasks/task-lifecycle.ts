import type { NewJob, TaskLifecycle, TaskRecord } from '../store/store.ts';

/** Plans the export jobs of a counted task from its counts (empty partitions need no job). */
export type ExportPlanner = (task: TaskRecord, counts: Record<string, number>) => NewJob[];

/**
 * The task state machine, decided here and written by the store in the transaction that finished
 * the phase (or took the request):
 *
 * - A task that exports at once (`perform_unload: true`) starts `unloading`: its export jobs' rows
 *   are its counts, and the end of the export makes it `completed`.
 * - A task held for review (`perform_unload: false`) starts `in_progress`; the end of its count makes
 *   it `counted` with the final counts.
 * - `unload` moves a `counted` task to `unloading` with export jobs over its non-empty partitions, or
 *   straight to `completed` when every count is 0. Any other status refuses it (a conflict).
 * - A job that fails for good fails its task (the store keeps the first error).
 */
export function taskLifecycle(planExport: ExportPlanner): TaskLifecycle {
  return {
    phaseEnded(task, phase, counts) {
      if (phase === 'unload') {
        // A task counted first keeps the counts of its count; one that exported at once has only these.
        return { status: 'completed', jobs: [], ...(task.countsJson === null ? { counts } : {}) };
      }
      // Only a task held for review is counted: it waits for its `unload`.
      return { status: 'counted', jobs: [], counts };
    },
    unloadRequested(task, counts) {
      if (task.status !== 'counted') return undefined;
      const jobs = planExport(task, counts);
      return { status: jobs.length > 0 ? 'unloading' : 'completed', jobs };
    },
  };
}
