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
