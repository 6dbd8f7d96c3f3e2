import type { Storage } from '../storage/storage.ts';
import type { TaskRecord } from '../store/store.ts';
import type { StoredRequest } from './task-model.ts';

/**
 * The folder a task's export goes to: `{outputPath}/{organization_id}/{task_id}/`, or the folder a
 * saved audience's delivery path names (`TaskPlan.outputFolder`, under the organisation's folder
 * too). Every partition's files, the manifest and `_SUCCESS` are under it.
 */
export function taskOutputRoot(
  storage: Storage,
  outputPath: string,
  task: Pick<TaskRecord, 'id' | 'organizationId' | 'request'>,
): string {
  const folder = (task.request as Partial<StoredRequest> | undefined)?.plan?.outputFolder;
  return storage.join(outputPath, folder ?? `${task.organizationId}/${task.id}`);
}

/**
 * Where a sliced count's count jobs write their people by hash bucket, for its reduce jobs (and a
 * people export's export jobs) to read (`tasks/unique-slices.ts`):
 * `{outputPath}/.slices/{organization_id}/{task_id}/`, shared by every worker as the exports are.
 * Removed when their last reader ends, the task is cancelled, or it expires (`SliceSweeper`).
 */
export function taskSlicesRoot(
  storage: Storage,
  outputPath: string,
  task: Pick<TaskRecord, 'id' | 'organizationId'>,
): string {
  return storage.join(outputPath, `.slices/${task.organizationId}/${task.id}`);
}

/**
 * Removes everything a task exported: its output folder (see `taskOutputRoot`), the people of a
 * sliced count (`taskSlicesRoot`), and the parts of a split export it held back (in the service's
 * own area). For a cancelled task; nothing to do when
 * the task exported nothing.
 */
export async function removeTaskOutputs(
  storage: Storage,
  outputPath: string,
  task: Pick<TaskRecord, 'id' | 'organizationId' | 'request'>,
): Promise<void> {
  await storage.remove(taskOutputRoot(storage, outputPath, task));
  await storage.remove(taskSlicesRoot(storage, outputPath, task));
  const heldBack = (task.request as Partial<StoredRequest> | undefined)?.plan?.splits?.heldBack;
  if (heldBack !== undefined) await storage.remove(heldBack);
}
