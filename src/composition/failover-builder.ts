import { newLeaseOwner } from '../jobs/job-lease.ts';
import { JobReconciler } from '../jobs/job-reconciler.ts';
import { WorkerLiveness } from '../jobs/worker-liveness.ts';
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
  startLiveness(ctx, infra, `api:${newLeaseOwner()}`, reconciler);
}
