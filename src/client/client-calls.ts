/**
 * What every call of the client takes (per-call options) and how one is made (the init handed to
 * openapi-fetch, its answer), shared by `audiences-client.ts` and the call groups it delegates to
 * (`saved-audiences.ts`).
 */
import type { Client } from 'openapi-fetch';
import type { TaskDetail, TaskStatus } from './client-types.ts';
import type { RetryMode } from './retry-policy.ts';
import type { paths } from './schema.ts';

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** Options of the calls that create or change a task (or start an audience's run). */
export interface IdempotentCallOptions extends CallOptions {
  /** Sent as `Idempotency-Key`; a random UUID when absent, so the call can be retried safely. */
  idempotencyKey?: string;
}

/** Options of a call that reads one page of a list. */
export interface PageOptions extends CallOptions {
  /** Items per page, 1-100. @defaultValue 20 (the server's) */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string;
}

/** Options of a call that reads one page of the task list. */
export interface TaskPageOptions extends PageOptions {
  /** Only tasks whose name contains this, in any letter case (or whose `task_id` starts with it). */
  q?: string;
}

/** A report of `waitFor`: the task changed. */
export interface WaitProgress {
  status: TaskStatus;
  completed_jobs: number;
  total_jobs: number;
  task: TaskDetail;
}

export interface WaitOptions extends CallOptions {
  /** The status (or any of the statuses) to wait for. @defaultValue 'completed' */
  until?: TaskStatus | TaskStatus[];
  /** Called with the first answer and every change after it. */
  onProgress?: (progress: WaitProgress) => void;
  /** How long each long poll may wait on the server (0-60 s). @defaultValue 30 */
  waitSeconds?: number;
}

/** What each call hands openapi-fetch: the signal, the credentials, and the retrying fetch. */
export type CallInit = {
  signal?: AbortSignal;
  headers: Record<string, string>;
  fetch: (request: Request) => Promise<Response>;
};

export type Answer<T> = { data?: T; error?: unknown; response: Response };

/** What a group of calls kept apart from the client (saved audiences) needs of it. */
export interface ApiCalls {
  readonly api: Client<paths>;
  /** Sends a call and returns its data; throws an `AudiencesError` for any non-2xx answer. */
  call<T>(
    mode: RetryMode,
    options: CallOptions,
    run: (init: CallInit) => Promise<Answer<T>>,
    extra?: { idempotencyKey?: string },
  ): Promise<T>;
  /** The client's long-polling wait for a task. */
  waitFor(taskId: string, options?: WaitOptions): Promise<TaskDetail>;
}

/** The `Idempotency-Key` of a call: the caller's, or a fresh UUID. */
export function keyOf(options: IdempotentCallOptions): string {
  return options.idempotencyKey ?? globalThis.crypto.randomUUID();
}

/** The query of a list call: the page options given, as the API's strings. */
export function pageQuery(options: PageOptions): { limit?: string; cursor?: string } {
  return {
    ...(options.limit === undefined ? {} : { limit: String(options.limit) }),
    ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
  };
}
