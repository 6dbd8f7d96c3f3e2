import type { Storage } from '../storage/storage.ts';
import type { TaskRecord } from '../store/store.ts';

/**
 * Removes everything a task exported: its folder `{outputPath}/{organization_id}/{task_id}/`, which
 * holds every partition's files (see `publishExport`). For a cancelled task; nothing to do when the
 * task exported nothing.
 */
export function removeTaskOutputs(
  storage: Storage,
  outputPath: string,
  task: Pick<TaskRecord, 'id' | 'organizationId'>,
): Promise<void> {
  return storage.remove(storage.join(outputPath, `${task.organizationId}/${task.id}`));
}
