import { newLeaseOwner } from '../jobs/job-lease.ts';
import { JobReconciler } from '../jobs/job-reconciler.ts';
import { DEFAULT_SILENCE_MS, WorkerLiveness } from '../jobs/worker-liveness.ts';
import { type BuildContext, warnings } from './build-context.ts';
import type { Infrastructure } from './infrastructure-builder.ts';

/**
 * Failover in seconds on a shared store (see src/jobs/worker-liveness.ts): this process beats and,
 * once its own beats are steady, ends the leases of processes silent for 4 s; `reconciler` then
 * enqueues their jobs. The embedded service (one process over SQLite) has nobody to watch.
 */
export function startLiveness(
  { config, hooks, log, plan }: BuildContext,
  { store }: Infrastructure,
  owner: string,
  reconciler: JobReconciler,
): void {
  if (!config.store.databaseUrl) return;
  const liveness = new WorkerLiveness({
    store,
    owner,
    ...hooks.liveness,
    onJobsFreed: () => void reconciler.reconcile().catch(() => 0),
    onBeatFailed: () => reconciler.outageSeen(),
    log: warnings(log),
    // A process taken for dead is news to an operator, whichever process judged it.
    trace: warnings(log),
  });
  plan.add('worker-liveness', () => liveness.stop());
  liveness.start();
}

/** An API process's name in the workers' beats: it beats, and takes no job. */
export const API_OWNER_PREFIX = 'api:';

/**
 * Jobs of a phase that run at once across the workers, on a shared store: the workers that beat
 * within the last silence (API processes aside) times this process's slots for the phase (every
 * worker is taken to have as many). Undefined for a process alone: its export jobs are planned one
 * per core already, and its splits stay by bytes alone.
 */
export function workerSlots(
  { config, hooks }: BuildContext,
  { store }: Infrastructure,
): ((phase: 'count' | 'unload') => Promise<number>) | undefined {
  const slots = { count: config.queue.countConcurrency, unload: config.queue.workerConcurrency };
  if (!config.store.databaseUrl) return undefined;
  const silenceMs = hooks.liveness?.silenceMs ?? DEFAULT_SILENCE_MS;
  return async (phase) => {
    const since = new Date(Date.now() - silenceMs).toISOString();
    const owners = await store.liveWorkers(since);
    const workers = owners.filter((owner) => !owner.startsWith(API_OWNER_PREFIX)).length;
    return Math.max(1, workers) * slots[phase];
  };
}

/**
 * An API process without a worker watches the workers too. It holds no job, so being taken for dead
 * costs it nothing, and its beats make it a judge that worker restarts do not reset: when every
 * worker is killed at once (a deploy, a burst of out-of-memory kills), the new workers must beat
 * steadily for 4 s before they judge, but a steady API process ends the dead workers' leases as
 * soon as they fall silent and enqueues their jobs for whichever worker starts first. Its reconciler
 * only answers that (no passes of its own: the workers' reconcilers run those).
 */
export function startApiLiveness(ctx: BuildContext, infra: Infrastructure): void {
  const reconciler = new JobReconciler({ store: infra.store, queue: infra.queue, log: warnings(ctx.log) });
  startLiveness(ctx, infra, `${API_OWNER_PREFIX}${newLeaseOwner()}`, reconciler);
}
