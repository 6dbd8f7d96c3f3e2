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
  webhook_url_refused: { status: 400, title: 'The webhook URL is not allowed' },
  too_many_webhooks: { status: 409, title: 'The organisation has the most webhooks it may have' },
  webhook_not_found: { status: 404, title: 'Webhook not found' },
  unauthorized: { status: 401, title: 'Authentication is required' },
  invalid_credentials: { status: 401, title: 'E-mail or password is wrong' },
  session_ended: { status: 401, title: 'The login session has ended' },
  csrf_failed: { status: 403, title: 'The CSRF token is missing or wrong' },
  scope_missing: { status: 403, title: 'The API key lacks a scope this route needs' },
  current_password_wrong: { status: 403, title: 'The current password is wrong' },
  link_invalid: { status: 403, title: 'The download link is invalid or has expired' },
  not_found: { status: 404, title: 'Not found' },
  task_not_found: { status: 404, title: 'Task not found' },
  audience_not_found: { status: 404, title: 'Audience not found' },
  audience_run_not_found: { status: 404, title: 'Run not found' },
  audience_name_taken: { status: 409, title: 'The organisation has an audience of that name' },
  audience_run_in_progress: { status: 409, title: 'A run of the audience is still going' },
  audience_changed: { status: 409, title: 'The audience changed meanwhile' },
  email_taken: { status: 409, title: 'The e-mail is already registered' },
  audience_not_completed: { status: 409, title: 'The audience has no completed run' },
  task_state_conflict: { status: 409, title: 'The task is not in a state that allows this' },
  idempotency_key_in_use: { status: 409, title: 'A request with this idempotency key is still running' },
  idempotency_key_reused: { status: 422, title: 'The idempotency key was used with a different request' },
  overlap_too_large: { status: 422, title: 'The overlap is too large to count in one request' },
  preview_failed: { status: 422, title: 'The preview could not read the segment' },
  body_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'The body must be JSON' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal error' },
  console_not_built: { status: 503, title: 'The web console is not built' },
  not_ready: { status: 503, title: 'The service is not ready' },
  storage_unavailable: { status: 503, title: 'The storage service did not answer' },
  store_unavailable: { status: 503, title: 'The database did not answer' },
  preview_busy: { status: 503, title: 'Too many previews are running' },
  preview_timeout: { status: 504, title: 'The preview took too long' },
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

/**
 * Every code a failed task's `error` can carry; `docs/errors.md` ("Task errors") documents each one
 * (a test keeps them in step). `permanent` says whether a job failing with the code fails the task
 * at once (`true`) or is tried again until its attempts are spent (`false`); `null` where it depends
 * on the cause, and whoever raises the error decides.
 */
export const TASK_ERROR_CODES = {
  input_unreadable: { permanent: true, meaning: 'a file could not be read as Parquet' },
  expression_failed: { permanent: true, meaning: 'where_expr failed on the data' },
  object_not_found: { permanent: true, meaning: 'an input object was deleted after the task listed it' },
  object_changed: {
    permanent: null,
    meaning: 'an input object changed after the task listed it, or while a job read it',
  },
  bucket_not_found: { permanent: true, meaning: 'the bucket does not exist' },
  access_denied: { permanent: true, meaning: 'the credentials may not read or write the object' },
  storage_unreachable: { permanent: false, meaning: 'the storage endpoint did not answer' },
  storage_unavailable: { permanent: false, meaning: 'the storage service failed (5xx, throttling)' },
  storage_error: { permanent: false, meaning: 'the storage service answered with another error' },
  storage_not_configured: { permanent: true, meaning: 'the URI scheme has no storage on this server' },
  staging_full: { permanent: false, meaning: "the staging cache cannot hold the running jobs' inputs" },
  staging_too_small: { permanent: true, meaning: 'one input object is larger than the staging cache' },
  disk_full: {
    permanent: false,
    meaning: 'a local folder the job writes (staging cache, scratch, local exports) ran out of space',
  },
  job_timeout: { permanent: true, meaning: 'a query ran longer than JOB_TIMEOUT' },
  out_of_memory: { permanent: true, meaning: 'a query needed more than DUCKDB_MEMORY_LIMIT' },
  input_empty: { permanent: true, meaning: 'the input held no .parquet files when a worker listed it' },
  too_many_partitions: {
    permanent: true,
    meaning: 'the input has more partition folders than a task may cover',
  },
  input_layout_mixed: {
    permanent: true,
    meaning: 'the input mixes folder layouts, unlike the objects the task was planned from',
  },
  snapshot_missing: {
    permanent: true,
    meaning: "a saved audience's members snapshot (its own or its delta base's) could not be read",
  },
  job_failed: { permanent: false, meaning: 'any other failure' },
} as const satisfies Record<string, { permanent: boolean | null; meaning: string }>;

export type TaskErrorCode = keyof typeof TASK_ERROR_CODES;

/** A failure of a job that a user can act on (bad data, missing input); stored as the task's `error`. */
export class JobError extends Error {
  constructor(
    readonly code: TaskErrorCode,
    message: string,
    /**
     * Retrying cannot help (corrupt file, bad column): fail the task at once.
     * @defaultValue the code's permanence in `TASK_ERROR_CODES`, else `true`
     */
    readonly permanent: boolean = TASK_ERROR_CODES[code].permanent ?? true,
  ) {
    super(message);
    this.name = 'JobError';
  }
}

/** What a thrown value says, for a log line: an `Error`'s message, anything else as a string. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
