import type { onRequestHookHandler, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { AccountService } from '../accounts/account-service.ts';
import type { ApiScope } from '../contract/account-schemas.ts';
import { problem } from '../contract/problem-schema.ts';
import { requireApiAccess, requireUser } from './auth.ts';

/**
 * Who may call a route: an API key holding that scope (a user's login holds every scope); `user`:
 * a user's login only, never a key (API clients, password, logout); `public`: anyone, the route
 * checks whatever credential it takes itself (login, a signed download link).
 */
export type RouteAccess = ApiScope | 'user' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Who may call the route (see {@link RouteAccess}): the one place a route says it. Every route
     * under `/api/`, `/client/` and `/auth/` must; the app does not start when one does not.
     */
    access?: RouteAccess;
  }
}

/** Routes that must declare their access: the whole API; probes, docs, metrics and the console need none. */
const DECLARED = /^\/(api|client|auth)\//;

type RouteSchema = NonNullable<RouteOptions['schema']> & {
  security?: Array<Record<string, readonly string[]>>;
};

/**
 * Turns each route's `config.access` into its credentials check, run first in `onRequest` (before
 * the body is read), and into its OpenAPI `security` (the API key's scope) and 403. A route under
 * the API's prefixes without `access` is a startup error, so none can be added unguarded by
 * forgetting it. Register it before the routes.
 */
export const routeAccess = fp<{ accounts: AccountService }>(
  async (app, { accounts }) => {
    const checks: Record<Exclude<RouteAccess, 'public'>, onRequestHookHandler> = {
      read: requireApiAccess(accounts, 'read'),
      write: requireApiAccess(accounts, 'write'),
      admin: requireApiAccess(accounts, 'admin'),
      user: requireUser(accounts),
    };
    app.addHook('onRoute', (route) => {
      const access = route.config?.access;
      if (access === undefined) {
        if (!DECLARED.test(route.url)) return;
        const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
        throw new Error(
          `${methods} ${route.url} declares no access: add config: { access: 'read' | 'write' | 'admin' | 'user' | 'public' } (src/http/route-access.ts)`,
        );
      }
      if (access === 'public') return;
      route.onRequest = [checks[access], ...asArray(route.onRequest)];
      if (access === 'user') return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      route.schema = withScope(route.schema as RouteSchema | undefined, access, !methods.includes('GET'));
    });
  },
  { name: 'route-access' },
);

/**
 * The route's documentation with the scope its API key needs, and the 403 of a key without it (and,
 * on a route that `changes` something, of a browser session without its CSRF token).
 */
function withScope(
  schema: RouteSchema | undefined,
  scope: ApiScope,
  changes: boolean,
): RouteSchema | undefined {
  if (!schema) return schema;
  const security = schema.security?.map((requirement) =>
    'apiKey' in requirement ? { ...requirement, apiKey: [scope] } : requirement,
  );
  const refused =
    `Refused: an API key without the \`${scope}\` scope (scope_missing)` +
    (changes ? ', or a browser session without its X-CSRF-Token (csrf_failed)' : '');
  return {
    ...schema,
    ...(security && { security }),
    response: { ...(schema.response as object), 403: problem(403, refused) },
  };
}

function asArray<T>(hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return [];
  return Array.isArray(hooks) ? hooks : [hooks];
}
