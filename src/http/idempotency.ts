import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import stringify from 'safe-stable-stringify';
import { problems } from '../contract/problem-schema.ts';
import { invalidField } from '../errors.ts';
import type { IdempotencyTicket, IdempotentRequests } from '../idempotency/idempotent-requests.ts';
import { principalOf } from './auth.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route takes an `Idempotency-Key` header: a POST that creates or changes something. Its
     * auth hook must have set the request's principal before the body is handled.
     */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    /** Set while this request holds its Idempotency-Key, until its answer is sent. */
    idempotency?: IdempotencyTicket;
  }
}

const HEADER = 'idempotency-key';
const MAX_KEY_LENGTH = 255;
/** Answer headers a replay repeats (besides the body and status). */
const REPLAYED_HEADERS = ['content-type', 'location'];

const KeyHeader = Type.String({
  description:
    'Makes the request safe to retry: 1-255 printable ASCII characters (a UUID, say), unique per ' +
    'request. The same key with the same request within IDEMPOTENCY_TTL (24 h) answers as the ' +
    'first did, with `Idempotent-Replayed: true`, without doing the work again; with another ' +
    'request, 422 `idempotency_key_reused`. Only successes are kept: after an error the key is ' +
    'free again. Keys are per organisation.',
});

/**
 * `Idempotency-Key` on the routes that opt in with `config: { idempotent: true }`: the header is
 * added to their schema (and so to the OpenAPI document), and the request is run once per key (see
 * `IdempotentRequests`). Register it before the routes.
 */
export const idempotency = fp<{ requests: IdempotentRequests }>(
  async (app, { requests }) => {
    async function begin(request: FastifyRequest, reply: FastifyReply) {
      const key = request.headers[HEADER];
      if (key === undefined) return;
      checkKey(key);
      const started = await requests.start(principalOf(request).organizationId, key, fingerprint(request));
      if (started.outcome === 'proceed') {
        request.idempotency = started.ticket;
        return;
      }
      const { status, headers, body } = started.response;
      return reply.status(status).headers(headers).header('idempotent-replayed', 'true').send(body);
    }

    async function settle(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
      const ticket = request.idempotency;
      if (!ticket) return payload;
      request.idempotency = undefined;
      // Answers are JSON text by now; anything else (a stream) cannot be kept and frees the key.
      await requests.finish(
        ticket,
        typeof payload === 'string'
          ? { status: reply.statusCode, headers: replayedHeaders(reply), body: payload }
          : undefined,
      );
      return payload;
    }

    app.addHook('onRoute', (route) => {
      if (!route.config?.idempotent) return;
      route.schema = withKeyHeader(route.schema);
      route.preHandler = [...asArray(route.preHandler), begin];
      route.onSend = [...asArray(route.onSend), settle];
    });
  },
  { name: 'idempotency' },
);

/** A 400 naming the header unless the key is 1-255 printable ASCII characters. */
function checkKey(key: string | string[]): asserts key is string {
  const field = 'Idempotency-Key';
  if (typeof key !== 'string') throw invalidField(field, 'send the header once');
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw invalidField(
      field,
      `must be 1 to ${MAX_KEY_LENGTH} characters (it has ${key.length}); send a unique value such as a UUID`,
    );
  }
  if (!/^[\x20-\x7e]+$/.test(key)) {
    throw invalidField(
      field,
      'must hold only printable ASCII characters; send a unique value such as a UUID',
    );
  }
}

/**
 * SHA-256 of what makes two requests the same: method, URL (path and query) and body, its keys
 * sorted so that `{"a":1,"b":2}` and `{"b":2,"a":1}` are one request.
 */
function fingerprint(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${stringify(request.body ?? null)}`)
    .digest('hex');
}

function replayedHeaders(reply: FastifyReply): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) kept[name] = String(value);
  }
  return kept;
}

type RouteSchema = NonNullable<RouteOptions['schema']>;

/** The route's schema with the header (beside any it has) and the problems the key can cause. */
function withKeyHeader(schema: RouteSchema | undefined): RouteSchema {
  const headers = schema?.headers as { properties?: Record<string, unknown> } | undefined;
  return {
    ...schema,
    headers: headers
      ? { ...headers, properties: { ...headers.properties, [HEADER]: KeyHeader } }
      : Type.Object({ [HEADER]: Type.Optional(KeyHeader) }),
    response: { ...(schema?.response as object), ...problems(400, 409, 422) },
  };
}

function asArray<T>(hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return [];
  return Array.isArray(hooks) ? hooks : [hooks];
}
