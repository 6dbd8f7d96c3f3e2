import type { JobPhase } from '../store/store.ts';

export interface JobKind {
  phase: JobPhase;
  /** Deliveries before a transient failure fails the task. */
  maxAttempts: number;
  /** Wait before the n-th retry (1-based), growing so a struggling disk or store can recover. */
  backoffMs(attempt: number): number;
}

/** Every job the worker runs, declared once with its retry policy; the time limit is JOB_TIMEOUT. */
export const JOB_KINDS: Record<JobPhase, JobKind> = {
  list: { phase: 'list', maxAttempts: 3, backoffMs: (attempt) => 500 * 4 ** (attempt - 1) },
  count: { phase: 'count', maxAttempts: 3, backoffMs: (attempt) => 500 * 4 ** (attempt - 1) },
  reduce: { phase: 'reduce', maxAttempts: 3, backoffMs: (attempt) => 500 * 4 ** (attempt - 1) },
  unload: { phase: 'unload', maxAttempts: 3, backoffMs: (attempt) => 1000 * 4 ** (attempt - 1) },
  manifest: { phase: 'manifest', maxAttempts: 5, backoffMs: (attempt) => 500 * 4 ** (attempt - 1) },
};
