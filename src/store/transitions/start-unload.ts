import type { Kysely } from 'kysely';
import { type Dialect, lockLiveTask } from '../live-tasks.ts';
import type { Database } from '../schema.ts';
import type { TaskLifecycle, UnloadStart } from '../store.ts';
import { toTask } from '../task-rows.ts';
import { applyMove } from './task-moves.ts';

/**
 * Starts the export of a counted task: the lifecycle adds its export jobs, from the final counts its
 * count stored (a sliced people export's are its reduce step's, not its count jobs').
 */
export async function startUnload(
  db: Kysely<Database>,
  dialect: Dialect,

  organizationId: string,
  taskId: string,
  now: string,
  lifecycle: TaskLifecycle,
): Promise<UnloadStart> {
  return db.transaction().execute(async (trx) => {
    const task = await lockLiveTask(trx, dialect, organizationId, taskId, now);
    if (!task) {
      return { outcome: 'not_found' as const };
    }
    // A counted task stored its final counts as it became `counted`; any other is refused.
    const record = toTask(task);
    const counts: Record<string, number> = JSON.parse(record.countsJson ?? '{}');
    const move = lifecycle.unloadRequested(record, counts);
    if (!move) return { outcome: 'conflict' as const };
    const released = await applyMove(trx, task, move, now, task.completedJobs);
    return { outcome: 'started' as const, released };
  });
}
