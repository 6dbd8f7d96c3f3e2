import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CODES, type ErrorCode, type FieldError } from '../errors.ts';

/** The one place errors become HTTP answers: RFC 9457 problem documents, never an internal message. */
export function sendProblem(reply: FastifyReply, error: AppError): FastifyReply {
  const { title } = ERROR_CODES[error.code];
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply
    .status(error.status)
    .type('application/problem+json')
    .send({
      type: `https://audiences.dev/problems/${error.code.replaceAll('_', '-')}`,
      title,
      status: error.status,
      detail: error.message,
      code: error.code,
      ...(error.errors.length > 0 ? { errors: error.errors } : {}),
    });
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Translates whatever a handler or Fastify threw into an AppError. */
export function toAppError(error: FastifyError | Error, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  const fastifyError = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fastifyError.validation) {
    const errors = fastifyError.validation.map((issue) => fieldError(issue, fastifyError.validationContext));
    const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    return new AppError('validation_failed', detail, errors);
  }
  switch (fastifyError.code) {
    case 'FST_ERR_BAD_URL':
      return new AppError(
        'validation_failed',
        'the URL is not valid (broken percent-encoding); encode it again',
      );
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('validation_failed', 'a path segment of the URL is too long');
    case 'FST_ERR_CTP_INVALID_JSON':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('malformed_json', 'the body is not valid JSON; send a JSON object');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(
        'body_too_large',
        `the body is larger than ${request.routeOptions.bodyLimit} bytes`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('unsupported_media_type', 'send the body as application/json');
  }
  if (error instanceof SyntaxError || fastifyError.statusCode === 400) {
    return new AppError('malformed_json', 'the body is not valid JSON; send a JSON object');
  }
  const status = fastifyError.statusCode;
  if (status && status >= 400 && status < 500) {
    const code = (Object.keys(ERROR_CODES) as ErrorCode[]).find((c) => ERROR_CODES[c].status === status);
    if (code) return new AppError(code, ERROR_CODES[code].title);
  }
  return new AppError(
    'internal_error',
    'something went wrong on our side; try again, and tell us if it persists',
  );
}

function fieldError(issue: AjvError, context = 'body'): FieldError {
  const path = issue.instancePath
    .split('/')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
  const prefix = context === 'body' ? '' : `${context}.`;
  if (issue.keyword === 'required') {
    const missing = String(issue.params.missingProperty);
    return { field: prefix + (path ? `${path}.${missing}` : missing), message: 'is required' };
  }
  if (issue.keyword === 'additionalProperties') {
    const extra = String(issue.params.additionalProperty);
    return {
      field: prefix + (path ? `${path}.${extra}` : extra),
      message: 'is not a known field; remove it',
    };
  }
  const field = prefix + (path || context);
  if (issue.keyword === 'minItems' && issue.params.limit === 1)
    return { field, message: 'must not be empty' };
  if (issue.keyword === 'uniqueItems') {
    const [first, second] = [Number(issue.params.i), Number(issue.params.j)].sort((a, b) => a - b);
    return {
      field,
      message: `has a duplicate (items ${first} and ${second} are the same); list each value once`,
    };
  }
  if (issue.keyword === 'enum') {
    return { field, message: `must be one of ${(issue.params.allowedValues as unknown[]).join(', ')}` };
  }
  return { field, message: issue.message ?? 'is not valid' };
}
