import { StorageError, type StorageErrorCode } from './storage-error.ts';

interface ServiceError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/**
 * Names the object and the cause in words a user can act on, and tells the caller whether trying
 * again can help (the SDK has already retried transient errors with backoff).
 */
export function objectError(uri: string, error: unknown): Error {
  if (error instanceof StorageError) return error;
  const e = (error ?? {}) as ServiceError;
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? e.code ?? '';
  const say = (code: StorageErrorCode, what: string, permanent = true) =>
    new StorageError(code, `${uri}: ${what}`, permanent);
  if (name === 'NoSuchBucket') return say('bucket_not_found', 'the bucket does not exist');
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return say('object_not_found', 'the object does not exist (it may have been deleted while the task ran)');
  }
  if (name === 'PreconditionFailed' || status === 412) {
    return say('object_changed', 'the object changed while the task ran; run the task again');
  }
  if (
    name === 'AccessDenied' ||
    name === 'InvalidAccessKeyId' ||
    name === 'SignatureDoesNotMatch' ||
    status === 403
  ) {
    return say(
      'access_denied',
      `access denied (${name || status}); check the credentials and the bucket policy`,
    );
  }
  const network = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|socket hang up|TimeoutError/i;
  if (network.test(`${name} ${e.code ?? ''} ${e.message ?? ''}`)) {
    return say(
      'storage_unreachable',
      `the storage endpoint does not answer (${e.code ?? name ?? e.message})`,
      false,
    );
  }
  if (status !== undefined && (status >= 500 || status === 429)) {
    return say('storage_unavailable', `the storage service failed (${status} ${name})`, false);
  }
  if (error instanceof Error && !status) return error;
  return say(
    'storage_error',
    `${name || 'error'}${status ? ` (${status})` : ''}: ${e.message ?? ''}`.trim(),
    false,
  );
}
