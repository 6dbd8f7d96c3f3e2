/** Why reading or writing storage failed, in words the task's `error.code` can carry as they are. */
export type StorageErrorCode =
  | 'bucket_not_found'
  | 'object_not_found'
  | 'object_changed'
  | 'access_denied'
  | 'storage_unreachable'
  | 'storage_unavailable'
  | 'storage_error'
  | 'storage_not_configured'
  | 'staging_full'
  | 'staging_too_small'
  | 'disk_full'
  | 'input_unreadable';

/**
 * A storage failure that names the object and the cause, and says whether trying again can help.
 * Callers decide what it means for them: a failed job, or an answer to a request.
 */
export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    /** Trying again cannot help (missing bucket, denied access, corrupt file). */
    readonly permanent = true,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/** Whether a Node file-system error, or a DuckDB one, says the disk is full. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  // DuckDB: `IO Error: Could not write file "…": No space left on device`.
  return /No space left on device|Disk quota exceeded/i.test(
    error instanceof Error ? error.message : String(error),
  );
}

/** A full disk as the failure of a job: retried (space may come back), naming the folder. */
export function diskFull(folder: string, error: unknown): StorageError {
  const cause = (error as NodeJS.ErrnoException | undefined)?.code ?? 'No space left on device';
  return new StorageError(
    'disk_full',
    `${folder}: the disk is full (${cause}); free space there (or give it more), then retry the task`,
    false,
  );
}
