import { randomUUID } from 'node:crypto';
import type { JobPhase, NewJob } from '../../store/store.ts';

/**
 * Every job row a task gets is made here: its first jobs at create, the jobs a `list` job plans,
 * the export jobs of its counts, the jobs a split hands over, and its manifest job.
 */

/** Job rows for batches of one phase, numbered in order from 0 (a split's are renumbered by the store). */
export function jobsFor(phase: JobPhase, batches: readonly string[][], status: NewJob['status']): NewJob[] {
  return batches.map((partitions, seq) => ({
    id: randomUUID(),
    phase,
    seq,
    partitions: [...partitions],
    status,
  }));
}

/** The one job of a task whose input is too large to list while its client waits: it lists it. */
export function listJob(): NewJob[] {
  return jobsFor('list', [[]], 'queued');
}

/** The last job of an export: it writes `manifest.json` and `_SUCCESS`. */
export function manifestJob(): NewJob[] {
  return jobsFor('manifest', [[]], 'queued');
}
