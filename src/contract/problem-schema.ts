import { type TSchema, Type } from '@sinclair/typebox';

/** Every error answer: an RFC 9457 problem document with a stable `code`. */
export const Problem = Type.Object(
  {
    type: Type.String({
      description: 'A URI naming the kind of problem: https://audiences.dev/problems/ and the code',
      examples: ['https://audiences.dev/problems/validation-failed'],
    }),
    title: Type.String({
      description: 'A short summary, the same for every problem of the code',
      examples: ['The request is not valid'],
    }),
    status: Type.Integer({ description: 'The HTTP status of the answer', examples: [400] }),
    detail: Type.String({
      description: 'What went wrong with this request and what to change; never an internal message',
      examples: ['days[0]: "2024-13-45" is not a date; use YYYY-MM-DD or YYYYMMDD'],
    }),
    code: Type.String({
      description: 'Stable error code to branch on (docs/errors.md lists every one)',
      examples: ['validation_failed'],
    }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({
            description: 'The offending field: a body path (days[0]), or query., params. or a header name',
          }),
          message: Type.String({ description: 'What is wrong with it and what to send instead' }),
        }),
        { description: 'With validation problems: one entry per offending field' },
      ),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem document' },
);

/** What each error status means, as the OpenAPI document describes the answer. */
export const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid: `detail` says what to change and `errors` names each offending field',
  401: 'No valid credentials: send X-API-Key, or Authorization: Bearer <token> from POST /auth/v1/login (session_ended: that login was ended by a logout or a password change; log in again)',
  403: 'Refused: a browser session changing something without its X-CSRF-Token (csrf_failed), or a download link that is wrong or has expired (link_invalid)',
  404: 'Not found: no such resource in your organisation',
  409: 'Conflicts with the current state; `code` says which (a name or e-mail taken, a task or run in another status, an Idempotency-Key still in use)',
  413: 'The body (or an expression in it) is too large',
  415: 'The body is not application/json',
  422: 'Understood but not done: an Idempotency-Key reused with another request, or a preview that could not read the segment',
  429: 'Too many requests (the per-minute rate limit, login attempts, or tasks in progress): try again after Retry-After',
  500: 'Internal error: the detail never shows the cause; try again, and report it if it persists',
  503: 'A service this request needs (storage, store or queue) did not answer or is busy: try again later',
  504: 'The preview took too long',
};

/** The error answer of one status: a reference to `Problem`, described for that status (or as given). */
export const problem = (
  status: number,
  description = PROBLEM_DESCRIPTIONS[status] ?? 'RFC 9457 problem document',
) => Type.Ref('Problem', { description });

/**
 * The error answers of a route, by status: each a reference to `Problem`, which the app registers
 * once, so the OpenAPI document lists it once under components.
 */
export const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, problem(status)])) as Record<number, TSchema>;
