import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from '../../src/client/schema.ts';

/** The console's one way to the API: typed by the OpenAPI document, authenticated by the session cookie. */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });

type Schemas = components['schemas'];
type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends Record<number, unknown>
    ? { [S in keyof R]: S extends 200 | 201 | 202 ? R[S] : never }[keyof R] extends infer O
      ? O extends { content: { 'application/json': infer J } }
        ? J
        : never
      : never
    : never
  : never;

/** A signed-in browser session (GET /auth/v1/session answers `signed_in: false` without one). */
export type Session = Extract<Ok<'/auth/v1/session', 'get'>, { signed_in: true }>;
export type Catalog = Ok<'/api/v1/catalog/intent', 'get'>;
export type TopicList = Ok<'/api/v1/catalog/intent/topics', 'get'>;
export type Topic = TopicList['topics'][number];
export type Estimate = Ok<'/api/v1/intent_hive_tasks/estimate', 'post'>;
export type TaskDetail = Ok<'/api/v1/status/{task_id}', 'get'>;
export type TaskList = Ok<'/api/v1/status', 'get'>;
export type TaskSummary = TaskList['tasks'][number];
export type Preview = Ok<'/api/v1/tasks/{task_id}/preview', 'get'>;
export type Overlap = Ok<'/api/v1/overlap', 'post'>;
export type ClientList = Ok<'/client/v1', 'get'>;
export type ClientCreated = Ok<'/client/v1', 'post'>;
export type IntentTaskBody = NonNullable<
  paths['/api/v1/intent_hive_tasks']['post']['requestBody']
>['content']['application/json'];
export type AudienceList = Ok<'/api/v1/audiences', 'get'>;
export type AudienceSummary = AudienceList['audiences'][number];
export type AudienceDetail = Ok<'/api/v1/audiences/{audience_id}', 'get'>;
export type AudienceRunList = Ok<'/api/v1/audiences/{audience_id}/runs', 'get'>;
export type AudienceRun = AudienceRunList['runs'][number];
export type AudienceBody = NonNullable<
  paths['/api/v1/audiences']['post']['requestBody']
>['content']['application/json'];
export type AudiencePatch = NonNullable<
  paths['/api/v1/audiences/{audience_id}']['patch']['requestBody']
>['content']['application/json'];
export type { Schemas };

/** One offending field of a request, as the API names it. */
export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem document the API answered with, shown to the user as it is. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: FieldError[],
  ) {
    super(detail);
    this.name = 'ApiProblem';
  }

  /**
   * The messages about one field (`where_expr`, `password`, ...) and the parts of it (`days[1]`,
   * `schedule.every`), for the text under that field.
   */
  forField(field: string): string[] {
    return this.errors
      .filter((e) => e.field === field || e.field.startsWith(`${field}[`) || e.field.startsWith(`${field}.`))
      .map((e) => e.message);
  }
}

/** Turns an openapi-fetch answer into its data, or throws the API's problem document. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok) return result.data as T;
  const problem = (result.error ?? {}) as {
    code?: string;
    detail?: string;
    title?: string;
    errors?: FieldError[];
  };
  throw new ApiProblem(
    result.response.status,
    problem.code ?? 'http_error',
    problem.detail ?? problem.title ?? `the API answered ${result.response.status}`,
    problem.errors ?? [],
  );
}

/**
 * The session's CSRF token, held in memory only (a reload asks GET /auth/v1/session for it again);
 * sent on every request that changes something, as the API requires with the session cookie.
 */
let csrfToken: string | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (csrfToken && !['GET', 'HEAD'].includes(request.method))
      request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
};
api.use(csrf);

/** Statuses a task rests in until someone acts: the console stops polling there. */
export const FINAL_STATUSES = new Set(['completed', 'failed', 'cancelled', 'counted']);

/**
 * A completed task's files as one ZIP: a plain link (the browser downloads it with the session
 * cookie), so the archive streams to disk instead of through the page's memory.
 */
export function archiveUrl(taskId: string): string {
  const route: keyof paths = '/api/v1/tasks/{task_id}/archive';
  return route.replace('{task_id}', encodeURIComponent(taskId));
}
