import type { JobPhase, JobRecord } from './store.ts';

/**
 * The counts of a task's finished jobs of one phase, merged into `{partition: rows}`. Sums are
 * exact: a partition belongs to one job per phase.
 */
export function countsOfJobs(
  jobs: ReadonlyArray<Pick<JobRecord, 'phase' | 'status' | 'counts'>>,
  phase: JobPhase,
): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const job of jobs) {
    if (job.phase !== phase || job.status !== 'done' || !job.counts) continue;
    for (const [partition, rows] of Object.entries(job.counts))
      merged[partition] = (merged[partition] ?? 0) + rows;
  }
  return merged;
}
