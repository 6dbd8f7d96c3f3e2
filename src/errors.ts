/**
 * Every error code the API can answer with. The problem-document handler in `http/` is the only
 * place that turns these into HTTP; `docs/errors.md` documents each one (a test keeps them in step).
 */
export const ERROR_CODES = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  malformed_json: { status: 400, title: 'The body is not valid JSON' },
  expression_invalid: { status: 400, title: 'The expression is not allowed' },
  expression_too_deep: { status: 400, title: 'The expression is nested too deeply' },
  expression_too_long: { status: 413, title: 'The expression is too long' },
  input_path_forbidden: { status: 400, title: 'The input path is not allowed' },
  input_path_not_found: { status: 400, title: 'The input path holds no Parquet data' },
  input_unreadable: { status: 400, title: 'The input could not be read as Parquet' },
  too_many_partitions: { status: 400, title: 'The task has too many partitions' },
  too_many_active_tasks: { status: 429, title: 'Too many tasks in progress' },
  unauthorized: { status: 401, title: 'Authentication is required' },
  invalid_credentials: { status: 401, title: 'E-mail or password is wrong' },
  link_invalid: { status: 403, title: 'The download link is invalid or has expired' },
  not_found: { status: 404, title: 'Not found' },
  task_not_found: { status: 404, title: 'Task not found' },
  email_taken: { status: 409, title: 'The e-mail is already registered' },
  task_state_conflict: { status: 409, title: 'The task is not in a state that allows this' },
  body_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'The body must be JSON' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal error' },
  not_ready: { status: 503, title: 'The service is not ready' },
  storage_unavailable: { status: 503, title: 'The storage service did not answer' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One offending field of a request, as listed in `errors[]` of a problem document. */
export interface FieldError {
  field: string;
  message: string;
}

/** An error a client can act on; `http/` renders it as an RFC 9457 problem document. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors: FieldError[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_CODES[code].status;
  }
}

/** A 400 naming one offending field. */
export function invalidField(field: string, message: string): AppError {
  return new AppError('validation_failed', `${field}: ${message}`, [{ field, message }]);
}

/** A failure of a job that a user can act on (bad data, missing input); stored as the task's `error`. */
export class JobError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Retrying cannot help (corrupt file, bad column): fail the task at once. */
    readonly permanent = true,
  ) {
    super(message);
    this.name = 'JobError';
  }
}
