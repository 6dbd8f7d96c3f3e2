import { createHash } from 'node:crypto';
import cookie from '@fastify/cookie';
import rateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit';
import swagger, { type SwaggerOptions } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Redis } from 'ioredis';
import type { AccountService } from '../accounts/account-service.ts';
import type { AudienceService } from '../audiences/audience-service.ts';
import type { IntentCatalog } from '../catalog/intent-catalog.ts';
import type { TopicIndex } from '../catalog/topic-index.ts';
import { Problem } from '../contract/problem-schema.ts';
import type { DownloadService } from '../downloads/download-service.ts';
import { AppError } from '../errors.ts';
import type { IdempotentRequests } from '../idempotency/idempotent-requests.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { OverlapService } from '../overlap/overlap-service.ts';
import type { TaskService } from '../tasks/task-service.ts';
import type { WebhookService } from '../webhooks/webhook-service.ts';
import { apiDocsUiOptions } from './api-docs.ts';
import { consolePlugin } from './console.ts';
import { idempotency } from './idempotency.ts';
import { sendProblem, toAppError } from './problem.ts';
import { routeAccess } from './route-access.ts';
import { routeProblems } from './route-problems.ts';
import { accountRoutes } from './routes/account-routes.ts';
import { archiveRoutes } from './routes/archive-routes.ts';
import { audienceRoutes } from './routes/audience-routes.ts';
import { catalogRoutes } from './routes/catalog-routes.ts';
import { downloadRoutes } from './routes/download-routes.ts';
import { healthRoutes, type ReadinessCheck } from './routes/health-routes.ts';
import { metricsRoutes } from './routes/metrics-routes.ts';
import { overlapRoutes } from './routes/overlap-routes.ts';
import { sessionRoutes } from './routes/session-routes.ts';
import { taskRoutes } from './routes/task-routes.ts';
import { webhookRoutes } from './routes/webhook-routes.ts';

export interface AppDependencies {
  accounts: AccountService;
  tasks: TaskService;
  audiences: AudienceService;
  overlap: OverlapService;
  catalog: IntentCatalog;
  topics: TopicIndex;
  downloads: DownloadService;
  /** Runs the routes that take an `Idempotency-Key` once per key. */
  idempotentRequests: IdempotentRequests;
  webhooks: WebhookService;
  readiness: ReadinessCheck[];
  /** Base URL for the OpenAPI `servers` entry; unset means the origin the document is served from. */
  publicUrl: string | undefined;
  logger: FastifyServerOptions['logger'];
  /** @defaultValue 64 KiB: task bodies are small; anything larger is a mistake or an attack. */
  bodyLimit?: number;
  /** Requests per minute per API key, token or (without either) client address. */
  rateLimitPerMinute: number;
  /** Served at `GET /metrics`; its `http` part, when present, records every answered request. */
  metrics?: Metrics;
  /**
   * Where the requests are counted. Unset: in this process's memory, each process on its own. A
   * Redis client: in Redis, shared by every process given the same Redis and prefix, so the limit
   * holds for the whole deployment. The app does not close the client.
   */
  rateLimitRedis?: Redis;
  /** Starts the rate-limit keys in Redis. @defaultValue `audiences:rate:` */
  rateLimitPrefix?: string;
  /** The built web console served at `/`. @defaultValue `dist/web` of this package */
  consoleDir?: string;
  /** The intent tree (`INTENT_INPUT_PATH`): Swagger UI's examples name it, so "Try it out" reads real data. */
  intentInputPath?: string;
}

/** Probes, the docs and the console's static files: never rate limited. */
const RATE_LIMIT_EXEMPT = /^\/(healthz|readyz|docs|openapi\.json|assets\/)/;

/** Whom a request counts against: its credential when it has one, else its address. */
function rateLimitKey(request: FastifyRequest): string {
  const credential = request.headers['x-api-key'] ?? request.headers.authorization;
  if (typeof credential === 'string' && credential !== '') {
    return `c:${createHash('sha256').update(credential).digest('base64url')}`;
  }
  return `a:${request.ip}`;
}

