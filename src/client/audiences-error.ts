import type { AudienceRun, Problem, TaskDetail } from './client-types.ts';

/** What an {@link AudiencesError} is made of. */
export interface AudiencesErrorInit {
  status: number;
  code: string;
  detail: string;
  title?: string;
  errors?: Array<{ field?: string; message: string }>;
  problem?: Partial<Problem> | Record<string, unknown>;
}

/**
 * Every failure of the client: a non-2xx answer (its problem document: `status`, `code`, `detail`,
 * `errors[]`), a network error after the retries (`status: 0`, `code: 'network_error'`), or a check
 * of the client itself (a downloaded file of the wrong size: `status: 0`, `code: 'size_mismatch'`).
 * Match on `code`, not on `detail`.
 */
export class AudiencesError extends Error {
  /** The HTTP status; 0 when no answer came (network) or the client found the fault. */
  readonly status: number;
  /** The API's stable machine code (docs/errors.md), or the client's own. */
  readonly code: string;
  readonly detail: string;
  readonly title: string;
  /** For validation problems: each offending field (`days[1]`, `where_expr`, ...). */
  readonly errors: Array<{ field?: string; message: string }>;
  /** The problem document as the server sent it (or as the client made it). */
  readonly problem: Record<string, unknown>;

  constructor(init: AudiencesErrorInit, options?: { cause?: unknown }) {
    super(init.detail, options);
    this.name = 'AudiencesError';
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.title = init.title ?? init.code;
    this.errors = init.errors ?? [];
    this.problem = { ...(init.problem ?? { status: init.status, code: init.code, detail: init.detail }) };
  }
}

/** `waitFor` saw the task end (`failed`, `cancelled`, or `completed`) in a status it was not waiting for. */
export class TaskEndedError extends AudiencesError {
  readonly task: TaskDetail;
  readonly taskStatus: TaskDetail['status'];

  constructor(task: TaskDetail) {
    const reason = task.error ? `: ${task.error.code}: ${task.error.message}` : '';
    super({
      status: 0,
      code: `task_${task.status}`,
      detail: `task ${task.task_id} ended ${task.status}${reason}`,
      problem: { task_id: task.task_id, status: task.status, error: task.error },
    });
    this.name = 'TaskEndedError';
    this.task = task;
    this.taskStatus = task.status;
  }
}

/**
 * `waitForRun` saw the run's task end in a status it was not waiting for: the task (as
 * {@link TaskEndedError} has it) and the run as the audience's runs show it then.
 */
export class RunEndedError extends TaskEndedError {
  readonly run: AudienceRun;

  constructor(task: TaskDetail, run: AudienceRun) {
    super(task);
    this.name = 'RunEndedError';
    this.run = run;
  }
}

/**
 * The error for a non-2xx answer whose body was already read (`body`: parsed JSON, or text): the
 * problem document when it is one, else the status with a generic code.
 */
export function errorFromAnswer(response: Response, body: unknown): AudiencesError {
  if (body && typeof body === 'object' && typeof (body as Problem).code === 'string') {
    const problem = body as Problem;
    return new AudiencesError({
      status: response.status,
      code: problem.code,
      detail: typeof problem.detail === 'string' ? problem.detail : (problem.title ?? problem.code),
      title: problem.title,
      errors: Array.isArray(problem.errors) ? problem.errors : [],
      problem,
    });
  }
  // Not a problem document: a proxy's HTML page, an object store's XML, an empty body.
  const text = typeof body === 'string' ? body.trim().slice(0, 500) : '';
  const detail = `${response.status} ${response.statusText}${text ? `: ${text}` : ''}`.trim();
  return new AudiencesError({ status: response.status, code: genericCode(response.status), detail });
}

/** A failure to reach the server (DNS, refused connection, reset) once the retries are spent. */
export function networkError(cause: unknown, url: string): AudiencesError {
  const message =
    cause instanceof Error
      ? cause.cause instanceof Error
        ? cause.cause.message
        : cause.message
      : String(cause);
  return new AudiencesError(
    { status: 0, code: 'network_error', detail: `could not reach ${url}: ${message}` },
    { cause },
  );
}

function genericCode(status: number): string {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  return status >= 500 ? 'server_error' : 'http_error';
}