/** Builds the HTTP app: external plugins, then the app's own, then routes. Routes only call the domain. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger,
    bodyLimit: deps.bodyLimit ?? 64 * 1024,
    ajv: {
      // Reject unknown fields instead of silently dropping them; never coerce a client's types.
      customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, useDefaults: false },
    },
    requestIdHeader: false,
    // Malformed URLs never reach the router; answer them with problem documents too.
    frameworkErrors: (error, request, reply) => {
      void sendProblem(reply, toAppError(error, request));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Only JSON bodies: a text/plain body is a 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');

  await app.register(swagger, openApiOptions(deps.publicUrl));
  await app.register(swaggerUi, apiDocsUiOptions(deps.intentInputPath));
  await app.register(cookie);
  app.addSchema(Problem);
  await app.register(rateLimit, rateLimitOptions(deps));

  const httpMetrics = deps.metrics?.http;
  if (httpMetrics) {
    // The route's pattern, never its URL: no id or key reaches a label. Unmatched requests have none.
    app.addHook('onResponse', async (request, reply) => {
      httpMetrics.requestAnswered(
        request.method,
        request.routeOptions.url,
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
    });
  }

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error as Error, request);
    // A 503 (a database or a queue that did not answer) is an outage to watch, not a bug to fix.
    if (appError.status === 503)
      request.log.warn({ code: appError.code, detail: appError.message }, 'request failed');
    else if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, appError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, new AppError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  // Before the routes: these extend each route as it is declared. Access first, so its credentials
  // check comes before anything else a route runs, and the idempotency check has its principal.
  await app.register(routeAccess, { accounts: deps.accounts });
  await app.register(idempotency, { requests: deps.idempotentRequests });
  await app.register(routeProblems, { rateLimited: (url) => !RATE_LIMIT_EXEMPT.test(url) });

  await app.register(healthRoutes, { checks: deps.readiness });
  await app.register(accountRoutes, { accounts: deps.accounts });
  await app.register(sessionRoutes, { accounts: deps.accounts });
  await app.register(taskRoutes, { tasks: deps.tasks });
  await app.register(audienceRoutes, { audiences: deps.audiences });
  await app.register(overlapRoutes, { overlap: deps.overlap });
  await app.register(catalogRoutes, { catalog: deps.catalog, topics: deps.topics });
  await app.register(downloadRoutes, { downloads: deps.downloads });
  await app.register(archiveRoutes, { downloads: deps.downloads });
  await app.register(webhookRoutes, { webhooks: deps.webhooks });
  if (deps.metrics) await app.register(metricsRoutes, { metrics: deps.metrics });

  await app.register(consolePlugin, deps.consoleDir ? { dir: deps.consoleDir } : {});

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

/** The OpenAPI document's frame: what the service is, where it answers, how callers authenticate. */
function openApiOptions(publicUrl: string | undefined): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Audiences API',
        version: '1.0.0',
        description:
          'Count intent audience segments and export them as Parquet, CSV or JSON Lines files; save ' +
          'audiences that run on a schedule; get signed webhooks when tasks end.\n\n' +
          '**Authenticate**: register (POST /auth/v1/register), log in (POST /auth/v1/login) and send the ' +
          'token as `Authorization: Bearer <token>`, or create an API client (POST /client/v1) and send ' +
          'its key as `X-API-Key`. A key holds scopes: `read` (status, lists, catalog, estimates, ' +
          'previews, manifests, archives, downloads), `write` (create, unload, cancel, retry tasks; ' +
          'change and run audiences) and `admin` (webhooks); each route names the one it needs under ' +
          '`security`, and a key without it gets 403 `scope_missing`. A login holds every scope until ' +
          'it expires or its session ends (POST /auth/v1/logout, a password change); only a login ' +
          'manages API clients.\n\n' +
          '**Errors** are RFC 9457 problem documents (`application/problem+json`) with a stable `code`.\n\n' +
          'The examples read the demo data of `npm start`: days from 2024-05-01, topic prefixes 4eyes_101 ' +
          'to 4eyes_110, scores low, medium and high.',
      },
      tags: [
        { name: 'accounts', description: 'Users, logins and browser sessions' },
        { name: 'clients', description: 'API clients: keys for programs' },
        { name: 'tasks', description: 'Count and export segments; follow, control and download them' },
        { name: 'audiences', description: 'Saved audiences that run on a schedule, in full or as deltas' },
        { name: 'catalog', description: 'What the intent data holds' },
        { name: 'webhooks', description: 'Signed notifications when tasks and audience runs end' },
        { name: 'health', description: 'Liveness and readiness probes' },
        { name: 'operations', description: 'Metrics for Prometheus' },
      ],
      servers: [{ url: publicUrl ?? '/' }],
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          session: { type: 'apiKey', in: 'cookie', name: 'audiences_session' },
        },
      },
    },
  };
}

/** Requests per minute per credential (or address), shared through Redis when scaled out. */
function rateLimitOptions(deps: AppDependencies): RateLimitPluginOptions {
  return {
    max: deps.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: rateLimitKey,
    ...(deps.rateLimitRedis && {
      redis: deps.rateLimitRedis,
      nameSpace: deps.rateLimitPrefix ?? 'audiences:rate:',
    }),
    // Probes, the docs and the console's static files are not rate limited: an orchestrator must
    // always reach them, and a page load is many small files.
    allowList: (request) => RATE_LIMIT_EXEMPT.test(request.url),
    enableDraftSpec: true,
    // A Redis outage lets requests through unlimited for its duration rather than failing them all.
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'rate_limited',
        `too many requests; at most ${context.max} a minute, try again in ${context.after}`,
      ),
  };
}
